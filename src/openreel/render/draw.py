"""Draw phase: one node at one frame, with its transform, opacity, blend, clip and shadow.

Geometry: the box ``(0, 0, width, height)`` is placed so that its ``anchor`` point lands on
``(x, y)`` in the parent's space; ``rotation`` (degrees, clockwise) and ``scale`` turn and
scale it about that point. Animated properties are read with
:func:`openreel.resolve.timing.sample` at ``t = (frame - layer.start) / fps`` seconds.

Compositing: ``opacity`` and ``blend`` apply to the layer as a whole (a ``saveLayer`` when the
layer draws more than one primitive, the primitive's paint otherwise); ``radius`` clips the
layer to a rounded box (rect shapes draw it as their own corners instead, keeping strokes
whole); ``shadow`` (``blur`` is the canvas ``shadowBlur``: Gaussian sigma = blur / 2) is, for
text, shapes and buttons, the shadow of their own geometry (text: its background box, else its
glyphs; shapes: their outline) drawn with a blur mask filter, and for images, clips, Lottie
and groups a drop shadow of everything the layer draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import skia

from openreel.resolve.timing import sample

from .image import draw_fitted, draw_placeholder
from .layers import Node
from .paint import (
    BLEND_MODES,
    fill_paint,
    shadow_filter,
    shadow_outset,
    shadow_paint,
    skcolor,
    stroke_paint,
)
from .shape import draw_shape
from .text import TextLayouter, TextSpec

SIMPLE = frozenset({"image", "video", "lottie"})
#: Kinds that draw their shadow themselves (blur mask filters on their own geometry); the
#: others get skia's drop-shadow image filter on a layer, which costs far more on the CPU.
OWN_SHADOW = frozenset({"text", "shape", "button"})
BGRA = skia.ColorType.kBGRA_8888_ColorType
PREMUL = skia.AlphaType.kPremul_AlphaType
SPRITE_SAMPLING = skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kNone)
MAX_SPRITE = 4096
NEAREST = skia.SamplingOptions()
VIDEO_SAMPLING = skia.SamplingOptions(skia.FilterMode.kLinear)


@dataclass(slots=True)
class DrawContext:
    """What drawing needs besides the node: timing, text layout and the output scale."""

    fps: float
    layouter: TextLayouter
    scale: float  # output pixels per template pixel
    sprites: bool = True  # cache motion-only layers' content (off for one-off stills)
    decode_ahead: bool = False  # decode the next clip frame on a helper thread (videos)


def props_at(node: Node, frame: int, fps: float) -> dict[str, Any]:
    """The animated properties of ``node`` at ``frame`` (only those with keyframes)."""
    if not node.anim:
        return {}
    t = (frame - node.start) / fps
    return {k: sample(frames, t) for k, frames in node.anim.items()}


def _num(node: Node, p: dict[str, Any], key: str, default: float) -> float:
    value = p.get(key, node.d.get(key, default))
    return float(value if value is not None else default)


def draw_node(ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int) -> None:
    """Draw ``node`` at ``frame`` if the frame lies in ``[start, end)``."""
    if not node.start <= frame < node.end:
        return
    draw_props(ctx, canvas, node, frame, props_at(node, frame, ctx.fps))


def draw_props(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any]
) -> None:
    """Draw ``node`` with its animated properties ``p`` already sampled."""
    opacity = min(1.0, max(0.0, _num(node, p, "opacity", 1.0)))
    scale = _num(node, p, "scale", 1.0)
    if opacity <= 0.0 or scale == 0.0:
        return
    w, h = _num(node, p, "width", 0.0), _num(node, p, "height", 0.0)
    x, y = _num(node, p, "x", 0.0), _num(node, p, "y", 0.0)
    rotation = _num(node, p, "rotation", 0.0)
    radius = max(0.0, _num(node, p, "radius", 0.0))
    ax, ay = node.d.get("anchor") or (0.0, 0.0)
    blend = BLEND_MODES.get(node.d.get("blend", "normal"), skia.BlendMode.kSrcOver)
    count = canvas.save()
    canvas.translate(x, y)
    if rotation:
        canvas.rotate(rotation)
    if scale != 1.0:
        canvas.scale(scale, scale)
    canvas.translate(-float(ax) * w, -float(ay) * h)
    if node.motion_only and ctx.sprites:
        if node.sprite is None:
            node.sprite = _make_sprite(ctx, node, frame, p, w, h, radius)
        sprite: Sprite = node.sprite
        if sprite.image is not None:
            paint = None
            if opacity < 1.0 or blend != skia.BlendMode.kSrcOver:
                paint = skia.Paint(Alphaf=opacity, BlendMode=blend)
            _draw_sprite(canvas, sprite, paint)
    else:
        _draw_effects(ctx, canvas, node, frame, p, (w, h, radius, opacity), blend)
    canvas.restoreToCount(count)


def _draw_effects(
    ctx: DrawContext,
    canvas: skia.Canvas,
    node: Node,
    frame: int,
    p: dict[str, Any],
    box: tuple[float, float, float, float],
    blend: skia.BlendMode,
) -> None:
    """The layer's content in its box with opacity, blend, radius clip and shadow."""
    w, h, radius, opacity = box
    shadow = node.d.get("shadow")
    clip = radius > 0 and not (node.kind == "shape" and node.d.get("shape", "rect") == "rect")
    simple = node.kind in SIMPLE and shadow is None and not clip
    paint: skia.Paint | None = None
    count = canvas.save()
    if simple:
        if opacity < 1.0 or blend != skia.BlendMode.kSrcOver:
            paint = skia.Paint(Alphaf=opacity, BlendMode=blend)
    elif (
        opacity < 1.0
        or blend != skia.BlendMode.kSrcOver
        or (shadow is not None and node.kind not in OWN_SHADOW)
    ):
        layer_paint = skia.Paint(Alphaf=opacity, BlendMode=blend)
        if shadow is not None and node.kind not in OWN_SHADOW:
            layer_paint.setImageFilter(shadow_filter(shadow))
        canvas.saveLayer(_layer_bounds(node, w, h), layer_paint)
    if clip:
        r = min(radius, w / 2, h / 2)
        canvas.clipRRect(skia.RRect.MakeRectXY(skia.Rect.MakeWH(w, h), r, r), True)
    DRAWERS[node.kind](ctx, canvas, node, frame, p, w, h, radius, paint)
    canvas.restoreToCount(count)


