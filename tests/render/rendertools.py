"""Helpers for the renderer tests: templates built in tmp folders, golden comparison.

Golden comparison (manim's model): a frame matches its reference PNG when at most
``MAX_MISMATCH`` of its pixels differ by more than ``ATOL`` (0..255) in any channel. A
failure writes ``tests/golden/_failures/<name>.png`` (the actual frame) and
``<name>-diff.png`` (white where pixels differ beyond the tolerance). ``pytest
--update-golden`` rewrites the references instead.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw

from openreel.fonts import default_font_path
from openreel.render import FrameRenderer, unpremultiply
from openreel.resolve import compile_template, resolve
from openreel.template import load_template

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
FAILURES = GOLDEN / "_failures"
ATOL = 24
MAX_MISMATCH = 0.004
Array = npt.NDArray[np.uint8]
#: The test assets every template folder gets (made here, deterministic, nothing downloaded).
ASSET_MAP = {
    "photo": "assets/photo.png",
    "logo": "assets/logo.png",
    "clip": "assets/clip.mp4",
    "spin": "assets/spin.json",
}


def _photo() -> Image.Image:
    """320x180: a horizontal blue-to-orange gradient with three discs (fit/focus visible)."""
    x = np.linspace(0, 1, 320)[None, :, None]
    left, right = np.array([30, 64, 175]), np.array([249, 115, 22])
    rgb = np.broadcast_to(left + (right - left) * x, (180, 320, 3)).astype(np.uint8).copy()
    img = Image.fromarray(rgb, "RGB")
    draw = ImageDraw.Draw(img)
    for cx, color in ((40, "#facc15"), (160, "#22c55e"), (280, "#e11d48")):
        draw.ellipse((cx - 30, 60, cx + 30, 120), fill=color)
    return img


def _logo() -> Image.Image:
    """100x100 RGBA: a translucent rounded square with a white diagonal."""
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((5, 5, 95, 95), radius=18, fill=(124, 58, 237, 220))
    draw.line((20, 80, 80, 20), fill=(255, 255, 255, 255), width=10)
    return img


def clip_bytes(count: int = 60, size: tuple[int, int] = (160, 90), fps: int = 30) -> bytes:
    """An H.264 MP4 whose frame ``i`` is a solid color from a fixed cycle, with a bar at
    ``x = 2 i``."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "18"}
        stream.codec_context.thread_count = 1
        cycle = [(200, 40, 40), (40, 160, 60), (40, 80, 200), (220, 180, 30)]
        for i in range(count):
            rgb = np.zeros((size[1], size[0], 3), np.uint8)
            rgb[:] = cycle[(i // 15) % len(cycle)]
            rgb[:, (2 * i) % size[0] : (2 * i) % size[0] + 6] = 255
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buf.getvalue()


def _static(value: Any, sid: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"a": 0, "k": value}
    if sid:
        out["sid"] = sid
    return out


def spin_lottie() -> dict[str, Any]:
    """100x100, 60 frames at 30 fps: a rounded square turning once; slots ``accent``
    (its color) and ``alpha`` (its opacity, 0..100)."""
    turn = {"a": 1, "k": [{"t": 0, "s": [0], "o": {"x": [0], "y": [0]}, "i": {"x": [1], "y": [1]}},
                          {"t": 60, "s": [360]}]}  # fmt: skip
    layer = {
        "ddd": 0, "ind": 1, "ty": 4, "nm": "box", "sr": 1, "ip": 0, "op": 60, "st": 0, "bm": 0,
        "ks": {"o": _static(100, "alpha"), "r": turn, "p": _static([50, 50]),
               "a": _static([0, 0]), "s": _static([100, 100])},
        "shapes": [{"ty": "gr", "it": [
            {"ty": "rc", "d": 1, "s": _static([56, 56]), "p": _static([0, 0]), "r": _static(8)},
            {"ty": "fl", "c": _static([0, 0, 1, 1], "accent"), "o": _static(100), "r": 1},
            {"ty": "tr", "p": _static([0, 0]), "a": _static([0, 0]), "s": _static([100, 100]),
             "r": _static(0), "o": _static(100)}]}],
    }  # fmt: skip
    return {
        "v": "5.12.0", "fr": 30, "ip": 0, "op": 60, "w": 100, "h": 100, "ddd": 0,
        "assets": [], "layers": [layer],
        "slots": {"accent": {"p": _static([0, 0, 1, 1])}, "alpha": {"p": _static(100)}},
    }  # fmt: skip


def write_assets(folder: Path) -> None:
    """Write the test assets of :data:`ASSET_MAP` (and the bold font) into ``folder/assets``."""
    assets = folder / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    _photo().save(assets / "photo.png")
    _logo().save(assets / "logo.png")
    (assets / "clip.mp4").write_bytes(clip_bytes())
    (assets / "spin.json").write_text(json.dumps(spin_lottie()), encoding="utf-8")
    shutil.copyfile(default_font_path(bold=True), assets / "Inter-Bold.ttf")


def write_template(folder: Path, doc: dict[str, Any], *, assets: bool = False) -> Path:
    """Write ``doc`` as ``folder/template.json`` (with the test assets when asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    if assets:
        write_assets(folder)
        doc = {**doc, "assets": {**ASSET_MAP, **doc.get("assets", {})}}
    (folder / "template.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def timeline_of(folder: Path, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return resolve(compile_template(load_template(folder)), data or {})


def renderer_for(folder: Path, data: dict[str, Any] | None = None, **kwargs: Any) -> FrameRenderer:
    return FrameRenderer(timeline_of(folder, data), folder, **kwargs)


def base_doc(layers: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A 320x180, 30 fps, 1 s template with one scene holding ``layers``."""
    doc: dict[str, Any] = {
        "openreel": 1,
        "id": "t",
        "size": [320, 180],
        "fps": 30,
        "background": "#101828",
        "scenes": [{"id": "a", "duration": 1, "layers": layers}],
    }
    doc.update(extra)
    return doc


def to_rgba(bgra: Array) -> Array:
    return np.ascontiguousarray(unpremultiply(bgra)[..., [2, 1, 0, 3]])


def assert_golden(request: pytest.FixtureRequest, name: str, bgra: Array) -> None:
    """Compare ``bgra`` with ``tests/golden/<name>.png`` (see the module docstring)."""
    path = GOLDEN / f"{name}.png"
    actual = to_rgba(bgra)
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        Image.fromarray(actual, "RGBA").save(path)
        return
    if not path.exists():
        pytest.fail(f"no golden {path.name}; run pytest --update-golden and review it")
    expected = np.asarray(Image.open(path).convert("RGBA"))
    if expected.shape != actual.shape:
        pytest.fail(f"{name}: size {actual.shape} differs from the golden's {expected.shape}")
    diff = np.abs(expected.astype(np.int16) - actual.astype(np.int16)).max(axis=2)
    bad = diff > ATOL
    ratio = float(bad.mean())
    if ratio > MAX_MISMATCH:
        FAILURES.mkdir(parents=True, exist_ok=True)
        Image.fromarray(actual, "RGBA").save(FAILURES / f"{name}.png")
        Image.fromarray((bad * 255).astype(np.uint8), "L").save(FAILURES / f"{name}-diff.png")
        pytest.fail(
            f"{name}: {ratio:.2%} of pixels differ by more than {ATOL} "
            f"(limit {MAX_MISMATCH:.2%}); see tests/golden/_failures/{name}-diff.png"
        )
