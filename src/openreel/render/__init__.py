"""Resolved timeline + frame index -> pixels, with skia-python (and ThorVG for Lottie).

Build once, draw any frame::

    renderer = FrameRenderer(timeline, template_dir)          # fonts, images, clips, Lottie
    bgra = renderer.draw(42)                                  # (H, W, 4) uint8, BGRA

See :mod:`openreel.render.frame` for the frame's exact semantics, :mod:`~.draw` for layer
geometry and compositing, :mod:`~.text` for text layout, :mod:`~.transitions` for scene
transitions and :mod:`~.cache` for what is drawn once.
"""

from .fonts import DEFAULT_FAMILY, FALLBACK_FAMILIES, FontManager
from .frame import FrameRenderer, unpremultiply
from .layers import AssetCache, RenderWarning
from .text import TextLayouter, TextSpec

__all__ = [
    "DEFAULT_FAMILY",
    "AssetCache",
    "FALLBACK_FAMILIES",
    "FontManager",
    "FrameRenderer",
    "RenderWarning",
    "TextLayouter",
    "TextSpec",
    "unpremultiply",
]
