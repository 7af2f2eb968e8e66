"""Deterministic synthesis of the example templates' media: images, a video clip and music.

Every function here is a pure function of its arguments (no clock, no global state; the only
randomness is a seeded generator) and returns bytes or arrays; ``make_example_assets.py``
decides what to write where. Images are drawn with skia-python (anti-aliased) and encoded as PNG
with Pillow; the clip and the music are encoded with PyAV (libx264, FFmpeg's native AAC).

The clip carries a machine-readable frame code so that frame accuracy can be checked after
decoding: see :func:`frame_code_geometry` and :func:`read_frame_code`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import skia
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc
from PIL import Image

FloatArray = npt.NDArray[np.float64]
SAMPLE_RATE = 48_000
FRAME_CODE_BITS = 8  # the clip's frame index, MSB first; 8 bits cover clips up to 256 frames


def color(hex_rgb: str, alpha: float = 1.0) -> int:
    """``"#RRGGBB"`` and an alpha in [0, 1] -> a skia ARGB colour int."""
    value = int(hex_rgb.lstrip("#"), 16)
    return int(skia.Color((value >> 16) & 255, (value >> 8) & 255, value & 255, round(alpha * 255)))


def _surface(width: int, height: int) -> skia.Surface:
    surface = skia.Surface(width, height)
    surface.getCanvas().clear(skia.ColorTRANSPARENT)
    return surface


def _png(surface: skia.Surface, *, alpha: bool) -> bytes:
    """Encode the surface as PNG (RGBA when ``alpha`` else RGB), unpremultiplied, with Pillow."""
    pixels = surface.makeImageSnapshot().toarray(
        colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kUnpremul_AlphaType
    )
    image = Image.fromarray(np.ascontiguousarray(pixels), "RGBA")
    if not alpha:
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _fill(shader_or_color: skia.Shader | int) -> skia.Paint:
    paint = skia.Paint(AntiAlias=True)
    if isinstance(shader_or_color, int):
        paint.setColor(shader_or_color)
    else:
        paint.setShader(shader_or_color)
    return paint


def _linear(x0: float, y0: float, x1: float, y1: float, colors: Sequence[int]) -> skia.Shader:
    return skia.GradientShader.MakeLinear([skia.Point(x0, y0), skia.Point(x1, y1)], list(colors))


def _star(cx: float, cy: float, outer: float, inner: float, points: int = 5) -> skia.Path:
    path = skia.Path()
    for k in range(points * 2):
        radius = outer if k % 2 == 0 else inner
        angle = -math.pi / 2 + k * math.pi / points
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        if k == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    return path


# --- images -------------------------------------------------------------------------------------


def logo_png(accent: str, accent2: str, size: int = 512) -> bytes:
    """A brand mark: gradient rounded square, white star, thin ring; transparent outside."""
    surface = _surface(size, size)
    canvas = surface.getCanvas()
    m = size * 0.06
    canvas.drawRoundRect(
        skia.Rect(m, m, size - m, size - m),
        size * 0.22,
        size * 0.22,
        _fill(_linear(m, m, size - m, size - m, [color(accent), color(accent2)])),
    )
    ring = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=size * 0.02)
    ring.setColor(color("#FFFFFF", 0.35))
    canvas.drawCircle(size / 2, size / 2, size * 0.36, ring)
    canvas.drawPath(_star(size / 2, size * 0.51, size * 0.26, size * 0.11), _fill(0xFFFFFFFF))
    return _png(surface, alpha=True)


def background_png(
    width: int, height: int, top: str, bottom: str, accent: str, accent2: str
) -> bytes:
    """A soft, opaque gradient: diagonal ``top`` -> ``bottom`` plus two faint radial glows."""
    surface = _surface(width, height)
    canvas = surface.getCanvas()
    canvas.drawPaint(_fill(_linear(0, 0, width, height, [color(top), color(bottom)])))
    for cx, cy, hex_rgb, alpha in ((0.8, 0.2, accent, 0.35), (0.15, 0.85, accent2, 0.25)):
        radius = 0.6 * max(width, height)
        glow = skia.GradientShader.MakeRadial(
            skia.Point(cx * width, cy * height),
            radius,
            [color(hex_rgb, alpha), color(hex_rgb, 0.0)],
        )
        canvas.drawPaint(_fill(glow))
    return _png(surface, alpha=False)


def _shadow(canvas: skia.Canvas, size: int) -> None:
    paint = _fill(color("#000000", 0.22))
    paint.setMaskFilter(skia.MaskFilter.MakeBlur(skia.kNormal_BlurStyle, size * 0.02))
    canvas.drawOval(skia.Rect(size * 0.2, size * 0.84, size * 0.8, size * 0.92), paint)


def _bottle(c: skia.Canvas, main: int, dark: int) -> None:
    c.drawRoundRect(skia.Rect(265, 110, 335, 220), 12, 12, _fill(main))
    c.drawRoundRect(skia.Rect(250, 80, 350, 135), 14, 14, _fill(dark))
    c.drawRoundRect(skia.Rect(205, 190, 395, 520), 48, 48, _fill(main))
    c.drawRect(skia.Rect(205, 300, 395, 410), _fill(color("#FFFFFF", 0.88)))
    c.drawRect(skia.Rect(205, 345, 395, 365), _fill(dark))


def _mug(c: skia.Canvas, main: int, dark: int) -> None:
    handle = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=34)
    handle.setColor(dark)
    c.drawCircle(405, 350, 70, handle)
    c.drawRoundRect(skia.Rect(160, 220, 420, 510), 36, 36, _fill(main))
    c.drawRect(skia.Rect(160, 250, 420, 275), _fill(color("#FFFFFF", 0.6)))
    for k, y in enumerate((150, 120, 150)):
        c.drawCircle(230 + 60 * k, y, 16, _fill(color("#FFFFFF", 0.7)))


def _gift(c: skia.Canvas, main: int, dark: int) -> None:
    ribbon = color("#FDE68A")
    c.drawRect(skia.Rect(160, 280, 440, 515), _fill(main))
    c.drawRect(skia.Rect(140, 225, 460, 295), _fill(dark))
    c.drawRect(skia.Rect(280, 225, 320, 515), _fill(ribbon))
    c.drawRect(skia.Rect(160, 380, 440, 410), _fill(ribbon))
    c.drawOval(skia.Rect(210, 160, 300, 230), _fill(ribbon))
    c.drawOval(skia.Rect(300, 160, 390, 230), _fill(ribbon))


def _headphones(c: skia.Canvas, main: int, dark: int) -> None:
    band = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=30)
    band.setColor(dark)
    band.setStrokeCap(skia.Paint.kRound_Cap)
    c.drawArc(skia.Rect(170, 120, 430, 460), 180, 180, False, band)
    for x in (140, 370):
        c.drawRoundRect(skia.Rect(x, 290, x + 90, 470), 34, 34, _fill(main))
        c.drawRoundRect(skia.Rect(x + 25, 320, x + 65, 440), 16, 16, _fill(dark))


PRODUCTS = (
    ("bottle", "#14B8A6", "#0F766E", _bottle),
    ("mug", "#F97362", "#C2410C", _mug),
    ("gift", "#8B5CF6", "#5B21B6", _gift),
    ("headphones", "#F59E0B", "#B45309", _headphones),
)


def product_png(index: int, size: int = 600) -> bytes:
    """Product illustration ``index`` (0..3: bottle, mug, gift box, headphones), transparent."""
    _name, main, dark, draw = PRODUCTS[index]
    surface = _surface(size, size)
    canvas = surface.getCanvas()
    _shadow(canvas, size)
    canvas.scale(size / 600, size / 600)  # the drawings are laid out on a 600 x 600 grid
    draw(canvas, color(main), color(dark))
    return _png(surface, alpha=True)


def avatar_png(size: int = 256) -> bytes:
    """A neutral head-and-shoulders silhouette in a grey disc; transparent outside the disc."""
    surface = _surface(size, size)
    canvas = surface.getCanvas()
    r = size / 2
    disc = skia.Path()
    disc.addCircle(r, r, r)
    canvas.clipPath(disc, doAntiAlias=True)
    canvas.drawPaint(_fill(color("#E2E8F0")))
    figure = _fill(color("#94A3B8"))
    canvas.drawCircle(r, size * 0.39, size * 0.18, figure)
    canvas.drawOval(skia.Rect(size * 0.16, size * 0.64, size * 0.84, size * 1.2), figure)
    return _png(surface, alpha=True)


# --- video clip ---------------------------------------------------------------------------------


def frame_code_geometry(width: int, height: int) -> tuple[int, int, int]:
    """Return ``(x0, y0, block)`` of the frame code drawn in the clip's bottom-left corner.

    Bit ``k`` (0 = most significant of :data:`FRAME_CODE_BITS`) of the frame index is the square
    ``[x0 + k*block, x0 + (k+1)*block) x [y0, y0 + block)``: white when set, black when clear.
    """
    block = max(16, min(width, height) // 20)
    return block // 2, height - block - block // 2, block


def read_frame_code(rgb: npt.NDArray[np.uint8]) -> int:
    """Read the frame index back from a decoded ``(height, width, 3)`` RGB frame of the clip."""
    height, width = rgb.shape[0], rgb.shape[1]
    x0, y0, block = frame_code_geometry(width, height)
    value = 0
    for k in range(FRAME_CODE_BITS):
        cx, cy = x0 + k * block + block // 2, y0 + block // 2
        patch = rgb[cy - 2 : cy + 3, cx - 2 : cx + 3].astype(np.float64)
        value = (value << 1) | int(patch.mean() > 128)
    return value


def _draw_clip_frame(
    canvas: skia.Canvas,
    index: int,
    total: int,
    backdrop: skia.Image,
    colors: Sequence[str],
    font: skia.Font,
) -> None:
    width, height = backdrop.width(), backdrop.height()
    t = index / total  # in [0, 1): every motion below is periodic over the clip, so it loops
    canvas.drawImage(backdrop, 0, 0)
    unit = min(width, height)
    for k in range(6):
        cx = width / 2 + 0.38 * width * math.sin(2 * math.pi * ((k % 3) + 1) * t + k * 1.1)
        cy = height / 2 + 0.34 * height * math.sin(2 * math.pi * ((k % 2) + 1) * t + k * 0.7)
        canvas.drawCircle(
            cx, cy, unit * (0.07 + 0.02 * k), _fill(color(colors[k % len(colors)], 0.8))
        )
    canvas.save()
    canvas.translate(width / 2, height / 2)
    canvas.rotate(360 * t)
    half = unit * 0.12
    canvas.drawRoundRect(
        skia.Rect(-half, -half, half, half), half * 0.3, half * 0.3, _fill(0xFFFFFFFF)
    )
    canvas.restore()
    sweep_x = width * t
    canvas.drawRect(skia.Rect(sweep_x, 0, sweep_x + 6, height), _fill(color("#FACC15")))
    x0, y0, block = frame_code_geometry(width, height)
    canvas.drawRect(skia.Rect(x0, y0, x0 + FRAME_CODE_BITS * block, y0 + block), _fill(0xFF000000))
    for k in range(FRAME_CODE_BITS):
        if index >> (FRAME_CODE_BITS - 1 - k) & 1:
            left = x0 + k * block
            canvas.drawRect(
                skia.Rect(left + 2, y0 + 2, left + block - 2, y0 + block - 2), _fill(0xFFFFFFFF)
            )
    canvas.drawString(f"{index:03d}", x0, y0 - block * 0.4, font, _fill(0xFFFFFFFF))


# x264 settings for byte-identical output on every run: a fixed thread count (the output depends
# on it), and no macroblock-tree rate control or weighted P prediction. With those two on, the
# 720x1280 clip came out different in about 3 runs in 14 even from identical input planes
# (x264 in the PyAV 18.1 wheels; 1280x720 was stable); with both off, 28 runs out of 28 matched.
# Both use x264's half-resolution lookahead, which is probably where uninitialised memory leaks.
X264_OPTIONS = {
    "preset": "veryfast", "crf": "26", "threads": "2", "x264-params": "mbtree=0:weightp=0",
}  # fmt: skip


def _zero_row_padding(frame: av.VideoFrame) -> None:
    """Zero the bytes past each plane row's width (uninitialised after a reformat).

    Not enough on its own for deterministic x264 output (see :data:`X264_OPTIONS`), but it keeps
    the encoder's input fully defined."""
    for plane in frame.planes:
        buffer: Any = plane  # a VideoPlane exposes the buffer protocol; its stub does not say so
        rows = np.frombuffer(buffer, np.uint8).reshape(plane.height, plane.line_size)
        rows[:, plane.width :] = 0


