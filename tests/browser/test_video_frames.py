"""Playing clips are drawn from frames converted off the main thread; paused ones directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openreel.web import PreviewServer, build_bundle, fragment_for

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PLAYER = "document.querySelector('#openreel').__openreel"
FRAMES = f"{PLAYER}.media.frames"


def test_playing_clip_is_drawn_from_converted_frames(
    browser: Any, example_assets: Any, tmp_path: Path
) -> None:
    template = ROOT / "examples" / "loyalty-welcome"  # its intro scene shows a clip
    data = json.loads((template / "viewers" / "dana.json").read_text())
    build_bundle(template, tmp_path / "b", poster=False)
    context = browser.new_context(viewport={"width": 960, "height": 540})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with PreviewServer(tmp_path / "b") as server:
            page.goto(f"{server.url}#{fragment_for(data)}")
            page.wait_for_function(f"() => {PLAYER}?.firstFrameAt != null", timeout=20_000)
            page.evaluate(f"() => {PLAYER}.idle()")
            # paused: the clip is drawn from the <video> itself (exact frame), never a bitmap
            assert page.evaluate(f"() => {FRAMES}.used") == 0
            page.evaluate(f"() => {PLAYER}.requestPlay()")
            page.wait_for_function(f"() => {PLAYER}.frame >= 45", timeout=10_000)
            page.evaluate(f"() => {PLAYER}.requestPause()")
            converted, used, draws = page.evaluate(
                f"() => [{FRAMES}.converted, {FRAMES}.used, {PLAYER}.drawTimes.length]"
            )
            print(f"converted {converted}, drawn from bitmaps {used}, draws {draws}")
            assert converted >= 10
            assert used >= 10
    finally:
        context.close()
    assert errors == []
