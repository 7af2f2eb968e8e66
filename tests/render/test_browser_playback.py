"""The MP4 a render writes plays in Chromium's ``<video>``: a frame read back has our colours."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rendertools import base_doc, write_template

from openreel.pipeline import RenderOptions, render_video

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-file-access-from-files",  # a file: page may read its own file: video
]
PAGE = """<!doctype html><meta charset="utf-8">
<video id="v" src="out.mp4" muted playsinline preload="auto"></video>
<canvas id="c" width="320" height="180"></canvas>"""
READ = """async () => {
  const v = document.getElementById('v');
  if (v.readyState < 2) await new Promise((ok, bad) => {
    v.addEventListener('loadeddata', ok, {once: true});
    v.addEventListener('error', () => bad(new Error('video error ' + v.error.code)), {once: true});
  });
  v.currentTime = 1.5;
  await new Promise(ok => v.addEventListener('seeked', ok, {once: true}));
  const c = document.getElementById('c').getContext('2d');
  c.drawImage(v, 0, 0, 320, 180);
  return {left: Array.from(c.getImageData(40, 90, 1, 1).data),
          right: Array.from(c.getImageData(280, 90, 1, 1).data),
          duration: v.duration, width: v.videoWidth};
}"""


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_mp4_plays_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    layers = [
        {"type": "shape", "width": 160, "fill": "#dc2626"},
        {"type": "shape", "x": 160, "width": 160, "fill": "#16a34a"},
    ]
    doc = base_doc(layers)
    doc["scenes"][0]["duration"] = 2
    folder = write_template(tmp_path / "play", doc)
    site = tmp_path / "site"
    site.mkdir()
    render_video(folder, {}, site / "out.mp4", RenderOptions(audio=False))
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    if shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Chromium is not executable")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto((site / "index.html").as_uri())
            result: dict[str, Any] = page.evaluate(READ)
        finally:
            browser.close()
    assert result["width"] == 320 and result["duration"] == pytest.approx(2.0, abs=0.05)
    red, green = result["left"], result["right"]
    assert abs(red[0] - 0xDC) <= 12 and red[1] <= 0x40  # #dc2626 after H.264 and back
    assert green[1] >= 0x90 and red[0] > green[0] + 100
