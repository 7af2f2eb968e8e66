"""Images for the renderer: decoding (through :mod:`openreel.media`) and fitting into a box.

``fit`` semantics for an image of ``iw x ih`` in a box of ``w x h`` with ``focus`` ``(fx, fy)``:

* ``cover``: scaled by ``max(w/iw, h/ih)``; the part shown is the ``w x h`` window whose
  position in the scaled image is ``focus`` of the overflow (``(0.5, 0.5)``: centred).
* ``contain``: scaled by ``min(w/iw, h/ih)``, placed at ``focus`` of the free space.
* ``fill``: stretched to the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import skia

from openreel.errors import MediaError
from openreel.media import decode_image, fetch

Array = npt.NDArray[np.uint8]
Fetcher = Callable[[str], bytes]
SAMPLING = skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kLinear)
PLACEHOLDER_COLOR = skia.Color(0x9C, 0xA3, 0xAF, 0xFF)


def premul_image(bgra: Array, *, opaque: bool = False) -> skia.Image:
    """A premultiplied BGRA skia image from a straight-alpha BGRA array (one copy)."""
    h, w = bgra.shape[:2]
    if opaque:
        return skia.Image.fromarray(
            np.ascontiguousarray(bgra),
            colorType=skia.ColorType.kBGRA_8888_ColorType,
            alphaType=skia.AlphaType.kOpaque_AlphaType,
        )
    src = skia.Image.fromarray(
        np.ascontiguousarray(bgra),
        colorType=skia.ColorType.kBGRA_8888_ColorType,
        alphaType=skia.AlphaType.kUnpremul_AlphaType,
    )
    info = skia.ImageInfo.Make(
        w, h, skia.ColorType.kBGRA_8888_ColorType, skia.AlphaType.kPremul_AlphaType
    )
    surface = skia.Surface.MakeRaster(info)
    surface.getCanvas().drawImage(src, 0, 0)
    image: skia.Image = surface.makeImageSnapshot()
    return image


def decode(data: bytes, name: str | None = None) -> skia.Image:
    """Decode image bytes safely (caps checked first) into a premultiplied skia image."""
    bgra = decode_image(data, name=name, order="BGRA")
    return premul_image(bgra, opaque=bool((bgra[..., 3] == 255).all()))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an image goes: ``src`` rectangle of the image onto ``dst`` in the box."""

    src: skia.Rect
    dst: skia.Rect


def place(
    iw: float, ih: float, w: float, h: float, fit: str, focus: tuple[float, float]
) -> Placement:
    """See the module docstring.

    >>> p = place(200, 100, 100, 100, "cover", (0.5, 0.5))
    >>> (p.src.left(), p.src.width(), p.dst.width())
    (50.0, 100.0, 100.0)
    """
    fx, fy = focus
    full = skia.Rect.MakeWH(iw, ih)
    if fit == "fill" or iw <= 0 or ih <= 0:
        return Placement(full, skia.Rect.MakeWH(w, h))
    if fit == "contain":
        s = min(w / iw, h / ih)
        dw, dh = iw * s, ih * s
        return Placement(full, skia.Rect.MakeXYWH((w - dw) * fx, (h - dh) * fy, dw, dh))
    s = max(w / iw, h / ih)
    sw, sh = w / s, h / s
    return Placement(
        skia.Rect.MakeXYWH((iw - sw) * fx, (ih - sh) * fy, sw, sh), skia.Rect.MakeWH(w, h)
    )


def draw_fitted(
    canvas: skia.Canvas,
    image: skia.Image,
    w: float,
    h: float,
    fit: str,
    focus: tuple[float, float],
    paint: skia.Paint | None = None,
) -> None:
    """Draw ``image`` into the box ``(0, 0, w, h)`` with ``fit`` and ``focus``."""
    p = place(image.width(), image.height(), w, h, fit, focus)
    canvas.drawImageRect(image, p.src, p.dst, SAMPLING, paint, skia.Canvas.kFast_SrcRectConstraint)


def draw_placeholder(canvas: skia.Canvas, w: float, h: float) -> None:
    """The neutral grey box drawn where an image could not be loaded."""
    canvas.drawRect(skia.Rect.MakeWH(w, h), skia.Paint(Color=PLACEHOLDER_COLOR))


def load_url(url: str, fetcher: Fetcher | None) -> skia.Image:
    """Fetch and decode a data-bound image; raises :class:`MediaError` on any failure."""
    if fetcher is None:
        data = fetch(url).data
    else:
        data = fetcher(url)
    if not data:
        raise MediaError("OR-E426", "the fetched image is empty")
    return decode(data)
