"""Shared test setup: example assets are generated once per session (never downloaded)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent for p in ROOT.glob("examples/*/template.json"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden references")


def _asset_module() -> object:
    spec = importlib.util.spec_from_file_location(
        "make_example_assets", ROOT / "scripts" / "make_example_assets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def example_assets() -> Iterator[list[Path]]:
    """Generate the examples' media (idempotent: a no-op when already up to date)."""
    module = _asset_module()
    module.make_all(ROOT)  # type: ignore[attr-defined]
    yield EXAMPLES
