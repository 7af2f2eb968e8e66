"""Forward-only decoding of a user video clip into BGRA frames for the renderer.

Time mapping (exact, :class:`fractions.Fraction` throughout). For output frame ``n`` of a clip
layer (``n`` counted from the layer's first frame) at ``fps_out``::

    t = n / fps_out * speed                       # seconds of source consumed
    s = trim_in + (t mod L)          if loop      # L = trim_out - trim_in (or the clip length)
    s = trim_in + t                  if t < L
    s = "the last frame before trim_in + L"       otherwise (the clip holds its last frame)

``s`` is measured from the clip's first video frame (the stream's start time), so an MP4 whose
first frame has pts 0.067 s still starts at ``s = 0``. The frame shown at ``s`` is the last
one whose timestamp ``pts * time_base`` is at most ``s + EPSILON``; ``EPSILON`` (1 ms) absorbs
timestamps rounded to milliseconds (WebM/Matroska), which would otherwise pick the previous
frame one time in three at 30 fps.

``L`` comes from ``trim`` or the header (the video stream's duration, else the container's).
When the header has neither (a WebM recorded live by a browser), ``L`` is learnt when decoding
first reaches the end: the last frame's time plus one frame (less ``EPSILON``, so rounded
millisecond timestamps cannot add a frame to each loop); until then no wrap can happen.

Decoding only moves forward. The reader re-opens the bytes (and seeks to the key frame at or
before the target) only when asked for an earlier time than the frame it holds, which happens
when a loop wraps or a caller seeks back. The converted array of the current source frame is
cached, so output frames that map to the same source frame (slow motion, a 24 fps clip in a
60 fps video, a held last frame) cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from openreel.errors import MediaError
from openreel.media.limits import MediaLimits
from openreel.media.probe import MediaInfo, OpenedInput, open_input, probe_video
from openreel.timebase import exact

EPSILON = Fraction(1, 1000)
MAX_SPEED = Fraction(16)
#: Seek (instead of decoding from the start) only when the target is this far in.
_SEEK_AFTER = Fraction(2)

Array = npt.NDArray[np.uint8]


@dataclass(slots=True)
class _Frame:
    t: Fraction  # seconds from the clip's first frame
    frame: Any  # av.VideoFrame


def _colorspace(frame: Any) -> str:
    """The YUV matrix to read ``frame`` with: its tag, else BT.709 from 720 lines up, else 601."""
    tagged = {1: "ITU709", 5: "ITU601", 6: "ITU601", 7: "SMPTE240M", 9: "BT2020"}
    cs = tagged.get(int(frame.colorspace))
    if cs is not None:
        return cs
    return "ITU709" if frame.height >= 720 else "ITU601"


class ClipReader:
    """Frames of one clip for consecutive output frames; see the module docstring.

    ``trim`` is ``(in_s, out_s)`` in source seconds (``out_s`` may be None for "to the end");
    ``speed`` is a playback rate in ``(0, 16]``; ``size`` scales every frame to ``(w, h)``.
    The bytes are probed with ``limits`` first (all :func:`probe_video` errors apply).
    """

    def __init__(
        self,
        data: bytes,
        *,
        fps_out: Fraction,
        trim: tuple[float | Fraction, float | Fraction | None] | None = None,
        loop: bool = False,
        speed: float | Fraction = 1,
        size: tuple[int, int] | None = None,
        limits: MediaLimits | None = None,
        name: str | None = None,
    ) -> None:
        self._limits = limits or MediaLimits()
        self.info: MediaInfo = probe_video(data, self._limits, name=name)
        video = self.info.video
        if video is None:  # probe_video guarantees a video stream
            raise MediaError("OR-E406", "the file has no video stream")
        self._data = data
        self._fps_out = Fraction(fps_out)
        self._speed = exact(speed)
        if not 0 < self._speed <= MAX_SPEED:
            raise ValueError(f"speed must be in (0, {MAX_SPEED}]")
        if self._fps_out <= 0:
            raise ValueError("fps_out must be positive")
        self._loop = loop
        self._size = size
        self._origin = video.start_s or Fraction(0)
        trim_in, trim_out = trim if trim is not None else (0, None)
        self._in = exact(trim_in)
        known = video.duration_s or self.info.duration_s
        self._end: Fraction | None = exact(trim_out) if trim_out is not None else known
        if self._in < 0 or (self._end is not None and self._end <= self._in):
            raise ValueError("trim must satisfy 0 <= in < out")
        self._input: OpenedInput | None = None
        self._frames: Iterator[Any] | None = None
        self._cur: _Frame | None = None
        self._nxt: _Frame | None = None
        self._eof = False
        self._array: Array | None = None
        self._last_t: Fraction | None = None
        self._seeked = False
        #: Counters for tests and profiling.
        self.frames_decoded = 0
        self.opens = 0
        self.conversions = 0

    # -- time mapping -----------------------------------------------------------------------
    def source_time(self, output_frame: int) -> Fraction:
        """The source time (seconds from the first frame) shown at ``output_frame``."""
        if output_frame < 0:
            raise ValueError("output frames start at 0")
        t = Fraction(output_frame) / self._fps_out * self._speed
        end = self._end
        if end is None:
            return self._in + t
        length = end - self._in
        if self._loop and length > 0:
            return self._in + t % length
        return max(min(self._in + t, end - 2 * EPSILON), Fraction(0))

    # -- decoding -----------------------------------------------------------------------------
    def _open(self, target: Fraction, *, allow_seek: bool = True) -> None:
        self.close()
        opened = open_input(self._data, self.info.demuxer)
        self.opens += 1
        container = opened.container
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if stream.metadata.get("alpha_mode") == "1" and ctx.codec.canonical_name in {"vp8", "vp9"}:
            # FFmpeg's native VP8/VP9 decoders drop the alpha side data; libvpx keeps it.
            ctx = av.CodecContext.create("libvpx-vp9" if ctx.name == "vp9" else "libvpx", "r")
        ctx.thread_type = "AUTO"
        self._seeked = allow_seek and target > _SEEK_AFTER
        if self._seeked:
            tb = Fraction(stream.time_base or Fraction(1, 90_000))
            container.seek(int((self._origin + target) / tb), stream=stream, backward=True)
        self._input = opened
        self._frames = self._decode(container, stream, ctx)
        self._eof = False
        self._cur = None
        self._nxt = None
        self._array = None

    def _decode(self, container: Any, stream: Any, ctx: Any) -> Iterator[Any]:
        # demux() ends with an empty packet per stream, which flushes the decoder.
        for packet in container.demux(stream):
            yield from ctx.decode(packet)

    def _pull(self) -> _Frame | None:
        """The next decoded frame (or None at the end), with its exact time."""
        if self._eof or self._frames is None:
            return None
        try:
            frame = next(self._frames, None)
        except av.FFmpegError:
            raise MediaError("OR-E407", "a video frame could not be decoded") from None
        if frame is None:
            self._eof = True
            if self._end is None and self._last_t is not None:
                # The length is known now: the last frame's time plus one frame, less EPSILON
                # so that millisecond-rounded timestamps cannot add a frame to each loop.
                self._end = self._last_t + self._step() - EPSILON
            return None
        self.frames_decoded += 1
        if frame.pts is not None:
            t = Fraction(frame.pts) * Fraction(frame.time_base) - self._origin
        else:
            t = self._last_t + self._step() if self._last_t is not None else Fraction(0)
        self._last_t = t
        if t > self._limits.max_duration_s:
            self._eof = True
            return None
        return _Frame(t, frame)

    def _step(self) -> Fraction:
        video = self.info.video
        return 1 / video.fps if video is not None and video.fps else Fraction(1, 30)

    def _seek_source(self, s: Fraction) -> _Frame:
        """Decode forward to the frame shown at source time ``s`` and return it."""
        limit = s + EPSILON
        if self._input is None or (self._cur is not None and self._cur.t > limit):
            self._open(s)
        if self._cur is None:
            self._cur = self._pull()
            if self._cur is not None and self._seeked and self._cur.t > limit:
                self._open(s, allow_seek=False)  # the seek overshot: decode from the start
                self._cur = self._pull()
            if self._cur is None:
                raise MediaError("OR-E406", "the video has no decodable frames")
        while True:
            if self._nxt is None:
                self._nxt = self._pull()
            if self._nxt is None or self._nxt.t > limit:
                break
            self._cur, self._nxt = self._nxt, None
            self._array = None
        return self._cur

    def frame_at(self, output_frame: int) -> Array:
        """The BGRA ``(H, W, 4)`` uint8 frame for ``output_frame`` (read-only; do not modify).

        Consecutive calls with growing indexes decode forward only; a smaller index than the
        previous one, or a loop wrap, re-opens the clip. Before the clip's first frame time
        the first frame is shown; past its end (without ``loop``) the last one.
        """
        had_end = self._end is not None
        cur = self._seek_source(self.source_time(output_frame))
        if self._loop and not had_end and self._end is not None:
            # The clip's length became known at its end: map again, now wrapping.
            cur = self._seek_source(self.source_time(output_frame))
        if self._array is None:
            self._array = self._convert(cur.frame)
        return self._array

    def _convert(self, frame: Any) -> Array:
        w, h = self._size if self._size is not None else (frame.width, frame.height)
        rgb = frame.reformat(
            width=w,
            height=h,
            format="bgra",
            src_colorspace=_colorspace(frame),
            src_color_range=int(frame.color_range) or None,
            interpolation="BILINEAR",
        )
        arr: Array = rgb.to_ndarray()
        arr.flags.writeable = False
        self.conversions += 1
        return arr

    def close(self) -> None:
        """Release the decoder (the reader re-opens on the next :meth:`frame_at`)."""
        if self._input is not None:
            self._input.container.close()
        self._input = None
        self._frames = None

    def __enter__(self) -> ClipReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
