"""render_video and render_still: template + data -> MP4 (+ previews, captions) or a still.

Steps of :func:`render_video`: load and compile the template (or take a compiled one),
validate the data (``OR-E3xx``), resolve it with ``View(now)``, build the
:class:`~openreel.render.FrameRenderer` (fonts, images, clips, Lottie), mix the audio once,
then draw and encode overlapped (:mod:`~openreel.pipeline.overlap`), writing the file
atomically. Previews (GIF / animated WebP) and WebVTT captions cover the same time range.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import skia

from openreel.data import validate_data
from openreel.errors import MediaError, RenderError
from openreel.media import VideoEncoder, write_gif, write_vtt, write_webp_animation
from openreel.media.pcm import seconds_to_samples
from openreel.render import AssetCache, FontManager, FrameRenderer, unpremultiply
from openreel.resolve import CompiledTemplate, View, compile_template, resolve
from openreel.template import load_template
from openreel.timebase import exact, frames_for

from .audio import mix_timeline
from .options import Progress as ProgressEvent
from .options import ProgressFn, RenderOptions, RenderResult, check_size
from .overlap import run_overlapped

Array = npt.NDArray[np.uint8]
VIDEO_SUFFIXES = {".mp4": "h264", ".mov": "prores4444", ".webm": "vp9-alpha"}


@dataclass
class Prepared:
    """A compiled template with its folder and the render resources shared across viewers."""

    template: CompiledTemplate
    root: Path
    fonts: FontManager
    assets: AssetCache


def prepare(template: str | Path | CompiledTemplate | Prepared) -> Prepared:
    """Load and compile a template folder once (fonts and decoded assets are then shared)."""
    if isinstance(template, Prepared):
        return template
    ct = (
        template
        if isinstance(template, CompiledTemplate)
        else compile_template(load_template(template))
    )
    if ct.loaded is None:
        raise RenderError("OR-E506", "the compiled template has no folder to read assets from")
    root = ct.loaded.root
    return Prepared(ct, root, FontManager(dict(ct.model.fonts), root), AssetCache())


def resolve_for(
    prepared: Prepared,
    data: dict[str, Any],
    *,
    now: dt.datetime | None = None,
    locale: str | None = None,
    decisions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Validate ``data`` and resolve the timeline for it (``now`` defaults to the clock)."""
    model = prepared.template.model
    validated = validate_data(model.data, data, asset_names=tuple(model.assets))
    moment = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return resolve(prepared.template, validated, decisions or {}, View(time=moment, locale=locale))


def frame_range(timeline: dict[str, Any], start_s: float | None, end_s: float | None) -> range:
    """Frames ``[frames_for(start), frames_for(end))`` of the timeline; ``OR-E504`` if empty."""
    fps = Fraction(str(timeline["fps"]))
    total = int(timeline["frames"])
    first = 0 if start_s is None else frames_for(exact(start_s), fps)
    last = total if end_s is None else frames_for(exact(end_s), fps)
    if start_s is not None and start_s < 0 or not 0 <= first < last <= total:
        duration = float(Fraction(total) / fps)
        raise RenderError(
            "OR-E504",
            f"expected 0 <= from < to <= {duration:g} s, found from={start_s} to={end_s}",
        )
    return range(first, last)


def _kind(out: Path) -> str:
    kind = VIDEO_SUFFIXES.get(out.suffix.lower())
    if kind is None:
        raise RenderError("OR-E505", f"videos are written as .mp4, .mov or .webm, not {out.suffix}")
    return kind


def _scale_down(frame: Array, width: int) -> Array:
    """A copy of ``frame`` scaled to ``width`` pixels wide (even height), with skia."""
    h, w = frame.shape[:2]
    if width >= w:
        return frame.copy()
    height = max(2, round(h * width / w / 2) * 2)
    out = np.zeros((height, width, 4), np.uint8)
    surface = skia.Surface(
        out,
        colorType=skia.ColorType.kBGRA_8888_ColorType,
        alphaType=skia.AlphaType.kPremul_AlphaType,
    )
    image = skia.Image.fromarray(
        frame,
        colorType=skia.ColorType.kBGRA_8888_ColorType,
        alphaType=skia.AlphaType.kPremul_AlphaType,
    )
    surface.getCanvas().drawImageRect(
        image,
        skia.Rect.MakeWH(width, height),
        skia.SamplingOptions(skia.CubicResampler.Mitchell()),
    )
    surface.flushAndSubmit()
    return out


