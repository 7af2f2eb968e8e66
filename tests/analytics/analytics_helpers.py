"""Helpers shared by the analytics tests: the simulated campaign's settings and an independent
pandas frame of events built from the raw columns (never through the store's SQL)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import numpy as np
import pandas as pd

from openreel.analytics.columns import EventColumns
from openreel.analytics.schema import EVENT_TYPES
from openreel.analytics.simulate import ArmSpec, SimConfig

#: Both arms lose viewers the same way in "offer" (exactly 30%); arm "b" clicks more.
CONFIG = SimConfig(
    campaign="spring",
    views=20_000,
    arms=(
        ArmSpec("a", click_rate=0.10, hazard_scale=1.0),
        ArmSpec("b", click_rate=0.16, hazard_scale=1.0),
    ),
    seed=7,
)


def events_frame(cols: EventColumns) -> pd.DataFrame:
    """One row per event with its view's attributes, straight from the columns."""
    view = cols.event_view.astype(np.int64)
    view_key = [f"{h:016x}{lo:016x}" for h, lo in zip(cols.view_hi, cols.view_lo, strict=True)]
    arms = {int(v): a for v, a in zip(cols.arm_view, cols.arm_name, strict=True)}
    return pd.DataFrame(
        {
            "view": np.asarray(view_key, dtype=object)[view],
            "seq": cols.seq,
            "type": np.asarray(EVENT_TYPES, dtype=object)[cols.type],
            "media_time": cols.media_time,
            "from_time": cols.from_time,
            "ts": cols.ts,
            "device": cols.device[view],
            "arm": np.asarray([arms.get(int(v)) for v in view], dtype=object),
        }
    )


def uuid_key(value: UUID) -> str:
    """The frame's view key of a UUID."""
    return f"{value.int:032x}"


NOW_MS = 1_717_243_200_000  # 2024-06-01T12:00:00Z


def player_event(view: UUID, seq: int, kind: str = "progress", **extra: Any) -> dict[str, Any]:
    """A valid player event of ``view`` (media time ``seq`` seconds, client time ``NOW_MS``)."""
    event: dict[str, Any] = {
        "event_id": str(uuid4()),
        "view_id": str(view),
        "seq": seq,
        "ts": NOW_MS + seq * 1000,
        "campaign": "spring",
        "template_version": "3",
        "arms": {"offer": "b"},
        "device": "mobile",
        "type": kind,
        "media_time": float(seq),
    }
    event.update(extra)
    return event


def batch_body(events: list[dict[str, Any]], **envelope: Any) -> bytes:
    """A batch as the player sends it."""
    return json.dumps({"v": 1, "events": events, **envelope}).encode()
