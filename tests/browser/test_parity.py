"""Parity: the browser's canvas and ``openreel still`` agree (PSNR >= 30 dB) for each example at
several timestamps (text, images, gradients, transitions, a Lottie frame). Every figure is
printed; on failure both frames and their difference are saved under ``tests/browser/_failures``.
"""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from openreel.web import PreviewServer, build_bundle, fragment_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
FAILURES = Path(__file__).resolve().parent / "_failures"
MIN_PSNR_DB = 30.0
PLAYER = "document.querySelector('#openreel').__openreel"
# (example, viewer, frames): chosen to show text, images, gradients, transitions and Lottie;
# mid-transition frames: loyalty-welcome 82 (crossfade from an opaque scene, drawn in place),
# 158 (slide-left), 247 (crossfade of scenes with no background, in a bounded scratch);
# year-in-review 67 and 208 (crossfades)
CASES = [
    ("loyalty-welcome", "dana", [0, 20, 45, 82, 95, 110, 158, 165, 200, 247, 260, 290]),
    ("year-in-review", "alex", [0, 30, 67, 75, 120, 170, 208, 230]),
]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def _server_frame(template: Path, data: dict[str, Any], frame: int, fps: float) -> np.ndarray:
    from openreel.pipeline.still import render_still

    png = render_still(template, data, frame / fps, format="png")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _browser_frame(page: Any, frame: int, fps: float) -> np.ndarray:
    page.evaluate(f"() => {PLAYER}.requestSeek({frame} / {fps})")
    page.evaluate(f"() => {PLAYER}.idle()")
    url = page.evaluate("() => document.querySelector('#openreel canvas').toDataURL('image/png')")
    raw = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))


@pytest.mark.parametrize(("example", "viewer", "frames"), CASES, ids=[c[0] for c in CASES])
def test_browser_matches_openreel_still(
    browser: Any, example_assets: Any, tmp_path: Path, example: str, viewer: str, frames: list[int]
) -> None:
    template = ROOT / "examples" / example
    data = json.loads((template / "viewers" / f"{viewer}.json").read_text())
    doc = json.loads((template / "template.json").read_text())
    w, h = doc["size"]
    fps = float(doc.get("fps", 30))
    build_bundle(template, tmp_path / "b")
    context = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1)
    page = context.new_page()
    scores: list[tuple[int, float]] = []
    try:
        with PreviewServer(tmp_path / "b") as server:
            page.goto(f"{server.url}#{fragment_for(data)}")
            page.wait_for_function(f"() => {PLAYER}?.firstFrameAt != null", timeout=20_000)
            size = page.evaluate("() => [document.querySelector('#openreel canvas').width,"
                                 " document.querySelector('#openreel canvas').height]")  # fmt: skip
            assert size == [w, h]
            for frame in frames:
                ours = _browser_frame(page, frame, fps)
                theirs = _server_frame(template, data, frame, fps)
                score = psnr(ours, theirs)
                scores.append((frame, score))
                print(f"{example} frame {frame}: PSNR {score:.2f} dB")
                if score < MIN_PSNR_DB:
                    FAILURES.mkdir(exist_ok=True)
                    stem = FAILURES / f"{example}-{frame}"
                    Image.fromarray(ours).save(f"{stem}-browser.png")
                    Image.fromarray(theirs).save(f"{stem}-server.png")
                    diff = np.abs(ours.astype(np.int16) - theirs.astype(np.int16)).astype(np.uint8)
                    Image.fromarray(np.minimum(diff * 4, 255).astype(np.uint8)).save(
                        f"{stem}-diff.png"
                    )
    finally:
        context.close()
    low = [(f, round(s, 2)) for f, s in scores if s < MIN_PSNR_DB]
    assert not low, f"frames under {MIN_PSNR_DB} dB: {low}"
