"""render_still: one frame of a viewer's video as PNG, JPEG or WebP bytes (or a file).

The frame shown at ``at`` seconds is ``min(floor(at * fps + 1/2), frames - 1)``. Only the
scenes on screen at that frame are built, and a :class:`~openreel.pipeline.render.Prepared`
template keeps its fonts and decoded assets between calls, so a warm thumbnail costs one
resolve, one frame and one encode.

:mod:`openreel.media.stills` writes stills to files only; :func:`encode_still` is the small
in-memory equivalent (same conventions: no metadata, JPEG flattened over black) used for
bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

from openreel.errors import RenderError
from openreel.media.atomic import write_bytes_atomic
from openreel.render import FrameRenderer, unpremultiply
from openreel.resolve import CompiledTemplate
from openreel.timebase import exact, frames_for

from .options import check_size
from .render import Prepared, prepare, resolve_for

Array = npt.NDArray[np.uint8]
StillFormat = Literal["png", "jpeg", "webp"]
SUFFIXES: dict[str, StillFormat] = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}


def encode_still(bgra: Array, format: StillFormat, quality: int = 90) -> bytes:
    """Encode a premultiplied BGRA frame (no metadata; JPEG drops alpha over black)."""
    buf = io.BytesIO()
    if format == "jpeg":
        rgb = np.ascontiguousarray(bgra[..., 2::-1])  # premultiplied == flattened over black
        Image.fromarray(rgb, "RGB").save(buf, format="JPEG", quality=quality)
    else:
        straight = unpremultiply(bgra)
        rgba = np.ascontiguousarray(straight[..., [2, 1, 0, 3]])
        options: dict[str, Any] = (
            {"compress_level": 6} if format == "png" else {"quality": quality, "method": 4}
        )
        Image.fromarray(rgba, "RGBA").save(buf, format=format.upper(), **options)
    return buf.getvalue()


def still_frame(timeline: dict[str, Any], at: float) -> int:
    """The frame shown at ``at`` seconds; ``OR-E504`` outside ``[0, duration]``."""
    fps = Fraction(str(timeline["fps"]))
    total = int(timeline["frames"])
    if not 0 <= at <= float(Fraction(total) / fps):
        raise RenderError(
            "OR-E504", f"expected --at within 0..{float(Fraction(total) / fps):g} s, found {at}"
        )
    return min(frames_for(exact(at), fps), total - 1)


def render_still(
    template: str | Path | CompiledTemplate | Prepared,
    data: dict[str, Any],
    at: float,
    size: tuple[int, int] | None = None,
    format: StillFormat = "jpeg",
    *,
    now: dt.datetime | None = None,
    quality: int = 90,
) -> bytes:
    """The frame at ``at`` seconds, encoded (see the module docstring)."""
    if size is not None:
        check_size(size)
    prepared = prepare(template)
    timeline = resolve_for(prepared, data, now=now)
    frame = still_frame(timeline, at)
    renderer = FrameRenderer(
        timeline, prepared.root, size=size, font_manager=prepared.fonts,
        asset_cache=prepared.assets, cache_layers=False,
    )  # fmt: skip
    try:
        pixels = renderer.draw(frame)
    finally:
        renderer.close()
    return encode_still(pixels, format, quality)


def render_still_file(
    template: str | Path | CompiledTemplate | Prepared,
    data: dict[str, Any],
    at: float,
    out: Path,
    size: tuple[int, int] | None = None,
    *,
    now: dt.datetime | None = None,
) -> Path:
    """Write the still to ``out`` atomically; the format follows the suffix (``OR-E505``)."""
    fmt = SUFFIXES.get(Path(out).suffix.lower())
    if fmt is None:
        raise RenderError("OR-E505", f"stills are .png, .jpg, .jpeg or .webp, not {out.suffix}")
    encoded = render_still(template, data, at, size, fmt, now=now)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    try:
        write_bytes_atomic(out, encoded)
    except OSError as exc:
        raise RenderError("OR-E507", f"the still could not be written ({exc.strerror})") from None
    return Path(out)
