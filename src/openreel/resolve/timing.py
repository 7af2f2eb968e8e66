"""Pure timing functions shared by the resolver and both renderers.

- :func:`scene_ranges` lays scene instances on the timeline with exact integer frames.
- :func:`ease` maps linear progress through an easing (tuple form, see
  :mod:`openreel.template.animation`).
- :func:`sample` reads an animated property at a time in seconds.
- :func:`transition_progress` is the progress of a scene's entering transition at a frame.

The player's TypeScript mirrors these functions one for one; the conformance vectors and
``tests/unit/test_timing.py`` pin their results.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from openreel.timebase import FrameRange, frames_for


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one scene instance lies: its frames and its (clamped) transition length."""

    range: FrameRange
    transition_frames: int


def scene_ranges(lengths: Sequence[int], transitions: Sequence[int]) -> list[Placement]:
    """Lay out scene instances of ``lengths`` frames, each entering with ``transitions[i]`` frames.

    Each instance starts where the previous one ends minus its own transition, clamped to the
    shorter of the two neighbours; the first instance's transition is a cut. Ends never decrease,
    so the timeline lasts ``sum(lengths) - sum(clamped transitions)`` frames.

    >>> [(p.range.start, p.range.end) for p in scene_ranges([24, 48, 48], [0, 6, 6])]
    [(0, 24), (18, 66), (60, 108)]
    """
    out: list[Placement] = []
    end = 0
    prev_len = 0
    for i, (length, wanted) in enumerate(zip(lengths, transitions, strict=True)):
        overlap = 0 if i == 0 else max(0, min(wanted, prev_len, length))
        start = end - overlap
        out.append(Placement(FrameRange(start, start + length), overlap))
        end = start + length
        prev_len = length
    return out


def seconds_to_frames(seconds: Fraction, fps: Fraction) -> int:
    """Frames for a length in seconds (``floor(s * fps + 1/2)``)."""
    return frames_for(seconds, fps)


# --- easing ------------------------------------------------------------------------------------

_NEWTON_STEPS = 8
_BISECT_STEPS = 40


def _bezier(t: float, p1: float, p2: float) -> float:
    # B(t) for a 1-D cubic with endpoints 0 and 1 and control points p1, p2.
    u = 1.0 - t
    return 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t


def _bezier_slope(t: float, p1: float, p2: float) -> float:
    u = 1.0 - t
    return 3.0 * u * u * p1 + 6.0 * u * t * (p2 - p1) + 3.0 * t * t * (1.0 - p2)


def cubic_bezier(x: float, x1: float, y1: float, x2: float, y2: float) -> float:
    """CSS ``cubic-bezier(x1, y1, x2, y2)`` at progress ``x`` (solve B_x(t) = x, return B_y(t))."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    t = x
    for _ in range(_NEWTON_STEPS):
        err = _bezier(t, x1, x2) - x
        if abs(err) < 1e-7:
            return _bezier(t, y1, y2)
        slope = _bezier_slope(t, x1, x2)
        if abs(slope) < 1e-6:
            break
        t -= err / slope
    lo, hi, t = 0.0, 1.0, x
    for _ in range(_BISECT_STEPS):  # robust fallback where Newton's method stalls
        value = _bezier(t, x1, x2)
        if abs(value - x) < 1e-7:
            break
        lo, hi = (t, hi) if value < x else (lo, t)
        t = (lo + hi) / 2.0
    return _bezier(t, y1, y2)


def spring_settle_time(stiffness: float, damping: float, mass: float) -> float:
    """Seconds until a unit spring's envelope falls below 0.1% of its start."""
    omega = math.sqrt(stiffness / mass)
    zeta = damping / (2.0 * math.sqrt(stiffness * mass))
    rate = zeta * omega if zeta < 1.0 else omega * (zeta - math.sqrt(zeta * zeta - 1.0))
    return -math.log(0.001) / rate


def spring(x: float, stiffness: float, damping: float, mass: float) -> float:
    """A damped spring released from 0 towards 1, its settle time stretched to progress 0..1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    t = x * spring_settle_time(stiffness, damping, mass)
    omega = math.sqrt(stiffness / mass)
    zeta = damping / (2.0 * math.sqrt(stiffness * mass))
    if zeta < 1.0:
        wd = omega * math.sqrt(1.0 - zeta * zeta)
        envelope = math.exp(-zeta * omega * t)
        return 1.0 - envelope * (math.cos(wd * t) + (zeta * omega / wd) * math.sin(wd * t))
    if zeta == 1.0:
        return 1.0 - math.exp(-omega * t) * (1.0 + omega * t)
    root = math.sqrt(zeta * zeta - 1.0)
    r1 = -omega * (zeta - root)
    r2 = -omega * (zeta + root)
    return 1.0 - (r2 * math.exp(r1 * t) - r1 * math.exp(r2 * t)) / (r2 - r1)


def ease(x: float, easing: Sequence[Any]) -> float:
    """Eased progress for linear progress ``x`` in 0..1 (``hold`` is 0 until the end)."""
    kind = easing[0]
    if kind == "linear":
        return min(1.0, max(0.0, x))
    if kind == "hold":
        return 1.0 if x >= 1.0 else 0.0
    if kind == "cubic-bezier":
        return cubic_bezier(x, *(float(v) for v in easing[1:5]))
    if kind == "spring":
        return spring(x, *(float(v) for v in easing[1:4]))
    raise ValueError(f"unknown easing {kind!r}")


# --- sampling ----------------------------------------------------------------------------------


def _mix_color(a: str, b: str, p: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5, 7)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5, 7)]
    mixed = [math.floor(x + (y - x) * p + 0.5) for x, y in zip(ca, cb, strict=True)]
    return "#" + "".join(f"{max(0, min(255, v)):02x}" for v in mixed)


def sample(keyframes: Sequence[Sequence[Any]], t: float) -> Any:
    """The value of ``[[time, value, easing], ...]`` at ``t`` seconds from the layer start.

    Before the first keyframe its value holds; after the last, the last value holds. Between two
    keyframes the later one's easing shapes the segment. Numbers interpolate, colors
    (``#rrggbbaa``) interpolate per channel, text holds.
    """
    first = keyframes[0]
    if t <= first[0]:
        return first[1]
    for prev, cur in zip(keyframes, keyframes[1:], strict=False):
        if t < cur[0]:
            p = ease((t - prev[0]) / (cur[0] - prev[0]), cur[2])
            a, b = prev[1], cur[1]
            if isinstance(a, int | float) and isinstance(b, int | float):
                return a + (b - a) * p
            if (
                isinstance(a, str)
                and isinstance(b, str)
                and a.startswith("#")
                and b.startswith("#")
            ):
                return _mix_color(a, b, p)
            return b if p >= 1.0 else a
    return keyframes[-1][1]


def transition_progress(frame: int, start: int, frames: int) -> float:
    """Linear progress of an entering transition: ``(frame - start + 1) / (frames + 1)``.

    It is never 0 or 1 inside the overlap, and 1 from ``start + frames`` on.
    """
    if frames <= 0 or frame >= start + frames:
        return 1.0
    if frame < start:
        return 0.0
    return (frame - start + 1) / (frames + 1)
