"""Parquet export of raw events for a warehouse, with each view's bot flags as a column.

One row per stored event: ``schema_version, event_id, view_id, seq`` (null for brand events),
``type, campaign, template_version, device, arms`` (map decision -> arm), ``media_time,
from_time, duration, scene, cta, channel, code, ts, received`` (UTC timestamps), ``ts_flags``
(1: clamped from the future, 2: from the past), ``ingest_flags`` and ``bot_flags`` (bits of
:mod:`openreel.analytics.bots`; 0 for a normal view).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from openreel.analytics.bots import DEFAULT_RULES, BotRules, bot_flags
from openreel.analytics.store import EventStore


def export_events(
    store: EventStore,
    path: Path,
    *,
    campaign: str | None = None,
    rules: BotRules = DEFAULT_RULES,
) -> int:
    """Write the events (of one campaign, or all) to ``path``; returns the number of rows."""
    keys, flags = [], []
    for name in [campaign] if campaign is not None else store.campaigns():
        views = store.view_table(name)
        keys.append(views.key)
        flags.append(bot_flags(views, rules))
    all_keys = np.concatenate(keys) if keys else np.empty(0, np.int64)
    all_flags = np.concatenate(flags) if flags else np.empty(0, np.int64)
    return store.export_parquet(path, campaign=campaign, bot_flags=(all_keys, all_flags))
