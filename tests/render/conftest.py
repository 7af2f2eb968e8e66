"""Fixtures for the renderer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from openreel.render import FontManager


@pytest.fixture(scope="session")
def assets_ready(example_assets: list[Path]) -> list[Path]:
    """The example assets exist (generated once per session, never downloaded)."""
    return example_assets


@pytest.fixture(scope="session")
def fonts() -> FontManager:
    return FontManager()


@pytest.fixture(scope="session")
def scripts_installed(fonts: FontManager) -> None:
    """Skip unless the Noto fallback fonts are installed (``make setup`` installs them)."""
    needed = {"Noto Color Emoji", "Noto Sans Arabic", "Noto Sans CJK SC", "Noto Sans Thai"}
    missing = needed - set(fonts.fallbacks)
    if missing:
        pytest.skip(f"fallback fonts missing: {sorted(missing)} (install fonts-noto-*)")
