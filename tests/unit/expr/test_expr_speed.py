"""Evaluation stays cheap: compile once, then about a microsecond per typical expression.

The bounds are loose (a slow CI machine must pass); the measured figures are in the issue note.
"""

from __future__ import annotations

import time

import pytest

from openreel.expr import Env, NameType, compile_expression, compile_text

SCOPE = {"first_name": NameType("string"), "points": NameType("number")}
ENV = Env.from_plain({"first_name": "Ana", "points": 1500})


def _per_call(fn: object, n: int = 2000) -> float:
    assert callable(fn)
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


@pytest.mark.parametrize(
    ("source", "bound"),
    [
        ("first_name", 20e-6),
        ("points > 1000", 20e-6),
        ('"Hi " + upper(first_name)', 20e-6),
        ("format_number(points)", 500e-6),
    ],
)
def test_typical_expressions_are_cheap(source: str, bound: float) -> None:
    expression = compile_expression(source, SCOPE)
    assert _per_call(lambda: expression.evaluate(ENV)) < bound


def test_text_template_is_cheap() -> None:
    text = compile_text("Hi {{ first_name }}, {{ points > 1000 ? 'gold' : 'silver' }}", SCOPE)
    assert _per_call(lambda: text.evaluate(ENV)) < 50e-6
