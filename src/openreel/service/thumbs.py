"""Data-free thumbnails of a template version, rendered once per (version, time, width) and cached.

In on-device mode the server holds no viewer data, so every thumbnail (the email image of a
link, the social preview of a campaign) is the template rendered with its schema defaults:
the same picture for every viewer, which is also why it can be cached and shared
(``Cache-Control: public``). A template whose defaults do not validate (a required field
without a default) gets a plain placeholder image instead.

Renders run at most ``max_parallel`` at a time (a semaphore; further requests wait), take the
frame at ``at`` seconds (:func:`openreel.pipeline.render_still`), and are written atomically
to ``cache/thumbs/<version>/<at in ms>-<width>.jpg``; later requests read the file.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any, Final

from PIL import Image

from openreel.errors import DataError
from openreel.media.atomic import write_bytes_atomic

MAX_WIDTH: Final = 1920
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

    def personal_jpeg(self, version: str, data: dict[str, Any], at: float, width: int) -> bytes:
        """The still for one viewer's ``data`` (server mode); not cached here (the data may
        change and must not linger on disk). Raises ``DataError`` for data the template
        refuses. ``at`` and ``width`` are rounded as in :meth:`jpeg`."""
        at, width = quantize(at, width)
        from openreel.pipeline import render_still

        with self._slots:
            prepared = self._prepare(version)
            size = thumb_size(prepared.template.model.size, width)
            return render_still(prepared, data, at, size, "jpeg", quality=85)

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
                data = render_still(prepared, {}, at, size, "jpeg", quality=85)
            except DataError:
                data = placeholder_jpeg(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
        return data
