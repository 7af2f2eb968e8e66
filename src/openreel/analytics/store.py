"""The small interface every event store implements, and the values it returns.

A store keeps events de-duplicated on ``(view_id, seq)`` and, per view, a summary that every
insert merges idempotently (min/max/bitwise-or), so a batch stored twice changes nothing:

* ``mask``: bit ``TYPE_CODE[t]`` is set when the view has an event of type ``t``;
* ``reach``: the furthest position played (max ``media_time`` over :data:`POSITION_TYPES`);
* ``max_media``: the largest ``media_time`` of any event; ``duration``: from ``load``;
* ``ts_min``/``ts_max``/``max_seq``: over player events (brand events excluded);
* ``flags``: ingest flags (:data:`UNKNOWN_VIEW`, :data:`INCONSISTENT`, :data:`TS_CLAMPED`).

It also keeps the set of whole seconds each view played (``progress`` events), which the
per-second retention counts. Bot rules are applied by :mod:`openreel.analytics.bots` on the
summaries, outside the store, so that every backend flags the same views.

Keys: ``ViewTable.key`` is an opaque integer the store assigns to a view; it is only meaningful
for the store that returned it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from uuid import UUID

import numpy as np
import numpy.typing as npt

from openreel.analytics.columns import EventColumns

#: Ingest flag: the view id was not issued by the platform.
UNKNOWN_VIEW = 1
#: Ingest flag: events of the view disagree on campaign, template version, device or an arm.
INCONSISTENT = 2
#: Informational flag (not a bot sign): some timestamps of the view were clamped.
TS_CLAMPED = 64


@dataclass(frozen=True, slots=True)
class Milestone:
    """The first ``complete`` or ``cta_click`` of a view, found while inserting (for webhooks)."""

    view_id: UUID
    event_id: UUID
    type: str
    campaign: str
    template_version: str | None
    arms: dict[str, str]
    ts: int
    media_time: float
    cta: str | None = None


@dataclass(frozen=True, slots=True)
class InsertResult:
    """What an insert did: events stored, events dropped as duplicates, milestones reached."""

    inserted: int
    duplicates: int
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True, slots=True)
class ViewTable:
    """Per-view summaries of one campaign, one row per view, ordered by ``key``.

    Missing values: NaN for floats, -1 for ``ts_min``/``ts_max``/``max_seq``, None for strings.
    ``arms[decision][i]`` is the arm of row ``i`` for that decision, or None.
    """

    key: npt.NDArray[np.int64]
    template_version: npt.NDArray[np.object_]
    device: npt.NDArray[np.object_]
    duration: npt.NDArray[np.float64]
    ts_min: npt.NDArray[np.int64]
    ts_max: npt.NDArray[np.int64]
    max_seq: npt.NDArray[np.int64]
    reach: npt.NDArray[np.float64]
    max_media: npt.NDArray[np.float64]
    mask: npt.NDArray[np.int64]
    flags: npt.NDArray[np.int64]
    arms: dict[str, npt.NDArray[np.object_]] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.key.shape[0])

    def take(self, rows: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> ViewTable:
        """The rows selected by a boolean mask or an index array."""
        return ViewTable(
            key=self.key[rows],
            template_version=self.template_version[rows],
            device=self.device[rows],
            duration=self.duration[rows],
            ts_min=self.ts_min[rows],
            ts_max=self.ts_max[rows],
            max_seq=self.max_seq[rows],
            reach=self.reach[rows],
            max_media=self.max_media[rows],
            mask=self.mask[rows],
            flags=self.flags[rows],
            arms={k: v[rows] for k, v in self.arms.items()},
        )

    def has(self, type_code: int) -> npt.NDArray[np.bool_]:
        """Which views have at least one event of the type with this code."""
        bits: npt.NDArray[np.bool_] = (self.mask >> type_code) & 1 == 1
        return bits


class EventStore(Protocol):
    """Where events live. Implementations must be safe to call from several threads."""

    def insert(self, batch: EventColumns, *, milestones: bool = True) -> InsertResult:
        """Store ``batch``; events whose ``(view, seq)`` is already stored are dropped.
        Atomic: either the whole batch is merged or nothing is."""
        ...

    def view_table(self, campaign: str, *, player_only: bool = False) -> ViewTable:
        """Summaries of the campaign's views (bots included; see :mod:`.bots`).
        ``player_only`` leaves out views that have only brand events (sends)."""
        ...

    def presence_counts(
        self, keys: npt.NDArray[np.int64], groups: npt.NDArray[np.int32], n_groups: int
    ) -> npt.NDArray[np.int64]:
        """``counts[g, s]``: views with ``groups[i] == g`` (for ``keys[i]``) that played whole
        second ``s``. Shape ``(n_groups, last second + 1)``."""
        ...

    def seeks(
        self, keys: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(from_time, to_time)`` of every seek of the given views."""
        ...

    def scene_starts(self, campaign: str) -> dict[str, tuple[float, int]]:
        """Per scene id seen in ``scene_enter`` events: (median media time, number of events)."""
        ...

    def view_ids(self, keys: npt.NDArray[np.int64]) -> list[UUID]:
        """The view ids of the given keys, in the same order."""
        ...

    def campaigns(self) -> list[str]:
        """Campaign ids that have at least one view, sorted."""
        ...

    def count_events(self, campaign: str | None = None) -> int:
        """Number of stored events (of one campaign, or all)."""
        ...

    def purge_expired(self, now_ms: int) -> int:
        """Apply the retention setting: delete views (with all their events) whose latest event
        was received before ``now_ms - retention``. Returns the number of views deleted."""
        ...

    def export_parquet(
        self,
        path: Path,
        *,
        campaign: str | None = None,
        bot_flags: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
    ) -> int:
        """Write events (one row each, view attributes joined) to a Parquet file, atomically.
        ``bot_flags`` is ``(keys, flags)`` to include as a column. Returns the row count."""
        ...

    def close(self) -> None: ...
