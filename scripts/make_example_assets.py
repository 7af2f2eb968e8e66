"""Generate the media assets of the example templates into ``examples/<name>/assets/``.

Usage::

    .venv/bin/python scripts/make_example_assets.py [--force] [--root REPO]

or, from Python, ``make_all(root, force=False)``. Nothing is downloaded: images, the clip and
the music are synthesized (``_media_synth.py``), the Lottie file is built from Python data, and
the fonts are copied from OpenReel's own default font (``openreel.fonts``, package data).

Idempotent: ``assets/.manifest.json`` records, per file, the recipe key (a hash of the recipe's
parameters, of this script's and ``_media_synth.py``'s source, and of the library versions that
shape the bytes) and the SHA-256 of the file written. A file is rebuilt only when it is missing,
its bytes changed, or its recipe key changed; ``force`` rebuilds everything. Deterministic: the
same recipe gives the same bytes on a machine with the same library versions (x264 runs with a
fixed thread count). Each file is written atomically (temp file, fsync, rename).
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import io
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from openreel.fonts import default_font_path, font_license_path

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:  # also importable by file path (tests), not only as a script
    sys.path.insert(0, str(_HERE))
import _media_synth as synth  # noqa: E402

MANIFEST = ".manifest.json"
LOTTIE_FPS, LOTTIE_FRAMES, LOTTIE_SIZE = 30, 60, 400
CONFETTI_PIECES, CONFETTI_SEED = 18, 2024
# Code points embedded in the Lottie file's font subset: Latin, Latin-1, Latin Extended A/B,
# combining marks, Vietnamese, general punctuation, euro and trade mark signs.
LOTTIE_FONT_RANGES = (
    (0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF),
    (0x2010, 0x2027), (0x2030, 0x203A), (0x20AC, 0x20AC), (0x2122, 0x2122),
)  # fmt: skip


@dataclass(frozen=True)
class Example:
    """One example template: its name, sizes and palette (``accent`` matches the template's
    default theme accent, the ``accent`` slot's default in ``confetti.json``)."""

    name: str
    size: tuple[int, int]
    clip_size: tuple[int, int]
    clip_audio: bool
    top: str
    bottom: str
    accent: str
    accent2: str


EXAMPLES = (
    Example("loyalty-welcome", (1920, 1080), (1280, 720), True,
            "#0B1020", "#1E3A8A", "#3B82F6", "#F59E0B"),
    Example("year-in-review", (1080, 1920), (720, 1280), False,
            "#1E1B4B", "#701A75", "#22C55E", "#EC4899"),
)  # fmt: skip


@dataclass(frozen=True)
class Recipe:
    """How to make one file: ``build(tmp_path)`` writes it; ``params`` feed the recipe key."""

    name: str
    params: dict[str, Any]
    build: Callable[[Path], None]


def _bytes(make: Callable[[], bytes]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(make())

    return build


def _copy(source: Path) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        shutil.copyfile(source, path)

    return build


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Lottie -------------------------------------------------------------------------------------


@functools.cache
def lottie_font_subset() -> bytes:
    """Inter Bold cut to :data:`LOTTIE_FONT_RANGES`, no hinting, no layout features (~57 KB).

    ThorVG draws Lottie text without shaping, so GSUB/GPOS would only add bytes.
    """
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    font = TTFont(str(default_font_path(bold=True)), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for a, b in LOTTIE_FONT_RANGES for u in range(a, b + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _rgb01(hex_rgb: str) -> list[float]:
    value = int(hex_rgb.lstrip("#"), 16)
    return [round(((value >> s) & 255) / 255, 4) for s in (16, 8, 0)]


def _static(value: Any, sid: str | None = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"a": 0, "k": value}
    if sid is not None:
        prop["sid"] = sid
    return prop


def _keyframes(keys: list[tuple[float, list[float], bool]]) -> dict[str, Any]:
    """An animated property from ``(frame, value, hold)``: linear from each key to the next, or
    holding its value until the next key when ``hold``."""
    linear_out, linear_in = {"x": [0.0], "y": [0.0]}, {"x": [1.0], "y": [1.0]}
    frames: list[dict[str, Any]] = []
    for t, value, hold in keys[:-1]:
        frames.append({"t": t, "s": value, "h": 1} if hold else
                      {"t": t, "s": value, "o": linear_out, "i": linear_in})  # fmt: skip
    frames.append({"t": keys[-1][0], "s": keys[-1][1]})
    return {"a": 1, "k": frames}


def _text_document(text: str) -> dict[str, Any]:
    return {"s": 44, "f": "Inter-Bold", "t": text, "j": 2, "tr": 0, "lh": 53, "ls": 0,
            "fc": [1, 1, 1]}  # fmt: skip


def _piece(index: int, rng: random.Random, palette: list[str]) -> dict[str, Any]:
    """Confetti piece ``index``: falls from above the frame to below it once per loop (60
    frames) while turning once, starting ``phase`` frames into its fall, so the animation loops
    seamlessly. Every third piece takes its colour from the ``accent`` slot; all pieces share
    the ``confetti_opacity`` slot."""
    x, phase = 20 + 360 * rng.random(), int(LOTTIE_FRAMES * rng.random())
    turn, angle0 = 360 if rng.random() < 0.5 else -360, 360 * rng.random()
    top, bottom, n = -20.0, LOTTIE_SIZE + 20.0, LOTTIE_FRAMES
    y0 = top + (bottom - top) * phase / n
    step = (bottom - top) / n
    # Reaches the bottom at frame n - phase, re-enters at the top one frame later.
    fall: list[tuple[float, list[float], bool]] = [(0, [x, y0], False)]
    if phase:
        fall += [(n - phase, [x, bottom], True), (n - phase + 1, [x, top + step], False)]
    fall.append((n, [x, y0], False))
    shape: dict[str, Any] = (
        {"ty": "rc", "nm": "rect", "d": 1, "s": _static([22, 12]), "p": _static([0, 0]),
         "r": _static(2)}
        if index % 2 == 0
        else {"ty": "el", "nm": "dot", "d": 1, "s": _static([14, 14]), "p": _static([0, 0])}
    )  # fmt: skip
    accent = index % 3 == 0
    fill = {
        "ty": "fl",
        "nm": "fill",
        "o": _static(100),
        "r": 1,
        "c": _static(_rgb01(palette[index % len(palette)]) + [1], "accent" if accent else None),
    }
    transform = {"ty": "tr", "p": _static([0, 0]), "a": _static([0, 0]), "s": _static([100, 100]),
                 "r": _static(0), "o": _static(100)}  # fmt: skip
    return {
        "ddd": 0, "ind": index + 2, "ty": 4, "nm": f"piece {index}", "sr": 1, "ip": 0,
        "op": LOTTIE_FRAMES, "st": 0, "bm": 0,
        "ks": {
            "o": _static(100, "confetti_opacity"),
            "r": _keyframes([(0, [angle0], False), (n, [angle0 + turn], False)]),
            "p": _keyframes(fall),
            "a": _static([0, 0]), "s": _static([100, 100]),
        },
        "shapes": [{"ty": "gr", "nm": "shape", "it": [shape, fill, transform]}],
    }  # fmt: skip


def confetti_lottie(example: Example) -> dict[str, Any]:
    """The ``confetti.json`` document: 400x400, 60 frames at 30 fps, 18 falling pieces and a
    centred headline, empty unless its slot is set. Slots: ``accent`` (colour, default the
    example's accent), ``headline`` (text document, default ``""``), ``confetti_opacity``
    (scalar, 0..100, default 100). The headline's font (Inter Bold, subset) is embedded
    as a ``data:`` URI so ThorVG needs no font registration."""
    font = lottie_font_subset()
    parsed = TTFont(io.BytesIO(font))
    upem, ascender = parsed["head"].unitsPerEm, parsed["hhea"].ascent
    palette = [example.accent, example.accent2, "#FACC15", "#38BDF8", "#FFFFFF"]
    rng = random.Random(CONFETTI_SEED)
    headline = {
        "ddd": 0, "ind": 1, "ty": 5, "nm": "headline", "sr": 1, "ip": 0, "op": LOTTIE_FRAMES,
        "st": 0, "bm": 0,
        "ks": {"o": _static(100), "r": _static(0), "p": _static([200, 215]), "a": _static([0, 0]),
               "s": _static([100, 100])},
        "t": {"d": {"k": [{"s": _text_document(""), "t": 0}], "sid": "headline"},
              "p": {}, "m": {"g": 1, "a": _static([0, 0])}, "a": []},
    }  # fmt: skip
    return {
        "v": "5.12.0", "nm": "confetti", "fr": LOTTIE_FPS, "ip": 0, "op": LOTTIE_FRAMES,
        "w": LOTTIE_SIZE, "h": LOTTIE_SIZE, "ddd": 0, "assets": [],
        "fonts": {"list": [{
            "fName": "Inter-Bold", "fFamily": "Inter", "fStyle": "Bold",
            "ascent": round(100 * ascender / upem, 3), "origin": 3,
            "fPath": "data:font/ttf;base64," + base64.b64encode(font).decode("ascii"),
        }]},
        "layers": [headline] + [_piece(k, rng, palette) for k in range(CONFETTI_PIECES)],
        "slots": {
            "accent": {"p": _static(_rgb01(example.accent) + [1])},
            "headline": {"p": {"k": [{"s": _text_document(""), "t": 0}]}},
            "confetti_opacity": {"p": _static(100)},
        },
    }  # fmt: skip


# --- recipes and the idempotent writer ----------------------------------------------------------


def recipes(example: Example) -> list[Recipe]:
    """Every file of ``example``'s assets folder, in the order they are made."""
    e = example
    glow = {"top": e.top, "bottom": e.bottom, "accent": e.accent, "accent2": e.accent2}
    clip_colors = [e.accent, e.accent2, "#22D3EE", "#EC4899", "#A3E635"]
    font_bold = default_font_path(bold=True)

    def clip(path: Path) -> None:
        audio = synth.quiet_pad(4.0) if e.clip_audio else None
        synth.write_clip(
            path, size=e.clip_size, colors=clip_colors, font_file=font_bold, audio=audio
        )

    def lottie(path: Path) -> None:
        doc = confetti_lottie(e)
        path.write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True), encoding="utf-8")

    out = [
        Recipe("logo.png", {"accent": e.accent, "accent2": e.accent2},
               _bytes(lambda: synth.logo_png(e.accent, e.accent2))),
        Recipe("bg.png", {"size": e.size, **glow},
               _bytes(lambda: synth.background_png(*e.size, e.top, e.bottom, e.accent, e.accent2))),
    ]  # fmt: skip
    for k in range(4):
        out.append(Recipe(f"product{k + 1}.png", {"index": k},
                          _bytes(functools.partial(synth.product_png, k))))  # fmt: skip
    out += [
        Recipe("avatar-fallback.png", {}, _bytes(synth.avatar_png)),
        Recipe("clip.mp4", {"size": e.clip_size, "audio": e.clip_audio, "colors": clip_colors},
               clip),
        Recipe("music.m4a", {"style": "calm"},
               lambda path: synth.write_m4a(path, synth.calm_music())),
        Recipe("upbeat.m4a", {"style": "upbeat"},
               lambda path: synth.write_m4a(path, synth.upbeat_music())),
        Recipe("confetti.json", {"accent": e.accent, "accent2": e.accent2, },
               lottie),
    ]  # fmt: skip
    for name, source in (
        ("Inter-Regular.ttf", default_font_path()),
        ("Inter-Bold.ttf", font_bold),
        ("OFL.txt", font_license_path()),
    ):
        out.append(Recipe(name, {"sha256": _sha256(source.read_bytes())}, _copy(source)))
    return out


@functools.cache
def _code_fingerprint() -> str:
    """Hash of the generator's source and of the versions of the libraries that make the bytes."""
    h = hashlib.sha256()
    for module in (Path(__file__), Path(synth.__file__)):
        h.update(module.resolve().read_bytes())
    for dist in ("av", "skia-python", "pillow", "numpy", "fonttools"):
        h.update(f"{dist}={metadata.version(dist)};".encode())
    return h.hexdigest()


def recipe_key(recipe: Recipe) -> str:
    """The key that decides whether a file is up to date (see the module docstring)."""
    payload = json.dumps({"name": recipe.name, "params": recipe.params}, sort_keys=True)
    return _sha256(f"{payload}|{_code_fingerprint()}".encode())


def _atomic_write(path: Path, build: Callable[[Path], None]) -> None:
    # A per-process temp name: concurrent runs (two test sessions) never write the same temp file,
    # and the rename leaves either's complete, identical file in place.
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        build(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return files if isinstance(files, dict) else {}


def _write_manifest(folder: Path, files: dict[str, dict[str, str]]) -> None:
    text = json.dumps({"version": 1, "files": files}, indent=1, sort_keys=True)
    _atomic_write(folder / MANIFEST, _bytes(lambda: (text + "\n").encode("utf-8")))


Report = Callable[[Path, str, float], None]


def make_all(root: Path, force: bool = False, report: Report | None = None) -> list[Path]:
    """Make every example's assets under ``root/examples/<name>/assets/``; return the paths written.

    ``root`` is the repository root (the folder holding ``examples/``). Up-to-date files are left
    untouched, so a second call returns ``[]``; ``force=True`` rebuilds all. ``report(path,
    status, seconds)`` is called once per file with status ``"wrote"`` or ``"up to date"``.
    Identical recipes in several examples (the music, the fonts) are built once and copied.
    """
    written: list[Path] = []
    built: dict[str, Path] = {}  # recipe key -> a file made in this call
    for example in EXAMPLES:
        folder = root / "examples" / example.name / "assets"
        folder.mkdir(parents=True, exist_ok=True)
        manifest = _read_manifest(folder)
        for recipe in recipes(example):
            path, key, started = folder / recipe.name, recipe_key(recipe), time.perf_counter()
            entry = manifest.get(recipe.name, {})
            if (
                not force
                and entry.get("key") == key
                and path.is_file()
                and _sha256(path.read_bytes()) == entry.get("sha256")
            ):
                if report:
                    report(path, "up to date", 0.0)
                continue
            _atomic_write(path, _copy(built[key]) if key in built else recipe.build)
            built[key] = path
            manifest[recipe.name] = {"key": key, "sha256": _sha256(path.read_bytes())}
            _write_manifest(folder, manifest)
            written.append(path)
            if report:
                report(path, "wrote", time.perf_counter() - started)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: print one line per file and a total."""
    parser = argparse.ArgumentParser(description="Generate the example templates' assets.")
    parser.add_argument("--force", action="store_true", help="rebuild files that are up to date")
    parser.add_argument("--root", type=Path, default=_HERE.parent, help="repository root")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()

    def report(path: Path, status: str, seconds: float) -> None:
        size = path.stat().st_size / 1024
        print(f"{status:>10}  {path.relative_to(root)}  {size:8.1f} KB  {seconds:5.2f} s")

    started = time.perf_counter()
    written = make_all(root, force=args.force, report=report)
    print(f"{len(written)} file(s) written in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
