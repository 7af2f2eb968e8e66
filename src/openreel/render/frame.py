"""FrameRenderer: a resolved timeline -> BGRA frames. Build once, then draw any frame.

``draw(frame)`` is a pure function of (timeline, frame): no clock, no global state. The frame
is the template background, then every scene whose ``[start, end)`` holds the frame, the
leaving one under the entering one during a transition (:mod:`~openreel.render.transitions`),
then burned-in captions when asked. When ``size`` differs from the template's size, the
template is scaled uniformly to fit the output and centred (``contain``); the margins show the
template background.

Per frame only what changes is drawn: constant layers come from the layer cache
(:mod:`~openreel.render.cache`), text blocks are laid out once per distinct state, and a frame
whose every input (animated values, clip times, Lottie frames, transition progress) equals the
previous frame's is not drawn again at all.

Output pixels are premultiplied BGRA (``skia`` N32 on little-endian). With an opaque template
background every pixel is opaque, so premultiplied and straight alpha agree; use
:func:`unpremultiply` before writing a transparent frame.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import skia

from openreel.resolve.timing import ease, transition_progress

from .cache import BGRA, PREMUL, Run, blit, make_runs, rasterize
from .captions import CaptionPainter
from .draw import DrawContext, draw_props, props_at, solid
from .fonts import FontManager
from .image import Fetcher
from .layers import AssetCache, Builder, Node, RenderWarning
from .paint import skcolor
from .text import TextLayouter
from .transitions import REST, Look, entering, leaving

Array = npt.NDArray[np.uint8]
Item = Node | Run


class _Scene:
    def __init__(self, d: dict[str, Any], builder: Builder) -> None:
        self.d = d
        self._builder = builder
        self._items: list[Item] | None = None
        self.start = int(d["start"])
        self.end = int(d["end"])
        tr = d.get("transition") or {}
        self.kind = str(tr.get("type", "cut"))
        self.frames = int(tr.get("frames", 0))
        self.easing = list(tr.get("easing") or ["linear"])
        self.background: str | None = d.get("background")

    @property
    def items(self) -> list[Item]:
        """The scene's layers, built on first use (a still builds only the scenes it shows)."""
        if self._items is None:
            self._items = make_runs(self._builder.build(self.d.get("layers") or []))
        return self._items


