"""Shape layers: rect (rounded by the layer's ``radius``), ellipse, line and SVG path data.

skia-python exposes no SVG path parser, so :func:`svg_path` reads SVG 1.1 path data itself
(``M L H V C S Q T A Z``, absolute and relative, implicit repeats, numbers like ``1e-3`` and
``.5.5``). Malformed data raises :class:`ValueError` (the layer is then skipped with a warning).

A ``line`` is the box's diagonal from top-left to bottom-right; it is drawn with the layer's
``stroke``, or, without one, 2 px wide in the ``fill`` color.
"""

from __future__ import annotations

import re
from typing import Any

import skia

from .paint import fill_paint, shadow_paint, skcolor, stroke_paint

_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
_MAX_TOKENS = 100_000


def _tokens(data: str) -> list[str]:
    tokens = _TOKEN.findall(data)
    leftover = _TOKEN.sub("", data).replace(",", "").strip()
    if leftover:
        raise ValueError("path data holds characters that are not SVG path syntax")
    if len(tokens) > _MAX_TOKENS:
        raise ValueError("path data is too long")
    return tokens


def svg_path(data: str) -> skia.Path:
    """A skia path from SVG path data (see the module docstring).

    >>> svg_path("M0 0 L10 0 L10 10 Z").getBounds().width()
    10.0
    """
    path = skia.Path()
    tokens = _tokens(data)
    i, cmd = 0, ""
    x = y = sx = sy = 0.0
    cx = cy = 0.0  # last control point (for S and T)
    last = ""
    while i < len(tokens):
        tok = tokens[i]
        if tok.isalpha():
            cmd, i = tok, i + 1
        elif not cmd:
            raise ValueError("path data must start with a command")
        up = cmd.upper()
        rel = cmd.islower()
        n = _ARGS[up]
        args = [float(t) for t in tokens[i : i + n]]
        if len(args) < n or any(t.isalpha() for t in tokens[i : i + n]):
            raise ValueError(f"path command {cmd} needs {n} numbers")
        i += n
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if up == "M":
            x, y = ox + args[0], oy + args[1]
            path.moveTo(x, y)
            sx, sy = x, y
            cmd = "l" if rel else "L"  # further pairs are line-tos
        elif up == "L":
            x, y = ox + args[0], oy + args[1]
            path.lineTo(x, y)
        elif up == "H":
            x = ox + args[0]
            path.lineTo(x, y)
        elif up == "V":
            y = oy + args[0]
            path.lineTo(x, y)
        elif up == "C":
            x1, y1, cx, cy = ox + args[0], oy + args[1], ox + args[2], oy + args[3]
            x, y = ox + args[4], oy + args[5]
            path.cubicTo(x1, y1, cx, cy, x, y)
        elif up == "S":
            x1, y1 = (2 * x - cx, 2 * y - cy) if last in "CS" else (x, y)
            cx, cy, x, y = ox + args[0], oy + args[1], ox + args[2], oy + args[3]
            path.cubicTo(x1, y1, cx, cy, x, y)
        elif up == "Q":
            cx, cy, x, y = ox + args[0], oy + args[1], ox + args[2], oy + args[3]
            path.quadTo(cx, cy, x, y)
        elif up == "T":
            cx, cy = (2 * x - cx, 2 * y - cy) if last in "QT" else (x, y)
            x, y = ox + args[0], oy + args[1]
            path.quadTo(cx, cy, x, y)
        elif up == "A":
            rx, ry, rot, large, sweep = args[0], args[1], args[2], args[3], args[4]
            x, y = ox + args[5], oy + args[6]
            size = skia.Path.ArcSize.kLarge_ArcSize if large else skia.Path.ArcSize.kSmall_ArcSize
            direction = skia.PathDirection.kCW if sweep else skia.PathDirection.kCCW
            path.arcTo(abs(rx), abs(ry), rot, size, direction, x, y)
        else:  # Z
            path.close()
            x, y = sx, sy
        last = up
        if up == "Z":
            cmd = ""
            if i < len(tokens) and not tokens[i].isalpha():
                raise ValueError("numbers after Z need a command")
    return path


def draw_shape(
    canvas: skia.Canvas,
    layer: dict[str, Any],
    props: dict[str, Any],
    w: float,
    h: float,
    radius: float,
    path: skia.Path | None,
    shadow: dict[str, Any] | None = None,
) -> None:
    """Draw a shape layer's content in its box ``(0, 0, w, h)``, its ``shadow`` first (the
    same geometry, offset, blurred)."""
    fill = props.get("fill", layer.get("fill"))
    fp = fill_paint(fill)
    sp = stroke_paint(layer.get("stroke"), props.get("stroke_width"))
    kind = layer.get("shape", "rect")
    rect = skia.Rect.MakeWH(w, h)
    if kind == "line":
        if sp is None and isinstance(fill, str):
            sp = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=2.0)
            sp.setColor(skcolor(fill))
        if sp is not None:
            if shadow is not None:
                shade = shadow_paint(shadow)
                shade.setStyle(skia.Paint.kStroke_Style)
                shade.setStrokeWidth(sp.getStrokeWidth())
                canvas.drawLine(shadow["x"], shadow["y"], w + shadow["x"], h + shadow["y"], shade)
            canvas.drawLine(0, 0, w, h, sp)
        return
    paints: list[skia.Paint | None] = [fp, sp]
    if shadow is not None:
        shade = shadow_paint(shadow)
        if sp is not None:
            shade.setStyle(skia.Paint.kStrokeAndFill_Style if fp else skia.Paint.kStroke_Style)
            shade.setStrokeWidth(sp.getStrokeWidth())
        canvas.save()
        canvas.translate(float(shadow["x"]), float(shadow["y"]))
        _geometry(canvas, kind, rect, radius, path, shade)
        canvas.restore()
    for paint in paints:
        if paint is not None:
            _geometry(canvas, kind, rect, radius, path, paint)


def _geometry(
    canvas: skia.Canvas,
    kind: str,
    rect: skia.Rect,
    radius: float,
    path: skia.Path | None,
    paint: skia.Paint,
) -> None:
    w, h = rect.width(), rect.height()
    if kind == "ellipse":
        canvas.drawOval(rect, paint)
    elif kind == "path":
        if path is not None:
            canvas.drawPath(path, paint)
    elif radius > 0:
        r = min(radius, w / 2, h / 2)
        canvas.drawRRect(skia.RRect.MakeRectXY(rect, r, r), paint)
    else:
        canvas.drawRect(rect, paint)
