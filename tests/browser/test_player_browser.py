"""The on-device player in Chromium: data at the moment of open, fallbacks, events, privacy."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from player_servers import BRAND_HOST, TIMEOUT_MS, VIEWER, Server, event_batches

from openreel.web import PreviewServer

pytestmark = pytest.mark.browser
PLAYER = "document.querySelector('#openreel').__openreel"
FIRST_FRAME = f"() => {PLAYER}?.firstFrameAt != null"


@pytest.fixture()
def site(bundle_factory: Any, events: Server) -> Iterator[tuple[PreviewServer, Server]]:
    folder: Path = bundle_factory(f"http://127.0.0.1:{events.port}/events")
    with PreviewServer(folder) as server:
        yield server, events


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 640, "height": 360})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _canvas_png(page: Any) -> bytes:
    return bytes(page.locator("canvas").screenshot())


def test_token_fetches_from_brand_endpoint_and_draws_the_name(
    site: tuple[PreviewServer, Server], brand: Server, page: Any
) -> None:
    server, _ = site
    before = len(brand.records)
    page.goto(f"{server.url}#t=good")
    page.wait_for_function(FIRST_FRAME, timeout=10_000)
    origin, text = page.evaluate(
        f"() => [{PLAYER}.dataOrigin, {PLAYER}.timeline.scenes[0].layers[1].text]"
    )
    assert origin == "source"
    assert text == f"Hello, {VIEWER['first_name']}!"
    gets = [r for r in brand.records[before:] if r.method == "GET"]
    assert len(gets) == 1 and gets[0].path == "/data?token=good"
    assert gets[0].headers.get("Host", "").startswith(BRAND_HOST)
    assert "Cookie" not in gets[0].headers and "Referer" not in gets[0].headers
    # the drawn frame is the viewer's, not the fallback's
    with_name = _canvas_png(page)
    page.goto("about:blank")  # a new fragment alone would not reload the page
    page.goto(f"{server.url}#t=fail")
    page.wait_for_function(FIRST_FRAME, timeout=10_000)
    assert _canvas_png(page) != with_name
    assert page.errors == []


@pytest.mark.parametrize("token", ["fail", "slow"])
def test_failing_or_slow_endpoint_shows_the_fallback_within_the_timeout(
    site: tuple[PreviewServer, Server], page: Any, token: str
) -> None:
    server, _ = site
    start = time.monotonic()
    page.goto(f"{server.url}#t={token}")
    page.wait_for_function(FIRST_FRAME, timeout=TIMEOUT_MS + 5_000)
    waited_ms = (time.monotonic() - start) * 1000
    origin, text, first = page.evaluate(
        f"() => [{PLAYER}.dataOrigin, {PLAYER}.timeline.scenes[0].layers[1].text,"
        f" {PLAYER}.firstFrameAt]"
    )
    assert origin == "defaults"
    assert text == "Hello, there!"
    # first frame (ms since navigation start) within the template's timeout plus loading time
    assert first < TIMEOUT_MS + 1000, first
    assert waited_ms < TIMEOUT_MS + 3000


def test_cta_click_emits_exactly_one_cta_click(
    site: tuple[PreviewServer, Server], page: Any
) -> None:
    server, events = site
    page.context.on("page", lambda p: p.close())  # the CTA opens its https link in a new tab
    page.goto(f"{server.url}#t=good")
    page.wait_for_function(FIRST_FRAME, timeout=10_000)
    box = page.locator("canvas").bounding_box()
    # the button is at (220..420, 250..330) of 640x360
    page.mouse.click(box["x"] + box["width"] * 320 / 640, box["y"] + box["height"] * 290 / 360)
    page.evaluate(f"() => {PLAYER}.events.flush()")
    deadline = time.monotonic() + 5
    clicks: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        clicks = [e for b in event_batches(events) for e in b["events"] if e["type"] == "cta_click"]
        if clicks:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    clicks = [e for b in event_batches(events) for e in b["events"] if e["type"] == "cta_click"]
    assert len(clicks) == 1
    assert clicks[0]["cta"] == "cta"


def test_closing_the_page_delivers_the_final_batch_exactly_once(
    site: tuple[PreviewServer, Server], page: Any
) -> None:
    server, events = site
    page.goto(f"{server.url}#t=good")
    page.wait_for_function(FIRST_FRAME, timeout=10_000)
    page.evaluate(f"() => {PLAYER}.requestPlay()")
    page.wait_for_timeout(1200)
    emitted = page.evaluate(f"() => {PLAYER}.events['seq']")
    assert event_batches(events) == []  # nothing sent before the page goes away (5 s batches)
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not event_batches(events):
        time.sleep(0.05)
    time.sleep(0.5)
    batches = event_batches(events)
    assert len(batches) == 1
    seqs = [e["seq"] for e in batches[0]["events"]]
    assert seqs == list(range(emitted))
    types = [e["type"] for e in batches[0]["events"]]
    assert types[:3] == ["load", "first_frame", "play"]
    _check_schema(batches[0])


def _check_schema(batch: dict[str, Any]) -> None:
    from openreel.analytics.schema import Batch

    Batch.model_validate(batch)


def test_no_request_to_openreel_carries_the_token_or_a_data_value(
    site: tuple[PreviewServer, Server], page: Any
) -> None:
    server, events = site
    token = "good"
    seen: list[tuple[str, dict[str, str], bytes]] = []

    def record(request: Any) -> None:
        body = request.post_data_buffer or b""
        seen.append((request.url, dict(request.all_headers()), body))

    page.on("request", record)
    page.goto(f"{server.url}#t={token}")
    page.wait_for_function(FIRST_FRAME, timeout=10_000)
    page.evaluate(f"() => {PLAYER}.requestPlay()")
    page.wait_for_timeout(1500)
    page.evaluate(f"() => {PLAYER}.events.flush()")
    page.wait_for_timeout(300)
    page.close(run_before_unload=True)
    time.sleep(0.5)
    openreel = (f"http://127.0.0.1:{server.port}", f"http://127.0.0.1:{events.port}")
    mine = [s for s in seen if s[0].startswith(openreel)]
    assert mine, "the page made no request to the OpenReel origin"
    secrets = [f"t={token}", str(VIEWER["first_name"]), "Zo%C3%AB", str(VIEWER["points"])]
    for url, headers, body in mine:
        blob = url + json.dumps(headers) + body.decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in blob, f"{secret!r} sent to {url}"
    # the server side saw the same: no token, no name, no points in any request or batch
    for rec in events.records:
        text = rec.path + json.dumps(rec.headers) + rec.body.decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in text


def test_live_fields_are_refetched_while_playing(
    site: tuple[PreviewServer, Server], brand: Server, page: Any
) -> None:
    server, _ = site
    page.goto(f"{server.url}#t=live")
    page.wait_for_function(FIRST_FRAME, timeout=10_000)
    first = page.evaluate(f"() => {PLAYER}.timeline.scenes[0].layers[3].text")
    page.evaluate(f"() => {PLAYER}.requestPlay()")
    page.wait_for_function(
        f"() => {PLAYER}.timeline.scenes[0].layers[3].text !== {json.dumps(first)}", timeout=5_000
    )
    later = page.evaluate(f"() => {PLAYER}.timeline.scenes[0].layers[3]")
    assert later["text"].endswith(" pts") and later["text"] != first
    # only the live field changed: the name is still the viewer's
    name = page.evaluate(f"() => {PLAYER}.timeline.scenes[0].layers[1].text")
    assert name == f"Hello, {VIEWER['first_name']}!"


def test_keyboard_controls_play_captions_and_seek(
    site: tuple[PreviewServer, Server], page: Any
) -> None:
    server, _ = site
    page.goto(f"{server.url}#t=good")
    page.wait_for_function(FIRST_FRAME, timeout=10_000)
    page.focus(".openreel")
    page.keyboard.press("c")
    assert page.get_attribute("button[aria-label=Captions]", "aria-pressed") == "true"
    page.keyboard.press(" ")
    page.wait_for_function(f"() => {PLAYER}.playing", timeout=2_000)
    assert page.get_attribute(".openreel button[aria-label=Pause]", "aria-label") == "Pause"
    page.keyboard.press("k")
    page.wait_for_function(f"() => !{PLAYER}.playing", timeout=2_000)
    page.keyboard.press("End")
    page.wait_for_function(f"() => {PLAYER}.frame === {PLAYER}.timeline.frames - 1", timeout=2_000)
    page.keyboard.press("Home")
    page.wait_for_function(f"() => {PLAYER}.frame === 0", timeout=2_000)
    assert page.errors == []


_PIXELS = (
    "() => { const c = document.querySelector('#openreel canvas');"
    " return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) }"
)


def test_poster_shows_while_the_data_is_on_its_way(
    site: tuple[PreviewServer, Server], page: Any
) -> None:
    import numpy as np

    server, _ = site
    page.goto(f"{server.url}#t=slow")  # the data never comes: the timeout falls back
    page.wait_for_function(f"() => {PLAYER}?.posterShown === true", timeout=TIMEOUT_MS)
    assert page.evaluate(f"() => {PLAYER}.firstFrameAt") is None
    poster = np.array(page.evaluate(_PIXELS), dtype=np.float64)
    page.wait_for_function(FIRST_FRAME, timeout=TIMEOUT_MS + 5_000)
    assert page.evaluate(f"() => {PLAYER}.dataOrigin") == "defaults"
    first = np.array(page.evaluate(_PIXELS), dtype=np.float64)
    # the poster is frame 0 with the defaults, drawn by the server: the player's own first
    # frame with the defaults matches it (JPEG and renderer differences only) ...
    mse = float(np.mean((poster - first) ** 2))
    psnr = 10 * np.log10(255**2 / max(mse, 1e-9))
    print(f"poster vs first frame with defaults: PSNR {psnr:.1f} dB")
    assert psnr >= 25, psnr
    # ... and it is not a blank background
    rgb = poster.reshape(-1, 4)[:, :3]
    assert float(rgb.std(axis=0).max()) > 20
    assert page.errors == []
