"""The player shipped in the package is built from the current ``player/src``.

``player/build.mjs`` records a SHA-256 over ``player/src``, ``build.mjs``, ``package.json`` and
``package-lock.json`` (sorted relative paths and contents) in ``static/source-hash.txt``; this
test recomputes it. When
it fails, rebuild: ``cd player && npm ci && npm run build``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from openreel.web import static_dir

PLAYER = Path(__file__).resolve().parents[2] / "player"


def source_hash() -> str:
    extra = [PLAYER / "package-lock.json", PLAYER / "package.json", PLAYER / "build.mjs"]
    files = sorted([*(PLAYER / "src").rglob("*"), *extra])
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(f.relative_to(PLAYER).as_posix().encode())
            h.update(b"\0")
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def test_shipped_player_matches_its_sources() -> None:
    recorded = (static_dir() / "source-hash.txt").read_text().strip()
    assert recorded == source_hash(), (
        "openreel/web/static is older than player/src: run cd player && npm ci && npm run build"
    )


def test_shipped_player_files_exist() -> None:
    for name in ("player.js", "player.css", "lottie.js", "dotlottie-player.wasm"):
        assert (static_dir() / name).stat().st_size > 0, name
