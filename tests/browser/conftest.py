"""Browser fixtures: Debian's Chromium driven by Playwright, a bundle of a small test template
whose ``source`` is the fake brand endpoint, and the loopback servers of ``player_servers.py``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from player_servers import (
    BRAND_HOST,
    BRAND_IP,
    TIMEOUT_MS,
    VIEWER,
    BrandHandler,
    EventsHandler,
    Server,
    self_signed,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
    elif shutil.which("openssl") is None:
        reason = "the openssl command is needed for the fake brand endpoint's certificate"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Playwright for Python is not installed (pip install playwright)"
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def brand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(BrandHandler, BRAND_IP, tls=self_signed(tmp_path_factory.mktemp("tls")))
    server.httpd.viewer = VIEWER  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture()
def events() -> Iterator[Server]:
    server = Server(EventsHandler, "127.0.0.1")
    yield server
    server.stop()


def make_template(brand_port: int) -> dict[str, Any]:
    return {
        "openreel": 1,
        "id": "browser-test",
        "size": [640, 360],
        "fps": 30,
        "background": "#101828",
        "data": {
            "first_name": {"type": "string", "pii": True, "default": "there"},
            "points": {"type": "number", "default": 0, "live": True},
        },
        "source": {
            "url": f"https://{BRAND_HOST}:{brand_port}/data?token={{token}}",
            "timeout_ms": TIMEOUT_MS,
            "refresh_s": 1,
        },
        "scenes": [
            {
                "id": "hello",
                "duration": 4,
                "layers": [
                    {"type": "shape", "fill": "#1d4ed8", "x": 20, "y": 20, "width": 600,
                     "height": 200, "radius": 24},
                    {"id": "name", "type": "text", "text": "Hello, {{ first_name }}!",
                     "x": 40, "y": 60, "width": 560, "height": 120, "size": 56,
                     "align": "center", "fit": "shrink"},
                    {"id": "cta", "type": "button", "text": "Claim",
                     "href": "https://brand.example/offer", "x": 220, "y": 250,
                     "width": 200, "height": 80},
                    {"id": "points", "type": "text", "text": "{{ points }} pts", "x": 460,
                     "y": 300, "width": 160, "height": 40, "size": 24},
                ],
            }
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def bundle_factory(tmp_path_factory: pytest.TempPathFactory, brand: Server) -> Any:
    from openreel.web import build_bundle

    def make(events_url: str | None) -> Path:
        folder = tmp_path_factory.mktemp("template")
        (folder / "template.json").write_text(json.dumps(make_template(brand.port)))
        out = tmp_path_factory.mktemp("bundle")
        build_bundle(folder, out, events_url=events_url)
        return out

    return make


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module: Playwright's sync API keeps an event loop running in this
    thread while it is open, so it must not outlive the browser tests (other suites call
    ``asyncio.run``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                f"--host-resolver-rules=MAP {BRAND_HOST} {BRAND_IP}",
            ],
        )
        yield instance
        instance.close()
