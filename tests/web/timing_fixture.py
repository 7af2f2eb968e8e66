"""The golden table of the pure timing functions, shared with the player's node tests.

``player/test/fixtures/timing.json`` holds ``ease`` and ``sample`` results computed by
:mod:`openreel.resolve.timing`; the node tests require the TypeScript functions to give the very
same doubles, and ``test_timing_fixture.py`` keeps the file in step with the Python side.
Regenerate with ``python tests/web/timing_fixture.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openreel.resolve import ease, sample, transition_progress

FIXTURE = Path(__file__).resolve().parents[2] / "player" / "test" / "fixtures" / "timing.json"
EASINGS: list[list[Any]] = [
    ["linear"],
    ["hold"],
    ["cubic-bezier", 0.25, 0.1, 0.25, 1.0],
    ["cubic-bezier", 0.42, 0.0, 1.0, 1.0],
    ["cubic-bezier", 0.0, 0.0, 0.58, 1.0],
    ["cubic-bezier", 0.42, 0.0, 0.58, 1.0],
    ["cubic-bezier", 0.68, -0.6, 0.32, 1.6],
    ["cubic-bezier", 1.0, 0.0, 0.0, 1.0],
    ["spring", 170.0, 26.0, 1.0],
    ["spring", 300.0, 8.0, 1.0],
    ["spring", 100.0, 20.0, 1.0],
    ["spring", 100.0, 40.0, 1.0],
]
XS = [i / 40 for i in range(-2, 43)] + [1e-9, 0.999999, 0.123456789]
KEYFRAMES: list[list[list[Any]]] = [
    [
        [0.0, 0.0, ["linear"]],
        [1.0, 10.0, ["cubic-bezier", 0.42, 0.0, 0.58, 1.0]],
        [2.5, -3.5, ["spring", 170.0, 26.0, 1.0]],
    ],
    [[0.2, "#000000ff", ["linear"]], [1.0, "#3b82f680", ["cubic-bezier", 0.0, 0.0, 0.58, 1.0]]],
    [[0.0, "", ["linear"]], [0.5, "a", ["hold"]], [1.0, "ab", ["hold"]]],
]
TIMES = [i / 20 for i in range(-2, 62)]


def table() -> dict[str, Any]:
    """Every input and the Python result."""
    return {
        "ease": [[e, [[x, ease(x, e)] for x in XS]] for e in EASINGS],
        "sample": [[k, [[t, sample(k, t)] for t in TIMES]] for k in KEYFRAMES],
        "transition": [
            [f, s, n, transition_progress(f, s, n)]
            for s, n in ((10, 5), (0, 0), (100, 12))
            for f in range(s - 2, s + n + 3)
        ],
    }


def render() -> str:
    return json.dumps(table(), indent=None, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    FIXTURE.write_text(render(), encoding="utf-8")
