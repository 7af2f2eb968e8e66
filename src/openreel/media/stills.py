"""Stills (PNG, JPEG, WebP) and animated previews (GIF, WebP) from BGRA frames, with Pillow.

Input frames are ``uint8`` arrays of shape ``(H, W, 4)``, BGRA, straight alpha (what the
renderer draws). Outputs carry no metadata: no EXIF, GPS, ICC, XMP or text chunks are written
(RELIABILITY.md row 20). Files are published atomically (:mod:`openreel.media.atomic`).

* PNG and WebP keep alpha; JPEG (and GIF) flatten it over ``background`` (default black).
* GIF: one palette for the whole clip (at most 256 colours), computed by median cut over an
  evenly spaced sample of up to 16 frames, then every frame is mapped to it with
  Floyd-Steinberg dithering; Pillow stores only changed rectangles. GIF delays are whole
  centiseconds, so frame ``i`` starts at ``round(i / fps * 100)`` cs (the total length is exact;
  single delays differ by at most 1 cs). Browsers slow down delays under 2 cs, so fps is
  limited to 50.
* Animated WebP: frame ``i`` starts at ``round(i / fps * 1000)`` ms.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

from openreel.media.atomic import atomic_output

Array = npt.NDArray[np.uint8]
StillFormat = Literal["PNG", "JPEG", "WEBP"]
RGB = tuple[int, int, int]
_EXTENSIONS: dict[str, StillFormat] = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
}
MAX_GIF_FPS = Fraction(50)
PALETTE_SAMPLE = 16


def _check(frame: Array) -> None:
    if frame.ndim != 3 or frame.shape[2] != 4 or frame.dtype != np.uint8:
        raise ValueError("frames must be uint8 arrays of shape (H, W, 4) in BGRA order")


def _rgba(frame: Array) -> Image.Image:
    _check(frame)
    return Image.fromarray(np.ascontiguousarray(frame[..., [2, 1, 0, 3]]), "RGBA")


def _flat(frame: Array, background: RGB) -> Image.Image:
    """RGB image of ``frame`` composited over an opaque ``background``."""
    _check(frame)
    alpha = frame[..., 3:4].astype(np.uint16)
    bg = np.array(background[::-1], np.uint16)  # as BGR
    bgr = (frame[..., :3].astype(np.uint16) * alpha + bg * (255 - alpha) + 127) // 255
    return Image.fromarray(np.ascontiguousarray(bgr[..., ::-1].astype(np.uint8)), "RGB")


def still_format(path: str | os.PathLike[str]) -> StillFormat:
    """The still format a file name asks for (``.png``, ``.jpg``/``.jpeg``, ``.webp``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise ValueError("stills are written as .png, .jpg, .jpeg or .webp")
    return _EXTENSIONS[suffix]


def write_still(
    path: str | os.PathLike[str],
    bgra: Array,
    *,
    format: StillFormat | None = None,
    quality: int = 90,
    background: RGB = (0, 0, 0),
) -> Path:
    """Write one frame as PNG, JPEG or WebP (chosen by ``format`` or the file extension)."""
    fmt = format or still_format(path)
    image = _flat(bgra, background) if fmt == "JPEG" else _rgba(bgra)
    options: dict[str, int | bool] = {}
    if fmt == "JPEG":
        options = {"quality": quality, "optimize": True}
    elif fmt == "WEBP":
        options = {"quality": quality, "method": 4}
    elif fmt == "PNG":
        options = {"compress_level": 6}
    with atomic_output(path) as temp:
        image.save(temp, format=fmt, **options)
    return Path(path)


def start_times(count: int, fps: Fraction, unit: int) -> list[int]:
    """Start of frames ``0..count`` (inclusive end) in units of ``1/unit`` s, rounded half up."""
    return [int((Fraction(i) / fps * unit + Fraction(1, 2)) // 1) for i in range(count + 1)]


def durations(count: int, fps: Fraction, unit: int) -> list[int]:
    """Per-frame display times in ``1/unit`` s whose running sum never drifts more than half a unit.

    >>> durations(6, Fraction(30), 100)
    [3, 4, 3, 3, 4, 3]
    """
    starts = start_times(count, fps, unit)
    return [b - a for a, b in zip(starts, starts[1:], strict=False)]


def _palette(frames: Sequence[Array], colors: int, background: RGB) -> Image.Image:
    step = max(1, len(frames) // PALETTE_SAMPLE)
    picks = [_flat(f, background) for f in frames[::step][:PALETTE_SAMPLE]]
    width = max(p.width for p in picks)
    mosaic = Image.new("RGB", (width, sum(p.height for p in picks)))
    y = 0
    for pick in picks:
        mosaic.paste(pick, (0, y))
        y += pick.height
    return mosaic.quantize(colors=colors, method=Image.Quantize.MEDIANCUT)


def write_gif(
    path: str | os.PathLike[str],
    frames: Sequence[Array],
    fps: Fraction,
    *,
    loop: int = 0,
    colors: int = 256,
    background: RGB = (0, 0, 0),
) -> Path:
    """Write an animated GIF with one palette for all ``frames`` (``loop=0``: forever)."""
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    if not 0 < fps <= MAX_GIF_FPS:
        raise ValueError(f"GIF fps must be in (0, {MAX_GIF_FPS}]")
    if not 2 <= colors <= 256:
        raise ValueError("colors must be in 2..256")
    palette = _palette(frames, colors, background)
    images = [
        _flat(f, background).quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
        for f in frames
    ]
    delays_ms = [10 * cs for cs in durations(len(frames), Fraction(fps), 100)]
    shared = palette.getpalette() or []
    with atomic_output(path) as temp:
        images[0].save(
            temp,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=delays_ms,
            loop=loop,
            optimize=False,
            palette=bytes(shared),  # written once, as the global colour table
        )
    return Path(path)


def write_webp_animation(
    path: str | os.PathLike[str],
    frames: Sequence[Array],
    fps: Fraction,
    *,
    loop: int = 0,
    quality: int = 80,
    lossless: bool = False,
) -> Path:
    """Write an animated WebP (alpha kept) with millisecond frame timing."""
    if not frames:
        raise ValueError("an animation needs at least one frame")
    if fps <= 0:
        raise ValueError("fps must be positive")
    images = [_rgba(f) for f in frames]
    with atomic_output(path) as temp:
        images[0].save(
            temp,
            format="WEBP",
            save_all=True,
            append_images=images[1:],
            duration=durations(len(frames), Fraction(fps), 1000),
            loop=loop,
            quality=quality,
            lossless=lossless,
            method=4,
        )
    return Path(path)
