"""Video encoders: H.264 MP4 (the default), ProRes 4444 MOV and VP9-alpha WebM (transparent).

Frames are pushed as BGRA ``uint8`` arrays of shape ``(H, W, 4)`` with straight alpha; frame
``i`` gets the timestamp ``i / fps`` exactly (the stream time base is ``1 / fps``). Colour is
converted with the BT.709 matrix into limited ("TV") range and tagged as BT.709 (primaries,
transfer and matrix), which is what browsers assume for HD video.

Presets for H.264 (libx264; quality-targeted, constant rate factor):

======== ========== ===== ==================================================
preset   x264       CRF   use
======== ========== ===== ==================================================
fast     veryfast   23    default; interactive renders and batch at scale
balanced medium     21    better quality per bit, about 2-3x slower
small    slow       26    smallest files (email, messaging), about 4x slower
======== ========== ===== ==================================================

A key frame is forced every 2 s (seeking in players); MP4/MOV get ``+faststart`` (the index
is moved to the front, so playback starts before the download ends). Audio, when given, is
float32 PCM of shape ``(2, n)`` at 48 kHz (the mixer's output); it is encoded to AAC (Opus in
WebM) and written interleaved with the video: after each video frame, the audio up to that
frame's end time is encoded. Container metadata is empty but for what the muxer writes by
itself (brands; ``+bitexact`` keeps even the encoder version out, so the same input gives the
same bytes). The file is written to a temporary name and published atomically by
:meth:`VideoEncoder.close`.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import av
import numpy as np
import numpy.typing as npt

from openreel.media.atomic import publish, temp_path_for

Preset = Literal["fast", "balanced", "small"]
Kind = Literal["h264", "prores4444", "vp9-alpha"]
SAMPLE_RATE = 48_000

#: preset -> (x264 preset, CRF)
X264_PRESETS: dict[str, tuple[str, int]] = {
    "fast": ("veryfast", 23),
    "balanced": ("medium", 21),
    "small": ("slow", 26),
}
#: preset -> libvpx (deadline, cpu-used, CRF) for VP9 with alpha
_VP9_PRESETS: dict[str, tuple[str, int, int]] = {
    "fast": ("realtime", 8, 32),
    "balanced": ("good", 4, 30),
    "small": ("good", 2, 36),
}
BT709 = 1  # AVCOL_PRI_BT709 == AVCOL_TRC_BT709 == AVCOL_SPC_BT709
RANGE_LIMITED = 1  # AVCOL_RANGE_MPEG


@dataclass(frozen=True, slots=True)
class _Profile:
    container: str
    video_codec: str
    pix_fmt: str
    audio_codec: str
    audio_bitrate: int


_PROFILES: dict[str, _Profile] = {
    "h264": _Profile("mp4", "libx264", "yuv420p", "aac", 160_000),
    "prores4444": _Profile("mov", "prores_ks", "yuva444p10le", "aac", 192_000),
    "vp9-alpha": _Profile("webm", "libvpx-vp9", "yuva420p", "libopus", 128_000),
}

AudioArray = npt.NDArray[np.float32]


def _video_options(kind: str, preset: str, fps: Fraction) -> dict[str, str]:
    if kind == "h264":
        x264, crf = X264_PRESETS[preset]
        return {"preset": x264, "crf": str(crf), "profile": "high"}
    if kind == "prores4444":
        return {"profile": "4444", "vendor": "apl0"}
    deadline, cpu, crf = _VP9_PRESETS[preset]
    del fps
    return {
        "deadline": deadline,
        "cpu-used": str(cpu),
        "crf": str(crf),
        "b": "0",
        "row-mt": "1",
        "auto-alt-ref": "0",
    }


class VideoEncoder:
    """Encode BGRA frames (and optional audio) to ``path``; see the module docstring.

    ``size`` is ``(width, height)``; H.264 and VP9 need even sizes. Use as a context manager:
    leaving the block normally publishes the file, an exception removes the temporary file.
    ``threaded=True`` converts and encodes on a background thread (a queue of 4 frames), so a
    caller that renders the next frame meanwhile keeps both cores busy; PyAV releases the GIL
    while FFmpeg converts and encodes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        size: tuple[int, int],
        fps: Fraction,
        preset: Preset = "fast",
        audio: AudioArray | None = None,
        *,
        kind: Kind = "h264",
        keyframe_interval_s: Fraction = Fraction(2),
        threaded: bool = False,
    ) -> None:
        width, height = size
        if kind not in _PROFILES:
            raise ValueError(f"kind must be one of {sorted(_PROFILES)}")
        if preset not in X264_PRESETS:
            raise ValueError(f"preset must be one of {sorted(X264_PRESETS)}")
        if width <= 0 or height <= 0 or (kind != "prores4444" and (width % 2 or height % 2)):
            raise ValueError("the frame size must be positive (and even for H.264 and VP9)")
        if fps <= 0:
            raise ValueError("fps must be positive")
        if audio is not None and (audio.ndim != 2 or audio.shape[0] != 2):
            raise ValueError("audio must be float32 of shape (2, samples) at 48 kHz")
        self.path = Path(path)
        self.size = (width, height)
        self.fps = Fraction(fps)
        self.kind = kind
        self.frames_written = 0
        self._profile = _PROFILES[kind]
        self._temp = temp_path_for(self.path)
        self._audio = None if audio is None else np.ascontiguousarray(audio, dtype=np.float32)
        self._audio_pos = 0
        self._encoded = 0
        self._closed = False
        self._queue: queue.Queue[Any] | None = queue.Queue(maxsize=4) if threaded else None
        self._worker: threading.Thread | None = None
        self._worker_error: BaseException | None = None
        options = {"movflags": "+faststart"} if self._profile.container in ("mp4", "mov") else {}
        options["fflags"] = "+bitexact"
        self._container: Any = av.open(
            str(self._temp), mode="w", format=self._profile.container, container_options=options
        )
        try:
            self._video = self._add_video(preset, keyframe_interval_s)
            self._audio_stream = self._add_audio() if self._audio is not None else None
        except BaseException:
            self._discard()
            raise
        if self._queue is not None:
            self._worker = threading.Thread(
                target=self._work, args=(self._queue,), name="openreel-encode", daemon=True
            )
            self._worker.start()

    def _add_video(self, preset: str, keyframe_interval_s: Fraction) -> Any:
        p = self._profile
        stream = self._container.add_stream(
            p.video_codec, rate=self.fps, options=_video_options(self.kind, preset, self.fps)
        )
        cc = stream.codec_context
        cc.width, cc.height = self.size
        cc.pix_fmt = p.pix_fmt
        cc.time_base = 1 / self.fps
        stream.time_base = 1 / self.fps
        cc.gop_size = max(1, round(keyframe_interval_s * self.fps))
        cc.color_primaries = BT709
        cc.color_trc = BT709
        cc.colorspace = BT709
        cc.color_range = RANGE_LIMITED
        cc.thread_type = "AUTO"
        cc.thread_count = 0
        return stream

    def _add_audio(self) -> Any:
        p = self._profile
        stream = self._container.add_stream(p.audio_codec, rate=SAMPLE_RATE)
        cc = stream.codec_context
        cc.layout = "stereo"
        cc.bit_rate = p.audio_bitrate
        cc.time_base = Fraction(1, SAMPLE_RATE)
        stream.time_base = Fraction(1, SAMPLE_RATE)
        return stream

    def write(self, bgra: npt.NDArray[np.uint8]) -> None:
        """Append one frame (shape ``(H, W, 4)``, uint8, BGRA, straight alpha).

        In ``threaded`` mode the pixels are copied and handed to the encoder thread, so the
        caller may reuse its buffer at once; an error of the thread is raised by the next
        ``write`` or by ``close``.
        """
        if self._closed:
            raise ValueError("the encoder is closed")
        w, h = self.size
        if bgra.shape != (h, w, 4) or bgra.dtype != np.uint8:
            raise ValueError(f"frames must be uint8 arrays of shape ({h}, {w}, 4)")
        self.frames_written += 1
        if self._queue is None:
            # Zero-copy view: the frame is converted before this call returns.
            self._encode(av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(bgra), "bgra"))
            return
        self._raise_worker_error()
        self._queue.put(av.VideoFrame.from_ndarray(bgra, format="bgra"))

    def _encode(self, frame: Any) -> None:
        out = frame.reformat(
            format=self._profile.pix_fmt,
            src_colorspace="ITU709",
            dst_colorspace="ITU709",
            src_color_range="JPEG",
            dst_color_range="MPEG",
        )
        out.pts = self._encoded
        out.time_base = self._video.codec_context.time_base
        self._container.mux(self._video.encode(out))
        self._encoded += 1
        self._push_audio(self._audio_end_for(self._encoded))

    def _work(self, frames: queue.Queue[Any]) -> None:
        while (frame := frames.get()) is not None:
            if self._worker_error is None:
                try:
                    self._encode(frame)
                except BaseException as exc:  # handed to the caller's thread
                    self._worker_error = exc

    def _raise_worker_error(self) -> None:
        if self._worker_error is not None:  # kept: the worker skips every later frame
            raise self._worker_error

    def _stop_worker(self) -> None:
        if self._queue is not None and self._worker is not None and self._worker.is_alive():
            self._queue.put(None)
            self._worker.join()

    def _audio_end_for(self, frames: int) -> int:
        """The sample index where video frame ``frames`` starts: ``floor(frames / fps * 48000)``."""
        return int(Fraction(frames) / self.fps * SAMPLE_RATE)

    def _push_audio(self, end: int, *, final: bool = False) -> None:
        if self._audio is None or self._audio_stream is None:
            return
        cc = self._audio_stream.codec_context
        size = cc.frame_size or 1024
        end = min(end, self._audio.shape[1])
        while self._audio_pos + size <= end or (final and self._audio_pos < end):
            stop = min(self._audio_pos + size, end)
            chunk = np.ascontiguousarray(self._audio[:, self._audio_pos : stop])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = self._audio_pos
            frame.time_base = Fraction(1, SAMPLE_RATE)
            self._container.mux(self._audio_stream.encode(frame))
            self._audio_pos = stop

    def close(self) -> Path:
        """Flush the encoders, finish the file and publish it atomically; returns the path."""
        if self._closed:
            return self.path
        if self.frames_written == 0:
            self._discard()
            raise ValueError("no frames were written")
        try:
            self._stop_worker()
            self._raise_worker_error()
            self._container.mux(self._video.encode(None))
            if self._audio_stream is not None and self._audio is not None:
                self._push_audio(self._audio.shape[1], final=True)
                self._container.mux(self._audio_stream.encode(None))
            self._container.close()
            self._closed = True
            publish(self._temp, self.path)
        except BaseException:
            self._discard()
            raise
        return self.path

    def _discard(self) -> None:
        self._closed = True
        self._stop_worker()
        with contextlib.suppress(av.FFmpegError, OSError, ValueError):
            self._container.close()  # the file is being thrown away
        self._temp.unlink(missing_ok=True)

    def __enter__(self) -> VideoEncoder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._discard()
