"""Sandboxed decoding: RELIABILITY rows 6/7 (bomb under RLIMIT_AS, RSS measured), 15 (hang
killed), 16 (mutated MP4/WebM never kill the parent), CPU and memory limits."""

from __future__ import annotations

import random
import time

import pytest
from mediagen import image_bytes
from PIL import Image

from openreel.errors import MediaError
from openreel.media.image import decode_image
from openreel.media.limits import ImageLimits
from openreel.media.sandbox import (
    SandboxLimits,
    decode_image_sandboxed,
    run_sandboxed,
    validate_media_sandboxed,
)

GiB = 1 << 30


def test_sandboxed_decode_returns_the_same_pixels(png_rgba: bytes) -> None:
    arr = decode_image_sandboxed(png_rgba)
    assert arr.shape == (30, 40, 4)
    assert tuple(arr[0, 0]) == (30, 200, 10, 128)


def test_row7_bomb_in_the_sandbox_is_refused_with_low_memory() -> None:
    bomb = image_bytes(Image.new("1", (20000, 20000)), "PNG", optimize=True)
    with pytest.raises(MediaError) as exc:
        decode_image_sandboxed(bomb, sandbox=SandboxLimits(memory_bytes=GiB))
    assert exc.value.code == "OR-E402"


def test_row7_a_big_but_allowed_image_decodes_within_the_memory_limit() -> None:
    big = image_bytes(Image.new("RGB", (4000, 3000), (5, 6, 7)), "PNG")
    run = run_sandboxed(decode_image, big, sandbox=SandboxLimits(memory_bytes=GiB))
    assert run.value.shape == (3000, 4000, 4)
    assert tuple(run.value[1500, 2000]) == (7, 6, 5, 255)
    assert run.peak_rss_bytes < GiB  # the child's peak RSS, measured by the child itself


def test_memory_limit_stops_a_greedy_decoder() -> None:
    # Pillow's limit is lifted for this test's own image cap; the child's RLIMIT_AS is not.
    data = image_bytes(Image.new("RGB", (8000, 8000)), "PNG")
    limits = ImageLimits(max_pixels=80_000_000)
    with pytest.raises(MediaError) as exc:
        decode_image_sandboxed(data, limits, sandbox=SandboxLimits(memory_bytes=400 << 20))
    assert exc.value.code == "OR-E409"


def test_row15_a_hanging_decoder_is_killed_at_the_timeout() -> None:
    start = time.monotonic()
    with pytest.raises(MediaError) as exc:
        run_sandboxed(time.sleep, 60, sandbox=SandboxLimits(timeout_s=1.0))
    assert exc.value.code == "OR-E409"
    assert time.monotonic() - start < 2.0


def test_cpu_limit_kills_a_spinning_decoder() -> None:
    start = time.monotonic()
    with pytest.raises(MediaError) as exc:
        run_sandboxed(sum, range(10**13), sandbox=SandboxLimits(cpu_seconds=1, timeout_s=10))
    assert exc.value.code == "OR-E409"
    assert time.monotonic() - start < 4.0


def test_other_failures_are_decode_errors() -> None:
    with pytest.raises(MediaError) as exc:
        run_sandboxed(int, "not a number")
    assert exc.value.code == "OR-E407"
    with pytest.raises(MediaError) as exc:
        run_sandboxed(bytearray, 3 * GiB, sandbox=SandboxLimits(memory_bytes=GiB))
    assert exc.value.code == "OR-E409"


def test_validate_media_accepts_good_files(small_mp4: bytes, small_webm: bytes) -> None:
    assert validate_media_sandboxed(small_mp4).format == "MP4"
    assert validate_media_sandboxed(small_webm).format == "WEBM"


def _mutations(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        pos = rng.randrange(len(buf))
        buf[pos] = rng.randrange(256)
    if rng.random() < 0.3:
        del buf[rng.randrange(64, len(buf)) :]
    return bytes(buf)


def test_row16_mutated_media_never_takes_the_parent_down(
    small_mp4: bytes, small_webm: bytes
) -> None:
    """Time-boxed: up to 200 mutations in <= 12 s, each decoded in its own limited child."""
    rng = random.Random(99)
    sandbox = SandboxLimits(memory_bytes=GiB, cpu_seconds=5, timeout_s=5)
    outcomes: dict[str, int] = {}
    deadline = time.monotonic() + 12
    cases = 0
    while cases < 200 and time.monotonic() < deadline:
        data = _mutations(rng, rng.choice([small_mp4, small_webm]))
        cases += 1
        try:
            validate_media_sandboxed(data, sandbox=sandbox)
            outcomes["ok"] = outcomes.get("ok", 0) + 1
        except MediaError as exc:
            outcomes[exc.code] = outcomes.get(exc.code, 0) + 1
    assert cases >= 50
    assert set(outcomes) <= {
        "ok",
        "OR-E400",
        "OR-E403",
        "OR-E404",
        "OR-E402",
        "OR-E406",
        "OR-E407",
        "OR-E408",
        "OR-E409",
    }
    assert sum(v for k, v in outcomes.items() if k != "ok") > 0
