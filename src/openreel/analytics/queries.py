"""The questions a marketer asks, answered from a store. Definitions (also in docs/analytics.md):

* **started view**: a view with a ``play`` event. All rates below are per started view, bots
  excluded (``include_bots=True`` keeps them).
* **retention at second k**: the share of started views that played whole second ``k``
  (a ``progress`` with ``media_time == k``); replays count once, skipped seconds not at all.
* **reach**: the furthest position a view played; a view **reached** scene ``[a, b)`` when its
  reach is ``>= a`` and **left in** it when, besides, its reach is ``< b`` and it did not
  complete. **Drop-off** of a scene = left / reached.
* **completion rate**: views with a ``complete`` event / started views.
* **click-through (CTR)**: views with a ``cta_click`` / started views.
* **funnel**: distinct views with ``sent``, ``opened`` (an ``opened`` or a ``load``), ``play``,
  ``complete``, ``cta_click``; each stage counts its own views (stages need not nest).

Intervals are Wilson score intervals. ``p_best`` is the share of ``draws`` Monte Carlo draws
from the arms' Beta(1 + successes, 1 + failures) posteriors in which the arm is highest,
with a seeded generator, so the same data and seed give the same figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import numpy.typing as npt

from openreel.analytics.bots import DEFAULT_RULES, BotRules, bot_flags
from openreel.analytics.schema import TYPE_CODE
from openreel.analytics.spans import SceneSpan, check_spans
from openreel.analytics.store import EventStore, ViewTable
from openreel.errors import AnalyticsError

GroupBy = Literal["all", "arm", "template_version", "device"]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
PLAY, COMPLETE, CLICK = TYPE_CODE["play"], TYPE_CODE["complete"], TYPE_CODE["cta_click"]


def select_views(
    store: EventStore,
    campaign: str,
    *,
    template_version: str | None = None,
    include_bots: bool = False,
    rules: BotRules = DEFAULT_RULES,
    player_only: bool = True,
) -> ViewTable:
    """The campaign's views (of one template version if given), bots removed unless asked;
    by default only views with player events (``player_only=False`` adds send-only views).
    Raises ``OR-E707`` when the campaign has no such view."""
    views = store.view_table(campaign, player_only=player_only)
    if len(views) == 0:
        raise AnalyticsError("OR-E707", "the store has no views for this campaign")
    keep = np.ones(len(views), dtype=bool)
    if not include_bots:
        keep &= bot_flags(views, rules) == 0
    if template_version is not None:
        keep &= views.template_version == template_version
    return views.take(keep)


def groups_of(
    views: ViewTable, by: GroupBy, decision: str | None = None
) -> tuple[list[str], npt.NDArray[np.int32]]:
    """Group labels (sorted) and each view's group index (-1: the view has no label)."""
    if by == "all":
        return ["all"], np.zeros(len(views), dtype=np.int32)
    if by == "arm":
        if decision is None or decision not in views.arms:
            raise AnalyticsError("OR-E710", "no view of this selection carries that decision")
        values = views.arms[decision]
    elif by == "template_version":
        values = views.template_version
    else:
        values = views.device
    present = values != None  # noqa: E711 - element-wise comparison on an object array
    labels = sorted({str(v) for v in values[present]})
    index = {label: i for i, label in enumerate(labels)}
    codes = np.full(len(views), -1, dtype=np.int32)
    codes[present] = [index[str(v)] for v in values[present]]
    return labels, codes


@dataclass(frozen=True, slots=True)
class Proportion:
    """``successes`` of ``n``, the rate and its Wilson interval (NaN when ``n == 0``)."""

    n: int
    successes: int
    rate: float
    low: float
    high: float


