"""Colors, gradients, strokes, blend modes and shadows as skia objects.

Colors arrive resolved as ``#rrggbbaa`` (``#rgb`` and ``#rrggbb`` are accepted too, for Lottie
slots that carry the template's raw value). Gradients are in pixels of the layer's box
(``{"linear": {"from", "to", "stops"}}`` / ``{"radial": {"center", "radius", "stops"}}``).
"""

from __future__ import annotations

import re
from typing import Any

import skia

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")

BLEND_MODES: dict[str, skia.BlendMode] = {
    "normal": skia.BlendMode.kSrcOver,
    "multiply": skia.BlendMode.kMultiply,
    "screen": skia.BlendMode.kScreen,
    "overlay": skia.BlendMode.kOverlay,
}


def rgba(color: str) -> tuple[int, int, int, int]:
    """``#rgb`` / ``#rrggbb`` / ``#rrggbbaa`` -> ``(r, g, b, a)`` in 0..255.

    >>> rgba("#d4af37ff"), rgba("#fff")
    ((212, 175, 55, 255), (255, 255, 255, 255))
    """
    if not _HEX.match(color):
        raise ValueError("colors are #rgb, #rrggbb or #rrggbbaa")
    h = color[1:]
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) == 6:
        h += "ff"
    r, g, b, a = (int(h[i : i + 2], 16) for i in (0, 2, 4, 6))
    return r, g, b, a


def skcolor(color: str) -> int:
    """A skia ``SkColor`` (ARGB int) for a hex color."""
    r, g, b, a = rgba(color)
    return int(skia.Color(r, g, b, a))


def _shader(fill: dict[str, Any]) -> skia.Shader:
    if "linear" in fill:
        g = fill["linear"]
        points = [skia.Point(*g["from"]), skia.Point(*g["to"])]
        colors = [skcolor(c) for _, c in g["stops"]]
        offsets = [float(o) for o, _ in g["stops"]]
        return skia.GradientShader.MakeLinear(points, colors, offsets)
    g = fill["radial"]
    colors = [skcolor(c) for _, c in g["stops"]]
    offsets = [float(o) for o, _ in g["stops"]]
    return skia.GradientShader.MakeRadial(
        skia.Point(*g["center"]), max(float(g["radius"]), 1e-3), colors, offsets
    )


def fill_paint(fill: str | dict[str, Any] | None) -> skia.Paint | None:
    """An anti-aliased fill paint for a color or a gradient (None: no fill)."""
    if fill is None:
        return None
    paint = skia.Paint(AntiAlias=True)
    if isinstance(fill, str):
        paint.setColor(skcolor(fill))
    else:
        paint.setShader(_shader(fill))
    return paint


def stroke_paint(stroke: dict[str, Any] | None, width: float | None = None) -> skia.Paint | None:
    """A stroke paint for ``{"width", "color"}`` (``width`` overrides, e.g. when animated)."""
    if stroke is None:
        return None
    w = float(stroke["width"] if width is None else width)
    if w <= 0:
        return None
    paint = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=w)
    paint.setColor(skcolor(stroke["color"]))
    return paint


def shadow_filter(shadow: dict[str, Any] | None, scale: float = 1.0) -> skia.ImageFilter | None:
    """A drop-shadow image filter: offset ``(x, y)``, blur radius ``blur`` (sigma = blur / 2,
    as the CSS/canvas ``shadowBlur`` convention), color. ``scale`` converts layer pixels to
    the pixels of the surface drawn into when the filter is applied in device space."""
    if shadow is None:
        return None
    sigma = max(float(shadow["blur"]), 0.0) / 2.0 * scale
    return skia.ImageFilters.DropShadow(
        float(shadow["x"]) * scale,
        float(shadow["y"]) * scale,
        sigma,
        sigma,
        skcolor(shadow["color"]),
    )


def shadow_outset(shadow: dict[str, Any] | None) -> float:
    """How far a shadow can reach beyond its layer's box, in layer pixels."""
    if shadow is None:
        return 0.0
    return abs(float(shadow["x"])) + abs(float(shadow["y"])) + 1.5 * float(shadow["blur"]) + 2.0


def shadow_paint(shadow: dict[str, Any]) -> skia.Paint:
    """A paint that draws geometry as its own blurred shadow (a blur *mask* filter: far
    cheaper on the CPU than the image-filter drop shadow, and the same look for opaque
    shapes and glyphs). Offset the geometry by ``(shadow.x, shadow.y)`` when drawing."""
    paint = skia.Paint(AntiAlias=True, Color=skcolor(shadow["color"]))
    sigma = max(float(shadow["blur"]), 0.0) / 2.0
    if sigma > 0:
        paint.setMaskFilter(skia.MaskFilter.MakeBlur(skia.kNormal_BlurStyle, sigma))
    return paint