def write_clip(
    path: Path,
    *,
    size: tuple[int, int],
    colors: Sequence[str],
    font_file: Path,
    seconds: int = 4,
    fps: int = 30,
    audio: FloatArray | None = None,
) -> None:
    """Encode the abstract-shapes clip to ``path`` (MP4: H.264 yuv420p, bt709 tags, limited range).

    ``seconds * fps`` frames; frame ``i`` has pts ``i`` in a ``1/fps`` time base and shows its
    index as a frame code and as digits. ``audio`` (shape ``(2, n)``, floats in [-1, 1] at
    48 kHz) adds an AAC stereo track. x264 runs with a fixed thread count so the bytes do not
    depend on the machine's core count.
    """
    width, height = size
    total = seconds * fps
    typeface = skia.Typeface.MakeFromFile(str(font_file))
    font = skia.Font(typeface, min(width, height) / 18)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=fps, options=X264_OPTIONS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        cc = video.codec_context
        cc.gop_size = fps
        cc.color_primaries, cc.color_trc = ColorPrimaries.BT709, ColorTrc.BT709
        cc.colorspace, cc.color_range = Colorspace.ITU709, ColorRange.MPEG
        audio_stream = None
        if audio is not None:
            audio_stream = container.add_stream(
                "aac", rate=SAMPLE_RATE, layout="stereo", bit_rate=64_000
            )
        surface = skia.Surface(width, height)
        # The gradient backdrop is drawn once: a gradient fill costs ~10 ms per 720p frame.
        surface.getCanvas().drawPaint(
            _fill(_linear(0, 0, 0, height, [color("#0B1020"), color("#1E293B")]))
        )
        backdrop = surface.makeImageSnapshot()
        for index in range(total):
            _draw_clip_frame(surface.getCanvas(), index, total, backdrop, colors, font)
            bgra = surface.makeImageSnapshot().toarray(colorType=skia.kBGRA_8888_ColorType)
            frame = av.VideoFrame.from_ndarray(bgra, format="bgra").reformat(
                format="yuv420p", dst_colorspace=Colorspace.ITU709, dst_color_range=ColorRange.MPEG
            )
            _zero_row_padding(frame)
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio_stream is not None and audio is not None:
            _encode_audio(container, audio_stream, audio)


