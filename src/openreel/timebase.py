"""Exact frame and time arithmetic.

Frames are integers, time is a :class:`fractions.Fraction`, ranges are half-open ``[start, end)``.
A length of ``d`` seconds at ``fps`` frames per second is ``floor(d * fps + 1/2)`` frames, with
``d`` read as the decimal it is written as (``0.1`` is exactly one tenth, not the nearest binary
float). Frame ``n`` starts at time ``n / fps``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_RATIONAL = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+)\s*)?$")
MAX_FPS = Fraction(240)


def exact(value: int | float | str | Fraction) -> Fraction:
    """The exact rational a number is written as.

    Floats are read through their shortest round-trip decimal, which is how they were written in
    JSON: ``exact(0.1) == Fraction(1, 10)``.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Fraction(Decimal(repr(value)))
    try:
        return Fraction(Decimal(value.strip()))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc


def parse_fps(value: int | str | Fraction) -> Fraction:
    """A positive frame rate from an integer or a string such as ``"30000/1001"``.

    >>> parse_fps("30000/1001")
    Fraction(30000, 1001)
    """
    if isinstance(value, Fraction):
        fps = value
    elif isinstance(value, bool):
        raise ValueError("fps must be a number")
    elif isinstance(value, int):
        fps = Fraction(value)
    else:
        m = _RATIONAL.match(value)
        if not m:
            raise ValueError("fps must be an integer or a rational like 30000/1001")
        den = int(m.group(2)) if m.group(2) else 1
        if den == 0:
            raise ValueError("fps denominator is zero")
        fps = Fraction(int(m.group(1)), den)
    if fps <= 0 or fps > MAX_FPS:
        raise ValueError(f"fps must be greater than 0 and at most {MAX_FPS}")
    return fps


def frames_for(seconds: Fraction, fps: Fraction) -> int:
    """``floor(seconds * fps + 1/2)``: the frame count of a length, rounded half up.

    >>> frames_for(Fraction(1), Fraction(24000, 1001))
    24
    """
    return math.floor(seconds * fps + Fraction(1, 2))


def frame_time(frame: int, fps: Fraction) -> Fraction:
    """The exact time at which ``frame`` starts."""
    return Fraction(frame) / fps


def frame_at(time: Fraction, fps: Fraction) -> int:
    """The frame shown at ``time``: the last frame starting at or before it."""
    return math.floor(time * fps)


def fps_string(fps: Fraction) -> str:
    """``"30"`` or ``"30000/1001"``."""
    return str(fps.numerator) if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}"


@dataclass(frozen=True, slots=True)
class FrameRange:
    """A half-open range of frames ``[start, end)``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a frame range ends before it starts")

    @property
    def length(self) -> int:
        return self.end - self.start

    def __contains__(self, frame: object) -> bool:
        return isinstance(frame, int) and self.start <= frame < self.end
