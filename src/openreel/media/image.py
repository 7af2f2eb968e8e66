"""Safe opening of user images from bytes: sniff, cap, then decode with an allowlisted Pillow.

The order is fixed and is the security argument (RELIABILITY.md rules 4-5, rows 7, 8, 10, 11, 20):

1. byte size against ``limits.max_bytes``;
2. the real format from magic bytes (:func:`openreel.media.sniff.sniff`), never the file name;
   it must be in ``limits.formats`` (PNG, JPEG, WEBP, GIF), else ``OR-E400``; a file name whose
   extension promises another format is ``OR-E401``;
3. canvas size and frame count read by OpenReel's own header walk (no pixel data touched):
   side, pixel, frame and frames x pixels caps (``OR-E402`` / ``OR-E403``);
4. only then ``Image.open(BytesIO, formats=[that one format])`` and ``load()``.

Decoded images come back as ``uint8`` arrays of shape ``(H, W, 4)``, straight (not
premultiplied) alpha, in BGRA order by default. EXIF orientation is applied (as browsers do),
then every piece of metadata (EXIF, GPS, ICC, XMP, text chunks) is dropped: an array has none.
ICC profiles are ignored, not applied; pixels are taken to be sRGB.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageSequence

from openreel.errors import MediaError
from openreel.media._imgheader import READERS, HeaderError
from openreel.media.limits import ImageLimits
from openreel.media.sniff import name_format, same_format, sniff

Array = npt.NDArray[np.uint8]
Order = Literal["BGRA", "RGBA"]

#: Exceptions Pillow raises on malformed input (the set Pillow's own fuzzers accept, plus the
#: low-level ones its pure-Python plugins let through).
PIL_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    NotImplementedError,
    OverflowError,
    ZeroDivisionError,
    struct.error,
    zlib.error,
)

#: What decoding (as opposed to opening) may raise: the above, and Pillow's own bomb guard
#: when a later frame of an animation is larger than the header walk saw.
DECODE_ERRORS: tuple[type[BaseException], ...] = (*PIL_ERRORS, Image.DecompressionBombError)

_TRANSPOSE = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What :func:`probe_image` learned from the header. ``frames`` is 1 for stills."""

    format: str
    mime: str
    width: int
    height: int
    frames: int

    @property
    def animated(self) -> bool:
        return self.frames > 1


def probe_image(
    data: bytes, limits: ImageLimits | None = None, *, name: str | None = None
) -> ImageInfo:
    """Check ``data`` against ``limits`` from its header alone and describe it.

    ``name`` (optional) is the name the file came with; it is only used to report a format
    mismatch, never to choose a decoder. Raises :class:`MediaError` with ``OR-E400`` (format not
    allowed), ``OR-E401`` (name promises another format), ``OR-E402`` (pixels), ``OR-E403``
    (frames), ``OR-E405`` (bytes) or ``OR-E406`` (broken header).
    """
    lim = limits or ImageLimits()
    if len(data) > lim.max_bytes:
        raise MediaError(
            "OR-E405", f"the image has {len(data)} bytes; the limit is {lim.max_bytes}"
        )
    found = sniff(data)
    promised = name_format(name)
    if found.kind != "image" or found.name not in lim.formats:
        said = f" (the file name promises {promised})" if promised else ""
        raise MediaError(
            "OR-E400",
            f"expected an image in {', '.join(sorted(lim.formats))}, found {found.name}{said}",
        )
    if promised is not None and not same_format(promised, found.name):
        raise MediaError(
            "OR-E401", f"the file name promises {promised} but the bytes are {found.name}"
        )
    try:
        head = READERS[found.name](data, lim.max_frames)
    except HeaderError as exc:
        raise MediaError("OR-E406", f"the {found.name} header is broken: {exc}") from None
    _check_caps(
        found.name,
        head.width,
        head.height,
        frames=head.frames,
        frame_px=head.max_frame_pixels,
        lim=lim,
    )
    return ImageInfo(found.name, found.mime, head.width, head.height, head.frames)