# --- audio --------------------------------------------------------------------------------------


def _encode_audio(
    container: av.container.OutputContainer, stream: av.AudioStream, samples: FloatArray
) -> None:
    planar = np.ascontiguousarray(samples.astype(np.float32))
    chunk = 1024  # the AAC frame size
    for start in range(0, planar.shape[1], chunk):
        frame = av.AudioFrame.from_ndarray(
            planar[:, start : start + chunk], format="fltp", layout="stereo"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        frame.time_base = Fraction(1, SAMPLE_RATE)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def write_m4a(path: Path, samples: FloatArray, bit_rate: int = 128_000) -> None:
    """Encode ``(2, n)`` float samples at 48 kHz as AAC-LC stereo in an MP4 (``.m4a``) file."""
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo", bit_rate=bit_rate)
        _encode_audio(container, stream, samples)


def _hz(midi: float) -> float:
    return float(440.0 * 2.0 ** ((midi - 69) / 12))


class _Mix:
    """A stereo buffer of ``seconds`` plus a tail; :meth:`looped` folds the tail onto the start.

    Folding makes the result loop seamlessly: a note ringing past the end continues at the start.
    """

    def __init__(self, seconds: float, tail: float = 4.0) -> None:
        self.n = round(seconds * SAMPLE_RATE)
        self.buf = np.zeros((2, self.n + round(tail * SAMPLE_RATE)))

    def note(
        self,
        start: float,
        hz: float,
        amp: float,
        *,
        hold: float,
        attack: float,
        decay: float,
        harmonics: Sequence[float] = (1.0,),
        pan: float = 0.5,
        detune: float = 0.0,
    ) -> None:
        """Add a tone: linear ``attack``, held ``hold`` s, then exponential decay (time constant
        ``decay`` s) for ``4 * decay`` s. ``detune`` spreads left/right pitch by that ratio."""
        length = hold + 4 * decay
        t = np.arange(round(length * SAMPLE_RATE)) / SAMPLE_RATE
        env = np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-np.maximum(0.0, t - hold) / decay)
        env *= np.minimum(1.0, (length - t) / 0.05)  # 50 ms fade so the cut-off is silent
        i0 = round(start * SAMPLE_RATE)
        for ch, (gain, ratio) in enumerate(((1 - pan, 1 - detune), (pan, 1 + detune))):
            wave = sum(
                h * np.sin(2 * np.pi * hz * ratio * (k + 1) * t) for k, h in enumerate(harmonics)
            )
            self.buf[ch, i0 : i0 + t.size] += amp * 2 * gain * env * wave

    def noise(self, start: float, amp: float, decay: float, rng: np.random.Generator) -> None:
        """Add a high-passed noise burst (a hi-hat) decaying with time constant ``decay`` s."""
        n = round(5 * decay * SAMPLE_RATE)
        burst = np.diff(rng.standard_normal(n + 1)) * np.exp(-np.arange(n) / (decay * SAMPLE_RATE))
        i0 = round(start * SAMPLE_RATE)
        self.buf[:, i0 : i0 + n] += amp * np.array([[0.8], [1.2]]) * burst

    def kick(self, start: float, amp: float) -> None:
        """Add a kick drum: a sine sweeping 110 -> 45 Hz with a 120 ms decay."""
        t = np.arange(round(0.5 * SAMPLE_RATE)) / SAMPLE_RATE
        phase = 2 * np.pi * (45 * t + (110 - 45) * 0.04 * (1 - np.exp(-t / 0.04)))
        i0 = round(start * SAMPLE_RATE)
        self.buf[:, i0 : i0 + t.size] += amp * np.exp(-t / 0.12) * np.sin(phase)

    def looped(self, peak: float) -> FloatArray:
        out = self.buf[:, : self.n].copy()
        tail = self.buf[:, self.n :]
        out[:, : tail.shape[1]] += tail[:, : self.n]
        return out * (peak / max(float(np.abs(out).max()), 1e-9))


