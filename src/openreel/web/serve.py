"""``openreel preview``: a bundle served on loopback, with the viewer's data in the fragment.

The data goes in the URL fragment (``#d=<base64url of the JSON>``), which the browser never
sends to the server: the preview server only ever sees requests for the bundle's static files.
The server binds 127.0.0.1 only and serves the bundle folder read-only with the right content
types (``.wasm`` as ``application/wasm``).
"""

from __future__ import annotations

import base64
import functools
import io
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def fragment_for(data: Any) -> str:
    """``d=<base64url JSON>`` (no padding), the fragment that carries inline data."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return "d=" + base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".css": "text/css",
    }

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: paths only, but keep the console for the URL

    def end_headers(self) -> None:
        # content-addressed files never change; the page and the manifest always may
        name = self.path.split("?")[0].rsplit("/", 1)[-1]
        fixed = name in ("", "index.html", "bundle.json")
        self.send_header(
            "Cache-Control", "no-store" if fixed else "public, max-age=31536000, immutable"
        )
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def send_head(self) -> Any:
        """Answer ``Range: bytes=a-b`` with 206 (browsers seek in clips with ranges; without
        them a seek snaps back to the start)."""
        match = _RANGE.fullmatch(self.headers.get("Range", "").strip())
        if match is None:
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first = int(match.group(1)) if match.group(1) else max(0, size - int(match.group(2) or 0))
        last = int(match.group(2)) if match.group(1) and match.group(2) else size - 1
        last = min(last, size - 1)
        if first > last:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        with path.open("rb") as f:
            f.seek(first)
            body = f.read(last - first + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class PreviewServer:
    """Serves ``folder`` on ``127.0.0.1:port`` (0: any free port) in a background thread."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        handler = functools.partial(_Handler, directory=str(folder))
        self.httpd = ThreadingHTTPServer((LOOPBACK, port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def start(self) -> PreviewServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
