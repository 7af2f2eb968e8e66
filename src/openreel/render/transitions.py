"""Scene transitions: how the entering and the leaving scene look at eased progress ``p``.

``p`` is :func:`openreel.resolve.timing.transition_progress` of the entering scene, passed
through the transition's easing (so ``0 < p < 1`` inside the overlap). For a canvas of
``W x H`` template pixels:

============== ===================================== =====================================
type           entering scene                        leaving scene
============== ===================================== =====================================
crossfade      opacity ``p``                         opacity ``1 - p``
slide-left     moved by ``(W (1 - p), 0)``           moved by ``(-W p, 0)``
slide-right    moved by ``(-W (1 - p), 0)``          moved by ``(W p, 0)``
slide-up       moved by ``(0, H (1 - p))``           moved by ``(0, -H p)``
slide-down     moved by ``(0, -H (1 - p))``          moved by ``(0, H p)``
wipe           clipped to ``x < W p``                unchanged
zoom           scaled ``0.8 + 0.2 p`` about the      scaled ``1 + 0.2 p`` about the
               centre, opacity ``p``                 centre, opacity ``1 - p``
cut            (no overlap)
============== ===================================== =====================================

The leaving scene is drawn first, the entering one over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import skia


@dataclass(frozen=True, slots=True)
class Look:
    """A scene's transform, opacity and clip (template pixels) during a transition."""

    dx: float = 0.0
    dy: float = 0.0
    scale: float = 1.0
    alpha: float = 1.0
    clip_width: float | None = None

    def then(self, other: Look) -> Look:
        """Both looks applied (translations add, scales and opacities multiply)."""
        clip = self.clip_width if other.clip_width is None else other.clip_width
        if self.clip_width is not None and other.clip_width is not None:
            clip = min(self.clip_width, other.clip_width)
        return Look(
            self.dx + other.dx,
            self.dy + other.dy,
            self.scale * other.scale,
            self.alpha * other.alpha,
            clip,
        )

    def apply(self, canvas: skia.Canvas, w: float, h: float) -> None:
        """Transform and clip ``canvas`` (the opacity is the caller's ``saveLayer``)."""
        if self.dx or self.dy:
            canvas.translate(self.dx, self.dy)
        if self.scale != 1.0:
            canvas.translate(w / 2, h / 2)
            canvas.scale(self.scale, self.scale)
            canvas.translate(-w / 2, -h / 2)
        if self.clip_width is not None:
            canvas.clipRect(skia.Rect.MakeWH(max(self.clip_width, 0.0), h), True)


REST = Look()


def entering(kind: str, p: float, w: float, h: float) -> Look:
    """The entering scene's look (see the module docstring)."""
    q = 1.0 - p
    looks = {
        "crossfade": Look(alpha=p),
        "slide-left": Look(dx=w * q),
        "slide-right": Look(dx=-w * q),
        "slide-up": Look(dy=h * q),
        "slide-down": Look(dy=-h * q),
        "wipe": Look(clip_width=w * p),
        "zoom": Look(scale=0.8 + 0.2 * p, alpha=p),
    }
    return looks.get(kind, REST)


def leaving(kind: str, p: float, w: float, h: float) -> Look:
    """The leaving scene's look while the next one enters with ``kind``."""
    looks = {
        "crossfade": Look(alpha=1.0 - p),
        "slide-left": Look(dx=-w * p),
        "slide-right": Look(dx=w * p),
        "slide-up": Look(dy=-h * p),
        "slide-down": Look(dy=h * p),
        "zoom": Look(scale=1.0 + 0.2 * p, alpha=1.0 - p),
    }
    return looks.get(kind, REST)
