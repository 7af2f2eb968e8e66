"""Loopback servers for the browser tests: a fake brand data endpoint (HTTPS on 127.0.0.2,
reached as ``brand.test`` through Chromium's host resolver rules) and an events collector."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

VIEWER = {"first_name": "Zoë Canary-7Q", "points": 4242}
TIMEOUT_MS = 1500
BRAND_HOST = "brand.test"
BRAND_IP = "127.0.0.2"
SLOW_S = 10.0


@dataclass
class Recorded:
    """What a server saw: method, path (with query), headers, body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "accept, content-type")

    def _record(self) -> Recorded:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rec = Recorded(self.command, self.path, dict(self.headers.items()), body)
        self.server.records.append(rec)  # type: ignore[attr-defined]
        return rec

    def do_OPTIONS(self) -> None:
        self._record()
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()


class BrandHandler(_Quiet):
    """``/data?token=good`` answers the viewer's data; ``fail`` a 500; ``slow`` after 10 s;
    ``live`` the data with ``points`` counting the requests."""

    def do_GET(self) -> None:
        self._record()
        token = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        data: dict[str, Any] = self.server.viewer  # type: ignore[attr-defined]
        if token == "slow":
            time.sleep(SLOW_S)
        if token == "live":  # the live field changes on every request
            self.server.live_count = getattr(self.server, "live_count", 0) + 1  # type: ignore[attr-defined]
            data = {**data, "points": self.server.live_count}  # type: ignore[attr-defined]
            token = "good"
        if token in ("good", "slow"):
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            body = b'{"error": "nope"}'
            self.send_response(500)
        self._cors()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class EventsHandler(_Quiet):
    """Accepts event batches (any content type) and records them."""

    def do_POST(self) -> None:
        self._record()
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server:
    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str, tls: ssl.SSLContext | None = None
    ) -> None:
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.records = []  # type: ignore[attr-defined]
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def records(self) -> list[Recorded]:
        return self.httpd.records  # type: ignore[attr-defined, no-any-return]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed(folder: Path) -> ssl.SSLContext:
    """A TLS context with a fresh self-signed certificate for ``brand.test`` (openssl CLI)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={BRAND_HOST}", "-addext", f"subjectAltName=DNS:{BRAND_HOST}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def event_batches(server: Server) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.records if r.method == "POST" and r.body]
