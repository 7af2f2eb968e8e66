"""The timeline's sound: resolved audio tracks and unmuted clips -> one mixed PCM array.

Tracks come from ``timeline["audio"]`` (``src`` asset, ``start`` / ``end`` absolute frames,
``volume`` number or keyframes ``[t_s, gain, easing]`` relative to the track start,
``fade_in`` / ``fade_out`` seconds, ``duck``, ``voice``, ``loop``) and from every video layer
that is not ``muted`` (its own sound from the layer's start to its end, ``trim``, ``speed``,
``loop`` and ``volume`` applied; role ``clip``, so it ducks tracks with ``duck``).

A track whose media cannot be decoded is left out with an ``OR-E502`` warning; the others
still play.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from openreel.errors import MediaError
from openreel.media import AudioTrack, mix
from openreel.resolve.timing import ease

AudioArray = npt.NDArray[np.float32]
Warn = Callable[[str, str], None]


def _easing(spec: Sequence[Any]) -> Any:
    kind = spec[0] if spec else "linear"
    if kind in ("linear", "hold"):
        return kind
    # The easing sampled once at 1025 points, then interpolated per sample (fast and, for
    # gains, indistinguishable from evaluating it 48 000 times a second).
    grid = np.linspace(0.0, 1.0, 1025)
    table = np.asarray([ease(float(x), list(spec)) for x in grid], np.float32)

    def curve(progress: AudioArray) -> AudioArray:
        return np.interp(progress, grid, table).astype(np.float32)

    return curve


def _volume(value: Any) -> Any:
    if isinstance(value, int | float):
        return float(value)
    return [(float(k[0]), float(k[1]), _easing(k[2] if len(k) > 2 else ["linear"])) for k in value]


def _layers(layers: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for layer in layers:
        yield layer
        yield from _layers(layer.get("layers") or [])


def tracks_of(
    timeline: dict[str, Any], root: Path, read: Callable[[str], bytes]
) -> list[AudioTrack]:
    """Every sound of ``timeline`` as :class:`~openreel.media.AudioTrack` (see the docstring)."""
    out: list[AudioTrack] = []
    for t in timeline.get("audio") or []:
        out.append(
            AudioTrack(
                data=read(t["src"]),
                start_frame=int(t["start"]),
                end_frame=None if t.get("end") is None else int(t["end"]),
                volume=_volume(t.get("volume", 1)),
                fade_in_s=float(t.get("fade_in") or 0),
                fade_out_s=float(t.get("fade_out") or 0),
                duck=bool(t.get("duck")),
                role="voice" if t.get("voice") else "music",
                loop=bool(t.get("loop")),
                name=str(timeline.get("assets", {}).get(t["src"], "")),
            )
        )
    for scene in timeline.get("scenes") or []:
        for layer in _layers(scene.get("layers") or []):
            if layer.get("type") != "video" or layer.get("muted", True):
                continue
            trim = layer.get("trim")
            name = layer["src"]["asset"]
            out.append(
                AudioTrack(
                    data=read(name),
                    start_frame=int(layer["start"]),
                    end_frame=int(layer["end"]),
                    volume=float(layer.get("volume", 1)),
                    role="clip",
                    trim_in_s=float(trim[0]) if trim else 0.0,
                    loop=bool(layer.get("loop")),
                    speed=float(layer.get("speed", 1)),
                    name=str(timeline.get("assets", {}).get(name, "")),
                )
            )
    return out


def has_audio_stream(data: bytes) -> bool:
    """True when ``data`` holds an audio stream (clips without sound add nothing)."""
    from openreel.media import probe_media

    try:
        return probe_media(data).audio is not None
    except MediaError:
        return True  # let the mixer report the real problem


def mix_timeline(
    timeline: dict[str, Any], root: Path, read: Callable[[str], bytes], warn: Warn
) -> AudioArray | None:
    """The whole timeline's mix, ``(2, n)`` float32 at 48 kHz, or None when it has no sound."""
    fps = Fraction(str(timeline["fps"]))
    frames = int(timeline["frames"])
    try:
        tracks = tracks_of(timeline, root, read)
    except (OSError, MediaError) as exc:
        warn("OR-E502", f"an audio source could not be read ({type(exc).__name__})")
        return None
    tracks = [t for t in tracks if t.role != "clip" or has_audio_stream(t.data)]
    if not tracks:
        return None
    try:
        return mix(tracks, frames, fps)
    except MediaError:
        pass
    kept = []
    for track in tracks:  # find the tracks that fail alone, mix the rest
        try:
            mix([track], 1, fps)
            kept.append(track)
        except MediaError as exc:
            warn("OR-E502", f"audio track {track.name or '?'} left out ({exc.code})")
    return mix(kept, frames, fps) if kept else None
