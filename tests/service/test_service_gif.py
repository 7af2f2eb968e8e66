"""Animated previews: ``/thumb/{campaign}/{token}.gif`` (short, small, cached when data-free)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageSequence
from service_helpers import Server, running, template_zip

from openreel.service.thumbs import GIF_FPS, GIF_SECONDS


def _gif_path(server: Server, view_id: str = "v-1") -> str:
    url: str = server.link(view_id, audience="thumb")["url"]
    return url.removeprefix("https://video.example").removesuffix(".jpg") + ".gif"


def test_gif_preview_is_short_small_animated_and_cached(server: Server) -> None:
    r = server.client.get(_gif_path(server) + "?w=320")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/gif"
    assert r.headers["cache-control"].startswith("public")
    image = Image.open(io.BytesIO(r.content))
    assert image.format == "GIF" and image.size == (320, 180)
    delays = [f.info.get("duration", 0) for f in ImageSequence.Iterator(image)]
    # the template lasts 2 s (< GIF_SECONDS): all of it, at 1/GIF_FPS s a frame (Pillow merges
    # identical frames, so the count varies but the total does not)
    assert GIF_SECONDS > 2 and sum(delays) == 2000 and min(delays) >= 1000 // GIF_FPS
    state = server.client.app.state.openreel  # type: ignore[attr-defined]
    cached = Path(state.settings.data_dir) / "cache" / "thumbs" / server.version / "anim-320.gif"
    assert cached.read_bytes() == r.content
    # the same picture for every link of an on-device campaign
    assert server.client.get(_gif_path(server, "v-2") + "?w=320").content == r.content


def test_gif_width_defaults_and_caps(server: Server) -> None:
    path = _gif_path(server)
    r = server.client.get(path)
    assert r.status_code == 200
    assert Image.open(io.BytesIO(r.content)).size == (480, 270)
    assert server.client.get(path + "?w=1280").status_code == 422


def test_gif_needs_a_valid_thumb_token(server: Server) -> None:
    player = server.link(audience="player")
    r = server.client.get(f"/thumb/spring/{player['token']}.gif")
    assert (r.status_code, r.json()["code"]) == (401, "OR-E607")
    assert server.client.get("/thumb/nope/x.gif").status_code == 404


def test_gif_of_a_template_without_usable_defaults_is_a_placeholder(tmp_path: Path) -> None:
    with running(tmp_path / "d") as srv:
        auth = {**srv.auth, "Content-Type": "application/zip"}
        data = {"name": {"type": "string", "pii": True}}  # required, no default
        r = srv.client.post("/api/templates", content=template_zip(data=data), headers=auth)
        version = r.json()["id"]
        srv.client.post(f"/api/templates/{version}/publish", headers=srv.auth)
        body = {"id": "bare", "template_version": version}
        assert srv.client.post("/api/campaigns", json=body, headers=srv.auth).status_code == 201
        srv.campaign = "bare"
        r = srv.client.get(_gif_path(srv) + "?w=160")
        assert r.status_code == 200
        image = Image.open(io.BytesIO(r.content))
        assert image.size == (160, 90) and getattr(image, "n_frames", 1) == 1
