"""Synthetic traffic with known ground truth, for tests, demos and benchmarks.

The viewer model, per started view (a ``play``):

* the view gets an arm of ``decision`` (by ``ArmSpec.weight``), a device and a start time
  (a diurnal pattern over ``days`` days);
* it plays whole seconds in order; at each second ``k`` it leaves with hazard ``h_k``: the
  ``base_hazard`` everywhere except in the scenes of ``scene_loss``, where the per-second hazard
  is set so that the scene loses exactly that share of the viewers who enter it. An arm's
  ``hazard_scale`` multiplies the cumulative hazard: ``1 - (1 - h) ** scale``;
* with ``skip_rate`` it skips from second ``skip_from_s`` to ``skip_to_s`` (a ``seek``; the
  skipped seconds are not played and carry no hazard); otherwise, with ``replay_rate``, it
  replays the last ``replay_back_s`` seconds once (a backward ``seek``; nothing new is played);
* viewers who reach second ``cta_at_s`` click the CTA with their arm's ``click_rate``;
* who survives every second completes; ``end_replay_rate`` of them replay the opening seconds.

Bots (``bot_rate`` of the views, all in the first arm and clicking): half send positions up to
three times the duration at one event a second, half send a whole view in a third of a second.
Sends: every view was ``sent`` and ``delivered`` (``opened`` is tracked for ``open_tracked`` of
them); ``recipients_per_view - 1`` extra recipients per view never load the video.

:func:`ground_truth` gives the model's exact expectations (retention, scene loss, completion,
click-through per arm and overall); :func:`simulate` also gives the sample's bots and counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import UUID

import numpy as np
import numpy.typing as npt

from openreel.analytics import _simgen
from openreel.analytics._simmodel import (
    DEFAULT_SCENES,
    ArmSpec,
    SimConfig,
    hazards,
    play_orders,
    survival,
)
from openreel.analytics.columns import EventColumns, concat

F64 = npt.NDArray[np.float64]
__all__ = [
    "DEFAULT_SCENES",
    "ArmSpec",
    "GroundTruth",
    "SimConfig",
    "Simulation",
    "ground_truth",
    "hazards",
    "iter_columns",
    "play_orders",
    "simulate",
    "survival",
]


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Expectations of the model, per arm name and for ``"all"`` (mixed by arm weight).

    ``presence[g][k]``: P(a started view plays whole second k); ``reach[g][k]``: P(it gets to
    second k or further; ``k == duration`` means it completed); ``scene_loss[g][scene]``:
    P(it leaves in the scene | it got to the scene); ``completion[g]``, ``ctr[g]`` (click-through
    per started view). Sample facts: ``bot_view_ids``, ``started``, ``funnel`` (distinct views
    per stage, bots excluded).
    """

    presence: dict[str, F64]
    reach: dict[str, F64]
    scene_loss: dict[str, dict[str, float]]
    completion: dict[str, float]
    ctr: dict[str, float]
    bot_view_ids: frozenset[UUID] = frozenset()
    started: dict[str, int] = field(default_factory=dict)
    funnel: dict[str, int] = field(default_factory=dict)


def _group_curves(config: SimConfig, arm: ArmSpec) -> tuple[F64, F64]:
    d = config.duration_s
    h = hazards(config)
    presence = np.zeros(d)
    reach = np.zeros(d + 1)
    for order, weight in zip(
        play_orders(config), (1 - config.skip_rate, config.skip_rate), strict=True
    ):
        p = survival(h, order, arm.hazard_scale)
        presence[order] += weight * p[: len(order)]
        # reach >= k: the first played second >= k was entered (or completion when none).
        first = np.searchsorted(order, np.arange(d + 1), side="left")
        reach += weight * p[first]
    return presence, reach


def ground_truth(config: SimConfig) -> GroundTruth:
    """The model's expectations (see :class:`GroundTruth`)."""
    config.validate()
    weights = np.array([a.weight for a in config.arms], dtype=np.float64)
    weights /= weights.sum()
    presence: dict[str, F64] = {}
    reach: dict[str, F64] = {}
    ctr: dict[str, float] = {}
    for arm in config.arms:
        presence[arm.name], reach[arm.name] = _group_curves(config, arm)
        ctr[arm.name] = float(reach[arm.name][config.cta_at_s] * arm.click_rate)
    presence["all"] = sum(w * presence[a.name] for w, a in zip(weights, config.arms, strict=True))
    reach["all"] = sum(w * reach[a.name] for w, a in zip(weights, config.arms, strict=True))
    ctr["all"] = float(sum(w * ctr[a.name] for w, a in zip(weights, config.arms, strict=True)))
    scene_loss: dict[str, dict[str, float]] = {}
    for group, r in reach.items():
        losses = {}
        for span in config.scenes:
            a = min(int(np.ceil(span.start_s)), config.duration_s)
            b = min(int(np.ceil(span.end_s)), config.duration_s)
            losses[span.scene_id] = float(1.0 - r[b] / r[a]) if r[a] > 0 else 0.0
        scene_loss[group] = losses
    completion = {g: float(r[config.duration_s]) for g, r in reach.items()}
    return GroundTruth(presence, reach, scene_loss, completion, ctr)


@dataclass(frozen=True, slots=True)
class Simulation:
    """Simulated events (stored order) and the ground truth."""

    columns: EventColumns
    truth: GroundTruth


def simulate(config: SimConfig | None = None, *, chunk_views: int = 50_000) -> Simulation:
    """Simulate ``config.views`` views (plus bots and send-only recipients), deterministic in
    ``config.seed`` and independent of ``chunk_views`` (default settings when None)."""
    config = config if config is not None else SimConfig()
    truth = ground_truth(config)
    parts, bots = [], set()
    started: dict[str, int] = {}
    funnel: dict[str, int] = {}
    for chunk in _simgen.generate(config, chunk_views):
        parts.append(chunk.columns)
        bots.update(chunk.bot_ids)
        for k, v in chunk.started.items():
            started[k] = started.get(k, 0) + v
        for k, v in chunk.funnel.items():
            funnel[k] = funnel.get(k, 0) + v
    full = GroundTruth(
        truth.presence,
        truth.reach,
        truth.scene_loss,
        truth.completion,
        truth.ctr,
        bot_view_ids=frozenset(bots),
        started=started,
        funnel=funnel,
    )
    return Simulation(concat(parts), full)


def iter_columns(config: SimConfig, chunk_views: int = 50_000) -> Iterator[EventColumns]:
    """The events of :func:`simulate`, chunk by chunk, generated lazily (for bulk loads)."""
    return (c.columns for c in _simgen.generate(config, chunk_views))
