"""The ``render`` benchmark (docs: ../shared/BENCHMARKS.md): end-to-end fps of OpenReel's
server render of ``benchmarks/templates/standard`` at 1080p, 720p and 1080x1920, against
MoviePy 2.x rendering the same composition with its default settings, in the same run.

Run: ``python benchmarks/bench_render.py [--seconds 10] [--skip-moviepy]``. Prints a table and
writes ``benchmarks/results/render.json``. The template (1080p30, 10 s: a background video
clip, a gradient card, three animated text layers with a personalised name, an image, a
Lottie stem, music) and its assets are generated here (never downloaded) into
``benchmarks/templates/standard`` and ``standard-vertical`` (the same composition laid out at
1080x1920). MoviePy renders the same clip, card, texts (the count-up as a per-frame text),
image, fades and music; it has no Lottie renderer, so its version has no Lottie stem.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import wave
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw
from rich.console import Console
from rich.table import Table

from openreel.fonts import default_font_path
from openreel.pipeline import RenderOptions, render_video

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
RESULTS = HERE / "results" / "render.json"
DATA: dict[str, Any] = {"first_name": "Dana", "points": 12840, "year": 2026}
TARGET_FPS_1080P = 60.0
TARGET_RATIO = 7.0


# --- the standard template and its generated assets --------------------------------------------


def _clip(path: Path, size: tuple[int, int], seconds: float) -> None:
    """A moving-gradient H.264 clip with drifting discs (cheap to make, real to decode)."""
    w, h = size
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20"}
        stream.codec_context.gop_size = 60  # a key frame every 2 s, as phones and OpenReel write
        for i in range(round(seconds * 30)):
            t = i / 30
            r = 0.5 + 0.5 * np.sin(2 * np.pi * (x * 0.8 + t * 0.15))
            g = 0.35 + 0.3 * np.cos(2 * np.pi * (y * 0.6 - t * 0.1))
            b = 0.6 + 0.4 * np.sin(2 * np.pi * (x + y) * 0.5 + t)
            rgb = np.stack(np.broadcast_arrays(r * 160, g * 120 + 0 * x, b * 200), axis=2)
            img = Image.fromarray(rgb.astype(np.uint8), "RGB")
            draw = ImageDraw.Draw(img)
            for k in range(6):
                cx = (0.1 + 0.16 * k + 0.05 * np.sin(t + k)) * w
                cy = (0.5 + 0.3 * np.sin(t * 0.7 + k * 1.3)) * h
                rad = 0.06 * min(w, h) * (1 + 0.3 * np.sin(t + k))
                draw.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=(250, 200, 90))
            frame = av.VideoFrame.from_ndarray(np.asarray(img), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _music(path: Path, seconds: float) -> None:
    """A chord progression with a soft pulse, 48 kHz stereo WAV."""
    rate = 48_000
    t = np.arange(round(seconds * rate)) / rate
    chords = [(220.0, 277.18, 329.63), (196.0, 246.94, 293.66), (174.61, 220.0, 261.63)]
    out = np.zeros_like(t)
    for i, chord in enumerate(chords * 4):
        seg = (t >= i * 1.0) & (t < (i + 1) * 1.0)
        for f in chord:
            out[seg] += 0.08 * np.sin(2 * np.pi * f * t[seg])
    out *= 0.7 + 0.3 * (np.sin(2 * np.pi * 2 * t) > 0)
    pcm = (np.clip(out, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(pcm, 2).tobytes())


def _photo(path: Path) -> None:
    img = Image.new("RGB", (600, 600), (236, 72, 153))
    draw = ImageDraw.Draw(img)
    draw.ellipse((100, 100, 500, 500), fill=(253, 224, 71))
    draw.rectangle((250, 40, 350, 560), fill=(59, 130, 246))
    img.save(path)


def _lottie(path: Path) -> None:
    """400x400, 60 frames: twelve dots orbiting, the ``accent`` slot colouring them."""

    def static(v: Any, sid: str | None = None) -> dict[str, Any]:
        return {"a": 0, "k": v, **({"sid": sid} if sid else {})}

    layers = []
    for k in range(12):
        turn = {
            "a": 1,
            "k": [
                {"t": 0, "s": [30 * k], "o": {"x": [0], "y": [0]}, "i": {"x": [1], "y": [1]}},
                {"t": 60, "s": [30 * k + 360]},
            ],
        }
        layers.append({
            "ddd": 0, "ind": k + 1, "ty": 4, "sr": 1, "ip": 0, "op": 60, "st": 0, "bm": 0,
            "ks": {"o": static(100), "r": turn, "p": static([200, 200]), "a": static([0, 0]),
                   "s": static([100, 100])},
            "shapes": [{"ty": "gr", "it": [
                {"ty": "el", "d": 1, "s": static([36, 36]), "p": static([140, 0])},
                {"ty": "fl", "c": static([1, 0.8, 0.2, 1], "accent"), "o": static(100), "r": 1},
                {"ty": "tr", "p": static([0, 0]), "a": static([0, 0]), "s": static([100, 100]),
                 "r": static(0), "o": static(100)}]}],
        })  # fmt: skip
    doc = {"v": "5.12.0", "fr": 30, "ip": 0, "op": 60, "w": 400, "h": 400, "ddd": 0,
           "assets": [], "layers": layers,
           "slots": {"accent": {"p": static([1, 0.8, 0.2, 1])}}}  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")


def _layout(w: int, h: int) -> dict[str, dict[str, float]]:
    """Boxes of the composition for a ``w x h`` canvas (landscape or portrait)."""
    portrait = h > w
    cw, ch = (0.86 * w, 0.42 * h) if portrait else (0.62 * w, 0.56 * h)
    card = {"x": w / 2, "y": h / 2, "width": cw, "height": ch}
    left, top = (w - cw) / 2, (h - ch) / 2
    img = 0.16 * min(w, h) * (1.6 if portrait else 1.0)
    return {
        "card": card,
        "title": {"x": left + 40, "y": top + 0.10 * ch, "width": cw - 80, "height": 0.22 * ch},
        "sub": {"x": left + 40, "y": top + 0.36 * ch, "width": cw - 80, "height": 0.12 * ch},
        "points": {"x": left + 40, "y": top + 0.55 * ch, "width": cw * 0.55, "height": 0.25 * ch},
        "image": {"x": left + cw - img - 40, "y": top + ch - img - 40, "width": img,
                  "height": img},
        "lottie": {"x": w - 0.22 * min(w, h) * 1.3 - 20, "y": 20, "width": 0.22 * min(w, h) * 1.3,
                   "height": 0.22 * min(w, h) * 1.3},
    }  # fmt: skip


def standard_template(size: tuple[int, int], seconds: float) -> dict[str, Any]:
    w, h = size
    box = _layout(w, h)
    s = min(w, h) / 1080
    card_size = [box["card"]["width"], box["card"]["height"]]
    return {
        "openreel": 1, "id": "standard", "size": [w, h], "fps": 30, "background": "#0b1020",
        "fonts": {"Inter Bold": "assets/Inter-Bold.ttf"},
        "assets": {"clip": "assets/clip.mp4", "photo": "assets/photo.png",
                   "music": "assets/music.wav", "orbit": "assets/orbit.json"},
        "data": {"first_name": {"type": "string", "pii": True, "default": "there"},
                 "points": {"type": "number", "min": 0, "default": 0},
                 "year": {"type": "integer", "default": 2026}},
        "scenes": [{"id": "main", "duration": seconds, "layers": [
            {"id": "bg", "type": "video", "src": "clip", "fit": "cover", "muted": True},
            {"id": "card", "type": "shape", **box["card"], "anchor": [0.5, 0.5], "radius": 36,
             "fill": {"linear": {"from": [0, 0], "to": card_size,
                                 "stops": [[0, "#111827e6"], [1, "#1d4ed8cc"]]}},
             "shadow": {"x": 0, "y": 16, "blur": 40, "color": "#00000080"},
             "animate": {"opacity": {"preset": "fade-in", "at": 0.2}}},
            {"id": "title", "type": "text", "text": "Hello, {{ first_name }}!",
             "font": "Inter Bold", **box["title"], "size": 96 * s, "fit": "shrink",
             "animate": {"opacity": {"preset": "fade-in", "at": 0.5},
                         "y": {"preset": "slide-up", "at": 0.5}}},
            {"id": "sub", "type": "text", "text": "Your {{ year }} in review", **box["sub"],
             "size": 52 * s, "color": "#cbd5e1",
             "animate": {"opacity": {"preset": "fade-in", "at": 1.0}}},
            {"id": "points", "type": "text", "text": "{{ points }}", "font": "Inter Bold",
             **box["points"], "size": 120 * s, "color": "#fbbf24",
             "animate": {"text": {"preset": "count-up", "value": "{{ points }}", "at": 1.2,
                                  "duration": 2}}},
            {"id": "photo", "type": "image", "src": "photo", **box["image"], "radius": 24,
             "animate": {"scale": {"preset": "pop-in", "at": 1.5}}},
            {"id": "orbit", "type": "lottie", "src": "orbit", **box["lottie"], "loop": True,
             "slots": {"accent": "#fbbf24"}},
        ]}],
        "audio": [{"src": "music", "volume": 0.8, "fade_in": 0.5, "fade_out": 1}],
    }  # fmt: skip


def build_templates(seconds: float) -> dict[str, Path]:
    """Write both template folders and their assets (assets are made once, then reused)."""
    out = {}
    for name, size in (("standard", (1920, 1080)), ("standard-vertical", (1080, 1920))):
        folder = TEMPLATES / name
        assets = folder / "assets"
        assets.mkdir(parents=True, exist_ok=True)
        doc = standard_template(size, seconds)
        (folder / "template.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        stamp = assets / f".made-v2-{seconds:g}s"
        if not stamp.exists():
            _clip(assets / "clip.mp4", size, seconds)
            _music(assets / "music.wav", seconds)
            _photo(assets / "photo.png")
            _lottie(assets / "orbit.json")
            shutil.copyfile(default_font_path(bold=True), assets / "Inter-Bold.ttf")
            stamp.write_text("ok\n", encoding="utf-8")
        out[name] = folder
    return out


# --- OpenReel ------------------------------------------------------------------------------------


def run_openreel(folder: Path, size: tuple[int, int] | None, work: Path) -> dict[str, Any]:
    out = work / f"openreel-{folder.name}-{size}.mp4"
    start = time.perf_counter()
    result = render_video(folder, DATA, out, RenderOptions(size=size, preset="fast"))
    wall = time.perf_counter() - start
    return {
        "fps": result.frames / wall,
        "wall_s": wall,
        "frames": result.frames,
        "stages_ms": {k: round(v, 2) for k, v in result.stages.items()},
        "layer_ms": {k: round(v, 3) for k, v in result.layer_ms.items()},
        "frames_reused": result.frames_reused,
        "bytes": out.stat().st_size,
    }


# --- MoviePy -------------------------------------------------------------------------------------


def run_moviepy(folder: Path, size: tuple[int, int], seconds: float, work: Path) -> dict[str, Any]:
    """The same composition in MoviePy 2.x (default ``write_videofile`` settings)."""
    from moviepy import (  # type: ignore[import-untyped]
        AudioFileClip,
        CompositeVideoClip,
        ImageClip,
        TextClip,
        VideoClip,
        VideoFileClip,
        afx,
        vfx,
    )

    w, h = size
    doc = standard_template(size, seconds)
    box = _layout(w, h)
    s = min(w, h) / 1080
    font = str(folder / "assets" / "Inter-Bold.ttf")
    regular = str(default_font_path())
    bg = VideoFileClip(str(folder / "assets" / "clip.mp4")).resized((w, h)).with_duration(seconds)
    cw, ch = int(box["card"]["width"]), int(box["card"]["height"])
    grad = np.linspace(0, 1, cw)[None, :, None]
    rgb = np.array([17, 24, 39]) * (1 - grad) + np.array([29, 78, 216]) * grad
    rgb = np.broadcast_to(rgb, (ch, cw, 3)).astype(np.uint8)
    mask = np.full((ch, cw), 0.85)
    card = (
        ImageClip(rgb).with_mask(ImageClip(mask, is_mask=True))
        .with_position((int(box["card"]["x"] - cw / 2), int(box["card"]["y"] - ch / 2)))
        .with_start(0.2).with_duration(seconds - 0.2).with_effects([vfx.CrossFadeIn(0.5)])
    )  # fmt: skip
    tb = box["title"]
    title = (
        TextClip(font=font, text=f"Hello, {DATA['first_name']}!", font_size=int(96 * s),
                 color="white", size=(int(tb["width"]), int(tb["height"])))
        .with_start(0.5).with_duration(seconds - 0.5)
        .with_position(lambda t: (tb["x"], tb["y"] + 60 * max(0.0, 1 - t / 0.6)))
        .with_effects([vfx.CrossFadeIn(0.5)])
    )  # fmt: skip
    sb = box["sub"]
    sub = (
        TextClip(font=regular, text=f"Your {DATA['year']} in review", font_size=int(52 * s),
                 color="#cbd5e1", size=(int(sb["width"]), int(sb["height"])))
        .with_start(1.0).with_duration(seconds - 1.0).with_position((sb["x"], sb["y"]))
        .with_effects([vfx.CrossFadeIn(0.5)])
    )  # fmt: skip
    pb = box["points"]
    pw, ph = int(pb["width"]), int(pb["height"])
    count_font = __import__("PIL.ImageFont", fromlist=["truetype"]).truetype(font, int(120 * s))

    def points_frame(t: float) -> np.ndarray:
        p = min(max((t - 1.2) / 2.0, 0.0), 1.0)
        value = round(DATA["points"] * (1 - (1 - p) ** 2))
        img = Image.new("RGB", (pw, ph))
        ImageDraw.Draw(img).text((0, 0), f"{value:,}", font=count_font, fill=(251, 191, 36))
        return np.asarray(img)

    def points_mask(t: float) -> np.ndarray:
        mask: np.ndarray = (points_frame(t).max(axis=2) > 0).astype(float)
        return mask

    points = (
        VideoClip(points_frame, duration=seconds)
        .with_mask(VideoClip(points_mask, is_mask=True, duration=seconds))
        .with_position((pb["x"], pb["y"]))
    )  # fmt: skip
    ib = box["image"]
    photo = (
        ImageClip(str(folder / "assets" / "photo.png"))
        .resized((int(ib["width"]), int(ib["height"])))
        .with_start(1.5).with_duration(seconds - 1.5).with_position((ib["x"], ib["y"]))
        .with_effects([vfx.CrossFadeIn(0.3)])
    )  # fmt: skip
    music = AudioFileClip(str(folder / "assets" / "music.wav")).with_duration(seconds)
    music = music.with_effects([afx.AudioFadeIn(0.5), afx.AudioFadeOut(1.0)])
    video = CompositeVideoClip([bg, card, title, sub, points, photo], size=(w, h))
    video = video.with_audio(music).with_duration(seconds)
    out = work / f"moviepy-{w}x{h}.mp4"
    del doc
    start = time.perf_counter()
    video.write_videofile(str(out), fps=30, logger=None)
    wall = time.perf_counter() - start
    frames = round(seconds * 30)
    return {"fps": frames / wall, "wall_s": wall, "frames": frames, "bytes": out.stat().st_size}


# --- stills ------------------------------------------------------------------------------------


def run_stills(folder: Path, repeat: int = 30) -> dict[str, Any]:
    """p50 / p99 of a 1280x720 JPEG thumbnail in-process, warm template (``prepare`` once):
    at 5 s of the standard template (its clip must be decoded up to that time), and at 7 s of
    the loyalty example (the offer scene: text, button and Lottie, no clip)."""
    from openreel.pipeline import prepare, render_still

    out: dict[str, Any] = {}
    loyalty = HERE.parent / "examples" / "loyalty-welcome"
    cases = [("standard@5s", folder, DATA, 5.0)]
    if (loyalty / "assets" / "confetti.json").exists():
        viewer = json.loads((loyalty / "viewers" / "dana.json").read_text(encoding="utf-8"))
        cases.append(("loyalty-welcome@7s", loyalty, viewer, 7.0))
    for label, path, data, at in cases:
        prepared = prepare(path)
        render_still(prepared, data, at, (1280, 720), "jpeg")  # warm: fonts, decoded assets
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            render_still(prepared, data, at, (1280, 720), "jpeg")
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        out[label] = {"p50_ms": times[len(times) // 2], "p99_ms": times[-1], "n": repeat}
    return out


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--skip-moviepy", action="store_true")
    args = parser.parse_args()
    folders = build_templates(args.seconds)
    cases = [
        ("1080p", folders["standard"], None, (1920, 1080)),
        ("720p", folders["standard"], (1280, 720), (1280, 720)),
        ("1080x1920", folders["standard-vertical"], None, (1080, 1920)),
    ]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label, folder, size, pixels in cases:
            ours = run_openreel(folder, size, work)
            peer = None if args.skip_moviepy else run_moviepy(folder, pixels, args.seconds, work)
            ratio = None if peer is None else ours["fps"] / peer["fps"]
            rows.append({"case": label, "openreel": ours, "moviepy": peer, "ratio": ratio})
    table = Table("case", "OpenReel fps", "MoviePy fps", "ratio", "render ms/f", "encode ms/f")
    for row in rows:
        o, m = row["openreel"], row["moviepy"]
        table.add_row(
            row["case"], f"{o['fps']:.1f}", "-" if m is None else f"{m['fps']:.1f}",
            "-" if row["ratio"] is None else f"{row['ratio']:.1f}x",
            f"{o['stages_ms']['render_per_frame']:.1f}",
            f"{o['stages_ms']['encode_per_frame']:.1f}",
        )  # fmt: skip
    Console().print(table)
    stills = run_stills(folders["standard"])
    for label, figures in stills.items():
        print(
            f"still {label} 1280x720 JPEG: p50 {figures['p50_ms']:.1f} ms, "
            f"p99 {figures['p99_ms']:.1f} ms"
        )
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    report = {
        "benchmark": "render",
        "seconds": args.seconds,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "platform": platform.platform(), "load_avg_at_end": load},
        "targets": {"fps_1080p": TARGET_FPS_1080P, "ratio_vs_moviepy": TARGET_RATIO},
        "results": rows,
        "stills": stills,
        "fps_fraction": str(Fraction(30)),
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
