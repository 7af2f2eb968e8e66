"""The static-prefix cache of render_still: same pixels as the direct draw, shared by viewers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skia

from openreel.pipeline import Prepared, prepare, render_still
from openreel.pipeline.render import resolve_for
from openreel.pipeline.still import StillCache, _draw, _draw_cached, still_frame

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "loyalty-welcome"
VIEWERS = ("dana", "li-wei", "minimal", "zoe-long")


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    return prepare(EXAMPLE)


def _viewer(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((EXAMPLE / "viewers" / f"{name}.json").read_text())
    return data


@pytest.mark.parametrize("size", [(640, 360), (320, 240)])
def test_cached_frames_equal_the_direct_draw(prepared: Prepared, size: tuple[int, int]) -> None:
    cache = StillCache()
    for name in VIEWERS:
        timeline = resolve_for(prepared, _viewer(name))
        for at in (0.0, 0.5, 1.0, 2.5, 4.0):
            frame = still_frame(timeline, at)
            direct = _draw(prepared, timeline, frame, size)
            first = _draw_cached(prepared, timeline, frame, size, cache)
            again = _draw_cached(prepared, timeline, frame, size, cache)
            assert np.array_equal(direct, first), (name, at)
            assert np.array_equal(direct, again), (name, at)
    # the intro scene's background and clip are static: later viewers reuse the first's prefix
    assert cache.hits >= 3 * len(VIEWERS) and 0 < len(cache) <= cache.misses


def test_prefix_is_shared_between_viewers_and_bytes_match(prepared: Prepared) -> None:
    cache = StillCache()
    a = render_still(prepared, _viewer("dana"), 1.0, (320, 180), "png", cache=cache)
    assert (cache.hits, cache.misses) == (0, 1)
    b = render_still(prepared, _viewer("li-wei"), 1.0, (320, 180), "png", cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert a == render_still(prepared, _viewer("dana"), 1.0, (320, 180), "png")
    assert b == render_still(prepared, _viewer("li-wei"), 1.0, (320, 180), "png")
    assert a != b  # the viewers' own layers are still drawn per viewer


def test_lru_is_bounded_by_bytes() -> None:
    def image(w: int) -> skia.Image:
        pixels = np.zeros((10, w, 4), np.uint8)
        return skia.Image.fromarray(pixels, colorType=skia.ColorType.kBGRA_8888_ColorType)

    cache = StillCache(max_bytes=1000)
    cache.put("a", image(10))  # 400 bytes
    cache.put("b", image(10))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", image(10))  # 1200 > 1000: b (least recent) goes
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    cache.put("huge", image(100))  # larger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 2
