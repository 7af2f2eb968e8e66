"""Audio: decoding to 48 kHz stereo float32 and the pure mixer (placement, volume keyframes,
fades, ducking, soft clipping)."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest
from mediagen import make_av, tone

from openreel.media.audio import (
    AudioTrack,
    MixSettings,
    PcmTrack,
    duck_curve,
    mix,
    mix_pcm,
    soft_clip,
    total_samples,
    volume_curve,
)
from openreel.media.pcm import decode_pcm

SR = 48_000


def dc(value: float, seconds: float) -> np.ndarray:
    return np.full((2, int(seconds * SR)), value, np.float32)


@pytest.mark.parametrize(
    ("frames", "fps", "expected"),
    [
        (60, Fraction(30), 96_000),
        (1, Fraction(30000, 1001), 1602),  # 1601.6 rounds up
        (3, Fraction(30000, 1001), 4805),  # 4804.8
        (1800, Fraction(30), 2_880_000),
        (7, Fraction(24), 14_000),
    ],
)
def test_total_samples_is_exact(frames: int, fps: Fraction, expected: int) -> None:
    assert total_samples(frames, fps) == expected


def test_tracks_sound_only_on_their_interval() -> None:
    out = mix_pcm([PcmTrack(dc(0.25, 1), start=100, end=300)], 400)
    assert out.shape == (2, 400)
    assert out.dtype == np.float32
    assert not out[:, :100].any()
    assert np.allclose(out[:, 100:300], 0.25)
    assert not out[:, 300:].any()


def test_short_source_is_followed_by_silence_or_looped() -> None:
    src = np.tile(np.array([[0.1, 0.2, 0.3]], np.float32), (2, 1))
    once = mix_pcm([PcmTrack(src, start=0, end=7)], 8)
    assert np.allclose(once[0], [0.1, 0.2, 0.3, 0, 0, 0, 0, 0])
    looped = mix_pcm([PcmTrack(src, start=0, end=7, loop=True)], 8)
    assert np.allclose(looped[0], [0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.1, 0])


def test_fades_are_linear_ramps_over_the_track_interval() -> None:
    track = PcmTrack(dc(0.5, 1), start=0, end=SR, fade_in_s=0.5, fade_out_s=0.25)
    out = mix_pcm([track], SR)[0]
    assert out[0] == 0
    assert out[SR // 4] == pytest.approx(0.25, abs=1e-3)  # halfway through the fade-in
    assert out[SR // 2 + 10] == pytest.approx(0.5)
    assert out[SR - SR // 8] == pytest.approx(0.25, abs=1e-3)  # halfway through the fade-out
    assert out[SR - 1] == pytest.approx(0.5 / (SR // 4), abs=1e-4)


def test_volume_keyframes_linear_hold_custom_and_ends() -> None:
    curve = volume_curve([(0.5, 1.0), (1.0, 0.0, "linear"), (1.5, 1.0, "hold")], 2 * SR)
    assert curve[0] == 1.0  # before the first key the first value holds
    assert curve[int(0.75 * SR)] == pytest.approx(0.5, abs=1e-4)
    assert curve[int(1.25 * SR)] == 0.0  # hold: the value of the previous key until 1.5 s
    assert curve[int(1.5 * SR)] == 1.0
    assert curve[-1] == 1.0  # after the last key the last value holds
    squared = volume_curve([(0, 0.0), (1, 1.0, lambda p: p * p)], SR)
    assert squared[SR // 2] == pytest.approx(0.25, abs=1e-4)
    with pytest.raises(ValueError, match="easing"):
        volume_curve([(0, 0.0), (1, 1.0, "bogus")], SR)  # type: ignore[list-item]
    assert np.all(volume_curve(0.3, 10) == np.float32(0.3))


def test_ducking_lowers_music_under_voice_with_ramps() -> None:
    cfg = MixSettings(duck_db=12.0, duck_attack_s=0.1, duck_release_s=0.2)
    n = 3 * SR
    music = PcmTrack(dc(0.5, 3), start=0, end=n, duck=True)
    other_music = PcmTrack(dc(0.1, 3), start=0, end=n)  # duck=False: never lowered
    voice = PcmTrack(np.zeros((2, SR), np.float32), start=SR, end=2 * SR, role="voice")
    out = mix_pcm([music, other_music, voice], n, cfg)[0]
    ducked = 0.5 * 10 ** (-12 / 20) + 0.1
    assert out[SR // 2] == pytest.approx(0.6, abs=1e-5)  # before the attack ramp
    assert out[SR] == pytest.approx(ducked, abs=1e-4)  # fully down when the voice starts
    assert out[int(1.5 * SR)] == pytest.approx(ducked, abs=1e-4)
    ramp = out[int(0.9 * SR) : SR]
    assert np.all(np.diff(ramp) <= 1e-7)  # the attack only goes down
    assert out[2 * SR + int(0.2 * SR) + 5] == pytest.approx(0.6, abs=1e-5)  # released
    assert ducked < out[2 * SR + int(0.1 * SR)] < 0.6  # halfway up the release ramp


def test_clip_audio_also_triggers_ducking_and_music_alone_does_not() -> None:
    n = SR
    music = PcmTrack(dc(0.5, 1), start=0, end=n, duck=True)
    clip = PcmTrack(dc(0.0, 1), start=SR // 2, end=n, role="clip")
    assert mix_pcm([music, clip], n)[0, -1] < 0.2
    assert mix_pcm([music], n)[0, -1] == pytest.approx(0.5)


def test_duck_curve_is_one_outside_and_overlaps_do_not_stack() -> None:
    cfg = MixSettings(duck_db=6.0, duck_attack_s=0, duck_release_s=0)
    curve = duck_curve([(10, 20), (15, 30)], 40, cfg)
    assert np.all(curve[:10] == 1) and np.all(curve[30:] == 1)
    assert np.allclose(curve[10:30], 10 ** (-6 / 20))


def test_soft_clip_is_identity_below_the_knee_and_bounded_above() -> None:
    x = np.linspace(-4, 4, 10_001, dtype=np.float32)
    y = soft_clip(x, 0.891)
    inside = np.abs(x) <= 0.891
    assert np.array_equal(y[inside], x[inside])
    assert np.all(np.abs(y) < 1.0)
    assert np.all(np.diff(y) >= 0)  # monotonic
    assert np.max(np.abs(np.diff(y))) < 0.001  # continuous: no jumps at the knee


def test_loud_sum_never_clips() -> None:
    out = mix_pcm([PcmTrack(dc(0.8, 1), 0, SR), PcmTrack(dc(0.8, 1), 0, SR)], SR)
    assert float(np.abs(out).max()) < 1.0


def test_decode_pcm_resamples_to_48k_stereo() -> None:
    mono_44k = np.stack([tone(1.0, rate=44_100)[0]])
    wav = make_av(
        video=False,
        fmt="wav",
        audio=np.vstack([mono_44k, mono_44k]),
        audio_codec="pcm_s16le",
        audio_rate=44_100,
    )
    pcm = decode_pcm(wav)
    assert pcm.shape == (2, 48_000)
    assert pcm.dtype == np.float32
    assert float(np.abs(pcm).max()) == pytest.approx(0.25, abs=0.01)
    # 440 Hz survives resampling: 440 zero crossings upward in 1 s (+-1).
    rising = np.sum((pcm[0, :-1] < 0) & (pcm[0, 1:] >= 0))
    assert abs(int(rising) - 440) <= 1


def test_decode_pcm_trim_length_and_speed(small_mp4: bytes) -> None:
    full = decode_pcm(small_mp4)
    assert full.shape == (2, 48_000)  # AAC padding after the declared end is dropped
    part = decode_pcm(small_mp4, start_s=Fraction(1, 4), max_s=Fraction(1, 2))
    assert part.shape == (2, 24_000)
    assert np.allclose(part, full[:, 12_000:36_000], atol=1e-6)
    fast = decode_pcm(small_mp4, speed=2)
    assert abs(fast.shape[1] - 24_000) <= 480  # within 10 ms of half the length


def test_mix_places_encoded_tracks_on_the_timeline(small_mp4: bytes) -> None:
    fps = Fraction(30)
    src = decode_pcm(small_mp4)  # 1 s of tone
    once = mix([AudioTrack(small_mp4, start_frame=15, end_frame=45, volume=0.5)], 60, fps)
    assert once.shape == (2, 96_000)
    assert not once[:, :24_000].any()
    assert not once[:, 72_000:].any()
    assert np.allclose(once[:, 24_000:72_000], 0.5 * src, atol=1e-6)
    # Looped over 1.5 s: the source restarts at sample 24,000 + 48,000.
    looped = mix([AudioTrack(small_mp4, start_frame=15, end_frame=60, loop=True)], 60, fps)
    assert np.allclose(looped[:, 72_000:96_000], src[:, :24_000], atol=1e-6)
    # Without an end frame a non-looping track lasts as long as its source.
    free = mix([AudioTrack(small_mp4, start_frame=0)], 60, fps)
    assert free[:, :48_000].any() and not free[:, 48_000:].any()


def test_mix_of_60_seconds_is_fast(small_mp4: bytes) -> None:
    tracks = [
        AudioTrack(
            small_mp4,
            0,
            None,
            volume=[(0, 0.2), (30, 1.0)],
            loop=True,
            duck=True,
            fade_in_s=1,
            fade_out_s=2,
        ),
        AudioTrack(small_mp4, 300, 900, role="voice"),
        AudioTrack(small_mp4, 1200, 1500, role="clip", trim_in_s=0.2),
    ]
    start = time.perf_counter()
    out = mix(tracks, 1800, Fraction(30))
    assert out.shape == (2, 2_880_000)
    assert time.perf_counter() - start < 2.0
