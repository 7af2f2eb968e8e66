"""OpenReel's evaluator against references: cel-python where the dialects agree, and the fast
path against the general closures."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from typing import Any

import celpy
import pytest
from celpy import celtypes
from celpy.adapter import json_to_cel
from hypothesis import given
from hypothesis import strategies as st

from openreel.errors import ExpressionError
from openreel.expr import Env, NameType, compile_expression
from openreel.expr._compile import path_reader
from openreel.expr._ops import Failure, select

DATA: dict[str, Any] = {
    "name": "Ana",
    "tags": ["tea", "cake", "jam"],
    "prefs": {"color": "red", "count": 3},
    "flag": True,
}
SCOPE = {
    "name": NameType("string"),
    "tags": NameType("list", items=NameType("string")),
    "prefs": NameType("object"),
    "flag": NameType("bool"),
}

# Standard CEL on which OpenReel's dialect gives the same result (numbers compared as doubles).
COMMON = [
    "name + '!'",
    "size(name) == 3",
    "name.startsWith('A') && name.endsWith('a')",
    "name.contains('n') || false",
    "name.matches('^[A-Z][a-z]+$')",
    "'cake' in tags",
    "'pie' in tags",
    "tags.map(t, t + 's')",
    "tags.filter(t, size(t) == 3)",
    "tags.all(t, size(t) > 2)",
    "tags.exists(t, t == 'jam')",
    "tags.exists_one(t, t.startsWith('c'))",
    "size(tags.filter(t, t != 'tea'))",
    "flag ? 'yes' : 'no'",
    "!flag || name == 'Ana'",
    "prefs.color == 'red'",
    "prefs['color']",
    "has(prefs.color)",
    "has(prefs.size)",
    "2 + 3 * 4",
    "10 - 4 - 3",
    "1.5 * 2.0",
    "[1, 2] + [3]",
    "{'a': 'x'}['a']",
    "tags[1]",
    "size({'a': 1, 'b': 2})",
    "'b' < 'a'",
    "(1 < 2) == true",
]


def _plain(value: object) -> object:
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, (celtypes.IntType, celtypes.UintType, celtypes.DoubleType)):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.ListType):
        return [_plain(v) for v in value]
    if isinstance(value, celtypes.MapType):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@pytest.fixture
def cel_python() -> Iterator[None]:
    """celpy.Environment() sets the process's recursion limit; put it back afterwards."""
    limit = sys.getrecursionlimit()
    yield
    sys.setrecursionlimit(limit)


@pytest.mark.usefixtures("cel_python")
@pytest.mark.parametrize("source", COMMON)
def test_agrees_with_cel_python(source: str) -> None:
    environment = celpy.Environment()
    program = environment.program(environment.compile(source))
    activation = {name: json_to_cel(value) for name, value in DATA.items()}
    expected = _plain(program.evaluate(activation))
    ours = compile_expression(source, SCOPE).evaluate(Env.from_plain(DATA))
    assert ours == expected


# Where the dialect departs from stock CEL on purpose (documented in docs/expressions.md).
@pytest.mark.parametrize(
    ("source", "ours"),
    [
        ("7 / 2", 3.5),  # CEL: 3 (integer division)
        ("1 == 1.0", True),  # CEL (cel-python): no such overload
        ("1 == 'a'", False),  # cel-python: no such overload
        ("size(tags) / 2", 1.5),
    ],
)
def test_documented_departures(source: str, ours: object) -> None:
    assert compile_expression(source, SCOPE).evaluate(Env.from_plain(DATA)) == ours


# --- the fast path reads exactly as the general closures do ---------------------------------
LEAF = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.floats(allow_nan=False))
TREE = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
        st.lists(inner, max_size=2),
    ),
    max_leaves=8,
)


def _outcome(fn: Any) -> tuple[str, object]:
    try:
        return ("ok", fn())
    except Failure as exc:
        return ("fail", str(exc))


@given(TREE, st.lists(st.sampled_from(["a", "b"]), max_size=3))
def test_path_reader_matches_select(root_value: object, fields: list[str]) -> None:
    env = Env({"r": root_value}, {})
    fast = path_reader("r", tuple(fields))

    def general() -> object:
        value = env.values.get("r")
        for name in fields:
            value = select(value, name)
        return value

    assert _outcome(lambda: fast(env, {})) == _outcome(general)


@pytest.mark.parametrize("data", [{"r": {"a": {"b": 1}}}, {"r": {"a": None}}, {"r": "x"}, {}])
def test_fast_and_general_expressions_agree(data: dict[str, Any]) -> None:
    scope = {"r": NameType("any")}
    fast = compile_expression("r.a.b", scope)
    general = compile_expression("[r][0].a.b", scope)  # an index: no fast path
    assert fast.fast_path and not general.fast_path
    env = Env.from_plain(data)
    outcomes = []
    for e in (fast, general):
        try:
            outcomes.append(("ok", e.evaluate(env)))
        except ExpressionError as exc:
            outcomes.append((exc.code, exc.message.split(" in `")[0]))
    assert outcomes[0] == outcomes[1]


@given(
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
def test_arithmetic_is_python_float_arithmetic(a: float, b: float) -> None:
    scope = {"a": NameType("number"), "b": NameType("number")}
    env = Env.from_plain({"a": a, "b": b})
    for op, expected in (("+", a + b), ("-", a - b), ("*", a * b)):
        result = compile_expression(f"a {op} b", scope).evaluate(env)
        assert result == expected
    if b != 0:
        assert compile_expression("a / b", scope).evaluate(env) == a / b
        assert compile_expression("a % b", scope).evaluate(env) == math.fmod(a, b)
