"""Zero-knowledge, proven (RELIABILITY rows 41-42): a real Chromium plays an on-device link
whose brand endpoint (HTTPS on 127.0.0.2) answers canary values; everything the OpenReel
server received (request lines, headers, bodies), logged or wrote to disk is searched for every
canary raw, lower-cased, URL-encoded, base64, JSON-escaped and as MD5/SHA-1/SHA-256. None may
be found. The same run with a deliberate leak (the page posts the data to the server) finds
them, so the check can fail."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from service_helpers import make_settings, zip_bytes
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openreel.service import app_state, create_api_key, create_app
from openreel.service.observe import JsonFormatter

CHROMIUM = Path("/usr/bin/chromium")
BRAND_HOST, BRAND_IP = "brand.test", "127.0.0.2"
CANARIES = ("Zoë Canary-7Q", "Qx9-Canaryville")
VIEWER = {"first_name": CANARIES[0], "city": CANARIES[1]}
PLAYER = "document.querySelector('#openreel').__openreel"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


def encodings(value: str) -> set[bytes]:
    """Every form of ``value`` the check looks for."""
    raw = value.encode()
    forms = {value, value.lower(), quote(value), quote_plus(value), quote(value.lower())}
    forms |= {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    for data in (raw, value.lower().encode()):
        forms |= {base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()}
        forms |= {base64.b64encode(data).decode().rstrip("=")}
        for algo in ("md5", "sha1", "sha256"):
            forms.add(hashlib.new(algo, data).hexdigest())
    return {f.encode() for f in forms}


def found(blobs: list[bytes]) -> set[str]:
    hits = set()
    for canary in CANARIES:
        for form in encodings(canary):
            if any(form in blob or form in blob.lower() for blob in blobs):
                hits.add(f"{canary}:{form[:20]!r}")
    return hits


# --- the fake brand endpoint (HTTPS, CORS) ----------------------------------------------------
def _tls(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, BRAND_HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(BRAND_HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@dataclass
class Brand:
    port: int = 0
    gets: list[str] = field(default_factory=list)
    mode: str = "ok"  # "ok", "500" (canaries in the error body), "nocors", "slow" (10 s)


@pytest.fixture
def brand(tmp_path: Path) -> Iterator[Brand]:
    state = Brand()

    class Handler(BaseHTTPRequestHandler):
        def _cors(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "accept, content-type")

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            state.gets.append(self.path)
            body = json.dumps(VIEWER, ensure_ascii=False).encode()
            if state.mode == "slow":
                time.sleep(10)
            self.send_response(500 if state.mode == "500" else 200)
            if state.mode != "nocors":
                self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer((BRAND_IP, 0), Handler)
    httpd.socket = _tls(tmp_path).wrap_socket(httpd.socket, server_side=True)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


# --- the OpenReel server under uvicorn, with everything it receives recorded -----------------
class Recorder:
    """ASGI wrapper keeping each request's line, headers and body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        parts = [f"{scope['method']} ".encode() + scope["raw_path"] + b"?" + scope["query_string"]]
        parts += [k + b": " + v for k, v in scope["headers"]]

        async def recording() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                parts.append(message.get("body", b""))
            return message

        try:
            await self.app(scope, recording, send)
        finally:
            self.seen.append(b"\n".join(parts))