@dataclass(slots=True)
class Sprite:
    """A motion-only layer's content (effects included) drawn once: ``image`` covers
    ``rect`` in the layer's box units, at ``k`` image pixels per unit."""

    image: skia.Image | None
    rect: skia.Rect
    k: float = 1.0


def _draw_sprite(canvas: skia.Canvas, sprite: Sprite, paint: skia.Paint | None) -> None:
    """Blit the sprite at whole output pixels when it is shown at its own resolution without
    rotation (a plain copy, no resampling: moving text keeps its sharpness and costs a
    memcpy-like blend); resample it otherwise."""
    assert sprite.image is not None  # checked by the caller
    m = canvas.getTotalMatrix()
    k = sprite.k
    if (
        m.isScaleTranslate()
        and abs(m.getScaleX() - k) < 1e-4 * k
        and abs(m.getScaleY() - k) < 1e-4 * k
    ):
        device = m.mapRect(sprite.rect)
        count = canvas.save()
        canvas.resetMatrix()
        canvas.drawImage(sprite.image, round(device.left()), round(device.top()), NEAREST, paint)
        canvas.restoreToCount(count)
        return
    canvas.drawImageRect(sprite.image, sprite.rect, SPRITE_SAMPLING, paint)


def _max_scale(node: Node) -> float:
    values = [float(node.d.get("scale", 1.0))]
    values += [abs(float(k[1])) for k in node.anim.get("scale", [])]
    return max(1.0, *values)


def _make_sprite(
    ctx: DrawContext, node: Node, frame: int, p: dict[str, Any], w: float, h: float, radius: float
) -> Sprite:
    """Rasterize the content at the largest scale it is shown at, cropped to its pixels."""
    bounds = _layer_bounds(node, w, h) or skia.Rect.MakeLTRB(-w, -h, 2 * w, 2 * h)
    bounds = bounds.makeOutset(
        shadow_outset(node.d.get("shadow")), shadow_outset(node.d.get("shadow"))
    )
    k = ctx.scale * _max_scale(node)
    k = min(k, MAX_SPRITE / max(bounds.width(), bounds.height(), 1.0))
    pw, ph = max(1, math.ceil(bounds.width() * k)), max(1, math.ceil(bounds.height() * k))
    pixels = np.zeros((ph, pw, 4), np.uint8)
    surface = skia.Surface(pixels, colorType=BGRA, alphaType=PREMUL)
    canvas = surface.getCanvas()
    canvas.scale(k, k)
    canvas.translate(-bounds.left(), -bounds.top())
    _draw_effects(ctx, canvas, node, frame, p, (w, h, radius, 1.0), skia.BlendMode.kSrcOver)
    surface.flushAndSubmit()
    alpha = pixels[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return Sprite(None, bounds)
    cols = np.flatnonzero(alpha.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    crop = np.ascontiguousarray(pixels[top:bottom, left:right])
    image = skia.Image.fromarray(crop, colorType=BGRA, alphaType=PREMUL)
    rect = skia.Rect.MakeXYWH(
        bounds.left() + left / k, bounds.top() + top / k, (right - left) / k, (bottom - top) / k
    )
    return Sprite(image, rect, k)


def _layer_bounds(node: Node, w: float, h: float) -> skia.Rect | None:
    if node.kind == "group":
        return None
    pad = 4.0
    if node.kind == "text":
        pad += float(node.d.get("size", 48)) * 2
        stroke = node.d.get("stroke")
        if stroke is not None:
            pad += float(stroke["width"])
        bg = node.d.get("background")
        if bg is not None:
            pad += float(bg.get("padding", 0))
    elif node.kind in ("shape", "button"):
        stroke = node.d.get("stroke") or (node.d.get("style") or {}).get("stroke")
        if stroke is not None:
            pad += float(stroke["width"])
    return skia.Rect.MakeLTRB(-pad, -pad, w + pad, h + pad)


Drawer = Callable[
    [DrawContext, skia.Canvas, Node, int, dict[str, Any], float, float, float, Any], None
]


def _text(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any],
    w: float, h: float, radius: float, paint: Any,
) -> None:  # fmt: skip
    node.text_block(ctx.layouter, TextSpec.of(node.d, p)).draw(canvas)


def _image(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any],
    w: float, h: float, radius: float, paint: Any,
) -> None:  # fmt: skip
    if node.image is not None:
        focus = node.d.get("focus") or (0.5, 0.5)
        draw_fitted(canvas, node.image, w, h, node.d.get("fit", "cover"), tuple(focus), paint)
    elif node.placeholder:
        draw_placeholder(canvas, w, h)


