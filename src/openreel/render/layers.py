"""Build phase: resolved layers -> :class:`Node` objects holding everything a draw needs.

Building loads and decodes every image, opens clip readers and Lottie documents, parses SVG
paths, and decides which nodes are *constant*: a node is constant when it shows the same
pixels on every frame of its life (no ``animate`` entry, not a video or Lottie layer, and, for
groups, only constant children that live as long as the group). Constant nodes are drawn once
into an image and reused (see :mod:`openreel.render.cache`).

Asset and media failures never crash a render: the layer gets a placeholder (images) or is
skipped (clips, Lottie, paths), and a :class:`RenderWarning` is recorded. Warning messages
name the layer id and the error code, never a data value or URL.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import skia

from openreel.errors import MediaError, OpenReelError, RenderError

from .image import Fetcher, decode, load_url
from .lottie import LottieStem
from .shape import svg_path
from .text import TextBlock, TextLayouter, TextSpec
from .video import VideoStem

TIME_VARYING = frozenset({"video", "lottie"})
_TEXT_CACHE = 96


@dataclass(frozen=True, slots=True)
class RenderWarning:
    """Something the render worked around (placeholder drawn, slot skipped, ...)."""

    code: str
    message: str


@dataclass(eq=False)
class Node:
    """One resolved layer, built (see the module docstring)."""

    d: dict[str, Any]
    kind: str
    start: int
    end: int
    anim: dict[str, list[Any]]
    children: list[Node] = field(default_factory=list)
    constant: bool = False
    image: skia.Image | None = None
    placeholder: bool = False
    video: VideoStem | None = None
    lottie: LottieStem | None = None
    path: skia.Path | None = None
    texts: OrderedDict[TextSpec, TextBlock] = field(default_factory=OrderedDict)
    motion_only: bool = False  # only x, y, rotation, scale, opacity change: content cached
    sprite: Any = None  # draw.Sprite once drawn

    def text_block(self, layouter: TextLayouter, spec: TextSpec) -> TextBlock:
        """The laid-out block for ``spec`` (a small LRU per node: count-ups reuse blocks)."""
        block = self.texts.get(spec)
        if block is None:
            block = layouter.layout(spec)
            self.texts[spec] = block
            if len(self.texts) > _TEXT_CACHE:
                self.texts.popitem(last=False)
        else:
            self.texts.move_to_end(spec)
        return block


class AssetCache:
    """Asset bytes and decoded images of one template folder, shared by its renders.

    Keyed by asset *name* within one template version (the name -> path map is the template's,
    never data), so it never holds a viewer's data-bound images.
    """

    def __init__(self) -> None:
        self.bytes: dict[str, bytes] = {}
        self.images: dict[str, skia.Image] = {}


class Builder:
    """Turns resolved layer dicts into nodes, loading their resources once."""

    def __init__(
        self,
        *,
        assets: dict[str, str],
        root: Path,
        fps: Fraction,
        fetcher: Fetcher | None,
        warn: Callable[[str, str], None],
        cache: AssetCache | None = None,
    ) -> None:
        self.assets = assets
        self.root = root
        self.fps = fps
        self.fetcher = fetcher
        self.warn = warn
        shared = cache or AssetCache()
        self._bytes = shared.bytes
        self._images = shared.images

    def asset_bytes(self, name: str) -> bytes:
        """The bytes of asset ``name`` (read once). Raises OR-E506 when unreadable."""
        data = self._bytes.get(name)
        if data is None:
            rel = self.assets.get(name)
            if rel is None:
                raise RenderError("OR-E506", f"the timeline names no asset {name!r}")
            try:
                data = (self.root / rel).read_bytes()
            except OSError:
                raise RenderError("OR-E506", f"asset {name!r} cannot be read") from None
            self._bytes[name] = data
        return data

    def _image_asset(self, name: str) -> skia.Image:
        image = self._images.get(name)
        if image is None:
            image = decode(self.asset_bytes(name), name=self.assets.get(name))
            image = image.withDefaultMipmaps()
            self._images[name] = image
        return image

    def build(self, layers: list[dict[str, Any]]) -> list[Node]:
        return [self.node(layer) for layer in layers]

    def node(self, d: dict[str, Any]) -> Node:
        kind = d["type"]
        node = Node(d, kind, int(d["start"]), int(d["end"]), dict(d.get("animate") or {}))
        lid = str(d.get("id", kind))
        if kind == "group":
            node.children = self.build(d.get("layers") or [])
        try:
            LOADERS.get(kind, _no_load)(self, node, lid)
        except (MediaError, OpenReelError, ValueError, OSError) as exc:
            code = exc.code if isinstance(exc, OpenReelError) else "OR-E500"
            node.placeholder = kind == "image"
            outcome = "a placeholder is drawn" if node.placeholder else "it is left out"
            self.warn(code, f"layer {lid!r} ({kind}) could not be prepared; {outcome}")
            node.video = node.lottie = None
        node.constant = _is_constant(node)
        node.motion_only = _is_motion_only(node)
        return node

    def _load_image(self, node: Node, lid: str) -> None:
        src = node.d.get("src")
        if src is None:
            return
        if "asset" in src:
            node.image = self._image_asset(src["asset"])
            return
        try:
            node.image = load_url(src["url"], self.fetcher).withDefaultMipmaps()
        except MediaError as exc:
            self.warn(exc.code, f"layer {lid!r}: the data-bound image failed; placeholder drawn")
            node.placeholder = True

    def _load_video(self, node: Node, lid: str) -> None:
        name = node.d["src"]["asset"]
        node.video = VideoStem(self.asset_bytes(name), node.d, self.fps, self.assets.get(name, ""))
        node.video.native_size()  # probe now: bad media is reported at build time

    def _load_lottie(self, node: Node, lid: str) -> None:
        images = {}
        for value in (node.d.get("slots") or {}).values():
            if isinstance(value, str) and value in self.assets:
                images[value] = self.asset_bytes(value)
        node.lottie = LottieStem(
            self.asset_bytes(node.d["src"]["asset"]),
            slots=node.d.get("slots") or {},
            images=images,
            speed=float(node.d.get("speed", 1)),
            loop=bool(node.d.get("loop", False)),
            layer_id=lid,
            warn=self.warn,
        )

    def _load_shape(self, node: Node, lid: str) -> None:
        if node.d.get("shape") == "path" and node.d.get("path"):
            node.path = svg_path(str(node.d["path"]))


def _no_load(builder: Builder, node: Node, lid: str) -> None:
    return None


LOADERS: dict[str, Callable[[Builder, Node, str], None]] = {
    "image": Builder._load_image,
    "video": Builder._load_video,
    "lottie": Builder._load_lottie,
    "shape": Builder._load_shape,
}


def _is_constant(node: Node) -> bool:
    if node.anim or node.kind in TIME_VARYING:
        return False
    return all(c.constant and c.start <= node.start and c.end >= node.end for c in node.children)


MOTION = frozenset({"x", "y", "rotation", "scale", "opacity"})


def _is_motion_only(node: Node) -> bool:
    """True when only the layer's placement and opacity change over time (its content, and so
    its pixels before transform and opacity, are the same on every frame)."""
    if not node.anim or node.kind in TIME_VARYING or not set(node.anim) <= MOTION:
        return False  # constant layers are cached whole by their run instead
    # Groups are drawn as vectors: their children may reach far outside the group's box, so
    # a sprite's size (and so its resolution) would be a guess.
    return node.kind != "group"
