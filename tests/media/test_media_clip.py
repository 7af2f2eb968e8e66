"""ClipReader: exact time mapping, forward-only decoding, caching, trim/loop/speed, scaling."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest
from mediagen import frame_index, make_av

from openreel.errors import MediaError
from openreel.media.clip import ClipReader
from openreel.media.limits import MediaLimits


def _shown(reader: ClipReader, n: int, count: int) -> int:
    arr = reader.frame_at(n)
    return frame_index(arr[arr.shape[0] // 2, arr.shape[1] // 2, 2::-1], count)


@pytest.mark.parametrize("fps", [Fraction(24), Fraction(30), Fraction(30000, 1001), Fraction(60)])
def test_same_rate_output_shows_every_source_frame_once(fps: Fraction) -> None:
    data = make_av(fps=fps, count=40)
    reader = ClipReader(data, fps_out=fps)
    assert [_shown(reader, n, 40) for n in range(40)] == list(range(40))
    assert reader.opens == 1
    assert reader.frames_decoded == 40
    assert reader.conversions == 40


def test_webm_millisecond_timestamps_do_not_shift_frames(small_webm: bytes) -> None:
    reader = ClipReader(small_webm, fps_out=Fraction(30))
    assert [_shown(reader, n, 30) for n in range(30)] == list(range(30))


def test_source_time_mapping_is_exact() -> None:
    data = make_av(fps=Fraction(30), count=30)
    reader = ClipReader(
        data, fps_out=Fraction(30000, 1001), trim=(Fraction(1, 10), None), speed=Fraction(3, 2)
    )
    assert reader.source_time(0) == Fraction(1, 10)
    assert reader.source_time(7) == Fraction(1, 10) + Fraction(7 * 1001, 30000) * Fraction(3, 2)


def test_slow_output_reuses_the_cached_frame() -> None:
    data = make_av(fps=Fraction(24), count=24)
    reader = ClipReader(data, fps_out=Fraction(60))
    shown = [_shown(reader, n, 24) for n in range(60)]
    # Output frame n (time n/60) shows source frame floor(n * 24 / 60).
    assert shown == [n * 24 // 60 for n in range(60)]
    assert reader.conversions == 24  # one conversion per distinct source frame
    assert reader.frames_decoded == 24
    first = reader.frame_at(59)
    assert reader.frame_at(59) is first  # the very same cached array
    assert not first.flags.writeable


def test_trim_and_hold_last_frame() -> None:
    fps = Fraction(30)
    data = make_av(fps=fps, count=30)
    reader = ClipReader(data, fps_out=fps, trim=(Fraction(10, 30), Fraction(20, 30)))
    shown = [_shown(reader, n, 30) for n in range(15)]
    assert shown == [*range(10, 20), 19, 19, 19, 19, 19]
    assert reader.opens == 1


def test_loop_wraps_and_reopens_only_at_the_wrap() -> None:
    fps = Fraction(30)
    data = make_av(fps=fps, count=30)
    reader = ClipReader(data, fps_out=fps, trim=(Fraction(5, 30), Fraction(10, 30)), loop=True)
    shown = [_shown(reader, n, 30) for n in range(16)]
    assert shown == [5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 5]
    assert reader.opens == 4  # the first open plus one per wrap


def test_speed_two_skips_every_other_frame() -> None:
    fps = Fraction(30)
    data = make_av(fps=fps, count=30)
    reader = ClipReader(data, fps_out=fps, speed=2)
    assert [_shown(reader, n, 30) for n in range(15)] == list(range(0, 30, 2))
    assert reader.opens == 1


def test_going_back_reopens_and_is_still_exact() -> None:
    data = make_av(fps=Fraction(30), count=30)
    reader = ClipReader(data, fps_out=Fraction(30))
    assert _shown(reader, 20, 30) == 20
    assert _shown(reader, 3, 30) == 3
    assert reader.opens == 2


def test_far_targets_seek_instead_of_decoding_everything() -> None:
    fps = Fraction(30)
    data = make_av(fps=fps, count=120, options={"g": "15"})  # a key frame every 0.5 s
    reader = ClipReader(data, fps_out=fps, trim=(Fraction(3), None))
    assert _shown(reader, 0, 120) == 90
    assert reader.frames_decoded < 60  # not all 91 frames up to the target


def test_loop_of_clip_with_unknown_length_learns_it_at_the_end() -> None:
    live = make_av(
        count=30,
        fmt="webm",
        codec="libvpx-vp9",
        options={"deadline": "realtime", "cpu-used": "8", "crf": "10", "b": "0"},
        container_options={"live": "1"},  # no duration in the header, like a browser recording
    )
    reader = ClipReader(live, fps_out=Fraction(30), loop=True)
    assert reader.info.duration_s is None
    shown = [_shown(reader, n, 30) for n in range(35)]
    assert shown[:30] == list(range(30))
    assert shown[30:] == [0, 1, 2, 3, 4]


def test_scaled_output_and_shape() -> None:
    data = make_av(fps=Fraction(30), count=3, size=(64, 48))
    reader = ClipReader(data, fps_out=Fraction(30), size=(32, 24))
    arr = reader.frame_at(0)
    assert arr.shape == (24, 32, 4)
    assert arr.dtype == np.uint8
    assert int(arr[..., 3].min()) == 255


def test_colours_are_decoded_with_the_bt709_matrix() -> None:
    data = make_av(fps=Fraction(30), count=1, color=lambda i: (200, 40, 90), size=(1280, 720))
    arr = ClipReader(data, fps_out=Fraction(30)).frame_at(0)
    b, g, r, _ = (int(v) for v in arr[360, 640])
    assert abs(r - 200) <= 3 and abs(g - 40) <= 3 and abs(b - 90) <= 3


def test_vp9_alpha_is_kept() -> None:
    data = make_av(
        fps=Fraction(30),
        count=2,
        fmt="webm",
        codec="libvpx-vp9",
        pix_fmt="yuva420p",
        options={"deadline": "realtime", "cpu-used": "8", "auto-alt-ref": "0"},
        alpha=100,
    )
    arr = ClipReader(data, fps_out=Fraction(30)).frame_at(0)
    assert abs(int(arr[24, 32, 3]) - 100) <= 3  # FFmpeg's native vp9 decoder would give 255


def test_bad_arguments_and_limits(small_mp4: bytes) -> None:
    with pytest.raises(ValueError, match="speed"):
        ClipReader(small_mp4, fps_out=Fraction(30), speed=0)
    with pytest.raises(ValueError, match="trim"):
        ClipReader(small_mp4, fps_out=Fraction(30), trim=(Fraction(1, 2), Fraction(1, 4)))
    with pytest.raises(MediaError) as exc:
        ClipReader(small_mp4, fps_out=Fraction(30), limits=MediaLimits(max_width=32))
    assert exc.value.code == "OR-E402"
    with pytest.raises(ValueError, match="start at 0"):
        ClipReader(small_mp4, fps_out=Fraction(30)).frame_at(-1)


@pytest.mark.parametrize(
    ("codec", "fmt", "options", "name"),
    [
        ("libx265", "mp4", {"x265-params": "log-level=none"}, "hevc"),
        ("libvpx", "webm", {"deadline": "realtime"}, "vp8"),
        ("libsvtav1", "mp4", {"preset": "12", "svtav1-params": "log-level=0"}, "av1"),
        ("libsvtav1", "webm", {"preset": "12", "svtav1-params": "log-level=0"}, "av1"),
    ],
)
def test_every_allowlisted_video_codec_decodes_frame_exactly(
    codec: str, fmt: str, options: dict[str, str], name: str
) -> None:
    try:
        data = make_av(count=8, fmt=fmt, codec=codec, options=options)
    except av.FFmpegError:
        pytest.skip(f"this FFmpeg cannot encode {codec}")
    reader = ClipReader(data, fps_out=Fraction(30))
    assert reader.info.video is not None and reader.info.video.codec == name
    assert [_shown(reader, n, 8) for n in range(8)] == list(range(8))
