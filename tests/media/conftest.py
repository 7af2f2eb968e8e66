"""Fixtures for openreel.media: every piece of test media is generated here, in memory or in
tmp dirs (nothing binary is committed), plus loopback canary HTTP servers that count hits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mediagen import Canary, free_port_on_all, image_bytes, make_av, start_canary, tone
from PIL import Image


@pytest.fixture(scope="session")
def small_mp4() -> bytes:
    """1 s, 30 fps, 64x48 H.264 + 1 s AAC tone, colour per frame."""
    return make_av(count=30, audio=tone(1.0))


@pytest.fixture(scope="session")
def small_webm() -> bytes:
    """1 s, 30 fps VP9 + Opus in WebM (millisecond timestamps), colour per frame."""
    return make_av(
        count=30,
        fmt="webm",
        codec="libvpx-vp9",
        audio=tone(1.0),
        audio_codec="libopus",
        options={"deadline": "realtime", "cpu-used": "8", "crf": "10", "b": "0"},
    )


@pytest.fixture(scope="session")
def png_rgba() -> bytes:
    img = Image.new("RGBA", (40, 30), (10, 200, 30, 128))
    return image_bytes(img, "PNG")


@pytest.fixture
def canaries() -> Iterator[dict[str, Canary]]:
    """Canary servers on 127.0.0.1, 127.0.0.2 and 127.0.0.3, all on the same port."""
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    port = free_port_on_all(hosts)
    servers = {h: start_canary(h, port) for h in hosts}
    yield servers
    for canary in servers.values():
        canary.server.shutdown()
        canary.server.server_close()
