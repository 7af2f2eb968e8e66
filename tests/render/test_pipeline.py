"""Stills, the CLI commands, data-bound images, Lottie slots, purity and the caches."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import typer
from PIL import Image
from rendertools import base_doc, renderer_for, write_template
from typer.testing import CliRunner

from openreel.errors import MediaError, RenderError
from openreel.pipeline import parse_size, prepare, render_still, render_still_file
from openreel.pipeline.cli import render, still
from openreel.render.shape import svg_path

PNG = io.BytesIO()
Image.new("RGBA", (8, 8), (0, 200, 0, 255)).save(PNG, format="PNG")


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.command()(render)
    app.command()(still)
    return app


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    layers = [
        {"type": "shape", "fill": "#3b82f6", "animate": {"opacity": [[0, 0], [1, 1]]}},
        {"type": "text", "text": "Hi {{ name }}", "x": 10, "y": 60, "width": 300,
         "height": 60, "size": 36},
    ]  # fmt: skip
    doc = base_doc(layers, data={"name": {"type": "string", "pii": True, "default": "you"}})
    return write_template(tmp_path / "tpl", doc)


def test_still_bytes_and_file(folder: Path, tmp_path: Path) -> None:
    jpeg = render_still(folder, {"name": "Dana"}, at=0.5, format="jpeg")
    assert jpeg[:3] == b"\xff\xd8\xff"
    png = render_still(folder, {"name": "Dana"}, at=0.5, size=(160, 90), format="png")
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (160, 90) and not im.info.get("exif")
        half = np.asarray(im.convert("RGB"))[5, 5]
    assert 60 < half[2] < 200  # the blue fill at opacity 0.5
    out = render_still_file(folder, {}, 1.0, tmp_path / "x" / "thumb.webp")
    assert out.read_bytes()[8:12] == b"WEBP"
    with pytest.raises(RenderError) as err:
        render_still(folder, {}, at=5.0)
    assert err.value.code == "OR-E504"


def test_prepared_template_is_reused(folder: Path) -> None:
    prepared = prepare(folder)
    a = render_still(prepared, {"name": "A"}, at=0.2, format="png")
    b = render_still(prepared, {"name": "B"}, at=0.2, format="png")
    assert a != b  # per-viewer text, same fonts and assets


def test_parse_size() -> None:
    assert parse_size("640x360") == (640, 360)
    for bad in ("640", "641x360", "8x8", "9000x10"):
        with pytest.raises(RenderError) as err:
            parse_size(bad)
        assert err.value.code == "OR-E503"


def test_cli_render_and_still(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli.mp4"
    result = runner.invoke(
        _app(), ["render", str(folder), "-o", str(out), "--size", "160x90", "--to", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and "15 frames" in result.output
    thumb = tmp_path / "t.png"
    result = runner.invoke(_app(), ["still", str(folder), "-o", str(thumb), "--at", "0.3"])
    assert result.exit_code == 0 and thumb.exists()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--size", "10x10"], "OR-E503"),
        (["--from", "2", "--to", "1"], "OR-E504"),
        (["--preset", "turbo"], "OR-E104"),
    ],
)
def test_cli_user_errors_exit_2(folder: Path, tmp_path: Path, args: list[str], code: str) -> None:
    result = CliRunner().invoke(
        _app(), ["render", str(folder), "-o", str(tmp_path / "x.mp4"), *args]
    )
    assert result.exit_code == 2
    assert result.output.count(code) == 1
    assert "Traceback" not in result.output


def test_cli_bad_output_suffix(folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["still", str(folder), "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "OR-E505" in result.output


def test_data_bound_image_fetched_and_placeholder(tmp_path: Path) -> None:
    layer = {"type": "image", "src": "{{ pic }}", "fit": "fill"}
    doc = base_doc([layer], data={"pic": {"type": "image", "pii": True}})
    folder = write_template(tmp_path / "url", doc)
    data = {"pic": "https://img.example/a.png"}
    good = renderer_for(folder, data, fetcher=lambda url: PNG.getvalue())
    assert tuple(good.draw(0)[90, 160, :3]) == (0, 200, 0)  # BGRA of the green PNG

    def refuse(url: str) -> bytes:
        raise MediaError("OR-E420", "blocked")

    bad = renderer_for(folder, data, fetcher=refuse)
    pixel = bad.draw(0)[90, 160, :3]
    assert tuple(pixel) == (0xAF, 0xA3, 0x9C)  # the grey placeholder
    assert [w.code for w in bad.warnings] == ["OR-E420"]
    assert "img.example" not in bad.warnings[0].message


def test_default_fetcher_refuses_loopback(tmp_path: Path) -> None:
    layer = {"type": "image", "src": "{{ pic }}"}
    doc = base_doc([layer], data={"pic": {"type": "image"}})
    folder = write_template(tmp_path / "ssrf", doc)
    renderer = renderer_for(folder, {"pic": "https://127.0.0.1/x.png"})
    renderer.draw(0)
    assert renderer.warnings and renderer.warnings[0].code == "OR-E420"


def test_lottie_slots(tmp_path: Path) -> None:
    def frame(slots: dict[str, object]) -> tuple[np.ndarray, list[str]]:
        layer = {"type": "lottie", "src": "spin", "width": 180, "height": 180, "slots": slots}
        folder = write_template(tmp_path / str(len(slots)), base_doc([layer]), assets=True)
        r = renderer_for(folder)
        return r.draw(0), [w.code for w in r.warnings]

    plain, _ = frame({})
    red, warnings = frame({"accent": "#ff0000"})
    assert warnings == []
    assert tuple(plain[90, 90, :3]) == (255, 0, 0)  # BGRA blue by default
    assert tuple(red[90, 90, :3]) == (0, 0, 255)  # red from the slot
    _, warnings = frame({"nope": 1, "accent": True})
    assert warnings == ["OR-E501", "OR-E501"]


def test_frames_are_pure(tmp_path: Path) -> None:
    layers = [
        {"type": "video", "src": "clip"},
        {"type": "lottie", "src": "spin", "x": 100, "width": 100, "height": 100},
        {"type": "text", "text": "n", "animate": {"text": {"preset": "count-up", "value": 99}}},
    ]  # fmt: skip
    doc = base_doc(layers)
    doc["scenes"][0]["duration"] = 2
    folder = write_template(tmp_path / "pure", doc, assets=True)
    warm = renderer_for(folder)
    for f in range(0, 60, 7):
        warm.draw(f)
    for f in (45, 3, 59, 3):
        assert np.array_equal(warm.draw(f), renderer_for(folder).draw(f))


def test_unchanged_frames_are_reused(folder: Path) -> None:
    doc = base_doc([{"type": "text", "text": "x", "animate": {"opacity": [[0, 0], [0.2, 1]]}}])
    r = renderer_for(write_template(folder.parent / "reuse", doc))
    for f in range(30):
        r.draw(f)
    assert r.frames_drawn == 7 and r.frames_reused == 23  # frames 6..29 equal frame 6


def test_svg_path_parser() -> None:
    assert svg_path("M0 0 h10 v10 h-10 z").getBounds().width() == 10
    assert svg_path("M.5.5L1e1,10").getBounds().right() == 10
    for bad in ("L 1 2 x", "M 1", "10 10"):
        with pytest.raises(ValueError):
            svg_path(bad)


def test_layer_caches_match_direct_drawing(tmp_path: Path) -> None:
    """The cached paths (runs, sprites, frame reuse) against drawing every layer directly."""
    layers = [
        {"type": "image", "src": "photo"},
        {"type": "shape", "x": 40, "y": 30, "width": 160, "height": 90, "radius": 12,
         "fill": "#111827cc", "shadow": {"x": 0, "y": 6, "blur": 12, "color": "#00000099"},
         "animate": {"opacity": {"preset": "fade-in"}}},
        {"type": "text", "text": "Hello there", "x": 50, "y": 40, "width": 220, "height": 40,
         "size": 28, "shadow": {"x": 0, "y": 3, "blur": 6, "color": "#000000aa"},
         "animate": {"y": {"preset": "slide-up", "at": 0.2}, "opacity": {"preset": "fade-in"}}},
        {"type": "image", "src": "logo", "x": 250, "y": 100, "width": 60, "height": 60,
         "anchor": [0.5, 0.5], "animate": {"scale": {"preset": "pop-in"}}},
    ]  # fmt: skip
    folder = write_template(tmp_path / "cache", base_doc(layers), assets=True)
    cached, direct = renderer_for(folder), renderer_for(folder, cache_layers=False)
    for f in (0, 4, 9, 15, 29):
        a = cached.draw(f).astype(np.int16)
        b = direct.draw(f).astype(np.int16)
        differ = np.abs(a - b).max(axis=2) > 40
        assert differ.mean() < 0.01, f"frame {f}: {differ.mean():.2%} of pixels differ"


def test_transparent_mov_keeps_alpha(tmp_path: Path) -> None:
    import av

    from openreel.pipeline import RenderOptions, render_video

    layer = {"type": "shape", "x": 0, "y": 0, "width": 160, "height": 180, "fill": "#ff000080"}
    doc = base_doc([layer], background="#00000000")
    folder = write_template(tmp_path / "alpha", doc)
    out = tmp_path / "alpha.mov"
    render_video(folder, {}, out, RenderOptions(audio=False, end_s=0.2))
    with av.open(str(out)) as container:
        frame = next(container.decode(video=0))
        rgba = frame.to_ndarray(format="rgba")
    assert abs(int(rgba[90, 40, 3]) - 128) <= 3  # half-transparent red
    assert abs(int(rgba[90, 40, 0]) - 255) <= 6  # straight (not premultiplied) colour
    assert rgba[90, 280, 3] == 0  # the transparent background


def test_audio_easing_table_matches_ease() -> None:
    from openreel.pipeline.audio import _easing
    from openreel.resolve.timing import ease

    curve = _easing(["cubic-bezier", 0.42, 0, 0.58, 1])
    xs = np.linspace(0, 1, 97, dtype=np.float32)
    expected = np.array([ease(float(x), ["cubic-bezier", 0.42, 0, 0.58, 1]) for x in xs])
    assert np.abs(curve(xs) - expected).max() < 1e-4
    assert _easing(["hold"]) == "hold"


def test_bad_media_is_left_out_with_a_warning(tmp_path: Path) -> None:
    layers = [
        {"type": "video", "src": "clip"},
        {"type": "lottie", "src": "spin"},
        {"type": "image", "src": "logo", "width": 100, "height": 100},
    ]
    folder = write_template(tmp_path / "bad", base_doc(layers), assets=True)
    (folder / "assets" / "clip.mp4").write_bytes(b"#EXTM3U\n#EXT-X-VERSION:3\nhttp://x/a.ts\n")
    (folder / "assets" / "spin.json").write_text("{not json", encoding="utf-8")
    (folder / "assets" / "logo.png").write_bytes(b"II*\x00" + bytes(64))  # a TIFF named .png
    renderer = renderer_for(folder)
    frame = renderer.draw(0)
    codes = sorted(w.code for w in renderer.warnings)
    assert len(codes) == 3 and codes[0].startswith("OR-E4") and "OR-E500" in codes
    assert tuple(frame[50, 50, :3]) == (0xAF, 0xA3, 0x9C)  # the image's placeholder


def test_decode_ahead_gives_the_same_frames(tmp_path: Path) -> None:
    doc = base_doc([{"type": "video", "src": "clip", "loop": True, "speed": 1.5}])
    doc["scenes"][0]["duration"] = 2
    folder = write_template(tmp_path / "ahead", doc, assets=True)
    ahead, plain = renderer_for(folder, decode_ahead=True), renderer_for(folder)
    try:
        for f in [*range(0, 12), 40, 41, 5, 6, 59]:  # sequential, a jump, back, the end
            assert np.array_equal(ahead.draw(f), plain.draw(f)), f
    finally:
        ahead.close()
        plain.close()
