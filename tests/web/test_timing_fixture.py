"""The player's timing golden table matches what the Python timing functions give today."""

from __future__ import annotations

import json

from timing_fixture import FIXTURE, render, table


def test_fixture_is_current() -> None:
    assert FIXTURE.exists(), "run python tests/web/timing_fixture.py"
    assert FIXTURE.read_text(encoding="utf-8") == render(), (
        "player/test/fixtures/timing.json is stale: run python tests/web/timing_fixture.py"
    )


def test_fixture_covers_every_easing_kind() -> None:
    kinds = {row[0][0] for row in table()["ease"]}
    assert kinds == {"linear", "hold", "cubic-bezier", "spring"}
    assert json.loads(render())["transition"][0] == [8, 10, 5, 0.0]
