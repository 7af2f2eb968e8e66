"""Expansion of animation presets into keyframes, given the layer's resolved base values.

Times are seconds from the layer start; every float is computed in the order written here (the
player computes them in the same order, so both sides produce identical numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import regex

from openreel.template.animation import PRESET_DEFAULT_DURATION, Preset, parse_easing

Keyframe = list[Any]
EASE_OUT = ["cubic-bezier", 0.0, 0.0, 0.58, 1.0]
EASE_IN_OUT = ["cubic-bezier", 0.42, 0.0, 0.58, 1.0]
HOLD = ["hold"]


def _easing(preset: Preset, fallback: list[Any]) -> list[Any]:
    return list(parse_easing(preset.easing)) if preset.easing else fallback


def fade_in(preset: Preset, base: float, d: float) -> list[Keyframe]:
    return [[preset.at, 0, ["linear"]], [preset.at + d, base, _easing(preset, EASE_OUT)]]


def slide_up(preset: Preset, base: float, d: float) -> list[Keyframe]:
    return [
        [preset.at, base + preset.distance, ["linear"]],
        [preset.at + d, base, _easing(preset, EASE_OUT)],
    ]


def pop_in(preset: Preset, base: float, d: float) -> list[Keyframe]:
    return [
        [preset.at, 0, ["linear"]],
        [preset.at + d * 0.7, base * 1.1, _easing(preset, EASE_OUT)],
        [preset.at + d, base, EASE_IN_OUT],
    ]


def typewriter(preset: Preset, text: str, d: float) -> list[Keyframe]:
    """The text revealed one grapheme cluster at a time, evenly over ``d`` seconds (the i-th of
    n clusters at ``at + d * i / n``; the last exactly at ``at + d``)."""
    clusters: list[str] = regex.findall(r"\X", text)
    n = len(clusters)
    frames: list[Keyframe] = [[preset.at, "", ["linear"]]]
    for i in range(1, n + 1):
        t = preset.at + d if i == n else preset.at + d * i / n
        frames.append([t, "".join(clusters[:i]), HOLD])
    return frames


def count_up(
    preset: Preset, target: float, d: float, steps: int, fmt: Callable[[float], str]
) -> list[Keyframe]:
    """The text of a number counting from 0 to ``target`` in ``steps`` steps (one per frame of
    ``d``: the caller computes ``floor(d * fps + 1/2)`` exactly), easing out quadratically
    (``1 - (1 - p)^2``), each step but the last rounded half up to an integer and formatted; the
    last step shows ``target`` itself."""
    frames: list[Keyframe] = [[preset.at, fmt(0.0), ["linear"]]]
    for k in range(1, steps + 1):
        p = k / steps
        eased = 1 - (1 - p) * (1 - p)
        value = math.floor(target * eased + 0.5) if k < steps else target
        t = preset.at + d if k == steps else preset.at + d * k / steps
        frames.append([t, fmt(value), HOLD])
    return frames


def duration_of(preset: Preset) -> float:
    return (
        preset.duration if preset.duration is not None else PRESET_DEFAULT_DURATION[preset.preset]
    )