@dataclass
class Live:
    base: str
    recorder: Recorder
    logs: list[str]
    data_dir: Path
    auth: dict[str, str]
    app: Any


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "data"
    app = create_app(make_settings(data_dir, public_url=base, events_store="events.duckdb"))
    recorder = Recorder(app)
    logs: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: logs.append(JsonFormatter().format(record))  # type: ignore[method-assign]
    logger = logging.getLogger("openreel")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    server = uvicorn.Server(uvicorn.Config(recorder, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    key = create_api_key(app_state(app).storage, "zk").token
    try:
        yield Live(base, recorder, logs, data_dir, {"Authorization": f"Bearer {key}"}, app)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        app_state(app).close()


def _template(brand_port: int) -> dict[str, Any]:
    return {
        "openreel": 1,
        "id": "zk",
        "size": [640, 360],
        "fps": 30,
        "data": {
            "first_name": {"type": "string", "pii": True, "default": "there"},
            "city": {"type": "string", "pii": True, "default": "your city"},
        },
        "source": {"url": f"https://{BRAND_HOST}:{brand_port}/data?token={{token}}"},
        "scenes": [
            {
                "id": "a",
                "duration": 2,
                "layers": [
                    {"type": "text", "text": "Hi {{ first_name }} from {{ city }}", "size": 40}
                ],
            }
        ],
    }


def _link(live: Live, brand: Brand) -> str:
    with httpx.Client(base_url=live.base, headers=live.auth) as c:
        doc = json.dumps(_template(brand.port))
        r = c.post(
            "/api/templates",
            content=zip_bytes({"template.json": doc}),
            headers={"Content-Type": "application/zip"},
        )
        version = r.json()["id"]
        assert c.post(f"/api/templates/{version}/publish").status_code == 200
        c.post("/api/campaigns", json={"id": "zk", "template_version": version})
        url: str = c.post("/api/campaigns/zk/links", json={}).json()["links"][0]["url"]
    return url


def _play(live: Live, brand: Brand, *, leak: bool, expect: str = "") -> list[bytes]:
    from playwright.sync_api import sync_playwright

    url = _link(live, brand) + "#t=brand-secret-token"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--host-resolver-rules=MAP {BRAND_HOST} {BRAND_IP}",
            ],
        )
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(f"() => {PLAYER}?.firstFrameAt != null", timeout=15_000)
        text = page.evaluate(f"() => {PLAYER}.timeline.scenes[0].layers[0].text")
        assert text == (expect or f"Hi {CANARIES[0]} from {CANARIES[1]}")
        if leak:  # the deliberate leak: the page sends what it fetched to the server
            page.evaluate(
                "async (u) => { const d = await (await fetch(u)).text();"
                " await fetch('/api/events', {method: 'POST', body: d,"
                " headers: {'Content-Type': 'text/plain'}}) }",
                f"https://{BRAND_HOST}:{brand.port}/data?token=x",
            )
        page.close(run_before_unload=True)  # the final batch goes by sendBeacon
        time.sleep(0.5)
        context.close()
        browser.close()
    state = app_state(live.app)
    state.ingest.flush()
    assert brand.gets and "brand-secret-token" in brand.gets[0]  # the player fetched the data
    blobs = list(live.recorder.seen) + [line.encode() for line in live.logs]
    for path in live.data_dir.rglob("*"):
        if path.is_file():
            blobs.append(path.read_bytes())
    return blobs


@pytest.fixture(autouse=True)
def _needs_playwright() -> None:
    pytest.importorskip("playwright.sync_api")


def test_the_server_never_receives_the_brands_data(live: Live, brand: Brand) -> None:
    blobs = _play(live, brand, leak=False)
    assert any(b"POST /api/events" in b for b in live.recorder.seen)  # events did arrive
    assert any(b"GET /v/zk" in b for b in live.recorder.seen)
    assert found(blobs) == set()
    # the brand's token travels in the fragment only
    assert not any(b"brand-secret-token" in blob for blob in blobs)


def test_the_check_finds_a_deliberate_leak(live: Live, brand: Brand) -> None:
    blobs = _play(live, brand, leak=True)
    assert found(blobs)


@pytest.mark.parametrize(
    ("mode", "code"), [("500", "OR-E426"), ("nocors", "OR-E426"), ("slow", "OR-E423")]
)
def test_brand_errors_show_the_generic_video_and_report_codes_only(
    live: Live, brand: Brand, mode: str, code: str
) -> None:
    """RELIABILITY row 43: the brand answers 500 with canaries in the body, omits CORS, or
    takes 10 s (the player gives up after ``source.timeout_ms``, 2 s): the player draws the
    template's defaults, its error event carries the code only, and no canary reaches the
    server, its logs or its files."""
    brand.mode = mode
    blobs = _play(live, brand, leak=False, expect="Hi there from your city")
    assert found(blobs) == set()
    errors = [
        e
        for b in live.recorder.seen
        if b.startswith(b"POST /api/events")
        for e in json.loads(b.split(b"\n")[-1] or b"{}").get("events", [])
        if e.get("type") == "error"
    ]
    assert errors and {e.get("code") for e in errors} == {code}
