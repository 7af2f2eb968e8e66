"""The ingest pipeline end to end: JSON batches in, de-duplicated events out, back-pressure,
store failures, milestones to the webhook sender, bots excluded from queries."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from analytics_helpers import NOW_MS, batch_body, player_event

from openreel.analytics import queries
from openreel.analytics.bots import bot_flags
from openreel.analytics.columns import EventColumns
from openreel.analytics.duckdb_store import DuckDBEventStore
from openreel.analytics.ingest import EventQueue, IngestPipeline, QueueFull
from openreel.analytics.simulate import SimConfig, simulate
from openreel.analytics.store import InsertResult, Milestone
from openreel.analytics.webhook import WebhookResponse, WebhookSender, WebhookSettings
from openreel.errors import AnalyticsError


def _clock() -> float:
    return NOW_MS / 1000


def test_simulated_traffic_through_json_batches_three_times_concurrently() -> None:
    sim = simulate(SimConfig(views=150, seed=11, start_ms=NOW_MS - 2 * 86_400_000, days=1))
    events = sim.columns.event_dicts()
    bodies = [gzip.compress(batch_body(events[i : i + 50])) for i in range(0, len(events), 50)]
    store = DuckDBEventStore(None)
    pipeline = IngestPipeline(store, clock=_clock)
    barrier = threading.Barrier(3)

    def client() -> None:
        barrier.wait()
        for body in bodies:
            result = pipeline.submit(body, "gzip")
            assert result.rejected == ()

    threads = [threading.Thread(target=client) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pipeline.flush()
    assert store.count_events() == len(events)
    assert pipeline.stats.events_accepted == 3 * len(events)
    assert pipeline.stats.events_stored == len(events)
    assert pipeline.stats.events_duplicate == 2 * len(events)
    views = store.view_table("demo")
    flagged = set(store.view_ids(views.key[bot_flags(views) != 0]))
    assert flagged == set(sim.truth.bot_view_ids)
    (curve,) = queries.retention(store, "demo")
    assert curve.started == sim.truth.funnel["play"]


def test_bots_with_future_clocks_are_still_flagged() -> None:
    sim = simulate(SimConfig(views=100, bot_rate=0.1, seed=5, start_ms=NOW_MS + 86_400_000))
    store = DuckDBEventStore(None)
    pipeline = IngestPipeline(store, clock=_clock)
    events = sim.columns.event_dicts()
    for i in range(0, len(events), 500):
        pipeline.submit(batch_body(events[i : i + 500]))
    pipeline.flush()
    views = store.view_table("demo")
    future = sum(1 for e in events if e["ts"] > NOW_MS + 600_000)
    assert pipeline.stats.ts_clamped_future == future > 0.9 * len(events)
    flagged = set(store.view_ids(views.key[bot_flags(views) != 0]))
    assert sim.truth.bot_view_ids <= flagged


def test_queue_full_is_a_clear_signal_and_keeps_nothing() -> None:
    store = DuckDBEventStore(None)
    pipeline = IngestPipeline(store, queue=EventQueue(max_events=60, retry_after_s=2.5))
    view = uuid4()
    first = batch_body([player_event(view, i) for i in range(50)])
    second = batch_body([player_event(view, 50 + i) for i in range(20)])
    assert pipeline.submit(first).accepted == 50
    with pytest.raises(QueueFull) as err:
        pipeline.submit(second)
    assert err.value.code == "OR-E706" and err.value.retry_after_s == 2.5
    assert len(pipeline.queue) == 50 and pipeline.stats.queue_full == 1
    pipeline.flush()
    assert pipeline.submit(second).accepted == 20
    pipeline.flush()
    assert store.count_events() == 70


class _FlakyStore:
    """Fails the first insert, then delegates."""

    def __init__(self, inner: DuckDBEventStore) -> None:
        self.inner = inner
        self.calls = 0

    def insert(self, batch: EventColumns, *, milestones: bool = True) -> InsertResult:
        self.calls += 1
        if self.calls == 1:
            raise OSError("disk unavailable")
        return self.inner.insert(batch, milestones=milestones)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_failed_write_requeues_then_background_thread_stores() -> None:
    inner = DuckDBEventStore(None)
    store = _FlakyStore(inner)
    pipeline = IngestPipeline(store, queue=EventQueue(max_events=100))  # type: ignore[arg-type]
    view = uuid4()
    pipeline.submit(batch_body([player_event(view, i) for i in range(80)]))
    with pytest.raises(OSError, match="disk"):
        pipeline.flush()
    assert len(pipeline.queue) == 80 and pipeline.stats.store_errors == 1
    with pytest.raises(QueueFull):  # back-pressure while the store is behind
        pipeline.submit(batch_body([player_event(view, 80 + i) for i in range(30)]))
    pipeline.start(flush_interval_s=0.01)
    pipeline.stop()
    assert inner.count_events() == 80 and len(pipeline.queue) == 0


def test_whole_batch_refusals_are_counted() -> None:
    pipeline = IngestPipeline(DuckDBEventStore(None))
    for body, code in ((b"{", "OR-E700"), (b'{"v": 9, "events": []}', "OR-E704")):
        with pytest.raises(AnalyticsError) as err:
            pipeline.submit(body)
        assert err.value.code == code
    assert pipeline.stats.refused_by_code == {"OR-E700": 1, "OR-E704": 1}


def test_unknown_views_are_flagged_and_excluded() -> None:
    issued = {uuid4() for _ in range(3)}
    stranger = uuid4()
    store = DuckDBEventStore(None)
    pipeline = IngestPipeline(store, known_view=issued.__contains__)
    for view in [*issued, stranger]:
        pipeline.submit(batch_body([player_event(view, 0, "play"), player_event(view, 1)]))
    pipeline.flush()
    (curve,) = queries.retention(store, "spring")
    assert curve.started == 3
    (with_bots,) = queries.retention(store, "spring", include_bots=True)
    assert with_bots.started == 4


def test_milestones_reach_the_webhook_once(tmp_path: Path) -> None:
    posted: list[bytes] = []

    def transport(url: str, body: bytes, headers: object) -> WebhookResponse:
        posted.append(body)
        return WebhookResponse(204)

    settings = WebhookSettings("https://crm.example/hook", b"0123456789abcdef", tmp_path / "dl")
    sender = WebhookSender(settings, transport=transport, sleep=lambda s: None, clock=_clock)
    seen: list[Sequence[Milestone]] = []

    def deliver(milestones: Sequence[Milestone]) -> None:
        seen.append(milestones)
        sender.deliver_all(list(milestones))

    store = DuckDBEventStore(None)
    pipeline = IngestPipeline(store, on_milestones=deliver)
    view: UUID = uuid4()
    body = batch_body(
        [player_event(view, 0, "play"), player_event(view, 1, "complete", media_time=30.0)]
    )
    for _ in range(3):
        pipeline.submit(body)
        pipeline.flush()
    assert len(posted) == 1 and b'"type":"complete"' in posted[0]
    assert str(view).encode() in posted[0]
