"""Data-free thumbnails of a template version, rendered once per (version, time, width) and cached.

In on-device mode the server holds no viewer data, so every thumbnail (the email image of a
link, the social preview of a campaign) is the template rendered with its schema defaults:
the same picture for every viewer, which is also why it can be cached and shared
(``Cache-Control: public``). A template whose defaults do not validate (a required field
without a default) gets a plain placeholder image instead.

Each version keeps a :class:`~openreel.pipeline.still.StillCache` (the drawn static prefix
of its stills: layers that read no data, such as a background image and a clip's frame), so
a warm personal still costs one resolve, the viewer's own layers and one encode.

Renders run at most ``max_parallel`` at a time (a semaphore; further requests wait), take the
frame at ``at`` seconds (:func:`openreel.pipeline.render_still`), and are written atomically
to ``cache/thumbs/<version>/<at in ms>-<width>.jpg``; later requests read the file.

Animated previews (:meth:`ThumbRenderer.gif`) are the first :data:`GIF_SECONDS` seconds (or
the whole video when shorter) at :data:`GIF_FPS` frames a second, at most
:data:`GIF_MAX_WIDTH` pixels wide, with one palette (:func:`openreel.media.write_gif`);
data-free ones are cached as ``cache/thumbs/<version>/anim-<width>.gif``.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import threading
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from PIL import Image

from openreel.errors import DataError
from openreel.media.atomic import write_bytes_atomic

if TYPE_CHECKING:
    from openreel.pipeline.still import StillCache

MAX_WIDTH: Final = 1920
GIF_SECONDS: Final = 2.5
GIF_FPS: Final = 10
GIF_MAX_WIDTH: Final = 480
MIN_WIDTH: Final = 16


def _even(value: float) -> int:
    return max(MIN_WIDTH, int(round(value / 2)) * 2)


def thumb_size(template_size: tuple[int, int], width: int) -> tuple[int, int]:
    """``(width, height)`` keeping the template's aspect ratio, both even, width capped.

    >>> thumb_size((1920, 1080), 640)
    (640, 360)
    """
    w = _even(min(max(width, MIN_WIDTH), MAX_WIDTH))
    tw, th = template_size
    return w, _even(w * th / tw)


def quantize(at: float, width: int) -> tuple[float, int]:
    """``at`` to the nearest tenth of a second, ``width`` to a multiple of 16 (at least 16).

    >>> quantize(2.46, 641)
    (2.5, 640)
    """
    return round(at * 10) / 10, max(MIN_WIDTH, round(width / 16) * 16)


def placeholder_jpeg(size: tuple[int, int]) -> bytes:
    """A plain dark image of ``size`` (no text, no data)."""
    buf = io.BytesIO()
    Image.new("RGB", size, (11, 16, 32)).save(buf, format="JPEG", quality=80)
    return buf.getvalue()


class ThumbRenderer:
    """Renders and caches data-free stills of template versions stored under ``templates``."""

    def __init__(self, templates: Path, cache: Path, *, max_parallel: int = 2) -> None:
        self.templates = templates
        self.cache = cache
        self._slots = threading.BoundedSemaphore(max_parallel)
        self._prepared: dict[str, Any] = {}
        self._stills: dict[str, StillCache] = {}
        self._lock = threading.Lock()

    def _prepare(self, version: str) -> Any:
        from openreel.pipeline import prepare

        with self._lock:
            prepared = self._prepared.get(version)
        if prepared is None:
            prepared = prepare(self.templates / version)
            with self._lock:
                self._prepared[version] = prepared
        return prepared

    def still_cache(self, version: str) -> StillCache:
        """The static-prefix cache of ``version`` (created on first use)."""
        from openreel.pipeline.still import StillCache

        with self._lock:
            return self._stills.setdefault(version, StillCache())

    def personal_jpeg(self, version: str, data: dict[str, Any], at: float, width: int) -> bytes:
        """The still for one viewer's ``data`` (server mode); not cached here (the data may
        change and must not linger on disk). Raises ``DataError`` for data the template
        refuses. ``at`` and ``width`` are rounded as in :meth:`jpeg`."""
        at, width = quantize(at, width)
        from openreel.pipeline import render_still

        with self._slots:
            prepared = self._prepare(version)
            size = thumb_size(prepared.template.model.size, width)
            cache = self.still_cache(version)
            return render_still(prepared, data, at, size, "jpeg", quality=85, cache=cache)

    def jpeg(self, version: str, at: float, width: int) -> bytes:
        """The still at ``at`` seconds, ``width`` pixels wide (``OR-E504`` outside the video).

        ``at`` and ``width`` are first rounded (:func:`quantize`), which bounds the number of
        distinct renders and cache files a client can cause."""
        at, width = quantize(at, width)
        path = self.cache / "thumbs" / version / f"{round(at * 1000)}-{width}.jpg"
        if path.is_file():
            return path.read_bytes()
        from openreel.pipeline import render_still

        with self._slots:
            prepared = self._prepare(version)
            size = thumb_size(prepared.template.model.size, width)
            try:
                cache = self.still_cache(version)
                data = render_still(prepared, {}, at, size, "jpeg", quality=85, cache=cache)
            except DataError:
                data = placeholder_jpeg(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
        return data

    def gif(self, version: str, width: int, data: dict[str, Any] | None = None) -> bytes:
        """The animated preview ``min(width, GIF_MAX_WIDTH)`` wide (rounded as in
        :func:`quantize`). Without ``data``: the template's defaults, cached (a template whose
        defaults do not validate gets a one-frame placeholder). With ``data`` (server mode):
        personal, not cached; ``DataError`` when the template refuses it."""
        _, width = quantize(0.0, min(width, GIF_MAX_WIDTH))
        path = self.cache / "thumbs" / version / f"anim-{width}.gif"
        if data is None and path.is_file():
            return path.read_bytes()
        with self._slots:
            prepared = self._prepare(version)
            size = thumb_size(prepared.template.model.size, width)
            try:
                frames = _gif_frames(prepared, data or {}, size)
            except DataError:
                if data is not None:
                    raise
                frames = [np.zeros((size[1], size[0], 4), np.uint8) + _PLACEHOLDER_BGRA]
        from openreel.media import write_gif

        self.cache.mkdir(parents=True, exist_ok=True)
        temp = self.cache / f".anim-{secrets.token_hex(6)}.gif"
        try:
            write_gif(temp, frames, Fraction(GIF_FPS))
            encoded = temp.read_bytes()
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        if data is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(path, encoded)
        return encoded


_PLACEHOLDER_BGRA: Final = np.array([32, 16, 11, 255], np.uint8)


def _gif_frames(prepared: Any, data: dict[str, Any], size: tuple[int, int]) -> list[Any]:
    """Straight-alpha BGRA frames of the preview (see :meth:`ThumbRenderer.gif`)."""
    from openreel.pipeline import resolve_for
    from openreel.render import FrameRenderer, unpremultiply

    timeline = resolve_for(prepared, data)
    fps = Fraction(str(timeline["fps"]))
    total = int(timeline["frames"])
    seconds = min(Fraction(GIF_SECONDS), Fraction(total) / fps)
    count = max(1, int(seconds * GIF_FPS))
    indices = [min(total - 1, int(Fraction(i, GIF_FPS) * fps)) for i in range(count)]
    renderer = FrameRenderer(
        timeline, prepared.root, size=size, font_manager=prepared.fonts,
        asset_cache=prepared.assets,
    )  # fmt: skip
    try:
        return [unpremultiply(renderer.draw(i)) for i in indices]
    finally:
        renderer.close()
