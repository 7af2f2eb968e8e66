"""Seek heat map, device-class and hour breakdowns, and the send-to-click funnel.

Same conventions as :mod:`openreel.analytics.queries`: started views, bots excluded unless
``include_bots=True``. Hours are UTC hours of the view's first player event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from openreel.analytics.bots import DEFAULT_RULES, BotRules
from openreel.analytics.queries import CLICK, COMPLETE, PLAY, select_views
from openreel.analytics.schema import TYPE_CODE
from openreel.analytics.store import EventStore

HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class SeekHeatmap:
    """``counts[i, j]``: seeks from bin ``i`` to bin ``j`` (bin ``i`` covers
    ``[i * bin_s, (i + 1) * bin_s)``). ``replays``: backward seeks, ``skips``: forward ones."""

    bin_s: float
    counts: npt.NDArray[np.int64]
    replays: int
    skips: int
    views_with_seeks: int


def seek_heatmap(
    store: EventStore,
    campaign: str,
    *,
    bin_s: float = 1.0,
    template_version: str | None = None,
    include_bots: bool = False,
    rules: BotRules = DEFAULT_RULES,
) -> SeekHeatmap:
    """The replay and skip heat map of the campaign's started views."""
    if not bin_s > 0:
        raise ValueError("bin_s must be positive")
    views = select_views(
        store, campaign, template_version=template_version, include_bots=include_bots, rules=rules
    )
    started = views.has(PLAY)
    seeking = started & views.has(TYPE_CODE["seek"])
    src, dst = store.seeks(views.key[seeking])
    i = np.floor(src / bin_s).astype(np.int64)
    j = np.floor(dst / bin_s).astype(np.int64)
    size = int(max(i.max(initial=-1), j.max(initial=-1))) + 1
    counts = np.zeros((size, size), dtype=np.int64)
    np.add.at(counts, (i, j), 1)
    return SeekHeatmap(
        bin_s=bin_s,
        counts=counts,
        replays=int(np.count_nonzero(dst < src)),
        skips=int(np.count_nonzero(dst > src)),
        views_with_seeks=int(seeking.sum()),
    )


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """Started, completed and clicking views of one device class or hour, with the rates."""

    key: str
    started: int
    completed: int
    clicked: int
    completion_rate: float
    click_rate: float


def breakdown(
    store: EventStore,
    campaign: str,
    by: Literal["device", "hour"],
    *,
    template_version: str | None = None,
    include_bots: bool = False,
    rules: BotRules = DEFAULT_RULES,
) -> tuple[BreakdownRow, ...]:
    """Rates per device class (``"unknown"`` when not sent) or per UTC hour ("00".."23",
    every hour listed)."""
    views = select_views(
        store, campaign, template_version=template_version, include_bots=include_bots, rules=rules
    )
    started = views.has(PLAY)
    if by == "device":
        keys = np.array(["unknown" if d is None else str(d) for d in views.device], dtype=object)
        labels = sorted(set(keys[started].tolist()))
    else:
        hours = np.where(views.ts_min >= 0, (views.ts_min // HOUR_MS) % 24, -1)
        keys = np.array([f"{h:02d}" if h >= 0 else "unknown" for h in hours], dtype=object)
        labels = [f"{h:02d}" for h in range(24)]
    completed, clicked = views.has(COMPLETE), views.has(CLICK)
    rows = []
    for label in labels:
        mine = started & (keys == label)
        n = int(mine.sum())
        c, k = int((mine & completed).sum()), int((mine & clicked).sum())
        rows.append(
            BreakdownRow(label, n, c, k, c / n if n else math.nan, k / n if n else math.nan)
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class FunnelStage:
    """Distinct views at one stage, as a share of the previous and of the first stage."""

    name: str
    views: int
    of_previous: float
    of_first: float


def funnel(
    store: EventStore,
    campaign: str,
    *,
    template_version: str | None = None,
    include_bots: bool = False,
    rules: BotRules = DEFAULT_RULES,
) -> tuple[FunnelStage, ...]:
    """send -> open -> play -> complete -> click. Without any ``sent`` event the ``sent``
    stage is left out (sends were not recorded)."""
    views = select_views(
        store,
        campaign,
        template_version=template_version,
        include_bots=include_bots,
        rules=rules,
        player_only=False,
    )
    stages: list[tuple[str, int]] = []
    sent = int(views.has(TYPE_CODE["sent"]).sum())
    if sent:
        stages.append(("sent", sent))
    opened = views.has(TYPE_CODE["opened"]) | views.has(TYPE_CODE["load"])
    stages.append(("opened", int(opened.sum())))
    for name, code in (("play", PLAY), ("complete", COMPLETE), ("cta_click", CLICK)):
        stages.append((name, int(views.has(code).sum())))
    first = stages[0][1]
    out = []
    for i, (name, n) in enumerate(stages):
        prev = stages[i - 1][1] if i else n
        out.append(
            FunnelStage(name, n, n / prev if prev else math.nan, n / first if first else math.nan)
        )
    return tuple(out)