class FrameRenderer:
    """Draws frames of ``timeline`` (see the module docstring).

    ``assets_root`` is the template folder (asset and font paths are relative to it);
    ``font_manager`` may be shared between renders of one template; ``fetcher(url) -> bytes``
    replaces :func:`openreel.media.fetch` for data-bound images (tests, custom policies);
    ``asset_cache`` shares decoded template assets between renders; ``cache_layers=False``
    draws every layer directly each frame (no layer cache: cheaper for a single still, and the
    reference the caches are tested against); ``decode_ahead`` decodes each clip's next frame
    on a helper thread (for sequential video renders; call :meth:`close` when done).
    """

    def __init__(
        self,
        timeline: dict[str, Any],
        assets_root: Path,
        *,
        size: tuple[int, int] | None = None,
        font_manager: FontManager | None = None,
        fetcher: Fetcher | None = None,
        burn_captions: bool = False,
        asset_cache: AssetCache | None = None,
        cache_layers: bool = True,
        decode_ahead: bool = False,
    ) -> None:
        self.timeline = timeline
        tw, th = (float(v) for v in timeline["size"])
        self.template_size = (tw, th)
        self.size = size or (int(tw), int(th))
        w, h = self.size
        s = min(w / tw, h / th)
        self.scale = s
        self.rest = skia.Matrix.Translate((w - tw * s) / 2, (h - th * s) / 2)
        self.rest.preScale(s, s)
        self.fps = Fraction(str(timeline["fps"]))
        self.frames = int(timeline["frames"])
        self.background = str(timeline.get("background") or "#000000ff")
        self.warnings: list[RenderWarning] = []
        self.fonts = font_manager or FontManager(timeline.get("fonts") or {}, assets_root)
        for family in self.fonts.missing:
            self.warn("OR-E506", f"font {family!r} cannot be read; the default font is used")
        self.layouter = TextLayouter(self.fonts)
        self.cache_layers = cache_layers
        self.ctx = DrawContext(
            float(self.fps), self.layouter, s, sprites=cache_layers, decode_ahead=decode_ahead
        )
        builder = Builder(
            assets=dict(timeline.get("assets") or {}),
            root=Path(assets_root),
            fps=self.fps,
            fetcher=fetcher,
            warn=self.warn,
            cache=asset_cache,
        )
        self.scenes = [_Scene(d, builder) for d in timeline.get("scenes") or []]
        cues = list(timeline.get("captions") or [])
        self.captions = CaptionPainter(self.layouter, cues, tw, th) if burn_captions else None
        self._pixels = np.zeros((h, w, 4), np.uint8)
        self._surface = skia.Surface(self._pixels, colorType=BGRA, alphaType=PREMUL)
        self._key: Hashable = None
        #: Seconds and calls per layer kind ("cached" for runs), for profiling.
        self.stats: dict[str, list[float]] = {}
        self.frames_drawn = 0
        self.frames_reused = 0

    def build_all(self) -> None:
        """Build every scene now (a video render does; a still builds what it shows)."""
        for scene in self.scenes:
            _ = scene.items

    def warn(self, code: str, message: str) -> None:
        """Record a warning (once; codes and template names only, never data values)."""
        warning = RenderWarning(code, message)
        if warning not in self.warnings:
            self.warnings.append(warning)

    # --- planning --------------------------------------------------------------------------

    def _looks(self, frame: int) -> list[tuple[_Scene, Look]]:
        active = [s for s in self.scenes if s.start <= frame < s.end]
        tw, th = self.template_size
        looks: list[tuple[_Scene, Look]] = []
        for i, scene in enumerate(active):
            look = REST
            if scene.frames > 0 and frame < scene.start + scene.frames and i > 0:
                p = ease(transition_progress(frame, scene.start, scene.frames), scene.easing)
                look = entering(scene.kind, p, tw, th)
            nxt = active[i + 1] if i + 1 < len(active) else None
            if nxt is not None and nxt.frames > 0 and frame < nxt.start + nxt.frames:
                p = ease(transition_progress(frame, nxt.start, nxt.frames), nxt.easing)
                look = look.then(leaving(nxt.kind, p, tw, th))
            looks.append((scene, look))
        return looks

    def _plan(self, frame: int) -> tuple[Hashable, list[tuple[_Scene, Look, list[Any]]]]:
        key: list[Hashable] = []
        plan: list[tuple[_Scene, Look, list[Any]]] = []
        for scene, look in self._looks(frame):
            key.append((id(scene), look))
            todo: list[Any] = []
            for item in scene.items:
                if not item.start <= frame < item.end:
                    continue
                if isinstance(item, Run):
                    key.append(id(item))
                    todo.append((item, None))
                    continue
                p = props_at(item, frame, self.ctx.fps)
                key.append((id(item), tuple(sorted(p.items())), self._moving(item, frame)))
                todo.append((item, p))
            plan.append((scene, look, todo))
        if self.captions is not None:
            key.append(("captions", self.captions.active(frame)))
        return tuple(key), plan

    def _moving(self, node: Node, frame: int) -> Hashable:
        """What else changes a non-constant node's pixels at ``frame`` (clip and Lottie time)."""
        if node.video is not None:
            return ("v", frame - node.start)
        if node.lottie is not None:
            return ("l", node.lottie.frame_at((frame - node.start) / self.ctx.fps))
        if node.kind == "group":
            return ("g", frame)
        return None

    # --- drawing ---------------------------------------------------------------------------

    def _draw_run(self, run: Run) -> None:
        def draw(canvas: skia.Canvas) -> None:
            for node in run.nodes:
                draw_props(self.ctx, canvas, node, node.start, {})

        rasterize(run, self.size, self.rest, draw)

    def _render(self, frame: int, plan: list[tuple[_Scene, Look, list[Any]]]) -> None:
        canvas = self._surface.getCanvas()
        canvas.resetMatrix()
        canvas.clear(skcolor(self.background))
        tw, th = self.template_size
        clock = time.perf_counter
        for scene, look, todo in plan:
            canvas.setMatrix(self.rest)
            count = canvas.save()
            look.apply(canvas, tw, th)
            if look.alpha < 1.0:
                canvas.saveLayerAlpha(skia.Rect.MakeWH(tw, th), round(255 * look.alpha))
            if scene.background:
                canvas.drawRect(skia.Rect.MakeWH(tw, th), solid(scene.background))
            for item, props in todo:
                t0 = clock()
                if isinstance(item, Run):
                    if not self.cache_layers:
                        for node in item.nodes:
                            draw_props(self.ctx, canvas, node, frame, {})
                    else:
                        if not item.drawn:
                            self._draw_run(item)
                        blit(canvas, item, self.rest)
                    kind = "cached"
                else:
                    draw_props(self.ctx, canvas, item, frame, props)
                    kind = item.kind
                stat = self.stats.setdefault(kind, [0.0, 0.0])
                stat[0] += 1
                stat[1] += clock() - t0
            canvas.restoreToCount(count)
        if self.captions is not None:
            canvas.setMatrix(self.rest)
            self.captions.draw(canvas, frame)
        self._surface.flushAndSubmit()

    def draw_into(self, frame: int, out: Array) -> Array:
        """Draw ``frame`` into ``out`` (``(H, W, 4)`` uint8) and return it."""
        self._check(frame)
        key, plan = self._plan(frame)
        if key != self._key:
            self._render(frame, plan)
            self._key = key
            self.frames_drawn += 1
        else:
            self.frames_reused += 1
        np.copyto(out, self._pixels)
        return out

    def draw(self, frame: int) -> Array:
        """Frame ``frame`` (``0 <= frame < frames``) as a new ``(H, W, 4)`` BGRA uint8 array."""
        out = np.empty_like(self._pixels)
        return self.draw_into(frame, out)

    def _check(self, frame: int) -> None:
        if not 0 <= frame < self.frames:
            raise ValueError(f"frame {frame} is outside the timeline's 0..{self.frames - 1}")

    def close(self) -> None:
        """Stop decode-ahead threads and release clip decoders (the renderer stays usable;
        readers re-open on demand)."""
        todo: list[Node] = []
        for scene in self.scenes:
            for item in scene._items or []:
                todo.extend(item.nodes if isinstance(item, Run) else [item])
        while todo:
            node = todo.pop()
            todo.extend(node.children)
            if node.video is not None:
                node.video.close()

    def __enter__(self) -> FrameRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unpremultiply(bgra: Array) -> Array:
    """Straight-alpha copy of a premultiplied BGRA frame (identity for opaque pixels)."""
    alpha = bgra[..., 3:4].astype(np.uint16)
    if bool((alpha == 255).all()):
        return bgra.copy()
    safe = np.maximum(alpha, 1)
    color = (bgra[..., :3].astype(np.uint16) * 255 + safe // 2) // safe
    out = np.concatenate([np.minimum(color, 255), alpha], axis=2).astype(np.uint8)
    out[..., :3][bgra[..., 3] == 0] = 0
    return out
