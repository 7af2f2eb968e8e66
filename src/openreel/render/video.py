"""Video layers: frames from :class:`openreel.media.ClipReader`, fitted into the layer's box.

Frame ``n`` of the layer (``n = frame - layer.start``) shows the clip's frame for output frame
``n`` (``trim``, ``loop`` and ``speed`` as :class:`~openreel.media.ClipReader` defines them).
The reader scales frames once, in FFmpeg, to the size the box needs in output pixels
(``cover``: the covering size; ``contain``: the contained size; ``fill``: the box), so the
canvas only copies them.

Decode-ahead (video renders): after frame ``n`` is handed out, frame ``n + 1`` is decoded and
converted on a helper thread while the canvas draws the rest of the frame (PyAV releases the
GIL while FFmpeg decodes and converts). The reader is only ever used by one thread at a time:
any other request first waits for the frame in flight; frames handed out while decoding ahead
are private copies (the reader may reuse its buffers). The pixels are the same either way.
"""

from __future__ import annotations

import contextlib
import math
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import numpy as np
import skia

from openreel.media import ClipReader

from .image import place


class VideoStem:
    """One video layer's clip, opened lazily at the device size its box needs."""

    def __init__(self, data: bytes, layer: dict[str, Any], fps: Fraction, name: str) -> None:
        self._data = data
        self._layer = layer
        self._fps = fps
        self._name = name
        self._readers: dict[tuple[int, int], ClipReader] = {}
        self._native: tuple[int, int] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: tuple[tuple[int, int], int, Future[Any]] | None = None
        self._current: Any = None

    def _reader(self, size: tuple[int, int]) -> ClipReader:
        reader = self._readers.get(size)
        if reader is None:
            trim = self._layer.get("trim")
            reader = ClipReader(
                self._data,
                fps_out=self._fps,
                trim=None if trim is None else (trim[0], trim[1]),
                loop=bool(self._layer.get("loop", False)),
                speed=self._layer.get("speed", 1),
                size=size,
                name=self._name,
            )
            self._readers[size] = reader
        return reader

    def native_size(self) -> tuple[int, int]:
        """The clip's own size in pixels (from the probe, nothing decoded)."""
        if self._native is None:
            probe = ClipReader(self._data, fps_out=self._fps, name=self._name).info.video
            self._native = (probe.width, probe.height) if probe is not None else (16, 16)
        return self._native

    def target_size(self, w: float, h: float, scale: float, fit: str) -> tuple[int, int]:
        """Pixels to decode to for a ``w x h`` box drawn at ``scale`` output pixels per unit."""
        iw, ih = self.native_size()
        p = place(iw, ih, w * scale, h * scale, fit, (0.5, 0.5))
        if fit == "cover":
            s = max(w * scale / iw, h * scale / ih)
            tw, th = iw * s, ih * s
        else:
            tw, th = p.dst.width(), p.dst.height()
        return max(2, math.ceil(tw)), max(2, math.ceil(th))

    def _settle(self) -> Future[Any] | None:
        """Take the frame in flight (the caller waits for it before using the reader)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        ahead[2].exception()  # wait; a failure is raised again if that frame is used
        return ahead[2]

    def frame(self, n: int, size: tuple[int, int], *, ahead: bool = False) -> Any:
        """The BGRA array of the clip frame shown at layer frame ``n`` (read-only)."""
        n = max(n, 0)
        pending = self._ahead
        done = self._settle()
        if done is not None and pending is not None and pending[:2] == (size, n):
            arr = done.result()
        else:
            arr = self._reader(size).frame_at(n)
            if ahead:  # the reader may reuse this buffer while the next frame decodes
                arr = np.array(arr)
        if ahead:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="openreel-clip")
            reader = self._reader(size)
            job = self._pool.submit(lambda: np.array(reader.frame_at(n + 1)))
            self._ahead = (size, n + 1, job)
        return arr

    def image(self, n: int, size: tuple[int, int], *, ahead: bool = False) -> skia.Image:
        """The clip frame shown at layer frame ``n``, as a ``size`` opaque skia image.

        The image borrows the array's memory (no copy): it is valid until the next call.
        """
        # skia does not keep the array alive: hold it until the next frame replaces it.
        self._current = np.ascontiguousarray(self.frame(n, size, ahead=ahead))
        return skia.Image.fromarray(
            self._current,
            colorType=skia.ColorType.kBGRA_8888_ColorType,
            alphaType=skia.AlphaType.kOpaque_AlphaType,
            copy=False,
        )

    def close(self) -> None:
        """Stop decoding ahead and release the decoders (they re-open on demand)."""
        with contextlib.suppress(Exception):  # a frame decoded ahead and never used
            self._settle()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for reader in self._readers.values():
            reader.close()
