"""The layer cache: constant layers drawn once into an image, then blitted.

A :class:`Run` is a stretch of consecutive constant layers of one scene that share their
``[start, end)`` frames and the ``normal`` blend (a layer with another blend mode forms a run
of its own, composited with its mode). The run is drawn once, at the output's rest transform
(the template-to-output scale, no transition), into a transparent surface the size of the
output; the surface is cropped to the pixels it touched. Each later frame draws that image:
as a straight copy when the canvas is at rest, through ``current x rest^-1`` during a
transition (slides move it, zooms scale it). Content a run draws outside the output at rest
is not kept (a limitation only visible in a slide that brings such content into view).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import skia

from .layers import Node
from .paint import BLEND_MODES

BGRA = skia.ColorType.kBGRA_8888_ColorType
PREMUL = skia.AlphaType.kPremul_AlphaType
_BLIT_SAMPLING = skia.SamplingOptions(skia.FilterMode.kLinear)


@dataclass(eq=False)
class Run:
    """Consecutive constant nodes drawn as one cached image."""

    nodes: list[Node]
    start: int
    end: int
    blend: str = "normal"
    image: skia.Image | None = None
    left: int = 0
    top: int = 0
    drawn: bool = False
    _paint: skia.Paint | None = field(default=None, repr=False)

    def paint(self) -> skia.Paint | None:
        if self.blend == "normal":
            return None
        if self._paint is None:
            self._paint = skia.Paint(BlendMode=BLEND_MODES[self.blend])
        return self._paint


def make_runs(nodes: list[Node]) -> list[Node | Run]:
    """Group consecutive constant normal-blend nodes with equal ``[start, end)`` into runs."""
    out: list[Node | Run] = []
    for node in nodes:
        if not node.constant:
            out.append(node)
            continue
        blend = str(node.d.get("blend", "normal"))
        last = out[-1] if out else None
        if (
            isinstance(last, Run)
            and blend == "normal"
            and last.blend == "normal"
            and (last.start, last.end) == (node.start, node.end)
        ):
            last.nodes.append(node)
        else:
            out.append(Run([node], node.start, node.end, blend))
    return out


def rasterize(
    run: Run, size: tuple[int, int], rest: skia.Matrix, draw: Callable[[skia.Canvas], None]
) -> None:
    """Draw ``run`` once (``draw(canvas)`` with the canvas at ``rest``) and keep the crop."""
    w, h = size
    pixels = np.zeros((h, w, 4), np.uint8)
    surface = skia.Surface(pixels, colorType=BGRA, alphaType=PREMUL)
    canvas = surface.getCanvas()
    canvas.setMatrix(rest)
    draw(canvas)
    surface.flushAndSubmit()
    alpha = pixels[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    run.drawn = True
    if rows.size == 0:
        run.image = None
        return
    cols = np.flatnonzero(alpha.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    crop = np.ascontiguousarray(pixels[top:bottom, left:right])
    run.image = skia.Image.fromarray(crop, colorType=BGRA, alphaType=PREMUL)
    run.left, run.top = left, top


def blit(canvas: skia.Canvas, run: Run, rest: skia.Matrix) -> None:
    """Draw a rasterized run where its layers would be drawn under the canvas's matrix."""
    if run.image is None:
        return
    current = canvas.getTotalMatrix()
    count = canvas.save()
    if current.get9() == rest.get9():
        canvas.resetMatrix()
        canvas.drawImage(run.image, run.left, run.top, skia.SamplingOptions(), run.paint())
    else:
        inverse = skia.Matrix()
        if not rest.invert(inverse):
            canvas.restoreToCount(count)
            return
        canvas.setMatrix(skia.Matrix.Concat(current, inverse))
        canvas.drawImage(run.image, run.left, run.top, _BLIT_SAMPLING, run.paint())
    canvas.restoreToCount(count)
