"""Encoders, checked by probed metadata (not pixels), frame accuracy and A/V sync."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from mediagen import frame_color, frame_index, solid_bgra, tone

from openreel.media.clip import ClipReader
from openreel.media.encode import VideoEncoder
from openreel.media.pcm import decode_pcm

SIZE = (64, 48)
CONTAINER_TAGS = {"major_brand", "minor_version", "compatible_brands", "encoder"}
STREAM_TAGS = {"language", "handler_name", "vendor_id", "encoder", "alpha_mode", "DURATION"}


def _write(path: Path, count: int, fps: Fraction, **kwargs: Any) -> Path:
    with VideoEncoder(path, SIZE, fps, **kwargs) as enc:
        for i in range(count):
            enc.write(solid_bgra(SIZE, frame_color(i)))
    return path


def _seconds(value: int | None, time_base: Fraction | None) -> Fraction:
    assert value is not None and time_base is not None
    return Fraction(value) * time_base


def _top_level_boxes(data: bytes) -> list[bytes]:
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        boxes.append(kind)
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        if size < 8:
            break
        pos += size
    return boxes


@pytest.mark.parametrize("fps", [Fraction(30), Fraction(30000, 1001)])
def test_h264_round_trip_metadata(tmp_path: Path, fps: Fraction) -> None:
    audio = tone(2.0)
    out = tmp_path / "out.mp4"
    with VideoEncoder(out, SIZE, fps, "fast", audio) as enc:
        for i in range(60):
            enc.write(solid_bgra(SIZE, frame_color(i)))
    with av.open(str(out)) as container:
        video = container.streams.video[0]
        cc = video.codec_context
        assert (cc.name, cc.pix_fmt, cc.width, cc.height) == ("h264", "yuv420p", 64, 48)
        assert (cc.color_primaries, cc.color_trc, cc.colorspace, cc.color_range) == (1, 1, 1, 1)
        assert video.average_rate == fps
        assert video.frames == 60
        assert _seconds(video.duration, video.time_base) == 60 / fps
        sound = container.streams.audio[0]
        assert (sound.codec_context.name, sound.rate, sound.codec_context.channels) == (
            "aac",
            48_000,
            2,
        )
        assert _seconds(sound.duration, sound.time_base) == Fraction(2)
        assert set(container.metadata) <= CONTAINER_TAGS
        assert "encoder" not in container.metadata  # bitexact: no version string
        for stream in container.streams:
            assert set(stream.metadata) <= STREAM_TAGS
    boxes = _top_level_boxes(out.read_bytes())
    assert boxes.index(b"moov") < boxes.index(b"mdat")  # +faststart


@pytest.mark.parametrize("fps", [Fraction(30), Fraction(30000, 1001)])
def test_frame_accuracy_zero_wrong_frames(tmp_path: Path, fps: Fraction) -> None:
    count = 120
    out = _write(tmp_path / "acc.mp4", count, fps)
    wrong, seen = [], 0
    with av.open(str(out)) as container:
        for frame in container.decode(video=0):
            index = round(_seconds(frame.pts, frame.time_base) * fps)
            rgb = frame.to_ndarray(format="rgb24")[24, 32]
            if frame_index(rgb, count) != index:
                wrong.append(index)
            seen += 1
    assert seen == count
    assert wrong == []
    reader = ClipReader(out.read_bytes(), fps_out=fps)
    shown = [frame_index(reader.frame_at(n)[24, 32, 2::-1], count) for n in range(count)]
    assert shown == list(range(count))


def test_av_sync_clicks_match_flash_frames_without_drift(tmp_path: Path) -> None:
    """60 s at 29.97 fps: a white frame and a click at the same instants, early and late."""
    fps = Fraction(30000, 1001)
    total = 1800
    flashes = [30, 900, 1770]
    audio = np.zeros((2, round(total / fps * 48_000)), np.float32)
    for k in flashes:
        start = int(Fraction(k) / fps * 48_000)
        audio[:, start : start + 96] = 0.8  # a 2 ms click
    out = tmp_path / "sync.mp4"
    white, black = solid_bgra(SIZE, (255, 255, 255)), solid_bgra(SIZE, (0, 0, 0))
    with VideoEncoder(out, SIZE, fps, "fast", audio) as enc:
        for i in range(total):
            enc.write(white if i in flashes else black)
    picture_times = []
    with av.open(str(out)) as container:
        for frame in container.decode(video=0):
            if frame.to_ndarray(format="gray")[24, 32] > 128:
                picture_times.append(float(_seconds(frame.pts, frame.time_base)))
    pcm = decode_pcm(out.read_bytes())[0]
    loud = np.flatnonzero(np.abs(pcm) > 0.3)
    onsets = [int(loud[0])] + [int(b) for a, b in zip(loud, loud[1:], strict=False) if b - a > 4800]
    sound_times = [s / 48_000 for s in onsets]
    assert len(picture_times) == len(sound_times) == 3
    frame_s = float(1 / fps)
    for pic, snd in zip(picture_times, sound_times, strict=True):
        assert abs(pic - snd) < frame_s


def test_x264_presets_reach_the_encoder(tmp_path: Path) -> None:
    expected = {"fast": b"crf=23.0", "balanced": b"crf=21.0", "small": b"crf=26.0"}
    subme = {"fast": b"subme=2", "balanced": b"subme=7", "small": b"subme=8"}
    for preset, crf in expected.items():
        data = _write(tmp_path / f"{preset}.mp4", 3, Fraction(30), preset=preset).read_bytes()
        assert crf in data, preset
        assert subme[preset] in data, preset


def test_prores_4444_keeps_alpha(tmp_path: Path) -> None:
    out = tmp_path / "alpha.mov"
    with VideoEncoder(out, SIZE, Fraction(25), kind="prores4444", audio=tone(0.5)) as enc:
        for i in range(5):
            enc.write(solid_bgra(SIZE, frame_color(i), 90))
    with av.open(str(out)) as container:
        cc = container.streams.video[0].codec_context
        assert cc.name == "prores"
        assert str(cc.pix_fmt).startswith("yuva444p")
        assert container.streams.video[0].average_rate == 25
        assert container.streams.audio[0].codec_context.name == "aac"
    frame = ClipReader(out.read_bytes(), fps_out=Fraction(25)).frame_at(2)
    assert abs(int(frame[10, 10, 3]) - 90) <= 2
    assert frame_index(frame[10, 10, 2::-1], 5) == 2


def test_vp9_alpha_webm(tmp_path: Path) -> None:
    out = tmp_path / "alpha.webm"
    with VideoEncoder(out, SIZE, Fraction(30), kind="vp9-alpha", audio=tone(0.5)) as enc:
        for i in range(5):
            enc.write(solid_bgra(SIZE, frame_color(i), 128))
    with av.open(str(out)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "vp9"
        assert video.metadata.get("alpha_mode") == "1"
        assert container.streams.audio[0].codec_context.name == "opus"
    frame = ClipReader(out.read_bytes(), fps_out=Fraction(30)).frame_at(1)
    assert abs(int(frame[10, 10, 3]) - 128) <= 4


def test_threaded_mode_is_frame_exact(tmp_path: Path) -> None:
    count, fps = 50, Fraction(30000, 1001)
    out = tmp_path / "threaded.mp4"
    buffer = np.empty((48, 64, 4), np.uint8)
    with VideoEncoder(out, SIZE, fps, audio=tone(2.0), threaded=True) as enc:
        for i in range(count):
            buffer[...] = solid_bgra(SIZE, frame_color(i))  # the caller reuses its buffer
            enc.write(buffer)
    reader = ClipReader(out.read_bytes(), fps_out=fps)
    shown = [frame_index(reader.frame_at(n)[24, 32, 2::-1], count) for n in range(count)]
    assert shown == list(range(count))
    assert reader.info.audio is not None


def test_threaded_errors_reach_the_caller_and_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    original = VideoEncoder._encode

    def failing(self: VideoEncoder, frame: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("encoder broke")
        original(self, frame)

    monkeypatch.setattr(VideoEncoder, "_encode", failing)
    with (
        pytest.raises(RuntimeError, match="encoder broke"),
        VideoEncoder(tmp_path / "t.mp4", SIZE, Fraction(30), threaded=True) as enc,
    ):
        for i in range(40):
            enc.write(solid_bgra(SIZE, frame_color(i)))
    assert calls["n"] == 3  # nothing was encoded after the failure
    assert list(tmp_path.iterdir()) == []


def test_output_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "final.mp4"
    enc = VideoEncoder(out, SIZE, Fraction(30))
    for _ in range(60):
        enc.write(solid_bgra(SIZE, (1, 2, 3)))
    assert not out.exists()  # at most a hidden temp file while writing
    names = [p.name for p in tmp_path.iterdir()]
    assert all(n.startswith(".final.mp4.") and n.endswith(".tmp") for n in names)
    enc.close()
    assert out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["final.mp4"]


def test_failed_render_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "broken.mp4"
    with pytest.raises(RuntimeError), VideoEncoder(out, SIZE, Fraction(30)) as enc:
        enc.write(solid_bgra(SIZE, (1, 2, 3)))
        raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        VideoEncoder(tmp_path / "x.mp4", (63, 48), Fraction(30))
    with pytest.raises(ValueError, match="preset"):
        VideoEncoder(tmp_path / "x.mp4", SIZE, Fraction(30), "ultra")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="audio"):
        VideoEncoder(tmp_path / "x.mp4", SIZE, Fraction(30), audio=np.zeros(10, np.float32))
    enc = VideoEncoder(tmp_path / "x.mp4", SIZE, Fraction(30))
    with pytest.raises(ValueError, match="shape"):
        enc.write(np.zeros((48, 64, 3), np.uint8))
    with pytest.raises(ValueError, match="no frames"):
        enc.close()
    assert list(tmp_path.iterdir()) == []
