"""Animation: keyframes, easings and presets.

A keyframe is ``[time, value, easing?]``: time in seconds from the layer's start, the easing
describes the segment that *ends* at that keyframe (``linear`` when omitted). Easings are
normalised to a tuple form shared with the resolved timeline:

- ``("linear",)``, ``("hold",)`` (the previous value until the keyframe's time),
- ``("cubic-bezier", x1, y1, x2, y2)`` (CSS semantics; ``ease-in`` etc. are the CSS constants),
- ``("spring", stiffness, damping, mass)`` (a damped spring from 0 to 1 over the segment, see
  :func:`openreel.resolve.easing.spring_progress`).

Presets (``{"preset": "fade-in", "at": 0.2, "duration": 0.5}``) are expanded to keyframes by
:func:`expand_preset` when the template is compiled.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, WithJsonSchema

from ._types import Model, NumberOrExpr, Seconds, custom_error, type_name

Easing = tuple[Any, ...]

NAMED_EASINGS: dict[str, Easing] = {
    "linear": ("linear",),
    "hold": ("hold",),
    "ease": ("cubic-bezier", 0.25, 0.1, 0.25, 1.0),
    "ease-in": ("cubic-bezier", 0.42, 0.0, 1.0, 1.0),
    "ease-out": ("cubic-bezier", 0.0, 0.0, 0.58, 1.0),
    "ease-in-out": ("cubic-bezier", 0.42, 0.0, 0.58, 1.0),
}
SPRING_DEFAULT = (170.0, 26.0, 1.0)
_CALL = re.compile(r"^\s*(cubic-bezier|spring)\s*\(([^()]*)\)\s*$")
_EASING_HELP = (
    "linear, hold, ease-in, ease-out, ease-in-out, cubic-bezier(a, b, c, d) or spring(...)"
)


def parse_easing(text: str) -> Easing:
    """The normalised form of an easing name.

    >>> parse_easing("ease-out")
    ('cubic-bezier', 0.0, 0.0, 0.58, 1.0)
    >>> parse_easing("spring(200, 20)")
    ('spring', 200.0, 20.0, 1.0)
    """
    named = NAMED_EASINGS.get(text.strip())
    if named:
        return named
    m = _CALL.match(text)
    if not m:
        raise ValueError(f"unknown easing {text[:40]!r}; use {_EASING_HELP}")
    kind, arg_text = m.group(1), m.group(2).strip()
    try:
        args = [float(a) for a in arg_text.split(",")] if arg_text else []
    except ValueError as exc:
        raise ValueError(f"{kind}() takes numbers") from exc
    if kind == "cubic-bezier":
        if len(args) != 4:
            raise ValueError("cubic-bezier takes four numbers")
        if not (0 <= args[0] <= 1 and 0 <= args[2] <= 1):
            raise ValueError("cubic-bezier x1 and x2 must lie in 0..1")
        return ("cubic-bezier", *args)
    if len(args) > 3:
        raise ValueError("spring takes at most three numbers: stiffness, damping, mass")
    full = [*args, *SPRING_DEFAULT[len(args) :]]
    if any(v <= 0 for v in full):
        raise ValueError("spring stiffness, damping and mass must be greater than 0")
    return ("spring", *full)


KeyframeValue = float | str


def _keyframes(value: object) -> tuple[tuple[float, KeyframeValue, Easing], ...]:
    if not isinstance(value, list) or not value:
        raise custom_error("117", "expected a non-empty list of [time, value, easing?]")
    out: list[tuple[float, KeyframeValue, Easing]] = []
    last = -1.0
    for i, kf in enumerate(value):
        if not isinstance(kf, list) or len(kf) not in (2, 3):
            raise custom_error(
                "117",
                "keyframe {i}: expected [time, value, easing?], found {found}",
                i=i,
                found=type_name(kf),
            )
        t, v = kf[0], kf[1]
        if isinstance(t, bool) or not isinstance(t, int | float) or t < 0:
            raise custom_error("117", "keyframe {i}: time must be a number of seconds >= 0", i=i)
        if t <= last:
            raise custom_error("117", "keyframe {i}: times must increase", i=i)
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            raise custom_error(
                "117",
                "keyframe {i}: value must be a number, color, text or {{{{ expression }}}}",
                i=i,
            )
        easing: Easing = ("linear",)
        if len(kf) == 3:
            if not isinstance(kf[2], str):
                raise custom_error("116", "keyframe {i}: easing must be a string", i=i)
            try:
                easing = parse_easing(kf[2])
            except ValueError as exc:
                raise custom_error("116", "keyframe {i}: {why}", i=i, why=str(exc)) from None
        out.append((float(t), v, easing))
        last = float(t)
    return tuple(out)


Keyframes = Annotated[
    tuple[tuple[float, KeyframeValue, Easing], ...],
    PlainValidator(_keyframes),
    WithJsonSchema(
        {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "array",
                "minItems": 2,
                "maxItems": 3,
                "prefixItems": [
                    {"type": "number", "minimum": 0},
                    {"type": ["number", "string"]},
                    {"type": "string"},
                ],
            },
        }
    ),
]

PresetName = Literal["fade-in", "slide-up", "pop-in", "typewriter", "count-up"]


class Preset(Model):
    """A named animation expanded to keyframes at compile time.

    ``fade-in`` (opacity 0 -> the layer's opacity), ``slide-up`` (y + ``distance`` -> y),
    ``pop-in`` (scale 0 -> 1.1 -> 1), ``typewriter`` (text revealed grapheme by grapheme),
    ``count-up`` (text counting from 0 to ``value``, formatted with ``format``).
    """

    preset: PresetName
    at: Seconds = 0.0
    duration: Annotated[float, Field(gt=0)] | None = None
    easing: str | None = None
    distance: float = 60.0
    value: NumberOrExpr | None = None
    format: Literal["number", "plain"] = "number"


PRESET_DEFAULT_DURATION: dict[str, float] = {
    "fade-in": 0.5,
    "slide-up": 0.6,
    "pop-in": 0.5,
    "typewriter": 1.0,
    "count-up": 1.5,
}
# Which property each preset may animate.
PRESET_PROPERTIES: dict[str, frozenset[str]] = {
    "fade-in": frozenset({"opacity"}),
    "slide-up": frozenset({"y"}),
    "pop-in": frozenset({"scale"}),
    "typewriter": frozenset({"text"}),
    "count-up": frozenset({"text"}),
}

Animation = Keyframes | Preset

ANIMATABLE_COMMON = frozenset(
    {"x", "y", "width", "height", "rotation", "scale", "opacity", "radius"}
)
ANIMATABLE_BY_TYPE: dict[str, frozenset[str]] = {
    "text": ANIMATABLE_COMMON | {"size", "color", "text"},
    "image": ANIMATABLE_COMMON,
    "video": ANIMATABLE_COMMON | {"volume"},
    "shape": ANIMATABLE_COMMON | {"fill", "stroke_width"},
    "lottie": ANIMATABLE_COMMON,
    "group": ANIMATABLE_COMMON,
    "button": ANIMATABLE_COMMON,
}
# Properties whose keyframe values are colors, and those whose values are text (hold only).
COLOR_PROPERTIES = frozenset({"color", "fill"})
TEXT_PROPERTIES = frozenset({"text"})
