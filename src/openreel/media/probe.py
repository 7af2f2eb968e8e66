"""Probe user audio/video from bytes with an explicit, allowlisted demuxer and check every cap.

This module holds the only place OpenReel opens *untrusted* media with PyAV:
:func:`open_input`. It always passes ``format=`` (picked by sniffing the magic bytes; FFmpeg
never auto-probes user bytes) and an ``io_open`` callback that refuses, so a demuxer that
tries to open a second file or URL (HLS playlists, ffconcat scripts, QuickTime data
references) fails instead of reaching the file system or the network (RELIABILITY.md rule 4,
rows 13-14). Refused nested opens are recorded on the :class:`NestedOpenGuard`.

:func:`probe_media` checks, in order and before any frame is decoded: byte size (``OR-E405``),
the sniffed container against the allowlist (``OR-E400``; a lying file name is ``OR-E401``),
that the header parses (``OR-E406``), the stream count (``OR-E404``; every stream counts),
every video stream's width and height (``OR-E402``), container and stream durations and the
frame rate (``OR-E403``), and the codec of every audio and video stream (``OR-E408``). Data,
subtitle and attachment streams (phone metadata, timecode tracks, fonts) are counted but
never decoded, so their codecs are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from io import BytesIO
from typing import Any, Literal

import av
import av.container

from openreel.errors import MediaError
from openreel.media.limits import MediaLimits
from openreel.media.sniff import name_format, same_format, sniff

Require = Literal["video", "audio"] | None

#: A protocol name that does not exist: FFmpeg then refuses every protocol it would open.
_NO_PROTOCOL = "none"


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One stream of a probed file. Times are exact seconds; None when the header omits them."""

    index: int
    kind: str
    codec: str
    width: int = 0
    height: int = 0
    fps: Fraction | None = None
    sample_rate: int = 0
    channels: int = 0
    start_s: Fraction | None = None
    duration_s: Fraction | None = None
    pix_fmt: str | None = None


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """A probed container: the sniffed format, its FFmpeg demuxer, duration and streams."""

    format: str
    demuxer: str
    duration_s: Fraction | None
    streams: tuple[StreamInfo, ...]

    @property
    def video(self) -> StreamInfo | None:
        """The first video stream (the one clips use), or None."""
        return next((s for s in self.streams if s.kind == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        """The first audio stream (the one the mixer uses), or None."""
        return next((s for s in self.streams if s.kind == "audio"), None)


@dataclass(slots=True)
class NestedOpenGuard:
    """The ``io_open`` given to FFmpeg: refuses every nested open and counts the attempts.

    FFmpeg calls it for any further file or URL a demuxer wants (playlist entries, concat
    items, data references). It raises, which fails that open. The URL itself is not kept
    (it may carry user data); only the number of attempts.
    """

    attempts: int = 0

    def __call__(self, url: str, flags: int, options: dict[str, Any]) -> Any:
        del url, flags, options
        self.attempts += 1
        raise PermissionError("nested opens are not allowed")


@dataclass(slots=True)
class OpenedInput:
    """An open container plus the guard that watched it (for tests and error messages)."""

    container: av.container.InputContainer
    guard: NestedOpenGuard = field(default_factory=NestedOpenGuard)


def open_input(
    data: bytes, demuxer: str, *, options: Mapping[str, str] | None = None
) -> OpenedInput:
    """Open ``data`` with exactly the FFmpeg demuxer ``demuxer``; nested opens are impossible.

    Two independent guards: ``io_open`` refuses every open a demuxer routes through its parent
    (HLS, DASH, QuickTime data references), and ``protocol_whitelist=none`` makes FFmpeg refuse
    any protocol a demuxer opens on its own (the concat demuxer opens its items with a fresh
    context that does not inherit ``io_open`` but does inherit the whitelist). ``options`` are
    extra demuxer options (tests use them); they cannot override the whitelist.

    Callers pass the demuxer from :class:`MediaInfo` (so from the sniff); this function does not
    check the allowlist itself. Raises ``OR-E400`` when the demuxer tried a nested open and
    ``OR-E406`` when the bytes do not parse.
    """
    guard = NestedOpenGuard()
    demuxer_options = {**(options or {}), "protocol_whitelist": _NO_PROTOCOL}
    try:
        container = av.open(
            BytesIO(data),
            mode="r",
            format=demuxer,
            container_options=demuxer_options,
            io_open=guard,
        )
    except (av.FFmpegError, PermissionError, ValueError, OSError, EOFError) as exc:
        if guard.attempts:
            raise MediaError(
                "OR-E400", "the file tries to open further files or URLs; that is refused"
            ) from None
        raise MediaError("OR-E406", f"the file does not parse as {demuxer}") from exc
    if guard.attempts:
        container.close()
        raise MediaError("OR-E400", "the file tries to open further files or URLs; that is refused")
    return OpenedInput(container, guard)


def _seconds(value: int | None, time_base: Fraction | None) -> Fraction | None:
    if value is None or time_base is None:
        return None
    return Fraction(value) * time_base


def _stream_info(stream: Any) -> StreamInfo:
    cc = stream.codec_context
    kind = str(stream.type)
    codec = str(cc.codec.canonical_name) if cc is not None and cc.codec is not None else "none"
    tb = Fraction(stream.time_base) if stream.time_base is not None else None
    common: dict[str, Any] = {
        "start_s": _seconds(stream.start_time, tb),
        "duration_s": _seconds(stream.duration, tb),
    }
    if kind == "video":
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        return StreamInfo(
            stream.index,
            kind,
            codec,
            width=int(cc.width),
            height=int(cc.height),
            fps=Fraction(rate) if rate else None,
            pix_fmt=cc.pix_fmt,
            **common,
        )
    if kind == "audio":
        return StreamInfo(
            stream.index,
            kind,
            codec,
            sample_rate=int(cc.sample_rate or 0),
            channels=int(cc.channels or 0),
            **common,
        )
    return StreamInfo(stream.index, kind, codec, **common)


def _check_stream(s: StreamInfo, lim: MediaLimits) -> None:
    if s.kind == "video" and (s.width <= 0 or s.height <= 0):
        raise MediaError("OR-E406", f"video stream {s.index} has no size")
    if s.kind == "video" and (s.width > lim.max_width or s.height > lim.max_height):
        raise MediaError(
            "OR-E402",
            f"video stream {s.index} is {s.width}x{s.height}; the limit is "
            f"{lim.max_width}x{lim.max_height}",
        )
    if s.duration_s is not None and s.duration_s > lim.max_duration_s:
        raise MediaError(
            "OR-E403",
            f"stream {s.index} lasts {float(s.duration_s):.3f} s; the limit is "
            f"{float(lim.max_duration_s):g} s",
        )
    if s.fps is not None and s.fps > lim.max_fps:
        raise MediaError("OR-E403", f"video stream {s.index} has {float(s.fps):g} fps")


def _check_codec(s: StreamInfo, lim: MediaLimits) -> None:
    if s.kind not in ("video", "audio"):
        return  # data, subtitle and attachment streams (phone metadata, timecode) are never read
    allowed = lim.video_codecs if s.kind == "video" else lim.audio_codecs
    if s.codec not in allowed | lim.extra_codecs:
        raise MediaError(
            "OR-E408", f"{s.kind} stream {s.index} uses the codec {s.codec}, which is not allowed"
        )


def probe_media(
    data: bytes,
    limits: MediaLimits | None = None,
    *,
    name: str | None = None,
    require: Require = None,
) -> MediaInfo:
    """Describe an audio/video file held in ``data`` after checking it against ``limits``.

    ``require="video"`` (or ``"audio"``) additionally demands such a stream (``OR-E406``
    otherwise). No frame or sample is decoded. See the module docstring for the order of checks.
    """
    lim = limits or MediaLimits()
    if len(data) > lim.max_bytes:
        raise MediaError("OR-E405", f"the file has {len(data)} bytes; the limit is {lim.max_bytes}")
    found = sniff(data)
    promised = name_format(name)
    if found.kind != "media" or found.name not in lim.containers or found.demuxer is None:
        said = f" (the file name promises {promised})" if promised else ""
        raise MediaError(
            "OR-E400",
            f"expected a container in {', '.join(sorted(lim.containers))}, "
            f"found {found.name}{said}",
        )
    if promised is not None and not same_format(promised, found.name):
        raise MediaError(
            "OR-E401", f"the file name promises {promised} but the bytes are {found.name}"
        )
    opened = open_input(data, found.demuxer)
    with opened.container as container:
        streams = tuple(_stream_info(s) for s in container.streams)
        duration = (
            Fraction(container.duration, 1_000_000) if container.duration is not None else None
        )
    if not streams:
        raise MediaError("OR-E406", "the file has no streams")
    if len(streams) > lim.max_streams:
        raise MediaError(
            "OR-E404", f"the file has {len(streams)} streams; the limit is {lim.max_streams}"
        )
    for s in streams:
        _check_stream(s, lim)
    if duration is not None and duration > lim.max_duration_s:
        raise MediaError(
            "OR-E403",
            f"the file lasts {float(duration):.3f} s; the limit is {float(lim.max_duration_s):g} s",
        )
    for s in streams:
        _check_codec(s, lim)
    info = MediaInfo(found.name, found.demuxer, duration, streams)
    if require == "video" and info.video is None:
        raise MediaError("OR-E406", "the file has no video stream")
    if require == "audio" and info.audio is None:
        raise MediaError("OR-E406", "the file has no audio stream")
    return info


def probe_video(
    data: bytes, limits: MediaLimits | None = None, *, name: str | None = None
) -> MediaInfo:
    """:func:`probe_media` requiring a video stream."""
    return probe_media(data, limits, name=name, require="video")


def probe_audio(
    data: bytes, limits: MediaLimits | None = None, *, name: str | None = None
) -> MediaInfo:
    """:func:`probe_media` requiring an audio stream."""
    return probe_media(data, limits, name=name, require="audio")
