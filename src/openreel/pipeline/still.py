"""render_still: one frame of a viewer's video as PNG, JPEG or WebP bytes (or a file).

The frame shown at ``at`` seconds is ``min(floor(at * fps + 1/2), frames - 1)``. Only the
scenes on screen at that frame are built, and a :class:`~openreel.pipeline.render.Prepared`
template keeps its fonts and decoded assets between calls, so a warm thumbnail costs one
resolve, one frame and one encode.

**Static prefix cache** (:class:`StillCache`, optional, one per template version): when one
scene is on screen (no transition), the template's background is a literal and the scene has
no background of its own, the scene's leading layers that the compiler marks ``static``
(they read no data, directly or through the theme) are drawn once into an opaque image; later
stills at the same offset within those layers draw that image 1:1 as the first layer and
then the viewer's own layers on top. For the example templates this skips the background
image's downscale and the clip's seek and decode (a clip is usually static). The key is a
SHA-256 of the static layers' resolved properties (data-free by construction), their frame
offsets relative to the still, the template background and the output size: never a data
value. Entries are kept least-recently-used, bounded by :data:`PREFIX_CACHE_BYTES`. The
pixels are those of the direct draw (the image is composited at exactly one output pixel
per image pixel; ``tests/render`` checks equality).

:mod:`openreel.media.stills` writes stills to files only; :func:`encode_still` is the small
in-memory equivalent (same conventions: no metadata, JPEG flattened over black) used for
bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import threading
from collections import OrderedDict
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import skia
from PIL import Image

from openreel.errors import RenderError, json_path
from openreel.media.atomic import write_bytes_atomic
from openreel.render import FrameRenderer, unpremultiply
from openreel.render.layers import AssetCache
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
        # premultiplied == flattened over black; PIL reads BGRA rows as RGB directly
        h, w = bgra.shape[:2]
        raw = np.ascontiguousarray(bgra)
        image = Image.frombuffer("RGB", (w, h), raw, "raw", "BGRX", 0, 1)
        image.save(buf, format="JPEG", quality=quality)
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


PREFIX_CACHE_BYTES: Final = 64 * 1024 * 1024
_PREFIX_ASSET: Final = "\x00openreel-static-prefix"


class StillCache:
    """Static prefixes of one template version's stills (see the module docstring).

    Thread-safe; holds at most ``max_bytes`` of pixels. ``hits`` and ``misses`` count lookups.
    """

    def __init__(self, max_bytes: int = PREFIX_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._images: OrderedDict[str, skia.Image] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> skia.Image | None:
        with self._lock:
            image = self._images.get(key)
            if image is None:
                self.misses += 1
                return None
            self._images.move_to_end(key)
            self.hits += 1
            return image

    def put(self, key: str, image: skia.Image) -> None:
        size = image.width() * image.height() * 4
        with self._lock:
            if key in self._images or size > self.max_bytes:
                return
            self._images[key] = image
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, old = self._images.popitem(last=False)
                self._bytes -= old.width() * old.height() * 4

    def __len__(self) -> int:
        return len(self._images)


def _static_prefix(
    prepared: Prepared, timeline: dict[str, Any], frame: int
) -> tuple[int, int] | None:
    """``(scene index, prefix length)`` of the scene's leading static layers, or None when
    the still does not qualify (see the module docstring)."""
    active = [i for i, s in enumerate(timeline["scenes"]) if s["start"] <= frame < s["end"]]
    if len(active) != 1 or json_path(["background"]) in prepared.template.exprs:
        return None
    scene = timeline["scenes"][active[0]]
    if scene.get("background") is not None:
        return None
    count = 0
    for layer in scene["layers"]:
        if not layer.get("static") or layer.get("type") == "group":
            break
        count += 1
    drawn = [x for x in scene["layers"][:count] if x["start"] <= frame < x["end"]]
    return (active[0], count) if drawn else None


def _prefix_key(timeline: dict[str, Any], layers: list[dict[str, Any]], frame: int,
                size: tuple[int, int]) -> str:  # fmt: skip
    timed = [
        {**x, "start": x["start"] - frame, "end": x["end"] - frame}
        for x in layers
        if x["start"] <= frame < x["end"]
    ]
    doc = {"bg": timeline["background"], "size": list(size), "fps": str(timeline["fps"]),
           "layers": timed}  # fmt: skip
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _draw(
    prepared: Prepared,
    timeline: dict[str, Any],
    frame: int,
    size: tuple[int, int] | None,
    assets: AssetCache | None = None,
) -> Array:
    renderer = FrameRenderer(
        timeline, prepared.root, size=size, font_manager=prepared.fonts,
        asset_cache=assets or prepared.assets, cache_layers=False,
    )  # fmt: skip
    try:
        return renderer.draw(frame)
    finally:
        renderer.close()


def _with_scene_layers(
    timeline: dict[str, Any], index: int, layers: list[dict[str, Any]]
) -> dict[str, Any]:
    scene = {**timeline["scenes"][index], "layers": layers}
    return {**timeline, "scenes": [scene]}


def _draw_cached(
    prepared: Prepared,
    timeline: dict[str, Any],
    frame: int,
    size: tuple[int, int] | None,
    cache: StillCache,
) -> Array:
    """The frame, its static prefix taken from (or added to) ``cache`` when it qualifies."""
    found = _static_prefix(prepared, timeline, frame)
    if found is None:
        return _draw(prepared, timeline, frame, size)
    index, count = found
    layers = timeline["scenes"][index]["layers"]
    tw, th = (float(v) for v in timeline["size"])
    out_size = size or (int(tw), int(th))
    key = _prefix_key(timeline, layers[:count], frame, out_size)
    image = cache.get(key)
    if image is None:
        pixels = _draw(prepared, _with_scene_layers(timeline, index, layers[:count]), frame, size)
        image = skia.Image.fromarray(
            pixels,
            colorType=skia.ColorType.kBGRA_8888_ColorType,
            alphaType=skia.AlphaType.kPremul_AlphaType,
            copy=True,
        )
        cache.put(key, image)
        if count == len(layers):
            return pixels
    w, h = out_size
    s = min(w / tw, h / th)
    tx, ty = (w - tw * s) / 2, (h - th * s) / 2
    first = {
        "id": "static-prefix", "type": "image", "static": True, "start": frame,
        "end": frame + 1, "x": -tx / s, "y": -ty / s, "width": w / s, "height": h / s,
        "anchor": [0.0, 0.0], "blend": "normal", "shadow": None, "rotation": 0.0,
        "scale": 1.0, "opacity": 1.0, "radius": 0.0, "src": {"asset": _PREFIX_ASSET},
        "fit": "fill", "focus": [0.5, 0.5], "animate": {},
    }  # fmt: skip
    assets = AssetCache()
    assets.bytes = prepared.assets.bytes
    assets.images = {**prepared.assets.images, _PREFIX_ASSET: image}
    rest = _with_scene_layers(timeline, index, [first, *layers[count:]])
    rest["background"] = "#00000000"
    try:
        return _draw(prepared, rest, frame, size, assets)
    finally:
        for name, decoded in assets.images.items():  # assets decoded for the viewer layers
            if name != _PREFIX_ASSET:
                prepared.assets.images.setdefault(name, decoded)


def render_still(
    template: str | Path | CompiledTemplate | Prepared,
    data: dict[str, Any],
    at: float,
    size: tuple[int, int] | None = None,
    format: StillFormat = "jpeg",
    *,
    now: dt.datetime | None = None,
    quality: int = 90,
    cache: StillCache | None = None,
) -> bytes:
    """The frame at ``at`` seconds, encoded (see the module docstring). ``cache`` must only
    ever be used with one template version (its keys do not name the version)."""
    if size is not None:
        check_size(size)
    prepared = prepare(template)
    timeline = resolve_for(prepared, data, now=now)
    frame = still_frame(timeline, at)
    if cache is None:
        pixels = _draw(prepared, timeline, frame, size)
    else:
        pixels = _draw_cached(prepared, timeline, frame, size, cache)
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
