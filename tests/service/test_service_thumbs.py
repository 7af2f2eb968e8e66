"""Thumbnails at open and social previews: data-free, cached, audience-checked (row 44)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from service_helpers import Server

from openreel.service.thumbs import placeholder_jpeg, thumb_size


def _thumb_path(server: Server, **query: object) -> str:
    link = server.link(audience="thumb")
    assert link["url"].startswith("https://video.example/thumb/spring/")
    path: str = link["url"].removeprefix("https://video.example")
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def test_thumbnail_is_a_cached_jpeg(server: Server) -> None:
    path = _thumb_path(server, at=1.5, w=320)
    r = server.client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["cache-control"].startswith("public")
    image = Image.open(io.BytesIO(r.content))
    assert (image.format, image.size) == ("JPEG", (320, 180))
    assert image.getexif() == {}
    state = server.client.app.state.openreel  # type: ignore[attr-defined]
    cached = Path(state.settings.data_dir) / "cache" / "thumbs" / server.version / "1500-320.jpg"
    assert cached.read_bytes() == r.content
    # every link of the campaign gets the same, data-free picture
    assert server.client.get(_thumb_path(server, at=1.5, w=320)).content == r.content


def test_thumbnail_needs_a_thumb_token(server: Server) -> None:
    player = server.link(audience="player")
    r = server.client.get(f"/thumb/spring/{player['token']}.jpg")
    assert r.status_code == 401 and r.json()["code"] == "OR-E607"
    assert server.client.get("/thumb/spring/not.a.token.jpg").status_code == 401
    assert server.client.get("/thumb/nope/x.jpg").status_code == 404


def test_thumbnail_parameters_are_checked(server: Server) -> None:
    path = _thumb_path(server)
    assert server.client.get(path + "?at=99").status_code == 422
    assert server.client.get(path + "?w=5000").status_code == 422
    assert server.client.get(path + "?at=-1").status_code == 422
    gif = path.removesuffix(".jpg") + ".gif"
    assert server.client.get(gif + "?w=481").status_code == 422  # previews are <= 480 px


def test_social_preview_needs_no_token(server: Server) -> None:
    r = server.client.get("/og/spring.jpg?w=600")
    assert r.status_code == 200
    assert Image.open(io.BytesIO(r.content)).size == (608, 342)  # width rounded to 16s
    link = server.link()
    page = server.client.get(f"/v/spring?l={link['token']}").text
    assert '<meta property="og:image" content="https://video.example/og/spring.jpg">' in page


def test_time_and_width_are_rounded_so_the_cache_stays_bounded(server: Server) -> None:
    path = _thumb_path(server)
    a = server.client.get(path + "?at=1.01&w=325").content
    b = server.client.get(path + "?at=0.96&w=318").content
    assert a == b
    state = server.client.app.state.openreel  # type: ignore[attr-defined]
    folder = Path(state.settings.data_dir) / "cache" / "thumbs" / server.version
    assert [p.name for p in folder.iterdir()] == ["1000-320.jpg"]


def test_sizes_and_placeholder() -> None:
    assert thumb_size((1080, 1920), 641) == (640, 1138)
    assert thumb_size((640, 360), 99999) == (1920, 1080)
    image = Image.open(io.BytesIO(placeholder_jpeg((64, 36))))
    assert image.size == (64, 36)
