"""``make demo``: OpenReel and a tiny demo brand endpoint on loopback, with a link per viewer.

What it does, all on 127.0.0.1 with a temporary data folder:

1. starts the demo brand: an HTTPS listener (self-signed certificate for ``localhost``) that
   the browser player calls with the brand token from the link's fragment
   (``/video-data?token=<t>``, CORS for the OpenReel origin), and an HTTP listener that
   OpenReel calls in server mode (``/server-data?view=<view id>``); the customers are
   ``examples/*/viewers/*.json``, each under a random brand token and a random view id;
2. starts ``openreel serve`` in this process (uvicorn), creates an API key, uploads and
   publishes each example (its ``source.url`` pointed at the demo brand), creates a
   ``device`` and a ``server`` campaign per example and mints a link per viewer;
3. prints, per viewer, the on-device link (``/v/...?l=...#t=<brand token>``) and the
   server-mode link, then serves until Ctrl-C.

With ``CI=true`` it instead checks that every printed landing page and one thumbnail answer
200, then exits (0 when all did, 1 otherwise). Demo only: the server-mode fetch is allowed to
reach loopback over plain HTTP here, which a real deployment never allows.
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import json
import os
import secrets
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from openreel.service import Settings, app_state, create_api_key, create_app

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Customers:
    """Sample viewers by brand token (browser) and by view id (server mode)."""

    by_token: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_view: dict[str, dict[str, Any]] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _tls_context(folder: Path) -> ssl.SSLContext:
    """A self-signed certificate for ``localhost`` and 127.0.0.1 (demo only)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "key.pem").write_bytes(pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def start_brand(customers: Customers, origin: str, tls: ssl.SSLContext | None) -> int:
    """Start one brand listener (HTTPS when ``tls``) in a daemon thread; returns its port."""

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Headers", "accept")
            self.send_header("Vary", "Origin")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_OPTIONS(self) -> None:
            self._send(204, b"")

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            found = None
            if parts.path == "/video-data":
                found = customers.by_token.get(query.get("token", ""))
            elif parts.path == "/server-data":
                found = customers.by_view.get(query.get("view", ""))
            elif parts.path == "/":
                self._send(200, b'{"demo brand": "ok"}')
                return
            if found is None:
                self._send(404, b'{"error": "unknown"}')
            else:
                self._send(200, json.dumps(found, ensure_ascii=False).encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the demo brand logs nothing (its requests carry tokens)

    httpd = ThreadingHTTPServer((HOST, 0), Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return int(httpd.server_address[1])


def template_zip(folder: Path, source_url: str) -> bytes:
    """The example folder as a zip, its ``source.url`` pointed at the demo brand."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if not path.is_file() or rel.startswith("viewers/"):
                continue
            if rel == "template.json":
                doc = json.loads(path.read_text(encoding="utf-8"))
                doc["source"] = {**doc.get("source", {}), "url": source_url}
                zf.writestr(rel, json.dumps(doc, ensure_ascii=False))
            else:
                zf.write(path, rel)
    return buf.getvalue()


def start_openreel(data_dir: Path, port: int) -> tuple[Any, uvicorn.Server]:
    settings = Settings(
        data_dir=data_dir,
        host=HOST,
        port=port,
        events_flush_interval_s=0.5,
        fetch_allow_http=True,  # demo only: the brand's server-mode endpoint is loopback HTTP
        fetch_allowed_networks=(f"{HOST}/32",),
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host=HOST, port=port, log_config=None, access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    end = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > end:
            raise SystemExit("openreel serve did not start")
        time.sleep(0.05)
    return app, server


def setup_examples(
    client: httpx.Client, customers: Customers, brand_https: str, brand_http: str
) -> list[tuple[str, str, str]]:
    """Publish both examples, make their campaigns and links; ``(label, device, server)``."""
    rows = []
    for folder in sorted(p.parent for p in ROOT.glob("examples/*/template.json")):
        name = folder.name
        archive = template_zip(folder, f"{brand_https}/video-data?token={{token}}")
        r = client.post(
            "/api/templates", content=archive, headers={"Content-Type": "application/zip"}
        )
        r.raise_for_status()
        version = r.json()["id"]
        client.post(f"/api/templates/{version}/publish").raise_for_status()
        client.post(
            "/api/campaigns", json={"id": f"{name}-device", "template_version": version}
        ).raise_for_status()
        server_campaign = {
            "id": f"{name}-server",
            "template_version": version,
            "mode": "server",
            "data_endpoint": f"{brand_http}/server-data?view={{view_id}}",
        }
        client.post("/api/campaigns", json=server_campaign).raise_for_status()
        for viewer in sorted(folder.glob("viewers/*.json")):
            data = json.loads(viewer.read_text(encoding="utf-8"))
            token, view = secrets.token_urlsafe(12), f"v-{secrets.token_hex(6)}"
            customers.by_token[token] = data
            customers.by_view[view] = data
            links = {}
            for mode in ("device", "server"):
                r = client.post(f"/api/campaigns/{name}-{mode}/links", json={"view_ids": [view]})
                r.raise_for_status()
                links[mode] = r.json()["links"][0]["url"]
            rows.append((f"{name}/{viewer.stem}", f"{links['device']}#t={token}", links["server"]))
    return rows


def check(client: httpx.Client, rows: list[tuple[str, str, str]]) -> bool:
    """Every landing page and one thumbnail answer 200."""
    ok = True
    for label, device, server in rows:
        for url in (device, server):
            status = client.get(url.split("#", 1)[0]).status_code
            ok &= status == 200
            print(f"{status} {label} {url.split('?', 1)[0]}")
    campaign = rows[0][1].split("/v/", 1)[1].split("?", 1)[0]
    r = client.post(f"/api/campaigns/{campaign}/links", json={"audience": "thumb"})
    thumb = client.get(r.json()["links"][0]["url"] + "?w=320")
    print(f"{thumb.status_code} thumbnail {thumb.headers.get('content-type')}")
    return ok and thumb.status_code == 200


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the demo as Ctrl-C does (temp folder removed)


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    port = int(os.environ.get("OPENREEL_DEMO_PORT", "0")) or _free_port()
    origin = f"http://{HOST}:{port}"
    customers = Customers()
    with tempfile.TemporaryDirectory(prefix="openreel-demo-") as tmp:
        brand_https = f"https://localhost:{start_brand(customers, origin, _tls_context(Path(tmp)))}"
        brand_http = f"http://{HOST}:{start_brand(customers, origin, None)}"
        app, server = start_openreel(Path(tmp) / "data", port)
        key = create_api_key(app_state(app).storage, "demo").token
        try:
            with httpx.Client(
                base_url=origin, headers={"Authorization": f"Bearer {key}"}, timeout=60
            ) as client:
                rows = setup_examples(client, customers, brand_https, brand_http)
                if ci:
                    return 0 if check(client, rows) else 1
            print(f"\nOpenReel: {origin}   API key: {key}")
            print(f"Demo brand: {brand_https} (self-signed: open it once and accept it, so the")
            print("browser player may fetch the data) and, for server mode, " + brand_http)
            for label, device, server_link in rows:
                print(f"\n== {label}\n  on-device:   {device}\n  server mode: {server_link}")
            print("\nServing; Ctrl-C stops.")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
        finally:
            server.should_exit = True
            time.sleep(0.3)
            app_state(app).close()


if __name__ == "__main__":
    sys.exit(main())