CALM_CHORDS = ((60, 64, 67, 71), (57, 60, 64, 67), (53, 57, 60, 64), (55, 59, 62, 64))
UPBEAT_CHORDS = ((60, 64, 67), (59, 62, 67), (57, 60, 64), (57, 60, 65))


def calm_music(seconds: float = 24.0) -> FloatArray:
    """80 bpm, one bar (3 s) per chord: Cmaj7 Am7 Fmaj7 G6 pads, a soft arpeggio, a sine bass.

    Peak -3 dBFS; loops seamlessly over ``seconds`` (a multiple of 3 keeps the bars whole).
    """
    mix, beat = _Mix(seconds), 60 / 80
    for bar in range(round(seconds / (4 * beat))):
        chord, t0 = CALM_CHORDS[bar % 4], bar * 4 * beat
        for note in chord:
            mix.note(
                t0,
                _hz(note),
                0.08,
                hold=4 * beat,
                attack=0.8,
                decay=0.5,
                harmonics=(1, 0.25, 0.08),
                detune=0.0007,
            )
        for step in range(8):
            note = chord[(0, 1, 2, 3, 2, 1, 2, 3)[step]] + 12
            mix.note(
                t0 + step * beat / 2,
                _hz(note),
                0.05,
                hold=0.0,
                attack=0.005,
                decay=0.35,
                harmonics=(1, 0.15),
                pan=0.35 if step % 2 else 0.65,
            )
        for half in range(2):
            mix.note(
                t0 + half * 2 * beat,
                _hz(chord[0] - 24),
                0.16,
                hold=0.2,
                attack=0.02,
                decay=0.6,
                harmonics=(1, 0.2),
            )
    return mix.looped(peak=10 ** (-3 / 20))


