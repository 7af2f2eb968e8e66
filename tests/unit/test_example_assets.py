"""The example assets generator (scripts/make_example_assets.py) and the default font.

The generator runs once into a temporary repository root; the tests then check every file it
promises against what the examples' templates and the renderers need.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import av
import numpy as np
import pytest
import skia
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image
from thorvg_python.animation.lottie import LottieAnimation
from thorvg_python.base import Result
from thorvg_python.canvas.sw import SwCanvas
from thorvg_python.engine import Engine

from openreel.fonts import (
    default_font_family,
    default_font_files,
    default_font_path,
    font_license_path,
)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_example_assets.py"
FILES = [
    "logo.png", "bg.png", "product1.png", "product2.png", "product3.png", "product4.png",
    "avatar-fallback.png", "clip.mp4", "music.m4a", "upbeat.m4a", "confetti.json",
    "Inter-Regular.ttf", "Inter-Bold.ttf", "OFL.txt",
]  # fmt: skip
# example -> (template size, clip size, clip has audio)
EXAMPLES = {
    "loyalty-welcome": ((1920, 1080), (1280, 720), True),
    "year-in-review": ((1080, 1920), (720, 1280), False),
}
DIACRITICS = "ÀÉÎÕÜàéîõüçñøåæœßąčęėįšųūžőűğşıățđệẫởĳŁłŻżÆØ€"


def _load_generator() -> ModuleType:
    """Import the script by path (once per session, shared with tests/conftest.py)."""
    name = "make_example_assets"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def built(gen: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """(repository root, paths written) after one generator run into an empty root."""
    root = tmp_path_factory.mktemp("repo")
    return root, gen.make_all(root)


def _assets(root: Path, example: str) -> Path:
    return root / "examples" / example / "assets"


def _rgba(path: Path) -> tuple[Image.Image, np.ndarray[Any, Any]]:
    image = Image.open(path)
    image.load()
    return image, np.asarray(image.convert("RGBA"))


# --- files and images ---------------------------------------------------------------------------


def test_every_promised_file_is_written(built: tuple[Path, list[Path]]) -> None:
    root, written = built
    expected = {_assets(root, name) / file for name in EXAMPLES for file in FILES}
    assert set(written) == expected
    assert all(path.is_file() and path.stat().st_size > 0 for path in expected)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_images_have_their_sizes_and_alpha(built: tuple[Path, list[Path]], example: str) -> None:
    folder = _assets(built[0], example)
    template_size = EXAMPLES[example][0]
    for name, size, transparent_corner in [
        ("logo.png", (512, 512), True),
        ("product1.png", (600, 600), True),
        ("product2.png", (600, 600), True),
        ("product3.png", (600, 600), True),
        ("product4.png", (600, 600), True),
        ("avatar-fallback.png", (256, 256), True),
        ("bg.png", template_size, False),
    ]:
        image, pixels = _rgba(folder / name)
        assert image.format == "PNG" and image.size == size, name
        assert image.mode == ("RGBA" if transparent_corner else "RGB"), name
        if transparent_corner:
            assert pixels[0, 0, 3] == 0, f"{name}: corner should be transparent"
            assert (pixels[..., 3] == 255).mean() > 0.05, f"{name}: should have an opaque mark"
    _, avatar = _rgba(folder / "avatar-fallback.png")
    assert avatar[128, 128, 3] == 255
    _, bg = _rgba(folder / "bg.png")
    assert bg[..., :3].std() > 5, "the background is a gradient, not a flat colour"


def test_products_are_distinct(built: tuple[Path, list[Path]]) -> None:
    folder = _assets(built[0], "loyalty-welcome")
    means = []
    for k in range(1, 5):
        _, pixels = _rgba(folder / f"product{k}.png")
        opaque = pixels[pixels[..., 3] == 255][:, :3].astype(float)
        means.append(opaque.mean(axis=0))
    for i in range(4):
        for j in range(i + 1, 4):
            assert np.abs(means[i] - means[j]).max() > 30, (i + 1, j + 1)


# --- the clip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_clip_is_h264_bt709_30fps_and_frame_accurate(
    gen: ModuleType, built: tuple[Path, list[Path]], example: str
) -> None:
    path = _assets(built[0], example) / "clip.mp4"
    _, clip_size, has_audio = EXAMPLES[example]
    assert path.stat().st_size < 1_000_000
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        cc = video.codec_context
        assert cc.name == "h264"
        assert video.format.name == "yuv420p"
        assert (video.width, video.height) == clip_size
        assert video.average_rate == 30
        assert video.frames == 120
        assert (cc.colorspace, cc.color_primaries, cc.color_trc) == (1, 1, 1)  # bt709
        assert cc.color_range == 1  # limited ("tv") range
        codes = []
        for frame in container.decode(video=0):
            codes.append(gen.synth.read_frame_code(frame.to_ndarray(format="rgb24")))
    # Every frame decodes, in order, showing its own index: frame i is pts i at 30 fps.
    assert codes == list(range(120))
    with av.open(str(path)) as container:
        assert len(container.streams.audio) == (1 if has_audio else 0)
        if has_audio:
            audio = container.streams.audio[0]
            assert (audio.codec_context.name, audio.rate, audio.channels) == ("aac", 48000, 2)
            pcm = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
            assert abs(pcm.shape[1] / 48000 - 4.0) < 0.05
            peak_db = 20 * np.log10(np.abs(pcm).max())
            assert -40 < peak_db < -18, "a quiet but audible track"


# --- music --------------------------------------------------------------------------------------


def _decode(path: Path) -> tuple[np.ndarray[Any, Any], int, str]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        pcm = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
        return pcm, stream.rate, stream.codec_context.name


def _centroid(pcm: np.ndarray[Any, Any]) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.mean(axis=0)))
    freqs = np.fft.rfftfreq(pcm.shape[1], 1 / 48000)
    return float((spectrum * freqs).sum() / spectrum.sum())


def test_music_is_24s_of_48k_stereo_aac(built: tuple[Path, list[Path]]) -> None:
    folder = _assets(built[0], "loyalty-welcome")
    centroids = {}
    for name in ("music.m4a", "upbeat.m4a"):
        pcm, rate, codec = _decode(folder / name)
        assert (codec, rate, pcm.shape[0]) == ("aac", 48000, 2)
        assert abs(pcm.shape[1] / rate - 24.0) < 0.05, name
        peak_db = 20 * np.log10(np.abs(pcm).max())
        assert -6 < peak_db < 0, name
        centroids[name] = _centroid(pcm)
    assert centroids["upbeat.m4a"] > 1.3 * centroids["music.m4a"], "upbeat is brighter"


def test_synthesized_loops_are_seamless(gen: ModuleType) -> None:
    # Checked before AAC (whose priming and padding are not sample-exact): the step from the
    # last sample back to the first is no larger than the loop's ordinary steps.
    for make in (gen.synth.calm_music, gen.synth.upbeat_music, gen.synth.quiet_pad):
        pcm = make()
        steps = np.abs(np.diff(pcm, axis=1))
        for channel in range(2):
            seam = abs(pcm[channel, -1] - pcm[channel, 0])
            assert seam <= np.percentile(steps[channel], 99), make.__name__


# --- Lottie -------------------------------------------------------------------------------------


def _render_lottie(data: bytes, frame: float, slots: dict[str, Any] | None = None) -> Any:
    """Render one frame with ThorVG; slots go through gen_slot + apply_slot as the renderer does."""
    engine = Engine(threads=0)
    animation = LottieAnimation(engine)
    picture = animation.get_picture()
    assert picture.load_data(data, "lottie", None, True) == Result.SUCCESS
    if slots is not None:
        slot_id = animation.gen_slot(json.dumps(slots))
        assert slot_id != 0
        assert animation.apply_slot(slot_id) == Result.SUCCESS
    canvas = SwCanvas(engine)
    canvas.set_target(400, 400)
    canvas.add(picture)
    # INSUFFICIENT_CONDITION means "already at that frame" (a new animation is at frame 0).
    assert animation.set_frame(frame) in (Result.SUCCESS, Result.INSUFFICIENT_CONDITION)
    canvas.update()
    canvas.draw(True)
    canvas.sync()
    buffer = canvas.buffer_arr
    assert buffer is not None
    return np.frombuffer(bytes(buffer), np.uint8).reshape(400, 400, 4).copy()


def test_lottie_parses_animates_and_declares_slots(built: tuple[Path, list[Path]]) -> None:
    path = _assets(built[0], "loyalty-welcome") / "confetti.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (doc["fr"], doc["ip"], doc["op"], doc["w"], doc["h"]) == (30, 0, 60, 400, 400)
    assert set(doc["slots"]) == {"accent", "headline", "confetti_opacity"}
    text = json.dumps(doc)
    for sid in doc["slots"]:
        assert f'"sid": "{sid}"' in text, sid
    assert doc["fonts"]["list"][0]["fPath"].startswith("data:font/ttf;base64,")
    data = path.read_bytes()
    first, middle = _render_lottie(data, 0), _render_lottie(data, 30)
    assert (middle[..., 3] > 0).sum() > 1000, "confetti is drawn"
    assert (first != middle).any(), "and moves"


def test_lottie_slots_change_the_pixels(built: tuple[Path, list[Path]]) -> None:
    data = (_assets(built[0], "loyalty-welcome") / "confetti.json").read_bytes()
    base = _render_lottie(data, 30)
    accent = _render_lottie(data, 30, {"accent": {"p": {"a": 0, "k": [1, 0, 0, 1]}}})

    def red(pixels: Any) -> int:
        r, g, b = (pixels[..., c].astype(int) for c in range(3))
        return int(((r > 200) & (g < 40) & (b < 40)).sum())

    assert red(base) == 0
    assert red(accent) > 100, "the accent-coloured pieces turn red"
    hidden = _render_lottie(data, 30, {"confetti_opacity": {"p": {"a": 0, "k": 0}}})
    assert (hidden[..., 3] == 0).all(), "opacity 0 hides every piece; the headline is empty"
    document = {"s": 44, "f": "Inter-Bold", "t": "Zoë Łukasz", "j": 2, "fc": [1, 1, 1]}
    named = _render_lottie(
        data, 30, {"confetti_opacity": {"p": {"a": 0, "k": 0}},
                   "headline": {"p": {"k": [{"s": document, "t": 0}]}}},
    )  # fmt: skip
    rows = np.nonzero(named[..., 3].any(axis=1))[0]
    assert rows.size > 20 and 150 < rows.mean() < 230, "the headline is drawn near the centre"


# --- fonts --------------------------------------------------------------------------------------


def test_default_font_ships_with_license_and_covers_latin() -> None:
    assert default_font_family() == "Inter"
    assert font_license_path().read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1
    for path, weight in ((default_font_path(), 400), (default_font_path(bold=True), 700)):
        assert path.parent == font_license_path().parent
        font = TTFont(str(path))
        assert font["name"].getDebugName(1) == "Inter"
        assert font["OS/2"].usWeightClass == weight
        assert "fvar" not in font, "a static instance"
        cmap = font.getBestCmap()
        assert [c for c in DIACRITICS if ord(c) not in cmap] == []
        typeface = skia.Typeface.MakeFromFile(str(path))
        assert typeface is not None and typeface.getFamilyName() == "Inter"
    assert default_font_files() == {
        "Inter": default_font_path(),
        "Inter Bold": default_font_path(bold=True),
    }


def test_examples_use_the_package_font_files(built: tuple[Path, list[Path]]) -> None:
    for example in EXAMPLES:
        folder = _assets(built[0], example)
        assert (folder / "Inter-Regular.ttf").read_bytes() == default_font_path().read_bytes()
        assert (folder / "Inter-Bold.ttf").read_bytes() == default_font_path(bold=True).read_bytes()
        assert (folder / "OFL.txt").read_bytes() == font_license_path().read_bytes()


def test_font_build_reproduces_the_committed_files(tmp_path: Path) -> None:
    pytest.importorskip("fontpkg_inter", reason="maintainer check: pip install fontpkg-inter")
    from openreel.fonts import _build

    _build.build(_build.find_source_dir(), tmp_path)
    for name in ("Inter-Regular.ttf", "Inter-Bold.ttf", "OFL.txt"):
        assert (tmp_path / name).read_bytes() == (default_font_path().parent / name).read_bytes()


# --- idempotence and determinism ----------------------------------------------------------------


def test_second_run_is_a_no_op_and_repairs_damage(
    gen: ModuleType, built: tuple[Path, list[Path]]
) -> None:
    root = built[0]
    files = sorted(root.glob("examples/*/assets/*"))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    assert gen.make_all(root) == []
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == before
    logo = _assets(root, "loyalty-welcome") / "logo.png"
    music = _assets(root, "year-in-review") / "music.m4a"
    logo.write_bytes(b"not a png")
    music.unlink()
    assert sorted(gen.make_all(root)) == sorted([logo, music])
    assert logo.read_bytes() == before[logo][1]
    assert music.read_bytes() == before[music][1]
    assert list(root.glob("examples/*/assets/.tmp-*")) == []


def test_command_line_reports_one_line_per_file(built: tuple[Path, list[Path]]) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(built[0])],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(FILES) * len(EXAMPLES) + 1, result.stdout
    assert all(line.lstrip().startswith("up to date") for line in lines[:-1]), result.stdout
    assert lines[-1].startswith("0 file(s) written"), result.stdout


@pytest.mark.slow
def test_output_is_deterministic(
    gen: ModuleType, built: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    gen.make_all(tmp_path, force=True)
    first, second = built[0], tmp_path
    for example in EXAMPLES:
        for name in FILES:
            a = (_assets(first, example) / name).read_bytes()
            b = (_assets(second, example) / name).read_bytes()
            assert a == b, f"{example}/{name} differs between two runs"


def test_frame_code_round_trips() -> None:
    gen = _load_generator()
    width, height = 720, 1280
    x0, y0, block = gen.synth.frame_code_geometry(width, height)
    for value in (0, 1, 85, 170, 255):
        rgb = np.zeros((height, width, 3), np.uint8)
        for k in range(gen.synth.FRAME_CODE_BITS):
            if value >> (gen.synth.FRAME_CODE_BITS - 1 - k) & 1:
                rgb[y0 : y0 + block, x0 + k * block : x0 + (k + 1) * block] = 255
        assert gen.synth.read_frame_code(rgb) == value


def test_png_bytes_are_valid_images() -> None:
    gen = _load_generator()
    image = Image.open(io.BytesIO(gen.synth.product_png(0, size=300)))
    assert image.size == (300, 300) and image.mode == "RGBA"
