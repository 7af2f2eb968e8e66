"""Golden stills (320x180) for every layer type and property, every easing and transition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rendertools import assert_golden, base_doc, renderer_for, write_template

T = "text"
LAYERS: dict[str, tuple[list[dict[str, Any]], bool]] = {
    "text-align": (
        [
            {
                "type": T,
                "text": "left",
                "x": 10,
                "y": 8,
                "width": 300,
                "height": 30,
                "size": 20,
                "background": {"color": "#1f2937", "padding": 4, "radius": 6},
            },
            {
                "type": T,
                "text": "center",
                "x": 10,
                "y": 40,
                "width": 300,
                "height": 30,
                "size": 20,
                "align": "center",
                "color": "#fbbf24",
            },
            {
                "type": T,
                "text": "right",
                "x": 10,
                "y": 72,
                "width": 300,
                "height": 30,
                "size": 20,
                "align": "right",
                "stroke": {"width": 2, "color": "#ef4444"},
            },
            {
                "type": T,
                "text": "middle of a box",
                "x": 10,
                "y": 104,
                "width": 145,
                "height": 70,
                "size": 16,
                "valign": "middle",
                "background": "#334155",
            },
            {
                "type": T,
                "text": "bottom, two lines of text here",
                "x": 165,
                "y": 104,
                "width": 145,
                "height": 70,
                "size": 16,
                "valign": "bottom",
                "line_height": 1.5,
                "align": "end",
            },
        ],
        False,
    ),
    "text-fit": (
        [
            {
                "type": T,
                "text": "Shrink this rather long headline to fit",
                "x": 10,
                "y": 10,
                "width": 140,
                "height": 50,
                "size": 40,
                "fit": "shrink",
                "background": "#1e3a8a",
            },
            {
                "type": T,
                "text": "An ellipsis ends this text that is much too long for two lines",
                "x": 170,
                "y": 10,
                "width": 140,
                "height": 50,
                "size": 18,
                "fit": "ellipsis",
                "max_lines": 2,
                "background": "#14532d",
            },
            {
                "type": T,
                "text": "Max lines one, no fit: the rest is cut",
                "x": 10,
                "y": 90,
                "width": 300,
                "height": 30,
                "size": 22,
                "max_lines": 1,
            },
            {
                "type": T,
                "text": "Inter Bold via template font",
                "font": "Bold",
                "x": 10,
                "y": 130,
                "width": 300,
                "height": 40,
                "size": 22,
            },
        ],
        False,
    ),
    "image-fit": (
        [
            {
                "type": "image",
                "src": "photo",
                "x": 5,
                "y": 20,
                "width": 70,
                "height": 120,
                "fit": "cover",
            },
            {
                "type": "image",
                "src": "photo",
                "x": 85,
                "y": 20,
                "width": 70,
                "height": 120,
                "fit": "cover",
                "focus": [0, 0.5],
            },
            {
                "type": "image",
                "src": "photo",
                "x": 165,
                "y": 20,
                "width": 70,
                "height": 120,
                "fit": "contain",
            },
            {
                "type": "image",
                "src": "logo",
                "x": 245,
                "y": 20,
                "width": 70,
                "height": 120,
                "fit": "fill",
                "radius": 20,
            },
        ],
        True,
    ),
    "shape-kinds": (
        [
            {
                "type": "shape",
                "x": 10,
                "y": 10,
                "width": 90,
                "height": 70,
                "fill": "#3b82f6",
                "radius": 12,
                "stroke": {"width": 3, "color": "#ffffff"},
            },
            {
                "type": "shape",
                "shape": "ellipse",
                "x": 115,
                "y": 10,
                "width": 90,
                "height": 70,
                "fill": {
                    "radial": {
                        "center": [45, 35],
                        "radius": 45,
                        "stops": [[0, "#fde047"], [1, "#dc2626"]],
                    }
                },
            },
            {
                "type": "shape",
                "shape": "line",
                "x": 220,
                "y": 10,
                "width": 90,
                "height": 70,
                "stroke": {"width": 4, "color": "#22c55e"},
            },
            {
                "type": "shape",
                "shape": "path",
                "x": 10,
                "y": 95,
                "width": 90,
                "height": 75,
                "path": "M45 0 L90 75 L0 75 Z",
                "fill": "#a855f7",
            },
            {
                "type": "shape",
                "shape": "path",
                "x": 115,
                "y": 95,
                "width": 90,
                "height": 75,
                "path": "M0 40 C20 -10 70 -10 90 40 S 60 90 45 75 Q 20 60 0 40 z",
                "fill": {
                    "linear": {
                        "from": [0, 0],
                        "to": [90, 75],
                        "stops": [[0, "#06b6d4"], [1, "#f43f5e"]],
                    }
                },
                "stroke": {"width": 2, "color": "#f8fafc"},
            },
            {
                "type": "shape",
                "shape": "path",
                "x": 220,
                "y": 95,
                "width": 90,
                "height": 75,
                "path": "M10 40 a35 30 0 1 1 70 0 a35 30 0 1 1 -70 0 z",
                "fill": "#f97316",
            },
        ],
        False,
    ),
    "transforms": (
        [
            {
                "type": "shape",
                "x": 60,
                "y": 60,
                "width": 80,
                "height": 50,
                "anchor": [0.5, 0.5],
                "rotation": 30,
                "fill": "#3b82f6",
            },
            {
                "type": "shape",
                "x": 160,
                "y": 60,
                "width": 80,
                "height": 50,
                "anchor": [0.5, 0.5],
                "scale": 0.6,
                "fill": "#22c55e",
                "opacity": 0.5,
            },
            {
                "type": "shape",
                "x": 215,
                "y": 20,
                "width": 90,
                "height": 80,
                "radius": 16,
                "fill": "#f8fafc",
                "shadow": {"x": 6, "y": 6, "blur": 10, "color": "#000000cc"},
            },
            {
                "type": "group",
                "x": 10,
                "y": 110,
                "width": 300,
                "height": 60,
                "rotation": -3,
                "opacity": 0.9,
                "radius": 14,
                "layers": [
                    {"type": "shape", "fill": "#f59e0b"},
                    {
                        "type": "shape",
                        "x": 30,
                        "y": 10,
                        "width": 80,
                        "height": 40,
                        "fill": "#ef4444",
                        "blend": "multiply",
                    },
                    {
                        "type": "shape",
                        "x": 120,
                        "y": 10,
                        "width": 80,
                        "height": 40,
                        "fill": "#3b82f6",
                        "blend": "screen",
                    },
                    {
                        "type": "shape",
                        "x": 210,
                        "y": 10,
                        "width": 80,
                        "height": 40,
                        "fill": "#22c55e",
                        "blend": "overlay",
                    },
                    {
                        "type": T,
                        "text": "group",
                        "x": 0,
                        "y": 0,
                        "width": 300,
                        "height": 60,
                        "size": 18,
                        "align": "center",
                        "valign": "middle",
                        "color": "#000000",
                    },
                ],
            },
        ],
        False,
    ),
    "button-video-lottie": (
        [
            {
                "type": "video",
                "src": "clip",
                "x": 0,
                "y": 0,
                "width": 200,
                "height": 112,
                "fit": "cover",
                "trim": [1, 3],
            },
            {
                "type": "lottie",
                "src": "spin",
                "x": 200,
                "y": 0,
                "width": 120,
                "height": 120,
                "slots": {"accent": "#ff0000", "alpha": 70},
            },
            {
                "type": "button",
                "text": "Claim it",
                "href": "https://example.com/x",
                "x": 20,
                "y": 125,
                "width": 140,
                "height": 44,
                "style": {
                    "fill": "#d4af37",
                    "color": "#0b1020",
                    "size": 20,
                    "radius": 22,
                    "stroke": {"width": 2, "color": "#ffffff"},
                },
            },
            {
                "type": "button",
                "text": "A very long label that shrinks",
                "action": "replay",
                "x": 170,
                "y": 125,
                "width": 140,
                "height": 44,
                "style": {
                    "fill": {
                        "linear": {
                            "from": [0, 0],
                            "to": [140, 0],
                            "stops": [[0, "#7c3aed"], [1, "#db2777"]],
                        }
                    },
                    "size": 20,
                    "radius": 8,
                },
            },
        ],
        True,
    ),
}
FONTS = {"Bold": "assets/Inter-Bold.ttf"}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_goldens(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    layers, assets = LAYERS[name]
    doc = base_doc(layers)
    if name == "text-fit":
        doc["fonts"] = FONTS
        assets = True
    folder = write_template(tmp_path / name, doc, assets=assets)
    renderer = renderer_for(folder)
    frame = renderer.draw(15)
    assert renderer.warnings == []
    assert_golden(request, f"layer-{name}", frame)


EASINGS = ["linear", "hold", "ease", "ease-in", "ease-out", "ease-in-out",
           "cubic-bezier(0.7, -0.4, 0.3, 1.4)", "spring()", "spring(300, 10, 1)"]  # fmt: skip


def test_easing_golden(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """One bar per easing, each moving x from 10 to 290 over 1 s, drawn at t = 0.4 s."""
    layers = [
        {"type": "shape", "x": 10, "y": 4 + 19 * i, "width": 20, "height": 15, "fill": "#38bdf8",
         "animate": {"x": [[0, 10], [1, 290, easing]]}}
        for i, easing in enumerate(EASINGS)
    ]  # fmt: skip
    layers.insert(0, {"type": "shape", "x": 150, "y": 0, "width": 1, "height": 180,
                      "fill": "#475569"})  # fmt: skip
    folder = write_template(tmp_path / "easing", base_doc(layers))
    assert_golden(request, "easings-t0.4", renderer_for(folder).draw(12))


TRANSITIONS = ["crossfade", "slide-left", "slide-right", "slide-up", "slide-down", "wipe", "zoom"]


def _two_scenes(kind: str) -> dict[str, Any]:
    def scene(sid: str, color: str, label: str, tr: dict[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": sid, "duration": 1, "background": color, "layers": [
            {"type": T, "text": label, "x": 20, "y": 60, "width": 280, "height": 60,
             "size": 40, "align": "center"}]}  # fmt: skip
        if tr is not None:
            out["transition"] = tr
        return out

    doc = base_doc([])
    doc["scenes"] = [
        scene("a", "#1d4ed8", "FIRST", None),
        scene("b", "#b91c1c", "SECOND", {"type": kind, "duration": 0.5}),
    ]
    return doc


@pytest.mark.parametrize("kind", TRANSITIONS)
def test_transition_goldens(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    folder = write_template(tmp_path / kind, _two_scenes(kind))
    renderer = renderer_for(folder)
    # scene b starts at frame 15 and overlaps 15 frames: frame 22 is progress 8/16, eased
    assert_golden(request, f"transition-{kind}", renderer.draw(22))


def test_burned_captions_golden(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    doc = base_doc([{"type": "shape", "fill": "#0ea5e9"}])
    doc["captions"] = [
        {"start": 0, "end": 0.5, "text": "Short cue"},
        {"start": 0.5, "end": 1, "text": "A longer caption that needs two lines at this size, "
                                          "and then is cut with an ellipsis at the end"},
    ]  # fmt: skip
    folder = write_template(tmp_path / "cc", doc)
    renderer = renderer_for(folder, burn_captions=True)
    assert_golden(request, "captions-burned", renderer.draw(20))
    plain = renderer_for(folder).draw(20)
    assert not (plain == renderer.draw(20)).all()
