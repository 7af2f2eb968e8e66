"""Generators of test media (in memory; nothing binary is committed) and loopback canary HTTP
servers that count hits. Imported by conftest.py and the test modules of this folder."""

from __future__ import annotations

import http.server
import io
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

# 125 colours on a 5-level RGB grid (pairwise distance >= 64 in one channel); frame i shows
# GRID[(i * 37) % 125] so consecutive frames differ strongly.
_LEVELS = (0, 64, 128, 191, 255)
GRID = [(r, g, b) for r in _LEVELS for g in _LEVELS for b in _LEVELS]


def frame_color(i: int) -> tuple[int, int, int]:
    """The RGB colour of frame ``i`` in colour-per-frame fixtures."""
    return GRID[(i * 37) % len(GRID)]


def identify(rgb: npt.NDArray[Any]) -> int:
    """Index in GRID order (0..124) of the grid colour nearest to ``rgb``; see frame_index."""
    dist = np.abs(np.array(GRID, np.int32) - np.asarray(rgb, np.int32)).sum(axis=1)
    return int(np.argmin(dist))


def frame_index(rgb: npt.NDArray[Any], count: int) -> int:
    """Which frame (0..count-1, count <= 125) shows the colour nearest to ``rgb``."""
    slot = identify(rgb)
    return next(i for i in range(count) if (i * 37) % len(GRID) == slot)


def solid_bgra(size: tuple[int, int], rgb: tuple[int, int, int], alpha: int = 255) -> U8:
    w, h = size
    out = np.empty((h, w, 4), np.uint8)
    out[...] = (rgb[2], rgb[1], rgb[0], alpha)
    return out


def tone(seconds: float, freq: float = 440.0, amp: float = 0.25, rate: int = 48_000) -> F32:
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    mono = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([mono, mono])


def make_av(
    *,
    fps: Fraction = Fraction(30),
    count: int = 30,
    size: tuple[int, int] = (64, 48),
    fmt: str = "mp4",
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    audio: F32 | None = None,
    audio_codec: str = "aac",
    audio_rate: int = 48_000,
    color: Callable[[int], tuple[int, int, int]] = frame_color,
    video: bool = True,
    options: dict[str, str] | None = None,
    alpha: int = 255,
    container_options: dict[str, str] | None = None,
) -> bytes:
    """Encode a small file with PyAV directly (independent of openreel's encoder).

    Frame i is a solid ``color(i)``; ``audio`` is float32 (2, n) at ``audio_rate``.
    """
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt, container_options=container_options or {}) as out:
        vs: Any = None
        if video:
            vs = out.add_stream(codec, rate=fps, options=options or {})
            vs.width, vs.height = size
            vs.pix_fmt = pix_fmt
            vs.codec_context.time_base = 1 / fps
        aus: Any = None
        if audio is not None:
            aus = out.add_stream(audio_codec, rate=audio_rate)
            aus.codec_context.layout = "stereo"
        if video:
            for i in range(count):
                pixels = solid_bgra(size, color(i), alpha)
                frame = av.VideoFrame.from_ndarray(pixels, format="bgra")
                frame = frame.reformat(format=pix_fmt, dst_colorspace="ITU709")
                frame.pts = i
                frame.time_base = 1 / fps
                out.mux(vs.encode(frame))
            out.mux(vs.encode(None))
        if audio is not None:
            step = aus.codec_context.frame_size or 1024
            for pos in range(0, audio.shape[1], step):
                chunk = np.ascontiguousarray(audio[:, pos : pos + step])
                af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                af.sample_rate = audio_rate
                af.pts = pos
                af.time_base = Fraction(1, audio_rate)
                out.mux(aus.encode(af))
            out.mux(aus.encode(None))
    return buf.getvalue()


def image_bytes(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


# --- loopback canary servers -------------------------------------------------------------------
Route = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Canary:
    """An HTTP server on one loopback address that counts requests and serves ``routes``."""

    host: str
    port: int
    server: http.server.ThreadingHTTPServer
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str, *, host: str | None = None, scheme: str = "http") -> str:
        return f"{scheme}://{host or self.host}:{self.port}{path}"


def _handler(canary_ref: list[Canary]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # one request per connection (the fetcher closes)
            canary = canary_ref[0]
            canary.hits.append(self.path)
            canary.headers.append({k.lower(): v for k, v in self.headers.items()})
            route = canary.routes.get(self.path.split("?")[0])
            try:
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def start_canary(host: str, port: int = 0, *, tls: Any = None) -> Canary:
    ref: list[Canary] = []
    server = http.server.ThreadingHTTPServer((host, port), _handler(ref))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    canary = Canary(host, server.server_address[1], server)
    ref.append(canary)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    return canary


def free_port_on_all(hosts: list[str]) -> int:
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = int(probe.getsockname()[1])
        ok = True
        for host in hosts[1:]:
            with socket.socket() as other:
                try:
                    other.bind((host, port))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no common free port on the loopback aliases")


def respond(
    handler: http.server.BaseHTTPRequestHandler,
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "application/octet-stream",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> None:
    """Send a complete answer (``length`` overrides Content-Length, to lie)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()
