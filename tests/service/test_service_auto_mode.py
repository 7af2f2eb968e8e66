"""``auto`` campaigns and link-preview crawlers: who gets which page, and who pulls data."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from loopback import Receiver, serving
from service_helpers import Server, running

from openreel.service.auto_mode import is_preview_crawler
from openreel.service.server_page import link_job_key

CANARY = "Canary Auto 81"
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
CRAWLER_UAS = (
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)


@pytest.fixture
def hits() -> Iterator[tuple[list[str], str]]:
    """A loopback brand endpoint answering a canary record; yields (hits, origin)."""
    with serving(Receiver(doc={"name": CANARY})) as brand:
        yield brand.gets, brand.origin


def _auto(srv: Server, origin: str, mode: str = "auto", cid: str = "au") -> str:
    """Create a campaign and return a player link token."""
    body = {
        "id": cid,
        "template_version": srv.version,
        "mode": mode,
        "data_endpoint": origin + "/data?view={view_id}",
    }
    r = srv.client.post("/api/campaigns", json=body, headers=srv.auth)
    assert r.status_code == 201, r.text
    r = srv.client.post(f"/api/campaigns/{cid}/links", json={}, headers=srv.auth)
    token: str = r.json()["links"][0]["token"]
    return token


def _settings() -> dict[str, Any]:
    return {"fetch_allow_http": True, "fetch_allowed_networks": ("127.0.0.1/32",)}


@pytest.mark.parametrize("ua", CRAWLER_UAS)
def test_crawler_markers(ua: str) -> None:
    assert is_preview_crawler(ua)


@pytest.mark.parametrize("ua", [None, "", BROWSER_UA, "curl/8.5.0", "testclient"])
def test_browsers_are_not_crawlers(ua: str | None) -> None:
    assert not is_preview_crawler(ua)


@pytest.mark.parametrize("mode", ["auto", "server", "device"])
def test_crawlers_get_a_data_free_page_and_no_data_is_pulled(
    tmp_path: Path, hits: tuple[list[str], str], mode: str
) -> None:
    seen, origin = hits
    with running(tmp_path / "d", **_settings()) as srv:
        token = _auto(srv, origin, mode=mode)
        for ua in CRAWLER_UAS:
            r = srv.client.get(f"/v/au?l={token}", headers={"User-Agent": ua})
            assert r.status_code == 200
            assert 'property="og:image" content="https://video.example/og/au.jpg"' in r.text
            assert "openreel-config" not in r.text and "<script" not in r.text
            assert "<video" not in r.text and "refresh" not in r.text
            assert "script-src" not in r.headers["content-security-policy"]
        time.sleep(0.3)  # a job queued by mistake would have pulled the data by now
        assert seen == []
        jti = jwt.decode(token, options={"verify_signature": False})["jti"]
        storage = srv.client.app.state.openreel.storage  # type: ignore[attr-defined]
        assert storage.job_by_idem(link_job_key(jti)) is None  # no render job queued


def test_browsers_get_the_on_device_page_with_a_fallback(
    tmp_path: Path, hits: tuple[list[str], str]
) -> None:
    seen, origin = hits
    with running(tmp_path / "d", **_settings()) as srv:
        token = _auto(srv, origin)
        r = srv.client.get(f"/v/au?l={token}", headers={"User-Agent": BROWSER_UA})
        assert r.status_code == 200
        block = re.search(r'id="openreel-config">(.*?)</script>', r.text)
        assert block is not None
        config = json.loads(block.group(1))
        fallback = f"https://video.example/v/au?l={token}&mode=server"
        assert config["server_url"] == fallback
        assert f'<noscript><meta http-equiv="refresh" content="0;url={html.escape(fallback)}">' in (
            r.text
        )
        # the check script runs before the player (no inline script: the CSP forbids it)
        script = re.search(r'<script src="(/_openreel/fallback\.js)" integrity="([^"]+)"', r.text)
        assert script is not None
        assert r.text.index("fallback.js") < r.text.index("</head>")
        js = srv.client.get(script.group(1))
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        digest = base64.b64encode(hashlib.sha384(js.content).digest()).decode()
        assert script.group(2) == f"sha384-{digest}"
        assert b"server_url" in js.content and b"getContext" in js.content
        assert b"location.replace" in js.content
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "unsafe-inline" not in r.headers["content-security-policy"]
        time.sleep(0.2)
        assert seen == []  # on device: the server pulls nothing
        assert CANARY not in r.text


def test_device_campaigns_ignore_the_server_mode_switch(
    tmp_path: Path, hits: tuple[list[str], str]
) -> None:
    seen, origin = hits
    with running(tmp_path / "d", **_settings()) as srv:
        token = _auto(srv, origin, mode="device", cid="dv")
        r = srv.client.get(f"/v/dv?l={token}&mode=server", headers={"User-Agent": BROWSER_UA})
        assert r.status_code == 200 and "openreel-config" in r.text
        assert "server_url" not in r.text and "fallback.js" not in r.text
        time.sleep(0.2)
        assert seen == []


def test_the_fallback_url_plays_the_auto_link_in_server_mode(
    tmp_path: Path, hits: tuple[list[str], str]
) -> None:
    seen, origin = hits
    with running(tmp_path / "d", **_settings()) as srv:
        token = _auto(srv, origin)
        url = f"/v/au?l={token}&mode=server"
        first = srv.client.get(url, headers={"User-Agent": BROWSER_UA})
        assert first.status_code == 200
        assert "openreel-config" not in first.text
        page = first
        for _ in range(600):
            page = srv.client.get(url, headers={"User-Agent": BROWSER_UA})
            if "<video" in page.text:
                break
            time.sleep(0.05)
        assert f'src="/m/au/{token}.mp4"' in page.text
        assert CANARY not in page.text
        assert len(seen) == 1  # one data pull for the link
        video = srv.client.get(f"/m/au/{token}.mp4")
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"
        # a tampered token is refused on the fallback URL too
        bad = srv.client.get(f"/v/au?l={token[:-2]}xx&mode=server")
        assert bad.status_code == 401


CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "https://video.example"


def _browse(
    srv: Server, url: str, *, javascript: bool = True, init_script: str = ""
) -> tuple[str, list[str]]:
    """Open ``url`` in Chromium, every request to this server answered by the test client;
    returns the final URL (after at most 3 s) and the paths requested."""
    from playwright.sync_api import Route, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    requested: list[str] = []

    def handle(route: Route) -> None:
        request = route.request
        if not request.url.startswith(ORIGIN + "/"):
            route.abort()
            return
        path = request.url.removeprefix(ORIGIN)
        requested.append(path)
        r = srv.client.request(request.method, path, headers={"User-Agent": BROWSER_UA})
        headers = {
            k: v for k, v in r.headers.items() if k not in ("content-encoding", "content-length")
        }
        route.fulfill(status=r.status_code, headers=headers, body=r.content)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            context = browser.new_context(java_script_enabled=javascript)
            if init_script:
                context.add_init_script(init_script)
            context.route("**/*", handle)
            page = context.new_page()
            page.goto(url)
            with contextlib.suppress(PlaywrightTimeout):  # staying is one of the outcomes
                page.wait_for_url("**mode=server**", timeout=3000)
            final = page.url
            context.close()
        finally:
            browser.close()
    return final, requested


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
@pytest.mark.parametrize(
    ("javascript", "init_script", "falls_back"),
    [
        (False, "", True),  # no script: the <noscript> refresh
        (True, "HTMLCanvasElement.prototype.getContext = function () { return null }", True),
        (True, "delete window.fetch", True),
        (True, "", False),  # a capable browser stays on device
    ],
)
def test_auto_pages_fall_back_in_a_browser(
    tmp_path: Path,
    hits: tuple[list[str], str],
    javascript: bool,
    init_script: str,
    falls_back: bool,
) -> None:
    pytest.importorskip("playwright.sync_api")
    _, origin = hits
    with running(tmp_path / "d", **_settings()) as srv:
        token = _auto(srv, origin)
        final, requested = _browse(
            srv, f"{ORIGIN}/v/au?l={token}", javascript=javascript, init_script=init_script
        )
        server_path = f"/v/au?l={token}&mode=server"
        if falls_back:
            assert final == ORIGIN + server_path
            assert server_path in requested
        else:
            assert final == f"{ORIGIN}/v/au?l={token}"
            assert server_path not in requested
            assert "/_openreel/fallback.js" in requested  # the check ran and passed
