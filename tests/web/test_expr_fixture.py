"""The player's expression vectors match what openreel.expr gives today."""

from __future__ import annotations

import json

from expr_fixture import FIXTURE, LOCALES, render


def test_fixture_is_current() -> None:
    assert FIXTURE.exists(), "run python tests/web/expr_fixture.py"
    assert FIXTURE.read_text(encoding="utf-8") == render(), (
        "player/test/fixtures/expressions.json is stale: run python tests/web/expr_fixture.py"
    )


def test_fixture_has_results_and_errors_in_every_locale() -> None:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))["rows"]
    assert any("error" in r for _, r in rows) and any("value" in r for _, r in rows)
    for loc in LOCALES:
        assert any(loc in source and "value" in r for source, r in rows), loc
