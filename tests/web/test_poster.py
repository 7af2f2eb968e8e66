"""The bundle's data-free poster: frame 0 with the template's defaults, drawn by the server."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from openreel.pipeline import render_still
from openreel.web import build_bundle

LAYERS = [
    {"type": "shape", "fill": "#1d4ed8", "x": 20, "y": 20, "width": 280, "height": 100},
    {"type": "text", "text": "Hi {{ first_name }}", "x": 20, "y": 130, "width": 280,
     "height": 40, "size": 24},
]  # fmt: skip


def _template(folder: Path, *, default: bool) -> Path:
    folder.mkdir()
    field: dict[str, object] = {"type": "string", "pii": True}
    if default:
        field["default"] = "there"
    doc = {"openreel": 1, "id": "poster", "size": [320, 180], "background": "#101828",
           "data": {"first_name": field},
           "scenes": [{"id": "s", "duration": 1, "layers": LAYERS}]}  # fmt: skip
    (folder / "template.json").write_text(json.dumps(doc))
    return folder


def test_poster_is_frame_zero_with_the_defaults(tmp_path: Path) -> None:
    folder = _template(tmp_path / "t", default=True)
    built = build_bundle(folder, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "bundle.json").read_text())
    ref = manifest["poster"]
    assert ref["url"].startswith("poster.") and ref["url"].endswith(".jpg")
    assert built.files[ref["url"]] == ref["integrity"]
    poster = Image.open(io.BytesIO((tmp_path / "out" / ref["url"]).read_bytes()))
    assert poster.format == "JPEG" and poster.size == (320, 180)
    expected = Image.open(io.BytesIO(render_still(folder, {}, 0.0, format="png")))
    a = np.asarray(poster.convert("RGB"), dtype=np.float64)
    b = np.asarray(expected.convert("RGB"), dtype=np.float64)
    assert float(np.abs(a - b).mean()) < 3.0  # JPEG q80 of the same frame
    # the shape is there (not just the background)
    assert tuple(int(c) for c in a[60, 160]) != tuple(int(c) for c in a[5, 5])


def test_no_poster_when_the_defaults_do_not_resolve(tmp_path: Path) -> None:
    folder = _template(tmp_path / "t", default=False)
    built = build_bundle(folder, tmp_path / "out")
    assert json.loads((tmp_path / "out" / "bundle.json").read_text())["poster"] is None
    assert not any(rel.startswith("poster.") for rel in built.files)


def test_poster_can_be_left_out(tmp_path: Path) -> None:
    folder = _template(tmp_path / "t", default=True)
    built = build_bundle(folder, tmp_path / "out", poster=False)
    assert json.loads((tmp_path / "out" / "bundle.json").read_text())["poster"] is None
    assert not any(rel.startswith("poster.") for rel in built.files)