def _check_caps(fmt: str, w: int, h: int, *, frames: int, frame_px: int, lim: ImageLimits) -> None:
    if w <= 0 or h <= 0:
        raise MediaError("OR-E406", f"the {fmt} header gives an empty size {w}x{h}")
    pixels = max(w * h, frame_px)
    if w > lim.max_side or h > lim.max_side or pixels > lim.max_pixels:
        raise MediaError(
            "OR-E402",
            f"the image is {w}x{h} ({pixels} pixels per frame); the limit is "
            f"{lim.max_pixels} pixels and {lim.max_side} per side",
        )
    if frames > lim.max_frames:
        raise MediaError(
            "OR-E403", f"the image has more than {lim.max_frames} frames; that is the limit"
        )
    if frames * pixels > lim.max_total_pixels:
        raise MediaError(
            "OR-E402",
            f"{frames} frames of {pixels} pixels exceed the animation budget of "
            f"{lim.max_total_pixels} pixels",
        )


@contextmanager
def _opened(data: bytes, info: ImageInfo, lim: ImageLimits) -> Iterator[Image.Image]:
    """Pillow restricted to the sniffed format, with its size re-checked against the caps."""
    try:
        im = Image.open(BytesIO(data), formats=[info.format])
    except Image.DecompressionBombError:
        raise MediaError("OR-E402", "the image exceeds Pillow's pixel limit") from None
    except PIL_ERRORS:
        raise MediaError("OR-E406", f"the {info.format} file cannot be parsed") from None
    with im:
        w, h = im.size
        _check_caps(info.format, w, h, frames=info.frames, frame_px=w * h, lim=lim)
        yield im


def _load_error(fmt: str, exc: BaseException) -> MediaError:
    if isinstance(exc, Image.DecompressionBombError):
        return MediaError("OR-E402", f"a {fmt} frame exceeds the pixel limit")
    text = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in text or "premature" in text:
        return MediaError("OR-E406", f"the {fmt} data is truncated")
    return MediaError("OR-E407", f"the {fmt} data could not be decoded")


def _to_array(frame: Image.Image, orientation: int, order: Order) -> Array:
    for op in _TRANSPOSE.get(orientation, ()):
        frame = frame.transpose(op)
    rgba = frame if frame.mode == "RGBA" else frame.convert("RGBA")
    arr: Array = np.asarray(rgba, dtype=np.uint8)
    if order == "BGRA":
        arr = arr[..., [2, 1, 0, 3]]
    return np.ascontiguousarray(arr)


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except PIL_ERRORS:
        return 1
    return value if isinstance(value, int) else 1


def decode_image(
    data: bytes,
    limits: ImageLimits | None = None,
    *,
    name: str | None = None,
    order: Order = "BGRA",
) -> Array:
    """The first frame of an image as a ``(H, W, 4)`` uint8 array with straight alpha.

    Runs :func:`probe_image` first (same errors), then decodes; a truncated file is
    ``OR-E406``, other decoder failures ``OR-E407``. EXIF orientation is applied; no metadata
    survives. Modes (palette, grey, CMYK, 16-bit, 1-bit) are converted to RGBA.
    """
    lim = limits or ImageLimits()
    info = probe_image(data, lim, name=name)
    with _opened(data, info, lim) as im:
        try:
            im.load()
            return _to_array(im, _orientation(im), order)
        except DECODE_ERRORS as exc:
            raise _load_error(info.format, exc) from None


@dataclass(frozen=True, slots=True)
class AnimationFrame:
    """One decoded frame of an animation and how long it shows, in milliseconds."""

    pixels: Array
    duration_ms: int


def decode_frames(
    data: bytes,
    limits: ImageLimits | None = None,
    *,
    name: str | None = None,
    order: Order = "BGRA",
) -> list[AnimationFrame]:
    """Every frame of an animated GIF, WebP or APNG (one frame for stills), fully composited.

    The frame count and the frames x pixels budget were checked by :func:`probe_image` before
    the first frame is decoded; a file holding more frames than its header walk counted is
    cut off at ``limits.max_frames``.
    """
    lim = limits or ImageLimits()
    info = probe_image(data, lim, name=name)
    out: list[AnimationFrame] = []
    with _opened(data, info, lim) as im:
        orientation = _orientation(im)
        try:
            for frame in ImageSequence.Iterator(im):
                if len(out) >= lim.max_frames:
                    break
                frame.load()
                duration = frame.info.get("duration", 0)
                ms = int(duration) if isinstance(duration, int | float) else 0
                out.append(AnimationFrame(_to_array(frame, orientation, order), max(ms, 0)))
        except DECODE_ERRORS as exc:
            raise _load_error(info.format, exc) from None
    return out
