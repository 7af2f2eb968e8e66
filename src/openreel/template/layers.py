"""Layer models (spec section 5): common properties and one model per layer type.

Geometry is the layer's box ``x, y, width, height`` in pixels of the parent's coordinate space
(the canvas, or the enclosing group's box). ``anchor`` is the point of the box, in 0..1 of its
size, that sits at ``(x, y)`` and about which ``rotation`` and ``scale`` apply. ``width`` and
``height`` default to the canvas (or group) size. ``start`` / ``end`` are seconds within the
scene; the layer shows on frames in ``[start, end)``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator

from ._types import (
    Color,
    ExprSource,
    Id,
    Model,
    NumberOrExpr,
    Point,
    Seconds,
    Text,
    UnitPair,
    custom_error,
)
from .animation import Keyframes, Preset

# --- property shapes ---------------------------------------------------------------------------


class GradientStopsMixin(Model):
    stops: tuple[tuple[float, Color], ...]

    @field_validator("stops", mode="before")
    @classmethod
    def _stops(cls, value: Any) -> Any:
        if not isinstance(value, list) or len(value) < 2:
            raise custom_error("119", "a gradient needs at least two stops [[offset, color], ...]")
        last = -1.0
        for i, stop in enumerate(value):
            if not (isinstance(stop, list) and len(stop) == 2):
                raise custom_error("119", "stop {i}: expected [offset, color]", i=i)
            off = stop[0]
            if isinstance(off, bool) or not isinstance(off, int | float) or not 0 <= off <= 1:
                raise custom_error("119", "stop {i}: offset must be a number in 0..1", i=i)
            if off < last:
                raise custom_error("119", "stop {i}: offsets must not decrease", i=i)
            last = float(off)
        return value


class Linear(GradientStopsMixin):
    from_: Point = Field(alias="from")
    to: Point


class Radial(GradientStopsMixin):
    center: Point
    radius: Annotated[float, Field(gt=0)]


class LinearGradient(Model):
    linear: Linear


class RadialGradient(Model):
    radial: Radial


def _paint_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "tag:color"
    if isinstance(value, dict):
        return "tag:radial" if "radial" in value else "tag:linear"
    return None


Paint = Annotated[
    Annotated[Color, Tag("tag:color")]
    | Annotated[LinearGradient, Tag("tag:linear")]
    | Annotated[RadialGradient, Tag("tag:radial")],
    Discriminator(
        _paint_tag,
        custom_error_type="or_e102",
        custom_error_message='expected a color or a gradient ({"linear": ...} or {"radial": ...})',
    ),
]


class Stroke(Model):
    width: Annotated[float, Field(ge=0, le=1000)] = 1.0
    color: Color = "#000000"


class Shadow(Model):
    x: float = 0.0
    y: float = 4.0
    blur: Annotated[float, Field(ge=0, le=500)] = 12.0
    color: Color = "#00000080"


class TextBackground(Model):
    color: Color
    padding: Annotated[float, Field(ge=0)] = 0.0
    radius: Annotated[float, Field(ge=0)] = 0.0


def _background_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "tag:color"
    return "tag:box" if isinstance(value, dict) else None


Background = Annotated[
    Annotated[Color, Tag("tag:color")] | Annotated[TextBackground, Tag("tag:box")],
    Discriminator(
        _background_tag,
        custom_error_type="or_e102",
        custom_error_message='expected a color or {"color", "padding", "radius"}',
    ),
]


def _animation_tag(value: Any) -> str | None:
    if isinstance(value, list):
        return "tag:keyframes"
    return "tag:preset" if isinstance(value, dict) else None


Animation = Annotated[
    Annotated[Keyframes, Tag("tag:keyframes")] | Annotated[Preset, Tag("tag:preset")],
    Discriminator(
        _animation_tag,
        custom_error_type="or_e117",
        custom_error_message='expected keyframes [[time, value, easing?], ...] or {"preset": ...}',
    ),
]

Blend = Literal["normal", "multiply", "screen", "overlay"]
Fit = Literal["cover", "contain", "fill"]

# --- layers ------------------------------------------------------------------------------------


class LayerBase(Model):
    """Properties common to every layer."""

    id: Id | None = None
    when: ExprSource | None = None
    start: Seconds | None = None
    end: Seconds | None = None
    x: NumberOrExpr = 0.0
    y: NumberOrExpr = 0.0
    width: NumberOrExpr | None = None
    height: NumberOrExpr | None = None
    anchor: UnitPair = (0.0, 0.0)
    rotation: NumberOrExpr = 0.0
    scale: NumberOrExpr = 1.0
    opacity: NumberOrExpr = 1.0
    blend: Blend = "normal"
    radius: NumberOrExpr = 0.0
    shadow: Shadow | None = None
    animate: dict[str, Animation] = Field(default_factory=dict)


class TextLayer(LayerBase):
    type: Literal["text"]
    text: Text
    font: str | None = None
    size: NumberOrExpr = 48.0
    color: Color = "#FFFFFF"
    align: Literal["left", "center", "right", "start", "end"] = "start"
    valign: Literal["top", "middle", "bottom"] = "top"
    line_height: Annotated[float, Field(gt=0, le=10)] = 1.2
    max_lines: Annotated[int, Field(ge=1, le=1000)] | None = None
    fit: Literal["none", "shrink", "ellipsis"] = "none"
    stroke: Stroke | None = None
    background: Background | None = None


class ImageLayer(LayerBase):
    type: Literal["image"]
    src: Text
    fit: Fit = "cover"
    focus: UnitPair = (0.5, 0.5)


class VideoLayer(LayerBase):
    type: Literal["video"]
    src: Text
    fit: Fit = "cover"
    trim: tuple[Seconds, Seconds] | None = None
    loop: bool = False
    muted: bool = False
    volume: Annotated[float, Field(ge=0, le=4)] = 1.0
    speed: Annotated[float, Field(gt=0, le=16)] = 1.0


class ShapeLayer(LayerBase):
    type: Literal["shape"]
    shape: Literal["rect", "ellipse", "line", "path"] = "rect"
    path: str | None = None
    fill: Paint | None = None
    stroke: Stroke | None = None


class LottieLayer(LayerBase):
    type: Literal["lottie"]
    src: str
    slots: dict[str, Any] = Field(default_factory=dict)
    speed: Annotated[float, Field(gt=0, le=16)] = 1.0
    loop: bool = False


class ButtonStyle(Model):
    fill: Paint = "#FFFFFF"
    color: Color = "#000000"
    font: str | None = None
    size: Annotated[float, Field(gt=0, le=1000)] = 40.0
    radius: Annotated[float, Field(ge=0)] = 16.0
    stroke: Stroke | None = None


class ButtonLayer(LayerBase):
    type: Literal["button"]
    text: Text
    href: Text | None = None
    action: str | None = None
    style: ButtonStyle = Field(default_factory=ButtonStyle)


class GroupLayer(LayerBase):
    type: Literal["group"]
    layers: list[Layer] = Field(default_factory=list)


Layer = Annotated[
    TextLayer | ImageLayer | VideoLayer | ShapeLayer | LottieLayer | ButtonLayer | GroupLayer,
    Field(discriminator="type"),
]
GroupLayer.model_rebuild()

LAYER_TYPES = ("text", "image", "video", "shape", "lottie", "group", "button")
