"""Burned-in captions: the cue active at a frame, drawn over the picture.

A cue ``{"start", "end", "text"}`` (absolute frames, ``[start, end)``) is drawn in the default
family at ``size = 4.5 %`` of the canvas's shorter side, white, centred, at most 2 lines
(ellipsis beyond), on a ``#000000b3`` rounded box, in a band whose bottom sits 6 % of the
canvas height above the bottom edge and whose width is 84 % of the canvas.
"""

from __future__ import annotations

from typing import Any

import skia

from .text import TextBlock, TextLayouter, TextSpec

BOX_COLOR = "#000000b3"


class CaptionPainter:
    """Lays out each cue once and draws the active one."""

    def __init__(self, layouter: TextLayouter, cues: list[dict[str, Any]], w: float, h: float):
        self.layouter = layouter
        self.cues = [c for c in cues if str(c.get("text", "")).strip()]
        self.w, self.h = w, h
        self._blocks: dict[int, TextBlock] = {}

    def active(self, frame: int) -> int | None:
        """Index of the cue shown at ``frame`` (the last one starting at or before it)."""
        found = None
        for i, cue in enumerate(self.cues):
            if int(cue["start"]) <= frame < int(cue["end"]):
                found = i
        return found

    def draw(self, canvas: skia.Canvas, frame: int) -> None:
        index = self.active(frame)
        if index is None:
            return
        block = self._blocks.get(index)
        size = 0.045 * min(self.w, self.h)
        band_w, band_h = 0.84 * self.w, size * 1.3 * 2
        if block is None:
            spec = TextSpec(
                text=str(self.cues[index]["text"]), font=None, size=size, color="#ffffffff",
                align="center", valign="bottom", line_height=1.3, max_lines=2, fit="ellipsis",
                stroke=None, background=(BOX_COLOR, size * 0.35, size * 0.3),
                width=band_w, height=band_h,
            )  # fmt: skip
            block = self.layouter.layout(spec)
            self._blocks[index] = block
        canvas.save()
        canvas.translate((self.w - band_w) / 2, self.h * 0.94 - band_h)
        block.draw(canvas)
        canvas.restore()
