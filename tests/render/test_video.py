"""Video outputs, checked by probed metadata, frame accuracy and A/V sync (not by pixels)."""

from __future__ import annotations

import io
import wave
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image
from rendertools import base_doc, write_template

from openreel.pipeline import RenderOptions, render_video

PALETTE = [(0, 0, 0), (255, 255, 255), (255, 0, 0), (0, 255, 0),
           (0, 0, 255), (255, 255, 0), (0, 255, 255), (255, 0, 255)]  # fmt: skip
RATE = 48_000


def wav_bytes(seconds: float, clicks_s: list[float] = (), tone: float = 0.0) -> bytes:  # type: ignore[assignment]
    """Stereo 16-bit 48 kHz: an optional quiet 440 Hz tone, and 2 ms full-scale clicks."""
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    x = tone * np.sin(2 * np.pi * 440 * t)
    for c in clicks_s:
        a = round(c * RATE)
        x[a : a + 96] = 0.9
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.repeat(pcm, 2).tobytes())
    return buf.getvalue()


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _coded_doc(count: int, fps: str, duration: str) -> dict[str, Any]:
    """One scene per frame; frame i shows PALETTE[i % 8] left and PALETTE[i // 8 % 8] right."""
    scenes = []
    for i in range(count):
        left, right = PALETTE[i % 8], PALETTE[(i // 8) % 8]
        scenes.append({"id": f"f{i}", "duration": float(duration), "layers": [
            {"type": "shape", "x": 0, "y": 0, "width": 80, "height": 48, "fill": _hex(left)},
            {"type": "shape", "x": 80, "y": 0, "width": 80, "height": 48, "fill": _hex(right)},
        ]})  # fmt: skip
    doc = base_doc([], size=[160, 48], fps=fps)
    doc["scenes"] = scenes
    return doc


def _nearest(rgb: np.ndarray) -> int:
    d = ((np.array(PALETTE, float) - rgb) ** 2).sum(axis=1)
    return int(d.argmin())


@pytest.mark.parametrize(("fps", "duration"), [("30", "0.0333333"), ("30000/1001", "0.0333667")])
def test_frame_accuracy(tmp_path: Path, fps: str, duration: str) -> None:
    count = 64
    folder = write_template(tmp_path / "coded", _coded_doc(count, fps, duration))
    out = tmp_path / "coded.mp4"
    result = render_video(folder, {}, out, RenderOptions(audio=False))
    assert result.frames == count
    codes, times = [], []
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == Fraction(fps)
        for frame in container.decode(stream):
            rgb = frame.to_ndarray(format="rgb24").astype(float)
            left = _nearest(rgb[8:40, 8:72].mean(axis=(0, 1)))
            right = _nearest(rgb[8:40, 88:152].mean(axis=(0, 1)))
            codes.append(left + 8 * right)
            times.append(Fraction(frame.pts) * frame.time_base * Fraction(fps))
    assert codes == list(range(count))  # zero wrong, dropped or repeated frames
    assert times == list(range(count))  # and each at its exact timestamp


def _av_doc(seconds: int, flashes: list[float]) -> dict[str, Any]:
    layers: list[dict[str, Any]] = [
        {"type": "shape", "fill": "#ffffff", "start": s, "end": s + 0.1} for s in flashes
    ]
    doc = base_doc(layers, size=[64, 36], background="#000000")
    doc["scenes"][0]["duration"] = seconds
    doc["assets"] = {"clicks": "assets/clicks.wav"}
    doc["audio"] = [{"src": "clicks"}]
    return doc


def _check_sync(tmp_path: Path, seconds: int, flashes: list[float]) -> None:
    folder = write_template(tmp_path / "sync", _av_doc(seconds, flashes))
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "assets" / "clicks.wav").write_bytes(wav_bytes(seconds, flashes, tone=0.05))
    out = tmp_path / "sync.mp4"
    render_video(folder, {}, out, RenderOptions(preset="fast"))
    fps = Fraction(30)
    with av.open(str(out)) as container:
        picture = [
            (Fraction(f.pts) * f.time_base, float(f.to_ndarray(format="gray").mean()))
            for f in container.decode(video=0)
        ]
    with av.open(str(out)) as container:
        starts: list[float] = []
        for f in container.decode(audio=0):
            x = f.to_ndarray()[0]
            loud = np.flatnonzero(np.abs(x) > 0.5)
            base = float(f.pts * f.time_base)
            for i in loud:
                t = base + i / f.sample_rate
                if not starts or t - starts[-1] > 0.5:
                    starts.append(t)
    seen = [t for (t, v), (_, prev) in zip(picture[1:], picture, strict=False) if v > 128 >= prev]
    assert len(seen) == len(flashes) == len(starts)
    for want, shown, heard in zip(flashes, seen, starts, strict=True):
        assert abs(float(shown) - want) <= float(1 / fps) / 2
        assert abs(heard - float(shown)) <= float(1 / fps)


def test_av_sync(tmp_path: Path) -> None:
    _check_sync(tmp_path, 4, [1.0, 2.0, 3.0])


@pytest.mark.slow
def test_av_sync_no_drift_over_60_s(tmp_path: Path) -> None:
    _check_sync(tmp_path, 60, [1.0, 15.0, 30.0, 45.0, 58.0])


def test_outputs_metadata(tmp_path: Path) -> None:
    layers = [
        {"type": "video", "src": "clip", "fit": "cover"},
        {"type": "text", "text": "Hi {{ name }}", "x": 10, "y": 60, "width": 300,
         "height": 60, "size": 40, "animate": {"opacity": {"preset": "fade-in"}}},
    ]  # fmt: skip
    doc = base_doc(layers, data={"name": {"type": "string", "pii": True, "default": "x"}})
    doc["scenes"][0]["duration"] = 2
    doc["captions"] = [{"start": 0, "end": 1, "text": "Hello <b>{{ name }}</b>"}]
    doc["audio"] = [{"src": "tone", "fade_in": 0.2}]
    folder = write_template(tmp_path / "meta", doc, assets=True)
    (folder / "assets" / "tone.wav").write_bytes(wav_bytes(3.0, tone=0.3))
    data = (folder / "template.json").read_text(encoding="utf-8")
    (folder / "template.json").write_text(
        data.replace('"assets": {', '"assets": {"tone": "assets/tone.wav", '), encoding="utf-8"
    )
    out = tmp_path / "o" / "meta.mp4"
    opts = RenderOptions(
        gif=tmp_path / "o" / "p.gif", webp=tmp_path / "o" / "p.webp",
        captions=tmp_path / "o" / "c.vtt", burn_captions=True, preview_fps=10,
    )  # fmt: skip
    result = render_video(folder, {"name": "Dana"}, out, opts)
    assert result.frames == 60 and result.warnings == ()
    with av.open(str(out)) as container:
        v, a = container.streams.video[0], container.streams.audio[0]
        cc = v.codec_context
        assert (cc.name, cc.pix_fmt, cc.width, cc.height) == ("h264", "yuv420p", 320, 180)
        assert (int(cc.color_primaries), int(cc.color_trc), int(cc.colorspace)) == (1, 1, 1)
        assert v.average_rate == Fraction(30)
        assert sum(1 for _ in container.decode(v)) == 60
        assert float(v.duration * v.time_base) == pytest.approx(2.0, abs=1e-6)
        assert (a.codec_context.name, a.codec_context.sample_rate) == ("aac", 48_000)
        assert float(a.duration * a.time_base) == pytest.approx(2.0, abs=0.03)
    with Image.open(opts.gif) as gif:
        assert gif.n_frames == 20 and gif.size == (320, 180)
    with Image.open(opts.webp) as webp:
        assert webp.n_frames == 20
    vtt = opts.captions.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "00:00:00.000 --> 00:00:01.000\nHello &lt;b&gt;Dana&lt;/b&gt;" in vtt


def test_time_range(tmp_path: Path) -> None:
    doc = base_doc([{"type": "shape", "fill": "#ff0000", "animate": {"opacity": [[0, 0], [1, 1]]}}])
    doc["scenes"][0]["duration"] = 3
    folder = write_template(tmp_path / "range", doc)
    out = tmp_path / "range.mp4"
    result = render_video(folder, {}, out, RenderOptions(start_s=0.5, end_s=1.5, audio=False))
    assert result.frames == 30 and result.seconds == pytest.approx(1.0)
    with av.open(str(out)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert 100 < first[..., 0].mean() < 160  # opacity 0.5 of red over #101828 at t = 0.5 s
