"""The examples in the render and pipeline docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "openreel.render.paint",
    "openreel.render.image",
    "openreel.render.shape",
    "openreel.pipeline",
    "openreel.pipeline.options",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
