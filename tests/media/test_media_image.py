"""Safe image opening: RELIABILITY rows 7 (bomb), 8 (extension lies), 10 (mutations),
11 (animation budget), 20 (metadata stripped) and pixel correctness."""

from __future__ import annotations

import io
import random
import time
import warnings

import numpy as np
import pytest
from mediagen import image_bytes
from PIL import Image

from openreel.errors import MediaError
from openreel.media.image import decode_frames, decode_image, probe_image
from openreel.media.limits import ImageLimits


def _code(exc: pytest.ExceptionInfo[MediaError]) -> str:
    return exc.value.code


def test_png_decodes_to_straight_bgra(png_rgba: bytes) -> None:
    arr = decode_image(png_rgba)
    assert arr.shape == (30, 40, 4)
    assert arr.dtype == np.uint8
    assert tuple(arr[0, 0]) == (30, 200, 10, 128)  # B, G, R, A; alpha not premultiplied
    assert tuple(decode_image(png_rgba, order="RGBA")[5, 5]) == (10, 200, 30, 128)


def test_probe_reports_format_size_and_frames(png_rgba: bytes) -> None:
    info = probe_image(png_rgba)
    assert (info.format, info.mime, info.width, info.height, info.frames) == (
        "PNG",
        "image/png",
        40,
        30,
        1,
    )
    assert not info.animated


_MODES = {
    "PNG": ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"],
    "JPEG": ["1", "L", "RGB", "CMYK"],
    "WEBP": ["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I"],
    "GIF": ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I"],
}


@pytest.mark.parametrize(
    ("fmt", "mode"), [(fmt, mode) for fmt, modes in _MODES.items() for mode in modes]
)
def test_every_mode_pillow_writes_becomes_bgra(fmt: str, mode: str) -> None:
    data = image_bytes(Image.new(mode, (7, 5)), fmt)
    arr = decode_image(data)
    assert arr.shape == (5, 7, 4)
    assert arr.dtype == np.uint8


def test_row7_decompression_bomb_is_refused_from_the_header_fast() -> None:
    bomb = image_bytes(Image.new("1", (20000, 20000)), "PNG", optimize=True)
    assert len(bomb) < 100_000
    start = time.perf_counter()
    with pytest.raises(MediaError) as exc:
        decode_image(bomb)
    assert exc.value.code == "OR-E402"
    assert time.perf_counter() - start < 0.5
    assert "20000x20000" in exc.value.message


def test_our_cap_fires_before_pillows_warning() -> None:
    # 9000x9000 = 81 MP: above our 40 MP default, below Pillow's warning threshold (89 MP);
    # 12000x8000 = 96 MP would make Pillow warn first if Pillow saw the header before us.
    for size in [(9000, 9000), (12000, 8000)]:
        data = image_bytes(Image.new("1", size), "PNG")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(MediaError) as exc:
                probe_image(data)
        assert exc.value.code == "OR-E402"


def test_custom_pixel_limit_and_side_limit() -> None:
    data = image_bytes(Image.new("RGB", (300, 10)), "JPEG")
    with pytest.raises(MediaError) as exc:
        probe_image(data, ImageLimits(max_pixels=2000))
    assert exc.value.code == "OR-E402"
    with pytest.raises(MediaError) as exc:
        probe_image(data, ImageLimits(max_side=299))
    assert exc.value.code == "OR-E402"
    assert probe_image(data, ImageLimits(max_side=300)).width == 300


def test_limits_cannot_exceed_pillows_bomb_guard() -> None:
    with pytest.raises(ValueError, match="max_pixels"):
        ImageLimits(max_pixels=100_000_000)
    with pytest.raises(ValueError, match="subset"):
        ImageLimits(formats=frozenset({"PNG", "TIFF"}))


def test_too_many_bytes_is_refused_before_sniffing() -> None:
    with pytest.raises(MediaError) as exc:
        probe_image(b"\x89PNG\r\n\x1a\n" + bytes(2000), ImageLimits(max_bytes=1000))
    assert exc.value.code == "OR-E405"


@pytest.mark.parametrize("real", ["TIFF", "PDF", "BMP", "ICO", "EPS", "PSD", "FITS"])
def test_row8_extension_lies_are_refused_before_parsing(real: str) -> None:
    img = Image.new("RGB", (16, 16), (200, 10, 10))
    if real == "EPS":
        data = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 16 16\nshowpage\n"
    elif real == "PSD":
        data = b"8BPS\x00\x01" + bytes(40)
    elif real == "FITS":
        data = b"SIMPLE  =                    T" + bytes(2850)
    else:
        data = image_bytes(img, real)
    with pytest.raises(MediaError) as exc:
        decode_image(data, name="photo.png")
    assert exc.value.code == "OR-E400"
    assert real in exc.value.message
    assert "PNG" in exc.value.message  # what the name promised


def test_allowed_format_under_another_extension_is_a_mismatch() -> None:
    jpeg = image_bytes(Image.new("RGB", (8, 8)), "JPEG")
    with pytest.raises(MediaError) as exc:
        decode_image(jpeg, name="x.png")
    assert exc.value.code == "OR-E401"
    assert decode_image(jpeg, name="x.jpg").shape == (8, 8, 4)
    assert decode_image(jpeg, name="upload.bin").shape == (8, 8, 4)  # unknown extension: fine


def test_format_allowlist_can_be_narrowed() -> None:
    gif = image_bytes(Image.new("P", (8, 8)), "GIF")
    with pytest.raises(MediaError) as exc:
        probe_image(gif, ImageLimits(formats=frozenset({"PNG", "JPEG"})))
    assert exc.value.code == "OR-E400"


