"""Text in every script: no missing glyphs, emoji sequences as one glyph, bidi, fit bounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rendertools import assert_golden, base_doc, renderer_for, write_template

from openreel.render import FontManager, TextLayouter, TextSpec
from openreel.render.text import horizontal_align, is_rtl

NAMES = [
    "Zoë-Anaïs Bénédicte Łódź Øystein Ñúñez Đặng",
    "محمد العلي",
    "שָׁלוֹם כהן",
    "प्रिया शर्मा",
    "สมชาย ใจดี",
    "李伟 王芳",
    "さくら 山田 カタカナ",
    "김민준 이서연",
    "👋🏽 👍🏿 👨‍👩‍👧‍👦 👩🏽‍💻 🇯🇵 🇧🇷 🇺🇦 🏳️‍🌈",
    "Hello مرحبا world עולם 123!",
]
SINGLE_EMOJI = ["👨‍👩‍👧‍👦", "👋🏽", "🇯🇵", "🏳️‍🌈", "👩🏽‍💻"]


def _spec(text: str, **kw: object) -> TextSpec:
    base: dict[str, object] = dict(
        text=text, font=None, size=40.0, color="#ffffffff", align="start", valign="top",
        line_height=1.2, max_lines=None, fit="none", stroke=None, background=None,
        width=2000.0, height=400.0,
    )  # fmt: skip
    base.update(kw)
    return TextSpec(**base)  # type: ignore[arg-type]


@pytest.mark.usefixtures("scripts_installed")
@pytest.mark.parametrize("name", NAMES)
def test_every_character_has_a_glyph(fonts: FontManager, name: str) -> None:
    assert fonts.missing_characters(name) == []


def test_missing_characters_detects_tofu(fonts: FontManager) -> None:
    # U+10FFFD is a private-use code point no installed font maps.
    assert fonts.missing_characters("ok \U0010fffd") == ["\U0010fffd"]


@pytest.mark.usefixtures("scripts_installed")
@pytest.mark.parametrize("sequence", SINGLE_EMOJI)
def test_emoji_sequences_shape_to_one_glyph(fonts: FontManager, sequence: str) -> None:
    """ZWJ families, skin tones and flags are as wide as one emoji (one ligature glyph)."""
    layouter = TextLayouter(fonts)
    one = layouter.layout(_spec("😀")).fill.MaxIntrinsicWidth
    seq = layouter.layout(_spec(sequence)).fill.MaxIntrinsicWidth
    assert seq == pytest.approx(one, rel=0.05)


def test_bidi_base_direction() -> None:
    assert is_rtl("محمد!") and is_rtl("  שלום") and not is_rtl("Hello مرحبا")
    assert horizontal_align("start", True) == "right"
    assert horizontal_align("end", True) == "left"
    assert horizontal_align("start", False) == "left"


@pytest.mark.usefixtures("scripts_installed")
def test_names_still(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """One still with every script; its emoji rows are drawn in colour (not as outlines)."""
    layers = [
        {"type": "text", "text": name, "x": 6, "y": 4 + 17.5 * i, "width": 308, "height": 18,
         "size": 13, "align": "start"}
        for i, name in enumerate(NAMES)
    ]  # fmt: skip
    folder = write_template(tmp_path / "names", base_doc(layers))
    frame = renderer_for(folder).draw(0)
    emoji_row = frame[4 + 17 * 8 + 2 : 4 + 17 * 9 + 8, :150, :3].astype(int)
    saturation = emoji_row.max(axis=2) - emoji_row.min(axis=2)
    assert (saturation > 80).sum() > 100  # colour glyphs, not white outlines
    assert_golden(request, "text-scripts", frame)


def test_long_name_shrinks_inside_its_box(tmp_path: Path) -> None:
    name = ("Maximiliana Bénédicte Ødegaard-Ngata " * 6)[:200]
    box = (20, 40, 280, 100)  # x, y, width, height on a 320x180 canvas
    layer = {"type": "text", "text": name, "x": box[0], "y": box[1], "width": box[2],
             "height": box[3], "size": 60, "fit": "shrink", "align": "center",
             "color": "#ffffff"}  # fmt: skip
    doc = base_doc([layer], background="#000000")
    frame = renderer_for(write_template(tmp_path / "long", doc)).draw(0)
    ys, xs = np.nonzero(frame[..., :3].max(axis=2) > 40)
    assert xs.size > 500  # the text was drawn
    assert xs.min() >= box[0] - 1 and xs.max() <= box[0] + box[2] + 1
    assert ys.min() >= box[1] - 1 and ys.max() <= box[1] + box[3] + 1


def test_ellipsis_and_max_lines(fonts: FontManager) -> None:
    layouter = TextLayouter(fonts)
    text = "one two three four five six seven eight nine ten eleven twelve"
    block = layouter.layout(_spec(text, width=200.0, height=200.0, fit="ellipsis", max_lines=2))
    assert block.lines == 2
    assert block.block_height == pytest.approx(2 * 40 * 1.2)
    shrunk = layouter.layout(_spec(text, width=200.0, height=60.0, fit="shrink"))
    assert shrunk.size < 40 and shrunk.block_height <= 60.5