def render_video(
    template: str | Path | CompiledTemplate | Prepared,
    data: dict[str, Any],
    out: Path,
    options: RenderOptions | None = None,
    progress: ProgressFn | None = None,
) -> RenderResult:
    """Render one viewer's video to ``out`` (and the previews/captions ``options`` asks for)."""
    opts = options or RenderOptions()
    out = Path(out)
    kind = _kind(out)
    if opts.size is not None:
        check_size(opts.size)
    wall = time.perf_counter()
    report = progress or (lambda event: None)
    t0 = time.perf_counter()
    prepared = prepare(template)
    timeline = resolve_for(
        prepared, data, now=opts.now, locale=opts.locale, decisions=dict(opts.decisions)
    )
    frames = frame_range(timeline, opts.start_s, opts.end_s)
    t_resolve = time.perf_counter() - t0
    report(ProgressEvent("build", 0, len(frames)))
    t0 = time.perf_counter()
    renderer = FrameRenderer(
        timeline,
        prepared.root,
        size=opts.size,
        font_manager=prepared.fonts,
        burn_captions=opts.burn_captions,
        asset_cache=prepared.assets,
        decode_ahead=True,
    )
    renderer.build_all()
    t_build = time.perf_counter() - t0
    w, h = renderer.size
    fps = renderer.fps
    report(ProgressEvent("audio", 0, len(frames)))
    t0 = time.perf_counter()
    audio = _audio_for(prepared, timeline, frames, renderer) if opts.audio else None
    t_audio = time.perf_counter() - t0
    preview_every = max(1, round(float(fps) / opts.preview_fps))
    preview_cap = frames_for(exact(opts.preview_max_s), fps)
    previews: list[Array] = []
    want_previews = opts.gif is not None or opts.webp is not None
    for target in (out, opts.gif, opts.webp, opts.captions):
        if target is not None:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
    encoder = VideoEncoder(out, (w, h), fps, opts.preset, audio, kind=kind)  # type: ignore[arg-type]
    # H.264 drops alpha (frames are opaque when the background is); the alpha formats need
    # straight alpha, the renderer draws premultiplied.
    write = encoder.write if kind == "h264" else lambda buf: encoder.write(unpremultiply(buf))

    def draw(i: int, buffer: Array) -> None:
        frame = frames.start + i
        renderer.draw_into(frame, buffer)
        if want_previews and i % preview_every == 0 and i < preview_cap:
            previews.append(_scale_down(buffer, opts.preview_width))

    def on_frame(i: int) -> None:
        report(ProgressEvent("frames", i + 1, len(frames)))

    try:
        with encoder:
            times = run_overlapped(
                len(frames), (h, w, 4), draw, write, depth=opts.queue_frames,
                on_frame=on_frame,
            )  # fmt: skip
    except (OSError, ValueError) as exc:
        raise RenderError(
            "OR-E507", f"the video could not be written ({type(exc).__name__})"
        ) from None
    finally:
        renderer.close()
    outputs = [out]
    if want_previews and previews:
        report(ProgressEvent("previews", 0, len(previews)))
        preview_fps = fps / preview_every
        if opts.gif is not None:
            outputs.append(write_gif(opts.gif, previews, min(preview_fps, Fraction(50))))
        if opts.webp is not None:
            outputs.append(write_webp_animation(opts.webp, previews, preview_fps))
    if opts.captions is not None:
        outputs.append(write_vtt(opts.captions, cues_for(timeline, frames)))
    n = max(times.frames, 1)
    stages = {
        "resolve": t_resolve * 1000,
        "build": t_build * 1000,
        "audio": t_audio * 1000,
        "render_per_frame": times.render_s / n * 1000,
        "encode_per_frame": times.encode_s / n * 1000,
        "render_waiting_for_encoder": times.wait_render_s * 1000,
        "wall": (time.perf_counter() - wall) * 1000,
    }
    report(ProgressEvent("done", len(frames), len(frames)))
    return RenderResult(
        path=out,
        frames=len(frames),
        fps=str(timeline["fps"]),
        size=(w, h),
        seconds=float(Fraction(len(frames)) / fps),
        outputs=tuple(outputs),
        warnings=tuple((x.code, x.message) for x in renderer.warnings),
        stages=stages,
        frames_reused=renderer.frames_reused,
        layer_ms={k: v[1] * 1000 / max(v[0], 1) for k, v in renderer.stats.items()},
    )


def _audio_for(
    prepared: Prepared, timeline: dict[str, Any], frames: range, renderer: FrameRenderer
) -> npt.NDArray[np.float32] | None:
    """The mix of the whole timeline, cut to ``frames`` (None when there is no sound)."""
    mixed = mix_timeline(
        timeline, prepared.root, prepared_reader(prepared, timeline), renderer.warn
    )
    if mixed is None:
        return None
    a = seconds_to_samples(Fraction(frames.start) / renderer.fps)
    b = seconds_to_samples(Fraction(frames.stop) / renderer.fps)
    return np.ascontiguousarray(mixed[:, a:b])


def prepared_reader(prepared: Prepared, timeline: dict[str, Any]) -> Callable[[str], bytes]:
    """``read(asset name) -> bytes`` through the template's shared asset cache."""
    assets = dict(timeline.get("assets") or {})

    def read(name: str) -> bytes:
        cached: bytes | None = prepared.assets.bytes.get(name)
        if cached is not None:
            return cached
        if name not in assets:
            raise MediaError("OR-E400", f"the timeline names no asset {name!r}")
        data: bytes = (prepared.root / str(assets[name])).read_bytes()
        prepared.assets.bytes[name] = data
        return data

    return read


def cues_for(timeline: dict[str, Any], frames: range) -> list[tuple[Fraction, Fraction, str]]:
    """Caption cues of ``timeline`` inside ``frames``, in seconds from the range's start."""
    fps = Fraction(str(timeline["fps"]))
    cues = []
    for cue in timeline.get("captions") or []:
        a, b = max(int(cue["start"]), frames.start), min(int(cue["end"]), frames.stop)
        if b > a:
            start = Fraction(a - frames.start) / fps
            cues.append((start, Fraction(b - frames.start) / fps, str(cue["text"])))
    return cues
