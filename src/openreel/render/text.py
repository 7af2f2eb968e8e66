"""Text layout with ``skia.textlayout``: wrapping, alignment, fit, ellipsis, stroke, background.

Semantics (the player mirrors them):

* Lines wrap at the box width. Every line box is exactly ``size * line_height`` pixels tall (a
  forced strut), so fallback fonts (emoji, CJK) cannot change the spacing.
* The base direction is that of the first strong character (HTML's ``dir="auto"``): a text
  starting with Arabic or Hebrew is laid out right-to-left (wrapped in an RLI...PDI isolate),
  and ``start`` / ``end`` alignment follow it.
* ``valign`` places the laid-out block at the top, middle or bottom of the box.
* ``max_lines`` keeps at most that many lines: extra text is cut at a grapheme-cluster
  boundary; with ``fit: ellipsis`` the cut ends with ``…``. ``fit: ellipsis`` without
  ``max_lines`` keeps as many lines as fit the box height (at least one).
* ``fit: shrink`` lowers the size (binary search, 14 steps, down to 4 % of the size) until the
  block fits the box height, no word is wider than the box, and ``max_lines`` holds.
* ``stroke`` outlines the glyphs: a stroke of ``2 * width`` is drawn under the fill, so
  ``width`` pixels show outside the glyphs. ``background`` is a rounded rectangle around the
  block (the longest line's width by the block's height) grown by ``padding``.
* ``shadow`` is the shadow of the background box when there is one, else of the (stroked)
  glyphs: the same shapes, offset and blurred with sigma ``blur / 2``, drawn first.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

import regex
import skia

from .fonts import FontManager
from .paint import shadow_paint, skcolor

tl = skia.textlayout
_GRAPHEMES = regex.compile(r"\X")
ELLIPSIS = "…"
RLI, PDI = "\u2067", "\u2069"
_ALIGN = {"left": tl.TextAlign.kLeft, "center": tl.TextAlign.kCenter, "right": tl.TextAlign.kRight}
_SHRINK_STEPS = 14
_MIN_SHRINK = 0.04


def is_rtl(text: str) -> bool:
    """True when the first strong character of ``text`` is right-to-left (R or AL)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def horizontal_align(align: str, rtl: bool) -> str:
    """``left`` / ``center`` / ``right`` for a layer's ``align`` and base direction."""
    if align == "start":
        return "right" if rtl else "left"
    if align == "end":
        return "left" if rtl else "right"
    return align


@dataclass(frozen=True, slots=True)
class TextSpec:
    """Everything that shapes one text block (hashable: laid-out blocks are cached by it)."""

    text: str
    font: str | None
    size: float
    color: str
    align: str
    valign: str
    line_height: float
    max_lines: int | None
    fit: str
    stroke: tuple[float, str] | None
    background: tuple[str, float, float] | None
    width: float
    height: float
    shadow: tuple[float, float, float, str] | None = None  # x, y, blur, color

    @staticmethod
    def of(layer: dict[str, Any], props: dict[str, Any]) -> TextSpec:
        """The spec of a resolved text layer with its animated ``props`` applied."""
        stroke = layer.get("stroke")
        bg = layer.get("background")
        shadow = layer.get("shadow")
        return TextSpec(
            text=str(props.get("text", layer["text"])),
            font=layer.get("font"),
            size=float(props.get("size", layer["size"])),
            color=str(props.get("color", layer["color"])),
            align=layer.get("align", "start"),
            valign=layer.get("valign", "top"),
            line_height=float(layer.get("line_height", 1.2)),
            max_lines=layer.get("max_lines"),
            fit=layer.get("fit", "none"),
            stroke=None if stroke is None else (float(stroke["width"]), stroke["color"]),
            background=None
            if bg is None
            else (bg["color"], float(bg.get("padding", 0)), float(bg.get("radius", 0))),
            width=float(props.get("width", layer["width"])),
            height=float(props.get("height", layer["height"])),
            shadow=None
            if shadow is None
            else (float(shadow["x"]), float(shadow["y"]), float(shadow["blur"]), shadow["color"]),
        )


@dataclass(slots=True)
class TextBlock:
    """A laid-out text block, ready to draw at the top-left of its box."""

    fill: Any  # skia.textlayout.Paragraph
    stroke: Any | None
    x: float  # offset of the paragraph's origin in the box
    y: float
    size: float
    lines: int
    block_width: float
    block_height: float
    left: float  # left edge of the longest line, in the box
    spec: TextSpec
    shadow: Any | None = None  # the glyphs as a blurred shadow paragraph

    def draw(self, canvas: skia.Canvas) -> None:
        """Shadow, background, stroke, then the glyphs (see the module docstring)."""
        bg = self.spec.background
        sh = self.spec.shadow
        if bg is not None:
            color, pad, radius = bg
            rect = skia.Rect.MakeXYWH(
                self.left - pad,
                self.y - pad,
                self.block_width + 2 * pad,
                self.block_height + 2 * pad,
            )
            rrect = skia.RRect.MakeRectXY(rect, radius, radius)
            if sh is not None:
                canvas.save()
                canvas.translate(sh[0], sh[1])
                canvas.drawRRect(rrect, shadow_paint(_shadow_dict(sh)))
                canvas.restore()
            canvas.drawRRect(rrect, skia.Paint(AntiAlias=True, Color=skcolor(color)))
        elif sh is not None and self.shadow is not None:
            self.shadow.paint(canvas, self.x + sh[0], self.y + sh[1])
        if self.stroke is not None:
            self.stroke.paint(canvas, self.x, self.y)
        self.fill.paint(canvas, self.x, self.y)


