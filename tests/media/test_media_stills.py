"""Stills, animated GIF/WebP and WebVTT: formats, timing, palettes, no metadata, atomic."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from mediagen import frame_color, image_bytes, solid_bgra
from PIL import Image

from openreel.media.image import decode_image
from openreel.media.stills import durations, write_gif, write_still, write_webp_animation
from openreel.media.vtt import escape_text, timestamp, vtt_text, write_vtt


def _gradient(w: int = 48, h: int = 32) -> np.ndarray:
    x = np.linspace(0, 255, w, dtype=np.uint8)
    out = np.zeros((h, w, 4), np.uint8)
    out[..., 0] = x  # blue ramps left to right
    out[..., 1] = 80
    out[..., 2] = x[::-1]
    out[..., 3] = 255
    out[: h // 2, : w // 2, 3] = 64  # a translucent corner
    return out


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp"])
def test_stills_round_trip_without_metadata(tmp_path: Path, ext: str) -> None:
    frame = _gradient()
    path = write_still(tmp_path / f"still{ext}", frame, quality=95)
    with Image.open(path) as im:
        assert im.size == (48, 32)
        assert not im.getexif()
        assert "icc_profile" not in im.info and "exif" not in im.info and "xmp" not in im.info
        text_keys = set(getattr(im, "text", {}) or {})
        assert not text_keys
    back = decode_image(path.read_bytes())
    if ext == ".png":
        assert np.array_equal(back, frame)
    elif ext == ".webp":
        assert np.abs(back[20, 30].astype(int) - frame[20, 30].astype(int)).max() <= 12
        assert abs(int(back[5, 5, 3]) - 64) <= 4
    else:  # JPEG: flattened over black, opaque
        assert int(back[..., 3].min()) == 255
        assert int(back[5, 5, 2]) < int(frame[5, 5, 2])  # the translucent corner got darker


def test_row20_user_photo_with_gps_renders_to_outputs_without_it(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 1.0)}
    exif[0x010F] = "CameraMaker"
    upload = image_bytes(Image.new("RGB", (32, 24), (9, 99, 199)), "JPEG", exif=exif.tobytes())
    pixels = decode_image(upload)
    for ext in (".png", ".jpg", ".webp"):
        out = write_still(tmp_path / f"thumb{ext}", pixels)
        data = out.read_bytes()
        with Image.open(out) as im:
            assert not im.getexif()
        assert b"CameraMaker" not in data and b"GPS" not in data


def test_still_format_comes_from_extension_or_argument(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.png"):
        write_still(tmp_path / "x.tiff", _gradient())
    path = write_still(tmp_path / "noext", _gradient(), format="PNG")
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="BGRA"):
        write_still(tmp_path / "y.png", np.zeros((4, 4, 3), np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noext"]


def test_durations_never_drift() -> None:
    assert durations(6, Fraction(30), 100) == [3, 4, 3, 3, 4, 3]
    ms = durations(300, Fraction(30000, 1001), 1000)
    assert sum(ms) == round(300 * 1001 / 30)  # 10,010 ms
    assert max(ms) - min(ms) <= 1


def _gif_blocks(data: bytes) -> tuple[bool, int, int]:
    """(has a global palette, image count, images with a local palette)."""
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    images = local = 0
    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            pos += 2
        else:
            images += 1
            fflags = data[pos + 9]
            local += bool(fflags & 0x80)
            pos += 10 + (3 << ((fflags & 7) + 1) if fflags & 0x80 else 0)
            pos += 1  # LZW minimum code size
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    return bool(flags & 0x80), images, local


def test_gif_has_one_palette_and_exact_timing(tmp_path: Path) -> None:
    frames = [solid_bgra((40, 30), frame_color(i)) for i in range(12)]
    path = write_gif(tmp_path / "p.gif", frames, Fraction(15))
    data = path.read_bytes()
    has_global, images, local = _gif_blocks(data)
    assert has_global and images == 12 and local == 0
    with Image.open(path) as im:
        assert getattr(im, "n_frames", 1) == 12
        delays = []
        for i in range(12):
            im.seek(i)
            delays.append(im.info["duration"])
            rgb = np.asarray(im.convert("RGB"))[15, 20]
            assert np.abs(rgb.astype(int) - np.array(frame_color(i))).max() <= 8
    assert sum(delays) == 800  # 12 frames at 15 fps
    assert set(delays) <= {60, 70}


def test_gif_rejects_fps_browsers_cannot_show(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fps"):
        write_gif(tmp_path / "x.gif", [_gradient()], Fraction(60))
    with pytest.raises(ValueError, match="frame"):
        write_gif(tmp_path / "x.gif", [], Fraction(10))


def test_animated_webp_keeps_alpha_and_timing(tmp_path: Path) -> None:
    frames = [solid_bgra((20, 10), frame_color(i), 100 + i) for i in range(6)]
    path = write_webp_animation(tmp_path / "a.webp", frames, Fraction(30), lossless=True)
    with Image.open(path) as im:
        assert getattr(im, "n_frames", 1) == 6
        delays = []
        for i in range(6):
            im.seek(i)
            im.load()  # Pillow fills in the WebP frame duration on load
            delays.append(im.info["duration"])
            assert np.asarray(im.convert("RGBA"))[5, 5, 3] == 100 + i
    assert sum(delays) == 200 and set(delays) <= {33, 34}


def test_vtt_timestamps_and_escaping() -> None:
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(Fraction(1, 3)) == "00:00:00.333"
    assert timestamp(0.0005) == "00:00:00.001"  # half up
    assert timestamp(3725.25) == "01:02:05.250"
    with pytest.raises(ValueError):
        timestamp(-1)
    assert escape_text("a --> <b>&\r\n\nc") == "a --&gt; &lt;b&gt;&amp;\nc"


def test_vtt_document(tmp_path: Path) -> None:
    cues = [(3, 4.5, "second"), (0, 3, "Hi <Ana> & co"), (5, 6, "  \n ")]
    text = vtt_text(cues)
    assert text == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:03.000\nHi &lt;Ana&gt; &amp; co\n\n"
        "00:00:03.000 --> 00:00:04.500\nsecond\n"
    )
    path = write_vtt(tmp_path / "c.vtt", cues)
    assert path.read_text(encoding="utf-8") == text
    with pytest.raises(ValueError, match="end after"):
        vtt_text([(2, 2, "x")])


def test_vtt_cue_text_cannot_inject_cues() -> None:
    hostile = "ok\n\n00:00:09.000 --> 00:00:10.000\ninjected"
    text = vtt_text([(0, 1, hostile)])
    assert text.count("-->") == 1
    assert "--&gt;" in text


def test_png_bytes_are_plain(tmp_path: Path) -> None:
    path = write_still(tmp_path / "s.png", _gradient())
    data = path.read_bytes()
    chunks, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunks.append(kind)
        pos += 12 + length
    assert set(chunks) <= {b"IHDR", b"IDAT", b"IEND"}
