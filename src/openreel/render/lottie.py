"""Lottie stems through ThorVG (thorvg-python), with the template's ``slots`` applied.

Timing: at ``t`` seconds from the layer's start the animation shows Lottie frame
``ip + t * speed * fr`` (fractional frames interpolate); without ``loop`` it holds its last
frame (``op - 1``) once it ends, with ``loop`` it wraps modulo ``op - ip``.

Slots (``{slot id: value}``) override the document's slots of the same id, by the type of the
document's default slot value: a color slot takes a color string (``#rgb`` / ``#rrggbb`` /
``#rrggbbaa``), a text-document slot takes a string (the document's style is kept, its text
replaced), a scalar slot takes a number, an image slot takes PNG/JPEG bytes (the asset named by
the value, embedded as a data URI). Unknown slot ids and values of the wrong kind are skipped
and reported through ``warn``.

ThorVG renders premultiplied ``ARGB8888`` words, i.e. BGRA bytes on little-endian machines,
into a buffer that is wrapped as a skia image without copying.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import skia
from thorvg_python.animation.lottie import LottieAnimation
from thorvg_python.base import Colorspace, Result
from thorvg_python.canvas.sw import SwCanvas
from thorvg_python.engine import Engine

from .paint import rgba

Warn = Callable[[str, str], None]
_ENGINE: list[Any] = []


def _engine() -> Any:
    # ThorVG's engine is process-wide (reference counted); one initialisation is enough.
    if not _ENGINE:
        engine = Engine()
        engine.init(0)
        _ENGINE.append(engine)
    return _ENGINE[0]


def _slot_json(default: Any, value: Any, images: Mapping[str, bytes]) -> dict[str, Any] | None:
    """The slot override for ``value`` given the document's default slot object, or None."""
    prop = default.get("p") if isinstance(default, dict) else None
    if not isinstance(prop, dict):
        return None
    k = prop.get("k")
    if isinstance(value, str) and value.startswith("#"):
        try:
            r, g, b, a = rgba(value)
        except ValueError:
            return None
        return {"p": {"a": 0, "k": [r / 255, g / 255, b / 255, a / 255]}}
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return {"p": {"a": 0, "k": float(value)}}
    if isinstance(value, str) and value in images:
        data = images[value]
        kind = "png" if data[:4] == b"\x89PNG" else "jpeg"
        uri = f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")
        return {"p": {"id": str(prop.get("id", "slot")), "e": 1, "u": "", "p": uri}}
    if isinstance(value, str) and isinstance(k, list) and k and isinstance(k[0], dict):
        doc = copy.deepcopy(k[0])
        if isinstance(doc.get("s"), dict):
            doc["s"]["t"] = value
            return {"p": {"k": [doc]}}
    return None


class LottieStem:
    """One Lottie layer: the document loaded once, drawn at ``(w, h)`` device pixels."""

    def __init__(
        self,
        data: bytes,
        *,
        slots: Mapping[str, Any],
        images: Mapping[str, bytes],
        speed: float,
        loop: bool,
        layer_id: str,
        warn: Warn,
    ) -> None:
        self._data = data
        self.speed = float(speed)
        self.loop = loop
        doc = json.loads(data)
        self.fr = float(doc.get("fr", 30))
        self.ip = float(doc.get("ip", 0))
        self.op = float(doc.get("op", self.ip + 1))
        self.native = (float(doc.get("w", 1)), float(doc.get("h", 1)))
        self._overrides: dict[str, Any] = {}
        defaults = doc.get("slots") or {}
        for sid, value in slots.items():
            if sid not in defaults:
                warn("OR-E501", f"layer {layer_id!r}: the Lottie file has no slot {sid!r}")
                continue
            override = _slot_json(defaults[sid], value, images)
            if override is None:
                warn("OR-E501", f"layer {layer_id!r}: slot {sid!r} cannot take that value")
                continue
            self._overrides[sid] = override
        self._size: tuple[int, int] | None = None
        self._anim: Any = None
        self._canvas: Any = None
        self._pixels: Any = None
        self._image: skia.Image | None = None
        self._frame: float | None = None
        self._open(8, 8)  # fail at build time (ValueError) if ThorVG cannot load the document

    def _open(self, w: int, h: int) -> None:
        engine = _engine()
        anim = LottieAnimation(engine)
        picture = anim.get_picture()
        if picture.load_data(self._data, "lottie", None, True) != Result.SUCCESS:
            raise ValueError("ThorVG could not load the Lottie document")
        if self._overrides:
            sid = anim.gen_slot(json.dumps(self._overrides))
            if sid:
                anim.apply_slot(sid)
        picture.set_size(float(w), float(h))
        canvas = SwCanvas(engine)
        canvas.set_target(w, h, cs=Colorspace.ARGB8888)
        canvas.add(picture)
        words = np.ctypeslib.as_array(canvas.buffer_arr)
        pixels = words.view(np.uint8).reshape(h, w, 4)
        if sys.byteorder != "little":  # ARGB words are BGRA bytes only on little-endian
            raise RuntimeError("Lottie rendering needs a little-endian machine")
        self._anim, self._canvas, self._pixels = anim, canvas, pixels
        self._image = skia.Image.fromarray(
            pixels,
            colorType=skia.ColorType.kBGRA_8888_ColorType,
            alphaType=skia.AlphaType.kPremul_AlphaType,
            copy=False,
        )
        self._size = (w, h)
        self._frame = None

    def frame_at(self, t: float) -> float:
        """The Lottie frame shown ``t`` seconds after the layer starts (see the docstring)."""
        f = max(t, 0.0) * self.speed * self.fr
        span = self.op - self.ip
        if span <= 0:
            return self.ip
        if self.loop:
            return self.ip + math.fmod(f, span)
        return self.ip + min(f, max(span - 1.0, 0.0))

    def image(self, t: float, w: int, h: int) -> skia.Image:
        """The frame at ``t`` rendered at ``w x h`` pixels (premultiplied BGRA)."""
        w, h = max(w, 1), max(h, 1)
        if self._size != (w, h):
            self._open(w, h)
        frame = self.frame_at(t)
        if frame != self._frame:
            self._anim.set_frame(frame - self.ip)
            self._canvas.update()
            self._canvas.draw(True)
            self._canvas.sync()
            self._frame = frame
            # A fresh wrapper so skia never serves a stale cached copy of the buffer.
            self._image = skia.Image.fromarray(
                self._pixels,
                colorType=skia.ColorType.kBGRA_8888_ColorType,
                alphaType=skia.AlphaType.kPremul_AlphaType,
                copy=False,
            )
        assert self._image is not None  # set by _open
        return self._image