class TextLayouter:
    """Builds paragraphs with one :class:`FontManager`; see the module docstring."""

    def __init__(self, fonts: FontManager) -> None:
        self.fonts = fonts

    def _paragraph(
        self, text: str, spec: TextSpec, size: float, paint: skia.Paint | None, align: str
    ) -> Any:
        families = self.fonts.families(spec.font)
        style = tl.TextStyle()
        style.setFontFamilies(families)
        style.setFontSize(size)
        if paint is None:
            style.setColor(skcolor(spec.color))
        else:
            style.setForegroundPaint(paint)
        strut = tl.StrutStyle()
        strut.setStrutEnabled(True)
        strut.setFontFamilies(families[:1])
        strut.setFontSize(size)
        strut.setHeight(spec.line_height)
        strut.setHeightOverride(True)
        strut.setForceStrutHeight(True)
        pstyle = tl.ParagraphStyle()
        pstyle.setTextStyle(style)
        pstyle.setStrutStyle(strut)
        pstyle.setTextAlign(_ALIGN[align])
        builder = tl.ParagraphBuilder(pstyle, self.fonts.collection, self.fonts.unicode)
        builder.addText(text)
        paragraph = builder.Build()
        paragraph.layout(max(spec.width, 1.0))
        return paragraph

    def _lines(self, paragraph: Any, spec: TextSpec, size: float) -> int:
        return max(1, round(float(paragraph.Height) / (size * spec.line_height)))

    def _max_lines(self, spec: TextSpec, size: float) -> int | None:
        if spec.max_lines is not None:
            return int(spec.max_lines)
        if spec.fit == "ellipsis":
            return max(1, math.floor(spec.height / (size * spec.line_height) + 1e-6))
        return None

    def _fits(self, text: str, spec: TextSpec, size: float, align: str) -> bool:
        p = self._paragraph(text, spec, size, None, align)
        limit = spec.max_lines
        return (
            p.Height <= spec.height + 0.5
            and p.MinIntrinsicWidth <= spec.width + 0.5
            and (limit is None or self._lines(p, spec, size) <= limit)
        )

    def _shrunk_size(self, text: str, spec: TextSpec, align: str) -> float:
        if self._fits(text, spec, spec.size, align):
            return spec.size
        lo, hi = spec.size * _MIN_SHRINK, spec.size
        for _ in range(_SHRINK_STEPS):
            mid = (lo + hi) / 2
            if self._fits(text, spec, mid, align):
                lo = mid
            else:
                hi = mid
        return lo

    def _truncate(self, text: str, spec: TextSpec, size: float, limit: int, align: str) -> str:
        """The longest prefix (whole grapheme clusters, + ``…`` for ellipsis) within ``limit``
        lines."""
        p = self._paragraph(text, spec, size, None, align)
        if self._lines(p, spec, size) <= limit:
            return text
        clusters = _GRAPHEMES.findall(text)
        suffix = ELLIPSIS if spec.fit == "ellipsis" else ""

        def candidate(k: int) -> str:
            return "".join(clusters[:k]).rstrip() + suffix

        lo, hi = 0, len(clusters)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            q = self._paragraph(candidate(mid), spec, size, None, align)
            if self._lines(q, spec, size) <= limit:
                lo = mid
            else:
                hi = mid - 1
        return candidate(lo)

    def layout(self, spec: TextSpec) -> TextBlock:
        """Lay ``spec`` out (pure: the same spec always gives the same block)."""
        rtl = is_rtl(spec.text)
        text = f"{RLI}{spec.text}{PDI}" if rtl else spec.text
        align = horizontal_align(spec.align, rtl)
        size = self._shrunk_size(text, spec, align) if spec.fit == "shrink" else spec.size
        limit = self._max_lines(spec, size)
        if limit is not None:
            text = self._truncate(text, spec, size, limit, align)
        fill = self._paragraph(text, spec, size, None, align)
        stroke = None
        if spec.stroke is not None and spec.stroke[0] > 0:
            paint = skia.Paint(
                AntiAlias=True,
                Style=skia.Paint.kStroke_Style,
                StrokeWidth=2 * spec.stroke[0],
                StrokeJoin=skia.Paint.kRound_Join,
                Color=skcolor(spec.stroke[1]),
            )
            stroke = self._paragraph(text, spec, size, paint, align)
        shadow = None
        if spec.shadow is not None and spec.background is None:
            widen = spec.stroke[0] * 2 if spec.stroke is not None else 0.0
            paint = shadow_paint(_shadow_dict(spec.shadow))
            if widen > 0:
                paint.setStyle(skia.Paint.kStrokeAndFill_Style)
                paint.setStrokeWidth(widen)
            shadow = self._paragraph(text, spec, size, paint, align)
        block_h = float(fill.Height)
        longest = float(fill.LongestLine)
        y = {"top": 0.0, "middle": (spec.height - block_h) / 2, "bottom": spec.height - block_h}
        left = {"left": 0.0, "center": (spec.width - longest) / 2, "right": spec.width - longest}
        return TextBlock(
            fill=fill,
            stroke=stroke,
            x=0.0,
            y=y.get(spec.valign, 0.0),
            size=size,
            lines=self._lines(fill, spec, size),
            block_width=longest,
            block_height=block_h,
            left=left[align],
            spec=spec,
            shadow=shadow,
        )


def _shadow_dict(shadow: tuple[float, float, float, str]) -> dict[str, Any]:
    return {"x": shadow[0], "y": shadow[1], "blur": shadow[2], "color": shadow[3]}
