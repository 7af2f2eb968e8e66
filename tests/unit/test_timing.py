"""Exact frame arithmetic and the pure timing functions (the player mirrors these)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openreel.resolve import ease, sample, scene_ranges, transition_progress
from openreel.timebase import exact, frame_at, frame_time, frames_for, parse_fps

FPS = [Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(60)]
decimal_seconds = st.integers(min_value=1, max_value=60_000).map(lambda ms: ms / 1000)


def test_spec_example_at_23_976() -> None:
    fps = parse_fps("24000/1001")
    lengths = [
        frames_for(exact(1.0), fps),
        frames_for(exact(2.0), fps),
        frames_for(exact(2.0), fps),
    ]
    wipe = frames_for(exact(0.25), fps)
    placed = scene_ranges(lengths, [0, wipe, wipe])
    assert lengths == [24, 48, 48] and wipe == 6
    assert placed[-1].range.end == 108


@pytest.mark.parametrize("fps", FPS, ids=str)
def test_frame_boundaries(fps: Fraction) -> None:
    for frame in (0, 1, 29, 30, 1799, 1800):
        t = frame_time(frame, fps)
        assert frame_at(t, fps) == frame
        assert frame_at(t - Fraction(1, 10**9), fps) == frame - 1


def test_decimals_are_read_as_written() -> None:
    assert exact(0.1) == Fraction(1, 10)
    assert frames_for(exact(0.1), Fraction(30)) == 3
    # 1/60 s at 30 fps is half a frame: rounds half up, exactly
    assert frames_for(Fraction(1, 60), Fraction(30)) == 1
    assert frames_for(exact(2.5), Fraction(30000, 1001)) == 75


@settings(max_examples=300, deadline=None)
@given(
    fps=st.sampled_from(FPS),
    scenes=st.lists(st.tuples(decimal_seconds, decimal_seconds), min_size=1, max_size=30),
)
def test_total_is_sum_minus_overlaps_and_boundaries_never_drift(
    fps: Fraction, scenes: list[tuple[float, float]]
) -> None:
    lengths = [frames_for(exact(d), fps) for d, _ in scenes]
    wanted = [frames_for(exact(t), fps) for _, t in scenes]
    placed = scene_ranges(lengths, wanted)
    overlaps = [p.transition_frames for p in placed]
    assert placed[-1].range.end == sum(lengths) - sum(overlaps)
    assert overlaps[0] == 0
    for i in range(1, len(placed)):
        prev, cur = placed[i - 1].range, placed[i].range
        # clamped to the shorter neighbour, never negative
        assert 0 <= overlaps[i] <= min(lengths[i - 1], lengths[i], wanted[i])
        assert cur.start == prev.end - overlaps[i]
        assert cur.end >= prev.end
    # each start is exactly the integer sum of what came before: no accumulated float drift
    expected_start = 0
    for i, p in enumerate(placed):
        if i:
            expected_start += lengths[i - 1] - overlaps[i]
        assert p.range.start == expected_start
        # every length is the exact rounding of the written decimal
        d = Fraction(str(scenes[i][0]))
        assert p.range.length == math.floor(d * fps + Fraction(1, 2))


@given(st.floats(min_value=0, max_value=1))
def test_standard_easings_stay_in_range_and_hit_ends(x: float) -> None:
    for easing in (["linear"], ["cubic-bezier", 0.42, 0, 0.58, 1], ["cubic-bezier", 0, 0, 0.58, 1]):
        y = ease(x, easing)
        assert -1e-9 <= y <= 1 + 1e-9
    assert ease(0.0, ["cubic-bezier", 0.42, 0, 1, 1]) == 0.0
    assert ease(1.0, ["cubic-bezier", 0.42, 0, 1, 1]) == 1.0


def test_cubic_bezier_known_values() -> None:
    # CSS ease-in-out is symmetric about (0.5, 0.5)
    assert ease(0.5, ["cubic-bezier", 0.42, 0, 0.58, 1]) == pytest.approx(0.5, abs=1e-6)
    a = ease(0.25, ["cubic-bezier", 0.42, 0, 0.58, 1])
    b = ease(0.75, ["cubic-bezier", 0.42, 0, 0.58, 1])
    assert a + b == pytest.approx(1.0, abs=1e-6)
    # the identity curve
    assert ease(0.3, ["cubic-bezier", 0.3, 0.3, 0.7, 0.7]) == pytest.approx(0.3, abs=1e-6)
    # ease-out is above the diagonal
    assert ease(0.3, ["cubic-bezier", 0, 0, 0.58, 1]) > 0.3


def test_hold_and_spring() -> None:
    assert ease(0.99, ["hold"]) == 0.0
    assert ease(1.0, ["hold"]) == 1.0
    spring = ["spring", 170.0, 26.0, 1.0]
    assert ease(0.0, spring) == 0.0 and ease(1.0, spring) == 1.0
    assert abs(ease(0.999, spring) - 1.0) < 0.01
    bouncy = ["spring", 300.0, 8.0, 1.0]
    assert max(ease(i / 100, bouncy) for i in range(100)) > 1.0  # overshoots
    for kind in (["spring", 100.0, 20.0, 1.0], ["spring", 100.0, 40.0, 1.0]):  # critical, over
        values = [ease(i / 50, kind) for i in range(51)]
        assert values == sorted(values)


def test_sample_numbers_colors_and_text() -> None:
    kfs = [[0.0, 0.0, ["linear"]], [1.0, 10.0, ["linear"]], [2.0, 10.0, ["hold"]]]
    assert sample(kfs, -1) == 0.0
    assert sample(kfs, 0.5) == 5.0
    assert sample(kfs, 5) == 10.0
    colors = [[0.0, "#000000ff", ["linear"]], [1.0, "#ffffffff", ["linear"]]]
    assert sample(colors, 0.5) == "#808080ff"
    text = [[0.0, "", ["linear"]], [1.0, "a", ["hold"]], [2.0, "ab", ["hold"]]]
    assert sample(text, 0.99) == ""
    assert sample(text, 1.0) == "a"
    assert sample(text, 1.5) == "a"


def test_transition_progress_edges() -> None:
    assert transition_progress(9, 10, 5) == 0.0
    assert transition_progress(10, 10, 5) == pytest.approx(1 / 6)
    assert transition_progress(14, 10, 5) == pytest.approx(5 / 6)
    assert transition_progress(15, 10, 5) == 1.0
    assert transition_progress(10, 10, 0) == 1.0
