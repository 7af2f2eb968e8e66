"""Maintainer tool: rebuild the committed default font files from PyPI's ``fontpkg-inter``.

Not used at run time and not a dependency of OpenReel. The static TTFs next to this file were made
by it; run it again only to update Inter::

    pip install "fontpkg-inter==4.1.post1"
    python -m openreel.fonts._build          # rewrites Inter-Regular.ttf, Inter-Bold.ttf, OFL.txt

``fontpkg-inter`` ships Inter 4.001 as one variable TTF with the axes ``opsz`` (14..32) and
``wght`` (100..900). Each static file is the named instance at ``opsz=14`` (text optical size)
and ``wght=400`` / ``wght=700``, cut with fontTools' instancer, which also rewrites the name table
from the STAT table (family "Inter", styles "Regular" / "Bold"). The output is deterministic: the
``head.modified`` timestamp is kept from the source instead of being set to the current time.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import shutil
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fontTools.varLib import instancer  # type: ignore[import-untyped]

FONTS_DIR = Path(__file__).resolve().parent
SOURCE_PACKAGE = "fontpkg_inter"
SOURCE_FILE = "files/Inter[opsz,wght].ttf"
# style name -> wght axis value; opsz stays at 14 (Inter's "text" optical size).
STATIC_INSTANCES: dict[str, float] = {"Regular": 400.0, "Bold": 700.0}


def find_source_dir() -> Path:
    """Return the folder of the installed ``fontpkg_inter`` package.

    Raises ``FileNotFoundError`` with the pip command to run when it is not installed.
    """
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            f"{SOURCE_PACKAGE} is not installed; run: pip install 'fontpkg-inter==4.1.post1'"
        )
    return Path(spec.origin).resolve().parent


def instance_bytes(variable_font: Path, weight: float) -> bytes:
    """Cut the static instance ``opsz=14, wght=weight`` of ``variable_font``; return TTF bytes."""
    font = TTFont(str(variable_font), recalcTimestamp=False)
    static = instancer.instantiateVariableFont(
        font, {"opsz": 14.0, "wght": weight}, updateFontNames=True
    )
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


def build(source_dir: Path, dest: Path) -> list[Path]:
    """Write ``Inter-<Style>.ttf`` for every static instance and ``OFL.txt`` into ``dest``.

    Returns the written paths. Same source bytes -> same output bytes.
    """
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for style, weight in STATIC_INSTANCES.items():
        path = dest / f"Inter-{style}.ttf"
        path.write_bytes(instance_bytes(source_dir / SOURCE_FILE, weight))
        written.append(path)
    license_path = dest / "OFL.txt"
    shutil.copyfile(source_dir / "LICENSE", license_path)
    written.append(license_path)
    return written


def main() -> None:
    """Command-line entry: ``python -m openreel.fonts._build [--dest DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dest", type=Path, default=FONTS_DIR, help="output folder")
    args = parser.parse_args()
    for path in build(find_source_dir(), args.dest):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{path}  {path.stat().st_size} bytes  sha256 {digest}")


if __name__ == "__main__":
    main()