def upbeat_music(seconds: float = 24.0) -> FloatArray:
    """120 bpm, one bar (2 s) per chord: C G Am F with bright plucks, bass pulses, kick, hats.

    Peak -3 dBFS; loops seamlessly; the hats' noise comes from a generator seeded with 7.
    """
    mix, beat, rng = _Mix(seconds), 0.5, np.random.default_rng(7)
    for bar in range(round(seconds / (4 * beat))):
        chord, t0 = UPBEAT_CHORDS[bar % 4], bar * 4 * beat
        for note in chord:
            mix.note(
                t0,
                _hz(note),
                0.035,
                hold=4 * beat,
                attack=0.05,
                decay=0.15,
                harmonics=(1, 0.5, 0.33, 0.25, 0.2),
                detune=0.001,
            )
        for step in range(8):
            t = t0 + step * beat / 2
            mix.note(
                t,
                _hz(chord[step % 3] + 12 + 12 * (step % 4 == 3)),
                0.06,
                hold=0.0,
                attack=0.003,
                decay=0.18,
                harmonics=(1, 0.4, 0.2),
                pan=0.3 + 0.4 * (step % 2),
            )
            mix.note(
                t, _hz(chord[0] - 24), 0.12, hold=0.05, attack=0.005, decay=0.15, harmonics=(1, 0.3)
            )
            if step % 2:
                mix.noise(t, 0.05, 0.03, rng)
        for b in range(4):
            mix.kick(t0 + b * beat, 0.45)
    return mix.looped(peak=10 ** (-3 / 20))


def quiet_pad(seconds: float = 4.0) -> FloatArray:
    """A soft Cmaj7 pad at peak -24 dBFS (the clip's quiet audio), looping over ``seconds``."""
    mix = _Mix(seconds, tail=2.0)
    for note in CALM_CHORDS[0]:
        mix.note(0.0, _hz(note), 0.1, hold=seconds, attack=1.0, decay=0.4, detune=0.0007)
    return mix.looped(peak=10 ** (-24 / 20))
