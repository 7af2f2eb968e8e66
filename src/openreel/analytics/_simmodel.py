"""The viewer model's settings and its exact per-second survival (shared by the generator and
the ground truth; see :mod:`openreel.analytics.simulate` for the model)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from openreel.analytics.spans import SceneSpan, check_spans
from openreel.errors import AnalyticsError

F64 = npt.NDArray[np.float64]

DEFAULT_SCENES: Final = (
    SceneSpan("intro", 0, 4),
    SceneSpan("hook", 4, 10),
    SceneSpan("offer", 10, 18),
    SceneSpan("proof", 18, 24),
    SceneSpan("cta", 24, 30),
)


@dataclass(frozen=True, slots=True)
class ArmSpec:
    """One arm: its share of views, CTA click rate (given the CTA was reached), hazard scale."""

    name: str
    weight: float = 1.0
    click_rate: float = 0.1
    hazard_scale: float = 1.0


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Settings of the simulated traffic (see the module docstring)."""

    campaign: str = "demo"
    template_version: str = "1"
    views: int = 2000
    duration_s: int = 30
    scenes: tuple[SceneSpan, ...] = DEFAULT_SCENES
    base_hazard: float = 0.012
    scene_loss: tuple[tuple[str, float], ...] = (("offer", 0.30),)
    decision: str = "offer"
    arms: tuple[ArmSpec, ...] = (
        ArmSpec("a", click_rate=0.10),
        ArmSpec("b", click_rate=0.17, hazard_scale=0.8),
    )
    cta: str = "buy"
    cta_at_s: int = 24
    play_rate: float = 0.85
    skip_from_s: int = 1
    skip_to_s: int = 4
    skip_rate: float = 0.08
    replay_rate: float = 0.1
    replay_back_s: int = 3
    end_replay_rate: float = 0.1
    end_replay_s: int = 5
    pause_on_exit: float = 0.6
    bot_rate: float = 0.04
    recipients_per_view: float = 2.5
    open_tracked: float = 0.5
    start_ms: int = 1_717_200_000_000
    days: int = 7
    devices: tuple[tuple[str, float], ...] = (
        ("mobile", 0.6),
        ("desktop", 0.33),
        ("tablet", 0.05),
        ("tv", 0.02),
    )
    seed: int = 0

    def validate(self) -> None:
        """Raise ``OR-E712`` when the settings cannot describe traffic."""
        problems = []
        if self.views < 1 or self.duration_s < 2:
            problems.append("views >= 1 and duration_s >= 2")
        if not self.arms or any(a.weight <= 0 or not 0 <= a.click_rate <= 1 for a in self.arms):
            problems.append("arms with weight > 0 and click_rate in [0, 1]")
        if not 0 <= self.skip_from_s < self.skip_to_s - 1 < self.duration_s - 1:
            problems.append("0 <= skip_from_s < skip_to_s - 1 < duration_s - 1")
        if not 0 < self.cta_at_s < self.duration_s:
            problems.append("0 < cta_at_s < duration_s")
        losses = dict(self.scene_loss)
        if any(not 0 <= v < 1 for v in losses.values()):
            problems.append("scene losses in [0, 1)")
        if set(losses) - {s.scene_id for s in self.scenes}:
            problems.append("scene_loss names declared scenes")
        if self.recipients_per_view and self.recipients_per_view < 1:
            problems.append("recipients_per_view 0 (no sends) or >= 1")
        if problems:
            raise AnalyticsError("OR-E712", "need " + "; ".join(problems))
        check_spans(self.scenes)


def hazards(config: SimConfig) -> F64:
    """Per-second leaving hazard ``h[k]`` for ``k = 0 .. duration_s - 1`` (arm scale 1)."""
    h = np.full(config.duration_s, config.base_hazard, dtype=np.float64)
    for span in config.scenes:
        loss = dict(config.scene_loss).get(span.scene_id)
        if loss is None:
            continue
        start, end = int(np.ceil(span.start_s)), min(int(np.ceil(span.end_s)), config.duration_s)
        if end > start:
            h[start:end] = 1.0 - (1.0 - loss) ** (1.0 / (end - start))
    return h


def play_orders(config: SimConfig) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The seconds played, in order, without and with the skip."""
    full = np.arange(config.duration_s, dtype=np.int64)
    skip = np.concatenate([full[: config.skip_from_s + 1], full[config.skip_to_s :]])
    return full, skip


def survival(h: F64, order: npt.NDArray[np.int64], scale: float) -> F64:
    """``P[i]``: probability of entering the i-th second of ``order``; ``P[len]``: completing."""
    keep = (1.0 - h[order]) ** scale
    return np.concatenate([[1.0], np.cumprod(keep)])
