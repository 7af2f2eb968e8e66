"""Numpy side of the DuckDB store's insert and reads: event and presence rows (sorted, distinct
keys), milestones, fetched string columns."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt

from openreel.analytics._duckdb_sql import SEC_BITS
from openreel.analytics.columns import EventColumns, join_uuid
from openreel.analytics.schema import EVENT_TYPES, TYPE_CODE
from openreel.analytics.store import Milestone

PROGRESS_CODE: Final = TYPE_CODE["progress"]


def first_of_each(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Indices of the first occurrence of every distinct key, in increasing key order."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    first = np.ones(ordered.shape[0], dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return order[first]


def event_rows(b: EventColumns, vkeys: npt.NDArray[np.int64]) -> dict[str, Any]:
    keys = (vkeys[b.event_view] << 32) | b.seq
    rows = first_of_each(keys)
    return {
        "key": keys[rows],
        "hi": b.event_hi[rows],
        "lo": b.event_lo[rows],
        "type": b.type[rows],
        "media_time": b.media_time[rows],
        "from_time": b.from_time[rows],
        "duration": b.duration[rows],
        "ref": b.ref[rows],
        "ts": b.ts[rows],
        "received": b.received[rows],
        "ts_flags": b.ts_flags[rows],
    }


def presence_rows(b: EventColumns, vkeys: npt.NDArray[np.int64]) -> dict[str, Any]:
    progress = b.type == PROGRESS_CODE
    seconds = np.floor(b.media_time[progress]).astype(np.int64)
    keys = np.sort((vkeys[b.event_view[progress]] << SEC_BITS) | seconds)
    distinct = np.ones(keys.shape[0], dtype=bool)
    distinct[1:] = keys[1:] != keys[:-1]
    return {"key": keys[distinct]}  # sorted and distinct (np.unique hashes, 10x slower here)


def string_column(column: Any) -> npt.NDArray[np.object_]:
    """A fetched string column as an object array with None for NULL."""
    if isinstance(column, np.ma.MaskedArray):
        out = np.asarray(column.data, dtype=object)
        out[np.ma.getmaskarray(column)] = None
        return out
    return np.asarray(column, dtype=object)


def milestones_of(batch: EventColumns, rows: list[tuple[Any, ...]]) -> tuple[Milestone, ...]:
    if not rows:
        return ()
    arms: dict[int, dict[str, str]] = {}
    for v, d, a in zip(
        batch.arm_view.tolist(), batch.arm_decision.tolist(), batch.arm_name.tolist(), strict=True
    ):
        arms.setdefault(v, {})[str(d)] = str(a)
    out = []
    for view, code, hi, lo, ts, media_time, ref in rows:
        kind = EVENT_TYPES[int(code)]
        out.append(
            Milestone(
                view_id=join_uuid(batch.view_hi[view], batch.view_lo[view]),
                event_id=join_uuid(hi, lo),
                type=kind,
                campaign=str(batch.campaign[view]),
                template_version=batch.template_version[view],
                arms=dict(arms.get(int(view), {})),
                ts=int(ts),
                media_time=float(media_time) if media_time is not None else 0.0,
                cta=str(ref) if kind == "cta_click" and ref is not None else None,
            )
        )
    return tuple(out)
