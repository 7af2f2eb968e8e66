"""Numbers: JavaScript's String(x), and "every number is a double" in expressions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openreel.errors import ExpressionError
from openreel.expr import Env, NameType, compile_expression, number_to_string

# Expected values printed by Node 20: node -e 'console.log(String(x))'.
JS_STRING = [
    (0.0, "0"),
    (-0.0, "0"),
    (1e21, "1e+21"),
    (-1e21, "-1e+21"),
    (1e-7, "1e-7"),
    (1e-6, "0.000001"),
    (1.5e-7, "1.5e-7"),
    (123456789012345680000.0, "123456789012345680000"),
    (1e20, "100000000000000000000"),
    (0.1 + 0.2, "0.30000000000000004"),
    (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (1500.0, "1500"),
    (0.1, "0.1"),
    (-1.5, "-1.5"),
    (123e-20, "1.23e-18"),
    (2.0**53, "9007199254740992"),
    (2.0**53 + 2, "9007199254740994"),
    (1.2345e21, "1.2345e+21"),
    (0.000001234, "0.000001234"),
    (4.35, "4.35"),
    (1 / 3, "0.3333333333333333"),
    (2 / 3, "0.6666666666666666"),
    (1e100, "1e+100"),
    (25e-8, "2.5e-7"),
    (0.00001, "0.00001"),
    (123456.789e3, "123456789"),
    (math.inf, "Infinity"),
    (-math.inf, "-Infinity"),
    (math.nan, "NaN"),
]


@pytest.mark.parametrize(("x", "expected"), JS_STRING)
def test_number_to_string_matches_javascript(x: float, expected: str) -> None:
    assert number_to_string(x) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_to_string_round_trips(x: float) -> None:
    text = number_to_string(x)
    assert float(text) == x
    assert text == text.strip() and "+" not in text.split("e")[0]


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_whole_numbers_have_no_point(i: int) -> None:
    assert number_to_string(float(i)) == str(i)


SCOPE = {"points": NameType("number"), "items": NameType("list", items=NameType("string"))}


def run(source: str, **values: object) -> object:
    env = Env.from_plain(values)  # type: ignore[arg-type]
    return compile_expression(source, SCOPE, where="$.n").evaluate(env)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("7 / 2", 3.5),
        ("7 % 3", 1.0),
        ("-7 % 3", -1.0),
        ("7.5 % 2", 1.5),
        ("0x1F", 31.0),
        ("-0x10", -16.0),
        ("1u + 1", 2.0),
        ("2 * -3", -6.0),
        ("1 - -1", 2.0),
        ("1e3", 1000.0),
        ("int(3.7)", 3.0),
        ("int(-3.7)", -3.0),
        ("int('42') + 0.5", 42.5),
        ("double('2.5') * 2", 5.0),
        ("size('héllo')", 5.0),
        ("size([1, 2, 3]) / 2", 1.5),
        ("[10, 20, 30][1]", 20.0),
        ("[10, 20, 30][size([1, 2]) - 1.0]", 20.0),
        ("3 == 3.0", True),
        ("2 < 2.5", True),
    ],
)
def test_every_number_is_a_double(source: str, expected: object) -> None:
    result = run(source)
    assert result == expected
    assert type(result) is type(expected)


def test_integer_data_enters_as_double() -> None:
    assert run("points / 2", points=3) == 1.5
    assert run("points == 3", points=3) is True
    assert type(run("points", points=3)) is float


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integer_literals_are_doubles(i: int) -> None:
    result = compile_expression(str(i), {}).evaluate(Env.from_plain({}))
    assert result == float(i)
    assert type(result) is float


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("points / 0", "division by zero"),
        ("points % 0", "division by zero"),
        ("1e308 * points", "too large"),
        ("[1, 2][2]", "out of range"),
        ("[1, 2][0.5]", "whole number"),
        ("[1, 2][-1]", "out of range"),
        ("int('1.5')", "cannot convert"),
        ("double('nan')", "cannot convert"),
    ],
)
def test_number_failures(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        run(source, points=10)
    assert info.value.code == "OR-E208"
    assert info.value.path == "$.n"
    assert message in info.value.message


def test_negative_zero_survives_but_prints_as_zero() -> None:
    result = run("-0.0 * 1")
    assert isinstance(result, float) and math.copysign(1.0, result) == -1.0
    assert number_to_string(result) == "0"