def wilson(successes: int, n: int, confidence: float = 0.95) -> Proportion:
    """The Wilson score interval of a binomial proportion.

    >>> p = wilson(10, 100)
    >>> round(p.low, 4), round(p.high, 4)
    (0.0552, 0.1744)
    """
    if n == 0:
        return Proportion(0, 0, math.nan, math.nan, math.nan)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Proportion(n, successes, p, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class RetentionCurve:
    """``viewers[k]`` started views of the group played second ``k``; ``share = viewers /
    started``."""

    group: str
    started: int
    viewers: I64
    share: F64


def retention(
    store: EventStore,
    campaign: str,
    *,
    by: GroupBy = "all",
    decision: str | None = None,
    template_version: str | None = None,
    include_bots: bool = False,
    rules: BotRules = DEFAULT_RULES,
) -> tuple[RetentionCurve, ...]:
    """Per-second audience retention, one curve per group (all curves have the same length)."""
    views = select_views(
        store, campaign, template_version=template_version, include_bots=include_bots, rules=rules
    )
    labels, codes = groups_of(views, by, decision)
    started = views.has(PLAY) & (codes >= 0)
    counts = store.presence_counts(views.key[started], codes[started], len(labels))
    out = []
    for g, label in enumerate(labels):
        n = int(np.count_nonzero(started & (codes == g)))
        viewers = counts[g]
        share = viewers / n if n else np.full(viewers.shape, np.nan)
        out.append(RetentionCurve(label, n, viewers, share))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class SceneDropoff:
    """Of ``reached`` started views that got to the scene, ``left`` left in it."""

    scene_id: str
    start_s: float
    end_s: float
    reached: int
    left: int
    dropoff: float


def scene_dropoff(
    store: EventStore,
    campaign: str,
    scenes: list[SceneSpan] | tuple[SceneSpan, ...],
    *,
    by: GroupBy = "all",
    decision: str | None = None,
    template_version: str | None = None,
    include_bots: bool = False,
    rules: BotRules = DEFAULT_RULES,
) -> dict[str, tuple[SceneDropoff, ...]]:
    """Drop-off per scene (definitions in the module docstring), per group."""
    spans = check_spans(scenes)
    views = select_views(
        store, campaign, template_version=template_version, include_bots=include_bots, rules=rules
    )
    labels, codes = groups_of(views, by, decision)
    started = views.has(PLAY)
    completed = views.has(COMPLETE)
    reach = np.nan_to_num(views.reach, nan=-1.0)
    out: dict[str, tuple[SceneDropoff, ...]] = {}
    for g, label in enumerate(labels):
        mine = started & (codes == g)
        rows = []
        for span in spans:
            reached = mine & (reach >= span.start_s)
            left = reached & (reach < span.end_s) & ~completed
            r, k = int(reached.sum()), int(left.sum())
            rows.append(
                SceneDropoff(
                    span.scene_id, span.start_s, span.end_s, r, k, k / r if r else math.nan
                )
            )
        out[label] = tuple(rows)
    return out


def _rate(
    views: ViewTable, codes: npt.NDArray[np.int32], labels: list[str], bit: int, conf: float
) -> dict[str, Proportion]:
    started = views.has(PLAY)
    hit = views.has(bit)
    return {
        label: wilson(
            int((started & hit & (codes == g)).sum()), int((started & (codes == g)).sum()), conf
        )
        for g, label in enumerate(labels)
    }


def completion_rate(
    store: EventStore,
    campaign: str,
    *,
    by: GroupBy = "all",
    decision: str | None = None,
    template_version: str | None = None,
    include_bots: bool = False,
    confidence: float = 0.95,
    rules: BotRules = DEFAULT_RULES,
) -> dict[str, Proportion]:
    """Completion rate per group, with Wilson intervals."""
    views = select_views(
        store, campaign, template_version=template_version, include_bots=include_bots, rules=rules
    )
    labels, codes = groups_of(views, by, decision)
    return _rate(views, codes, labels, COMPLETE, confidence)


@dataclass(frozen=True, slots=True)
class ArmResult:
    """One arm: started views, views with the metric's event, rate, interval, P(best)."""

    arm: str
    views: int
    successes: int
    rate: float
    low: float
    high: float
    p_best: float


def p_best(successes: I64, trials: I64, *, draws: int = 20_000, seed: int = 0) -> F64:
    """P(arm i has the highest rate) under Beta(1 + s, 1 + n - s) posteriors, by Monte Carlo
    with ``draws`` draws from ``numpy.random.default_rng(seed)``."""
    if successes.shape[0] == 0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    wins = np.zeros(successes.shape[0], dtype=np.int64)
    for start in range(0, draws, 10_000):
        size = min(10_000, draws - start)
        sample = rng.beta(1 + successes, 1 + trials - successes, size=(size, successes.shape[0]))
        wins += np.bincount(sample.argmax(axis=1), minlength=successes.shape[0])
    return wins / draws


def arm_comparison(
    store: EventStore,
    campaign: str,
    decision: str,
    *,
    metric: Literal["cta_click", "complete"] = "cta_click",
    template_version: str | None = None,
    include_bots: bool = False,
    confidence: float = 0.95,
    draws: int = 20_000,
    seed: int = 0,
    rules: BotRules = DEFAULT_RULES,
) -> tuple[ArmResult, ...]:
    """CTA click-through (or completion) per arm of ``decision``, with P(best)."""
    views = select_views(
        store, campaign, template_version=template_version, include_bots=include_bots, rules=rules
    )
    labels, codes = groups_of(views, "arm", decision)
    rates = _rate(views, codes, labels, TYPE_CODE[metric], confidence)
    k = np.array([rates[a].successes for a in labels], dtype=np.int64)
    n = np.array([rates[a].n for a in labels], dtype=np.int64)
    best = p_best(k, n, draws=draws, seed=seed)
    return tuple(
        ArmResult(a, r.n, r.successes, r.rate, r.low, r.high, float(best[i]))
        for i, (a, r) in enumerate((a, rates[a]) for a in labels)
    )