def _animated_gif(frames: int, size: tuple[int, int] = (1, 1)) -> bytes:
    images = [Image.new("L", size, (i % 2) * 255) for i in range(frames)]
    return image_bytes(images[0], "GIF", save_all=True, append_images=images[1:], duration=20)


def test_row11_gif_with_10000_frames_is_refused_in_under_a_second() -> None:
    data = _animated_gif(10_000)
    start = time.perf_counter()
    with pytest.raises(MediaError) as exc:
        decode_frames(data)
    assert exc.value.code == "OR-E403"
    assert time.perf_counter() - start < 1.0


def test_row11_animation_pixel_budget() -> None:
    data = _animated_gif(50, (200, 200))  # 50 x 40,000 = 2 MP
    limits = ImageLimits(max_total_pixels=1_000_000)
    with pytest.raises(MediaError) as exc:
        probe_image(data, limits)
    assert exc.value.code == "OR-E402"
    assert probe_image(data).frames == 50


def test_row11_animated_webp_frame_cap() -> None:
    frames = [Image.new("RGB", (8, 8), (i * 20, 0, 0)) for i in range(12)]
    data = image_bytes(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=40)
    assert probe_image(data).frames == 12
    with pytest.raises(MediaError) as exc:
        probe_image(data, ImageLimits(max_frames=10))
    assert exc.value.code == "OR-E403"


def test_decode_frames_returns_every_frame_with_duration() -> None:
    frames = [Image.new("RGB", (6, 4), (0, 0, i * 50)) for i in range(4)]
    for fmt in ["GIF", "WEBP", "PNG"]:
        data = image_bytes(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
        out = decode_frames(data)
        assert len(out) == 4, fmt
        assert [f.duration_ms for f in out] == [100] * 4, fmt
        blues = [int(f.pixels[0, 0, 0]) for f in out]  # BGRA: blue first
        assert blues == sorted(blues) and blues[-1] >= 140, fmt


def test_row20_exif_gps_and_icc_do_not_survive_but_orientation_is_applied() -> None:
    img = Image.new("RGB", (20, 10), (255, 0, 0))
    img.paste((0, 0, 255), (0, 0, 10, 10))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 1.0)}  # GPS IFD
    icc = b"\x00" * 128
    data = image_bytes(img, "JPEG", exif=exif.tobytes(), icc_profile=icc, quality=95)
    reread = Image.open(io.BytesIO(data))
    assert reread.getexif().get_ifd(0x8825)  # the fixture really carries GPS
    arr = decode_image(data)
    assert arr.shape == (20, 10, 4)  # rotated to portrait
    # After a 90 degree clockwise turn, the left (blue) half is on top.
    assert arr[2, 5, 0] > 200 and arr[2, 5, 2] < 60
    assert arr[17, 5, 2] > 200 and arr[17, 5, 0] < 60


def test_truncated_image_is_e406() -> None:
    data = image_bytes(Image.effect_noise((64, 64), 50).convert("RGB"), "PNG")
    with pytest.raises(MediaError) as exc:
        decode_image(data[: len(data) // 2])
    assert exc.value.code == "OR-E406"


def test_broken_header_is_e406() -> None:
    with pytest.raises(MediaError) as exc:
        probe_image(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert exc.value.code == "OR-E406"
    with pytest.raises(MediaError) as exc:
        probe_image(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")  # no image at all
    assert exc.value.code == "OR-E406"


def _corpus() -> list[bytes]:
    noise = Image.effect_noise((24, 16), 60).convert("RGB")
    frames = [noise, noise.rotate(90), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    return [
        image_bytes(noise, "PNG"),
        image_bytes(noise.convert("RGBA"), "PNG"),
        image_bytes(noise, "JPEG", quality=80),
        image_bytes(noise, "JPEG", progressive=True),
        image_bytes(noise, "WEBP"),
        image_bytes(noise, "WEBP", lossless=True),
        image_bytes(noise.convert("P"), "GIF"),
        image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50),
        image_bytes(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=50),
        image_bytes(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=50),
    ]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    op = rng.randrange(4)
    if op == 0:  # flip bytes
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(buf))
            buf[pos] = rng.randrange(256)
    elif op == 1:  # truncate
        del buf[rng.randrange(8, len(buf)) :]
    elif op == 2:  # insert junk
        pos = rng.randrange(8, len(buf))
        buf[pos:pos] = rng.randbytes(rng.randint(1, 64))
    else:  # set a 32-bit field to a big value (lengths, sizes)
        pos = rng.randrange(8, max(9, len(buf) - 4))
        buf[pos : pos + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00"])
    return bytes(buf)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns on corrupt EXIF/APNG; fine
def test_row10_mutations_only_ever_raise_media_errors() -> None:
    """Time-boxed (<= 6 s here; the brief allows 30 s) mutation loop over a fixture corpus."""
    rng = random.Random(1234)
    corpus = _corpus()
    deadline = time.monotonic() + 6.0
    seen: dict[str, int] = {}
    cases = 0
    while time.monotonic() < deadline and cases < 10_000:
        data = _mutate(rng, rng.choice(corpus))
        cases += 1
        try:
            decode_frames(data, ImageLimits(max_pixels=4_000_000))
            seen["ok"] = seen.get("ok", 0) + 1
        except MediaError as exc:
            seen[exc.code] = seen.get(exc.code, 0) + 1
    assert cases >= 300
    assert set(seen) <= {"ok", "OR-E400", "OR-E402", "OR-E403", "OR-E406", "OR-E407"}
    assert seen.get("OR-E406", 0) > 0  # the loop really produced broken files
