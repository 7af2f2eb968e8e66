"""Engagement analytics: event schema, ingest, the event store, queries, reports, write-back.

The flow: the player (and the brand, for sends) posts batches of events ->
:class:`IngestPipeline` checks limits and the schema and queues them -> an
:class:`EventStore` (:class:`DuckDBEventStore` by default) stores each ``(view_id, seq)`` once
-> the queries of :mod:`.queries` and :mod:`.breakdowns` answer per-second retention, scene
drop-off, completion, arm comparison, breakdowns and the funnel -> :func:`write_report` draws
them. :class:`WebhookSender` tells a CRM when a view completes or clicks. See
docs/analytics.md for definitions and the privacy model.
"""

from openreel.analytics.bots import BotRules, bot_flags
from openreel.analytics.breakdowns import (
    BreakdownRow,
    FunnelStage,
    SeekHeatmap,
    breakdown,
    funnel,
    seek_heatmap,
)
from openreel.analytics.columns import EventColumns
from openreel.analytics.duckdb_store import DuckDBEventStore
from openreel.analytics.export import export_events
from openreel.analytics.ingest import EventQueue, IngestPipeline, QueueFull, SubmitResult
from openreel.analytics.queries import (
    ArmResult,
    Proportion,
    RetentionCurve,
    SceneDropoff,
    arm_comparison,
    completion_rate,
    retention,
    scene_dropoff,
    wilson,
)
from openreel.analytics.report import ReportFiles, build_report, write_report
from openreel.analytics.schema import EVENT_TYPES, SCHEMA_VERSION, Batch, Event, event_json_schema
from openreel.analytics.simulate import ArmSpec, GroundTruth, SimConfig, Simulation, simulate
from openreel.analytics.spans import SceneSpan
from openreel.analytics.store import EventStore, InsertResult, Milestone, ViewTable
from openreel.analytics.webhook import WebhookSender, WebhookSettings, verify_signature
from openreel.analytics.wire import BodyDecoder, IngestLimits, Rejection

__all__ = [
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "ArmResult",
    "ArmSpec",
    "Batch",
    "BodyDecoder",
    "BotRules",
    "BreakdownRow",
    "DuckDBEventStore",
    "Event",
    "EventColumns",
    "EventQueue",
    "EventStore",
    "FunnelStage",
    "GroundTruth",
    "IngestLimits",
    "IngestPipeline",
    "InsertResult",
    "Milestone",
    "Proportion",
    "QueueFull",
    "Rejection",
    "ReportFiles",
    "RetentionCurve",
    "SceneDropoff",
    "SceneSpan",
    "SeekHeatmap",
    "SimConfig",
    "Simulation",
    "SubmitResult",
    "ViewTable",
    "WebhookSender",
    "WebhookSettings",
    "arm_comparison",
    "bot_flags",
    "breakdown",
    "build_report",
    "completion_rate",
    "event_json_schema",
    "export_events",
    "funnel",
    "retention",
    "scene_dropoff",
    "seek_heatmap",
    "simulate",
    "verify_signature",
    "wilson",
    "write_report",
]
