"""Server mode thumbnails: the brand's data pulled through the SSRF-safe fetcher (rows 22-27
at the HTTP layer), with canary brand servers on loopback aliases."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from service_helpers import Server, running

CANARY = "Canary Zq7x"


@dataclass
class Brand:
    """A loopback HTTP server that counts hits and answers per path."""

    host: str
    hits: list[str] = field(default_factory=list)
    redirect_to: str = ""
    port: int = 0

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"


def _serve(brand: Brand) -> Iterator[Brand]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            brand.hits.append(self.path)
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", brand.redirect_to)
                self.end_headers()
                return
            body = (
                b"<html><body>hi</body></html>"
                if self.path.startswith("/html")
                else json.dumps({"name": CANARY}).encode()
            )
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer((brand.host, 0), Handler)
    brand.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield brand
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def brand() -> Iterator[Brand]:
    yield from _serve(Brand("127.0.0.1"))


@pytest.fixture
def other_host() -> Iterator[Brand]:
    yield from _serve(Brand("127.0.0.3"))


def _campaign(srv: Server, endpoint: str, cid: str = "srv") -> str:
    body = {"id": cid, "template_version": srv.version, "mode": "server", "data_endpoint": endpoint}
    r = srv.client.post("/api/campaigns", json=body, headers=srv.auth)
    assert r.status_code == 201, r.text
    r = srv.client.post(
        f"/api/campaigns/{cid}/links",
        json={"view_ids": ["v-42"], "audience": "thumb"},
        headers=srv.auth,
    )
    url: str = r.json()["links"][0]["url"]
    return url.removeprefix("https://video.example") + "?at=1&w=320"


def test_personal_thumbnail_from_the_brand(
    tmp_path: Path, brand: Brand, caplog: pytest.LogCaptureFixture
) -> None:
    with running(
        tmp_path / "d", fetch_allow_http=True, fetch_allowed_networks=("127.0.0.1/32",)
    ) as srv:
        path = _campaign(srv, brand.origin + "/data?view={view_id}&link={link}")
        with caplog.at_level(logging.DEBUG):
            r = srv.client.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "private, max-age=300"
        generic = srv.client.get("/og/srv.jpg?at=1&w=320")
        assert generic.content != r.content  # the canary name was drawn
        (hit,) = brand.hits
        query = parse_qs(urlsplit(hit).query)
        assert query["view"] == ["v-42"]
        # the brand can check the link with the public JWKS before answering
        jwks = srv.client.get("/.well-known/jwks.json").json()
        key = jwt.PyJWK(jwks["keys"][0]).key
        claims = jwt.decode(query["link"][0], key, algorithms=["EdDSA"], audience="thumb")
        assert claims["sub"] == "v-42"
        assert CANARY not in caplog.text
        data_dir = Path(srv.client.app.state.openreel.settings.data_dir)  # type: ignore[attr-defined]
        assert not any(data_dir.rglob("*v-42*"))


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:{port}/data?v={view_id}",
        "https://localhost:{port}/data?v={view_id}",
        "https://[::ffff:127.0.0.1]:{port}/data?v={view_id}",
        "https://2130706433:{port}/data?v={view_id}",
        "https://0x7f000001:{port}/data?v={view_id}",
        "http://127.0.0.1:{port}/data?v={view_id}",
    ],
)
def test_blocked_destinations_fall_back_to_the_generic_still(
    tmp_path: Path, brand: Brand, endpoint: str
) -> None:
    with running(tmp_path / "d") as srv:
        path = _campaign(srv, endpoint.format(port=brand.port, view_id="{view_id}"))
        r = srv.client.get(path)
        assert r.status_code == 200
        assert r.headers["cache-control"].startswith("public")
        assert r.content == srv.client.get("/og/srv.jpg?at=1&w=320").content
        assert brand.hits == []
        assert "openreel_brand_data_failed_total{code=" in srv.client.get("/metrics").text


def test_redirect_to_a_blocked_host_is_not_followed(
    tmp_path: Path, brand: Brand, other_host: Brand
) -> None:
    brand.redirect_to = other_host.origin + "/steal"
    with running(
        tmp_path / "d", fetch_allow_http=True, fetch_allowed_networks=("127.0.0.1/32",)
    ) as srv:
        path = _campaign(srv, brand.origin + "/redirect?v={view_id}")
        r = srv.client.get(path)
        assert r.status_code == 200 and r.headers["cache-control"].startswith("public")
        assert len(brand.hits) == 1 and other_host.hits == []
        assert 'code="OR-E420"' in srv.client.get("/metrics").text


def test_html_answer_is_refused(tmp_path: Path, brand: Brand) -> None:
    with running(
        tmp_path / "d", fetch_allow_http=True, fetch_allowed_networks=("127.0.0.1/32",)
    ) as srv:
        path = _campaign(srv, brand.origin + "/html?v={view_id}")
        r = srv.client.get(path)
        assert r.status_code == 200 and r.headers["cache-control"].startswith("public")
        assert 'code="OR-E425"' in srv.client.get("/metrics").text


def test_server_mode_page_renders_then_plays(tmp_path: Path, brand: Brand) -> None:
    with running(
        tmp_path / "d", fetch_allow_http=True, fetch_allowed_networks=("127.0.0.1/32",)
    ) as srv:
        body = {
            "id": "srv",
            "template_version": srv.version,
            "mode": "server",
            "data_endpoint": brand.origin + "/data?view={view_id}",
        }
        assert srv.client.post("/api/campaigns", json=body, headers=srv.auth).status_code == 201
        r = srv.client.post("/api/campaigns/srv/links", json={}, headers=srv.auth)
        token = r.json()["links"][0]["token"]
        assert srv.client.get(f"/m/srv/{token}.mp4").status_code == 404  # nothing queued yet
        first = srv.client.get(f"/v/srv?l={token}")
        assert first.status_code == 200
        assert 'http-equiv="refresh"' in first.text and "<video" not in first.text
        assert first.headers["referrer-policy"] == "no-referrer"
        page = first
        for _ in range(600):
            page = srv.client.get(f"/v/srv?l={token}")
            if "<video" in page.text:
                break
            time.sleep(0.05)
        assert f'src="/m/srv/{token}.mp4"' in page.text
        assert CANARY not in page.text
        video = srv.client.get(f"/m/srv/{token}.mp4")
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        assert video.content[4:8] == b"ftyp"
        assert len(brand.hits) == 1  # one job per link, however often the page reloads
        thumb_token = srv.link(audience="thumb")["token"]
        assert srv.client.get(f"/m/srv/{thumb_token}.mp4").status_code == 401
