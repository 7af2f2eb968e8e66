"""Decode the audio of user media (from bytes) to float32 stereo PCM at 48 kHz.

Output arrays have shape ``(2, n)`` (channels first, the layout PyAV's planar ``fltp`` frames
use), values nominally in ``[-1, 1]``. Sample ``0`` is the file's *time zero*: the first video
frame when the file has video (so a clip's sound stays in sync with its pictures), else the
first audio sample. Audio that starts later than time zero is preceded by silence; audio before
it is dropped. Resampling and channel mixing (mono is duplicated, 5.1 is downmixed) are done by
PyAV's :class:`av.AudioResampler` (FFmpeg's swresample).

``speed`` other than 1 changes the tempo without changing the pitch, with FFmpeg's ``atempo``
filter, as a browser does with ``playbackRate`` (``preservesPitch`` is on by default there).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from openreel.errors import MediaError
from openreel.media.limits import MediaLimits
from openreel.media.probe import MediaInfo, open_input, probe_audio
from openreel.timebase import exact

SAMPLE_RATE = 48_000
AudioArray = npt.NDArray[np.float32]


def seconds_to_samples(seconds: Fraction) -> int:
    """``floor(seconds * 48000 + 1/2)``: the sample where a time falls, rounded half up."""
    return int((seconds * SAMPLE_RATE + Fraction(1, 2)) // 1)


def _tempo_chain(speed: Fraction) -> list[str]:
    """atempo factors (each within FFmpeg's 0.5..100 range) whose product is ``speed``."""
    factors: list[str] = []
    rest = speed
    while rest < Fraction(1, 2):
        factors.append("0.5")
        rest *= 2
    factors.append(f"{float(rest):.9f}")
    return factors


class _Tempo:
    """A small ``abuffer -> atempo... -> abuffersink`` graph on 48 kHz stereo fltp frames."""

    def __init__(self, speed: Fraction) -> None:
        self._graph = av.filter.Graph()
        nodes = [
            self._graph.add_abuffer(
                sample_rate=SAMPLE_RATE,
                format="fltp",
                layout="stereo",
                time_base=Fraction(1, SAMPLE_RATE),
            )
        ]
        nodes += [self._graph.add("atempo", factor) for factor in _tempo_chain(speed)]
        nodes.append(
            self._graph.add("aformat", "sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo")
        )
        nodes.append(self._graph.add("abuffersink"))
        self._graph.link_nodes(*nodes).configure()

    def run(self, frame: Any) -> Iterator[Any]:
        self._graph.push(frame)
        while True:
            try:
                yield self._graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return


def _origin(info: MediaInfo) -> Fraction:
    video = info.video
    if video is not None and video.start_s is not None:
        return video.start_s
    audio = info.audio
    return audio.start_s if audio is not None and audio.start_s is not None else Fraction(0)


def decode_pcm(
    data: bytes,
    limits: MediaLimits | None = None,
    *,
    name: str | None = None,
    start_s: float | Fraction = 0,
    max_s: float | Fraction | None = None,
    speed: float | Fraction = 1,
) -> AudioArray:
    """Decode ``data`` from ``start_s`` (source seconds) for at most ``max_s`` output seconds.

    ``speed`` plays the source faster (> 1) or slower; ``max_s`` counts output time after the
    tempo change. Decoding stops as soon as enough samples exist, and in any case at
    ``limits.max_duration_s`` of source. Probe errors of :func:`probe_audio` apply; a stream
    that fails mid-way is ``OR-E407``.
    """
    lim = limits or MediaLimits()
    info = probe_audio(data, lim, name=name)
    rate = exact(speed)
    if not 0 < rate <= 16:
        raise ValueError("speed must be in (0, 16]")
    start = exact(start_s)
    skip = seconds_to_samples(start / rate)
    want = None if max_s is None else seconds_to_samples(exact(max_s))
    cap = seconds_to_samples(lim.max_duration_s / rate)
    origin = _origin(info)
    opened = open_input(data, info.demuxer)
    chunks: list[AudioArray] = []
    have = 0
    lead = -1  # samples of silence (>0) or of audio to drop (<0) before the first frame
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
    tempo = _Tempo(rate) if rate != 1 else None
    with opened.container as container:
        stream = container.streams.audio[0]
        stream.codec_context.thread_type = "AUTO"
        try:
            for frame in _frames(container, stream):
                if lead == -1:
                    first = (
                        Fraction(frame.pts) * Fraction(frame.time_base)
                        if frame.pts is not None
                        else 0
                    )
                    lead = seconds_to_samples((first - origin) / rate)
                    if lead > 0:
                        chunks.append(np.zeros((2, lead), np.float32))
                        have += lead
                for out in _convert(resampler, tempo, frame):
                    chunks.append(out)
                    have += out.shape[1]
                if have >= cap or (want is not None and have >= skip + want + max(0, -lead)):
                    break
        except av.FFmpegError as exc:
            raise MediaError("OR-E407", "the audio could not be decoded") from exc
        for out in _convert(resampler, tempo, None):
            chunks.append(out)
    pcm = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    if lead < 0:
        pcm = pcm[:, -lead:]
    audio = info.audio
    if audio is not None and audio.duration_s is not None:
        # Drop the encoder padding after the stream's declared end (AAC pads its last frame).
        end = (audio.duration_s + (audio.start_s or 0) - origin) / rate
        pcm = pcm[:, : max(0, seconds_to_samples(end))]
    pcm = pcm[:, skip : None if want is None else skip + want]
    return np.ascontiguousarray(pcm[:, :cap], dtype=np.float32)


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    # demux() ends with an empty packet per stream, which flushes the decoder.
    for packet in container.demux(stream):
        yield from stream.codec_context.decode(packet)


def _convert(resampler: Any, tempo: _Tempo | None, frame: Any) -> Iterator[AudioArray]:
    for resampled in resampler.resample(frame):
        if tempo is None:
            yield resampled.to_ndarray().astype(np.float32, copy=False)
        else:
            for out in tempo.run(resampled):
                yield out.to_ndarray().astype(np.float32, copy=False)
    if frame is None and tempo is not None:
        for out in tempo.run(None):
            yield out.to_ndarray().astype(np.float32, copy=False)