def _video(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any],
    w: float, h: float, radius: float, paint: Any,
) -> None:  # fmt: skip
    if node.video is None:
        return
    fit = node.d.get("fit", "cover")
    size = node.video.target_size(w, h, ctx.scale, fit)
    image = node.video.image(frame - node.start, size, ahead=ctx.decode_ahead)
    draw_fitted(canvas, image, w, h, fit, (0.5, 0.5), paint)


def _lottie(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any],
    w: float, h: float, radius: float, paint: Any,
) -> None:  # fmt: skip
    if node.lottie is None:
        return
    px = max(1, round(w * ctx.scale)), max(1, round(h * ctx.scale))
    image = node.lottie.image((frame - node.start) / ctx.fps, *px)
    canvas.drawImageRect(image, skia.Rect.MakeWH(w, h), VIDEO_SAMPLING, paint)


def _shape(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any],
    w: float, h: float, radius: float, paint: Any,
) -> None:  # fmt: skip
    draw_shape(canvas, node.d, p, w, h, radius, node.path, node.d.get("shadow"))


def _button(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any],
    w: float, h: float, radius: float, paint: Any,
) -> None:  # fmt: skip
    draw_button(ctx.layouter, canvas, node, w, h)


def draw_button(
    layouter: TextLayouter, canvas: skia.Canvas, node: Node, w: float, h: float
) -> None:
    """A button as the player draws it: a rounded rect (``style.radius``, at most half the
    shorter side) filled and stroked, and its text on one line, centred both ways, shrunk to
    fit the box minus a padding of a quarter of the height on each side."""
    style = node.d.get("style") or {}
    r = min(float(style.get("radius", 0)), w / 2, h / 2)
    rrect = skia.RRect.MakeRectXY(skia.Rect.MakeWH(w, h), r, r)
    shadow = node.d.get("shadow")
    if shadow is not None:
        canvas.save()
        canvas.translate(float(shadow["x"]), float(shadow["y"]))
        canvas.drawRRect(rrect, shadow_paint(shadow))
        canvas.restore()
    for paint in (fill_paint(style.get("fill")), stroke_paint(style.get("stroke"))):
        if paint is not None:
            canvas.drawRRect(rrect, paint)
    pad = h / 4
    spec = TextSpec(
        text=str(node.d.get("text", "")), font=style.get("font"),
        size=float(style.get("size", 48)), color=style.get("color", "#ffffffff"),
        align="center", valign="middle", line_height=1.2, max_lines=1, fit="shrink",
        stroke=None, background=None, width=max(w - 2 * pad, 1.0), height=h,
    )  # fmt: skip
    canvas.save()
    canvas.translate(pad, 0)
    node.text_block(layouter, spec).draw(canvas)
    canvas.restore()


def _group(
    ctx: DrawContext, canvas: skia.Canvas, node: Node, frame: int, p: dict[str, Any],
    w: float, h: float, radius: float, paint: Any,
) -> None:  # fmt: skip
    for child in node.children:
        draw_node(ctx, canvas, child, frame)


DRAWERS: dict[str, Drawer] = {
    "text": _text,
    "image": _image,
    "video": _video,
    "lottie": _lottie,
    "shape": _shape,
    "button": _button,
    "group": _group,
}


def solid(color: str) -> skia.Paint:
    """A plain fill paint for a hex color."""
    return skia.Paint(Color=skcolor(color))
