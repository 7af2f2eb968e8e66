"""The fonts a render uses: the template's, OpenReel's default, and system fallbacks.

One :class:`FontManager` per template (build it once, reuse it for every viewer). It holds a
``skia.textlayout.TypefaceFontProvider`` in which every family is registered under the name a
template uses: the template's ``fonts`` map (``{"Inter Bold": "assets/Inter-Bold.ttf"}``, the
family name is the map's key, whatever the file itself declares), OpenReel's default font as
``OpenReel Sans`` (and ``OpenReel Sans Bold``), and the installed fallback families of
:data:`FALLBACK_FAMILIES` (Debian ``fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji``).

skia-python's ``FontCollection`` takes a single font manager, so fallback is explicit: every
text style lists ``[family, *fallbacks]`` and SkParagraph picks, per character, the first
family whose font has a glyph for it. Emoji come right after the primary family so that
characters with both a text and an emoji form (``✨``) are drawn in colour, as browsers do.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path

import skia

from openreel.fonts import default_font_path

DEFAULT_FAMILY = "OpenReel Sans"

#: System families tried, in order, for characters the layer's own font lacks.
FALLBACK_FAMILIES: tuple[str, ...] = (
    "Noto Color Emoji",
    "Noto Sans",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Tamil",
    "Noto Sans Thai",
    "Noto Sans Armenian",
    "Noto Sans Georgian",
    "Noto Sans Ethiopic",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Noto Sans Symbols",
    "Noto Sans Symbols2",
    "DejaVu Sans",
)

# Characters that never need a glyph of their own (joiners, selectors, bidi controls, tags).
_IGNORABLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"})


class FontManager:
    """Typefaces registered under template family names, plus the fallback chain.

    ``fonts`` maps a template family name to a font file (absolute, or relative to
    ``root``). Unreadable font files are skipped and listed in :attr:`missing` (the text then
    falls back to the default family).
    """

    def __init__(self, fonts: Mapping[str, str | Path] | None = None, root: Path | None = None):
        self.provider = skia.textlayout.TypefaceFontProvider()
        self.typefaces: dict[str, list[skia.Typeface]] = {}
        self.missing: list[str] = []
        self._register(DEFAULT_FAMILY, default_font_path())
        self._register(f"{DEFAULT_FAMILY} Bold", default_font_path(bold=True))
        for family, path in (fonts or {}).items():
            file = Path(path)
            if not file.is_absolute() and root is not None:
                file = root / file
            if not self._register(family, file):
                self.missing.append(family)
        system = skia.FontMgr()
        self.fallbacks: list[str] = []
        for family in FALLBACK_FAMILIES:
            styles = system.matchFamily(family)
            faces = [styles.createTypeface(i) for i in range(styles.count())]
            faces = [f for f in faces if f is not None]
            if faces:
                for face in faces:
                    self.provider.registerTypeface(face, family)
                self.typefaces[family] = faces
                self.fallbacks.append(family)
        self.collection = skia.textlayout.FontCollection()
        self.collection.setDefaultFontManager(self.provider, DEFAULT_FAMILY)
        self.unicode = skia.Unicode()

    def _register(self, family: str, file: Path) -> bool:
        try:
            face = skia.Typeface.MakeFromFile(str(file))
        except (OSError, RuntimeError, ValueError):
            face = None
        if face is None:
            return False
        self.provider.registerTypeface(face, family)
        self.typefaces.setdefault(family, []).append(face)
        return True

    def family(self, name: str | None) -> str:
        """The registered family for a layer's ``font`` (the default when unknown)."""
        if name and name in self.typefaces and name not in self.missing:
            return name
        return DEFAULT_FAMILY

    def families(self, name: str | None) -> list[str]:
        """``[family, *fallbacks]`` as a text style lists them."""
        return [self.family(name), *self.fallbacks]

    def missing_characters(self, text: str, font: str | None = None) -> list[str]:
        """Characters of ``text`` that no font of the chain for ``font`` has a glyph for.

        Joiners, variation selectors, combining marks, bidi controls and spaces are not
        checked (they are drawn as part of their cluster). An empty list means the text draws
        without .notdef boxes ("tofu").
        """
        faces = [f for fam in self.families(font) for f in self.typefaces.get(fam, [])]
        out: list[str] = []
        for ch in text:
            cp = ord(ch)
            if unicodedata.category(ch) in _IGNORABLE_CATEGORIES or 0xE0000 <= cp <= 0xE007F:
                continue
            if not any(face.unicharsToGlyphs([cp])[0] != 0 for face in faces):
                out.append(ch)
        return out
