"""Mix every audio track of a timeline once, in float32, into one 48 kHz stereo array.

Semantics (all times exact; a time ``t`` lands on sample ``floor(t * 48000 + 1/2)``):

* The result has exactly ``floor(total_frames / fps * 48000 + 1/2)`` samples, shape ``(2, n)``.
* A track sounds on ``[start_frame, end_frame)`` of the timeline (``end_frame=None``: until
  its source ends, or the timeline ends if it loops), reading its source from ``trim_in_s``;
  with ``loop`` the source repeats, else silence follows its end.
* Gain per sample = volume x fade-in x fade-out x ducking. ``volume`` is a linear gain or
  keyframes ``(t_s, gain[, easing])`` with ``t_s`` relative to the track's start; before the
  first key the first gain holds, after the last the last; between keys the easing of the key
  that ends the segment (as in the template format: ``"linear"`` (default), ``"hold"``, or a
  callable mapping progress arrays in ``[0, 1]`` to ``[0, 1]``) shapes the change. Fades are
  linear in amplitude over the first ``fade_in_s`` and last ``fade_out_s`` seconds of the
  track's interval.
* Ducking: tracks with ``duck=True`` are lowered by :attr:`MixSettings.duck_db` (12 dB by
  default) wherever a ``voice`` or ``clip`` track sounds; the gain moves linearly in dB, reaching
  the ducked level when the voice starts (ramp of ``duck_attack_s`` placed before it, since the
  mix is offline) and returning over ``duck_release_s`` after it ends.
* The sum passes a soft clipper: identity up to ``knee`` (-1 dBFS), then a tanh curve that
  approaches ``0.999`` and never exceeds it, so the AAC encoder never sees full scale. It
  prevents hard clipping; it is not a look-ahead limiter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt

from openreel.media.limits import MediaLimits
from openreel.media.pcm import SAMPLE_RATE, AudioArray, decode_pcm, seconds_to_samples
from openreel.timebase import exact

FloatArray = npt.NDArray[np.float32]
Easing = Literal["linear", "hold"] | Callable[[FloatArray], FloatArray]
Keyframe = tuple[float | Fraction, float] | tuple[float | Fraction, float, Easing]
Keyframes = Sequence[Keyframe]
Role = Literal["music", "voice", "clip"]


@dataclass(frozen=True, slots=True)
class AudioTrack:
    """One sound on the timeline, from encoded bytes (any allowlisted audio/video file).

    ``role``: ``"voice"`` and ``"clip"`` (a video layer's own sound) trigger ducking of tracks
    with ``duck=True``; ``"music"`` does not. ``speed`` changes the tempo, keeping the pitch.
    """

    data: bytes
    start_frame: int
    end_frame: int | None = None
    volume: float | Keyframes = 1.0
    fade_in_s: float | Fraction = 0
    fade_out_s: float | Fraction = 0
    duck: bool = False
    role: Role = "music"
    trim_in_s: float | Fraction = 0
    loop: bool = False
    speed: float | Fraction = 1
    name: str | None = None


@dataclass(frozen=True, slots=True)
class PcmTrack:
    """An :class:`AudioTrack` with its source already decoded (``pcm``: ``(2, n)`` float32),
    placed in samples: it sounds on ``[start, end)`` of the mix."""

    pcm: AudioArray
    start: int
    end: int
    volume: float | Keyframes = 1.0
    fade_in_s: float | Fraction = 0
    fade_out_s: float | Fraction = 0
    duck: bool = False
    role: Role = "music"
    loop: bool = False


@dataclass(frozen=True, slots=True)
class MixSettings:
    """Mixer constants (see the module docstring)."""

    duck_db: float = 12.0
    duck_attack_s: float = 0.15
    duck_release_s: float = 0.35
    knee: float = 0.891  # -1 dBFS
    limits: MediaLimits = MediaLimits()


def total_samples(total_frames: int, fps: Fraction) -> int:
    """``floor(total_frames / fps * 48000 + 1/2)``."""
    return seconds_to_samples(Fraction(total_frames) / fps)


def _eased(progress: FloatArray, easing: Easing) -> FloatArray:
    if easing == "linear":
        return progress
    if easing == "hold":
        return np.zeros_like(progress)
    if callable(easing):
        return np.asarray(easing(progress), dtype=np.float32)
    raise ValueError(f"unknown easing {easing!r}; use linear, hold or a function")


def volume_curve(volume: float | Keyframes, length: int) -> FloatArray:
    """Per-sample linear gain for a track of ``length`` samples (see the module docstring)."""
    if isinstance(volume, int | float):
        return np.full(length, float(volume), np.float32)
    keys = sorted((_key(k) for k in volume), key=_first)
    if not keys:
        return np.ones(length, np.float32)
    out = np.full(length, keys[0][1], np.float32)
    for (s0, v0, _), (s1, v1, easing) in zip(keys, keys[1:], strict=False):
        lo, hi = max(s0, 0), min(s1, length)
        if hi > lo and s1 > s0:
            progress = (np.arange(lo, hi, dtype=np.float32) - s0) / np.float32(s1 - s0)
            out[lo:hi] = v0 + (v1 - v0) * _eased(progress, easing)
    last = keys[-1]
    out[max(last[0], 0) :] = last[1]
    return out


def _first(key: tuple[int, float, Easing]) -> int:
    return key[0]


def _key(key: Keyframe) -> tuple[int, float, Easing]:
    """(sample, gain, easing of the segment ending at this key); the easing defaults to linear."""
    easing: Easing = key[2] if len(key) == 3 else "linear"
    return seconds_to_samples(exact(key[0])), float(key[1]), easing


def _fades(length: int, fade_in_s: float | Fraction, fade_out_s: float | Fraction) -> FloatArray:
    gain = np.ones(length, np.float32)
    fin = min(seconds_to_samples(exact(fade_in_s)), length)
    fout = min(seconds_to_samples(exact(fade_out_s)), length)
    if fin > 0:
        gain[:fin] *= np.arange(fin, dtype=np.float32) / fin
    if fout > 0:
        gain[length - fout :] *= np.arange(fout, 0, -1, dtype=np.float32) / fout
    return gain


def duck_curve(intervals: Sequence[tuple[int, int]], n: int, settings: MixSettings) -> FloatArray:
    """Linear gain over ``n`` samples: 1, ducked by ``duck_db`` inside ``intervals`` (ramps in dB
    before each interval and after it, see the module docstring)."""
    db = np.zeros(n, np.float32)
    attack = seconds_to_samples(exact(settings.duck_attack_s))
    release = seconds_to_samples(exact(settings.duck_release_s))
    depth = np.float32(-settings.duck_db)
    for start, end in intervals:
        lo, hi = max(start, 0), min(end, n)
        if hi <= lo:
            continue
        shape = np.zeros(n, np.float32)
        shape[lo:hi] = 1
        a0 = max(lo - attack, 0)
        if attack and a0 < lo:
            shape[a0:lo] = (np.arange(a0, lo, dtype=np.float32) - (lo - attack)) / attack
        r1 = min(hi + release, n)
        if release and hi < r1:
            shape[hi:r1] = 1 - (np.arange(hi, r1, dtype=np.float32) - hi + 1) / release
        db = np.minimum(db, depth * shape)
    gain: FloatArray = np.power(np.float32(10), db / np.float32(20)).astype(np.float32)
    return gain


def soft_clip(x: FloatArray, knee: float = 0.891, ceiling: float = 0.999) -> FloatArray:
    """Identity for ``|x| <= knee``; above, ``knee + (c - knee) * tanh((|x| - knee) / (c - knee))``
    with ``c = ceiling`` and the sign kept: continuous with slope 1 at the knee, never beyond
    ``ceiling`` in magnitude (also in float32, where tanh reaches exactly 1)."""
    mag = np.abs(x)
    over = mag > knee
    if not over.any():
        return x
    out = x.copy()
    span = np.float32(ceiling - knee)
    out[over] = np.sign(x[over]) * (knee + span * np.tanh((mag[over] - knee) / span))
    return out


def _content(track: PcmTrack, length: int) -> AudioArray:
    src = track.pcm
    if src.shape[1] >= length:
        return src[:, :length]
    if track.loop and src.shape[1] > 0:
        reps = -(-length // src.shape[1])
        return np.tile(src, (1, reps))[:, :length]
    out = np.zeros((2, length), np.float32)
    out[:, : src.shape[1]] = src
    return out


def mix_pcm(tracks: Sequence[PcmTrack], n: int, settings: MixSettings | None = None) -> AudioArray:
    """Mix decoded tracks into ``(2, n)`` float32 (pure; see the module docstring)."""
    cfg = settings or MixSettings()
    out = np.zeros((2, n), np.float32)
    voices = [(t.start, t.end) for t in tracks if t.role != "music" and t.end > t.start]
    ducking = duck_curve(voices, n, cfg) if voices and any(t.duck for t in tracks) else None
    for track in tracks:
        lo, hi = max(track.start, 0), min(track.end, n)
        if hi <= lo:
            continue
        length = track.end - track.start
        gain = volume_curve(track.volume, length) * _fades(
            length, track.fade_in_s, track.fade_out_s
        )
        gain = gain[lo - track.start : hi - track.start]
        if track.duck and ducking is not None:
            gain = gain * ducking[lo:hi]
        content = _content(track, length)[:, lo - track.start : hi - track.start]
        out[:, lo:hi] += content * gain
    return soft_clip(out, cfg.knee)


def place(
    track: AudioTrack, fps: Fraction, n: int, settings: MixSettings | None = None
) -> PcmTrack:
    """Decode ``track`` and place it in samples on a mix of ``n`` samples."""
    cfg = settings or MixSettings()
    start = seconds_to_samples(Fraction(track.start_frame) / fps)
    end_limit = (
        n if track.end_frame is None else seconds_to_samples(Fraction(track.end_frame) / fps)
    )
    want = max(0, min(end_limit, n) - start)
    max_s = None if track.loop else Fraction(want, SAMPLE_RATE)
    pcm = decode_pcm(
        track.data,
        cfg.limits,
        name=track.name,
        start_s=track.trim_in_s,
        max_s=max_s,
        speed=track.speed,
    )
    end = end_limit if track.loop or track.end_frame is not None else start + pcm.shape[1]
    return PcmTrack(
        pcm,
        start,
        min(end, n),
        track.volume,
        track.fade_in_s,
        track.fade_out_s,
        track.duck,
        track.role,
        track.loop,
    )


def mix(
    tracks: Sequence[AudioTrack],
    total_frames: int,
    fps: Fraction,
    settings: MixSettings | None = None,
) -> AudioArray:
    """Decode and mix ``tracks`` for a timeline of ``total_frames`` at ``fps``.

    Returns float32 ``(2, total_samples(total_frames, fps))``. Media errors of any track
    propagate as :class:`~openreel.errors.MediaError` (the caller decides to drop the track).
    """
    n = total_samples(total_frames, fps)
    placed = [place(t, fps, n, settings) for t in tracks]
    return mix_pcm(placed, n, settings)
