"""Columnar batches of events: the one shape every store insert takes.

:class:`EventColumns` holds three parts of equal standing:

* views (length ``V``): one row per view in the batch, with its attributes (campaign, template
  version, device) and ingest flags. A view may appear in several rows (batches concatenated by
  the queue); the store merges them.
* arms (length ``A``): ``(view row, decision, arm)`` triples.
* events (length ``N``): per event, the row of its view, the stored sequence number (see
  :func:`stored_seq`), ids, type code, times and the type-specific identifier ``ref``
  (scene, CTA, channel or error code).

UUIDs travel as two ``uint64`` halves (``hi``, ``lo``) so that bulk paths never build Python
objects. Missing floats are NaN; missing strings are None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
import numpy.typing as npt

from openreel.analytics.schema import EVENT_TYPES, SEND_TYPES

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
Obj = npt.NDArray[np.object_]

#: Player sequence numbers are stored with this offset; brand events take the slots below it.
SEQ_BIAS = 4
_SEND_SEQ = {"sent": 1, "delivered": 2, "opened": 3}
_LOW64 = (1 << 64) - 1


def stored_seq(event_type: str, seq: int | None) -> int:
    """The sequence number the store de-duplicates on: ``seq + 4`` for player events, and
    1, 2, 3 for ``sent``, ``delivered``, ``opened`` (at most one of each per view).

    >>> stored_seq("progress", 0), stored_seq("opened", None)
    (4, 3)
    """
    if event_type in SEND_TYPES:
        return _SEND_SEQ[event_type]
    return (seq or 0) + SEQ_BIAS


def split_uuid(value: UUID) -> tuple[int, int]:
    """The high and low 64-bit halves of a UUID."""
    n = value.int
    return n >> 64, n & _LOW64


def join_uuid(hi: int, lo: int) -> UUID:
    """The UUID made of two 64-bit halves (inverse of :func:`split_uuid`)."""
    return UUID(int=(int(hi) << 64) | int(lo))


@dataclass(frozen=True, slots=True)
class EventColumns:
    """A batch of events in columns (see the module docstring for the three parts)."""

    view_hi: U64
    view_lo: U64
    campaign: Obj
    template_version: Obj
    device: Obj
    view_flags: U8
    arm_view: I32
    arm_decision: Obj
    arm_name: Obj
    event_view: I32
    seq: I64
    event_hi: U64
    event_lo: U64
    type: U8
    media_time: F64
    from_time: F64
    duration: F64
    ref: Obj
    ts: I64
    received: I64
    ts_flags: U8

    @property
    def n_events(self) -> int:
        return int(self.seq.shape[0])

    @property
    def n_views(self) -> int:
        return int(self.view_hi.shape[0])

    def __post_init__(self) -> None:
        v, a, n = len(self.view_hi), len(self.arm_view), len(self.seq)
        for name in ("view_lo", "campaign", "template_version", "device", "view_flags"):
            if len(getattr(self, name)) != v:
                raise ValueError(f"EventColumns.{name} must have {v} rows")
        for name in ("arm_decision", "arm_name"):
            if len(getattr(self, name)) != a:
                raise ValueError(f"EventColumns.{name} must have {a} rows")
        for name in (
            "event_view",
            "event_hi",
            "event_lo",
            "type",
            "media_time",
            "from_time",
            "duration",
            "ref",
            "ts",
            "received",
            "ts_flags",
        ):
            if len(getattr(self, name)) != n:
                raise ValueError(f"EventColumns.{name} must have {n} rows")

    @staticmethod
    def empty() -> EventColumns:
        return concat([])

    def event_dicts(self) -> list[dict[str, Any]]:
        """The events in wire format (JSON-ready dicts), in stored order. ``ts`` is the stored
        (possibly clamped) client time. Meant for tests and demos, not for bulk paths."""
        arms: dict[int, dict[str, str]] = {}
        for view, decision, arm in zip(
            self.arm_view.tolist(), self.arm_decision.tolist(), self.arm_name.tolist(), strict=True
        ):
            arms.setdefault(view, {})[decision] = arm
        out: list[dict[str, Any]] = []
        view_ids = [str(join_uuid(h, lo)) for h, lo in zip(self.view_hi, self.view_lo, strict=True)]
        for i in range(self.n_events):
            view = int(self.event_view[i])
            kind = EVENT_TYPES[int(self.type[i])]
            event: dict[str, Any] = {
                "event_id": str(join_uuid(self.event_hi[i], self.event_lo[i])),
                "view_id": view_ids[view],
                "ts": int(self.ts[i]),
                "campaign": self.campaign[view],
                "type": kind,
            }
            if self.template_version[view] is not None:
                event["template_version"] = self.template_version[view]
            if arms.get(view):
                event["arms"] = dict(arms[view])
            ref = self.ref[i]
            if kind in SEND_TYPES:
                event["channel"] = ref
                out.append(event)
                continue
            event["seq"] = int(self.seq[i]) - SEQ_BIAS
            event["device"] = self.device[view]
            event["media_time"] = float(self.media_time[i])
            extra = _EXTRA_FIELD.get(kind)
            if extra == "from_time":
                event["from_time"] = float(self.from_time[i])
            elif extra == "duration":
                event["duration"] = float(self.duration[i])
            elif extra is not None:
                event[extra] = ref
            out.append(event)
        return out


_EXTRA_FIELD: dict[str, str] = {
    "load": "duration",
    "seek": "from_time",
    "scene_enter": "scene",
    "cta_click": "cta",
    "share": "channel",
    "error": "code",
}
#: The wire field that feeds the store's ``ref`` column, per type.
REF_FIELD: dict[str, str] = {
    k: v for k, v in _EXTRA_FIELD.items() if v not in ("from_time", "duration")
} | {t: "channel" for t in SEND_TYPES}


def concat(parts: Sequence[EventColumns]) -> EventColumns:
    """One batch holding all of ``parts`` (view rows are renumbered, not merged)."""
    offsets = np.cumsum([0] + [p.n_views for p in parts], dtype=np.int64)[: len(parts)]

    def cat(name: str, dtype: Any) -> Any:
        arrays = [getattr(p, name) for p in parts]
        return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.empty(0, dtype)

    def cat_index(name: str) -> I32:
        arrays = [getattr(p, name) + np.int32(off) for p, off in zip(parts, offsets, strict=True)]
        return np.concatenate(arrays).astype(np.int32) if arrays else np.empty(0, np.int32)

    return EventColumns(
        view_hi=cat("view_hi", np.uint64),
        view_lo=cat("view_lo", np.uint64),
        campaign=cat("campaign", object),
        template_version=cat("template_version", object),
        device=cat("device", object),
        view_flags=cat("view_flags", np.uint8),
        arm_view=cat_index("arm_view"),
        arm_decision=cat("arm_decision", object),
        arm_name=cat("arm_name", object),
        event_view=cat_index("event_view"),
        seq=cat("seq", np.int64),
        event_hi=cat("event_hi", np.uint64),
        event_lo=cat("event_lo", np.uint64),
        type=cat("type", np.uint8),
        media_time=cat("media_time", np.float64),
        from_time=cat("from_time", np.float64),
        duration=cat("duration", np.float64),
        ref=cat("ref", object),
        ts=cat("ts", np.int64),
        received=cat("received", np.int64),
        ts_flags=cat("ts_flags", np.uint8),
    )
