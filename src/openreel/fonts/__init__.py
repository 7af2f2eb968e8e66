"""OpenReel's default sans-serif font, shipped inside the package.

A text layer without ``font`` is drawn with this family by both renderers (the server reads
these files; the bundle compiler copies the same files into every bundle), so glyph shapes and
metrics agree exactly. Characters the font lacks fall back to installed fonts (skia's
textlayout on the server, the browser's own fallback in the player).

The family is **Inter 4.001** (SIL Open Font License 1.1, no reserved font name; the license is
``OFL.txt`` next to the font files). Its files here are static instances (``opsz=14``,
``wght=400`` and ``wght=700``) cut from the variable Inter that the PyPI package
``fontpkg-inter`` ships; ``python -m openreel.fonts._build`` reproduces them byte for byte.
Coverage: Latin (with Latin Extended A/B and Vietnamese), Greek and Cyrillic.

Example:
    >>> default_font_family()
    'Inter'
    >>> default_font_path().name
    'Inter-Regular.ttf'
    >>> default_font_path(bold=True).name
    'Inter-Bold.ttf'
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DEFAULT_FONT_FAMILY",
    "default_font_family",
    "default_font_files",
    "default_font_path",
    "font_license_path",
]

DEFAULT_FONT_FAMILY = "Inter"
_DIR = Path(__file__).resolve().parent
_REGULAR = "Inter-Regular.ttf"
_BOLD = "Inter-Bold.ttf"
_LICENSE = "OFL.txt"


def default_font_family() -> str:
    """Return the family name of the default font as its files declare it (name ID 1): ``Inter``."""
    return DEFAULT_FONT_FAMILY


def default_font_path(*, bold: bool = False) -> Path:
    """Return the absolute path of the default font's TTF file.

    ``bold=False`` gives the regular face (weight 400), ``bold=True`` the bold face (weight 700).
    The file exists in every installation: it is package data, not fetched at run time.
    """
    return _DIR / (_BOLD if bold else _REGULAR)


def default_font_files() -> dict[str, Path]:
    """Return ``{family name as a template writes it: file}`` for the default faces.

    The keys follow the template format's ``fonts`` map: ``"Inter"`` (regular) and
    ``"Inter Bold"``.
    """
    return {
        DEFAULT_FONT_FAMILY: default_font_path(),
        f"{DEFAULT_FONT_FAMILY} Bold": default_font_path(bold=True),
    }


def font_license_path() -> Path:
    """Return the path of the default font's license text (SIL OFL 1.1), to ship beside it."""
    return _DIR / _LICENSE
