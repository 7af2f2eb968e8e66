"""Text: to_text, the text functions, and {{ }} interpolation."""

from __future__ import annotations

import datetime

import pytest

from openreel.errors import ExpressionError
from openreel.expr import (
    Env,
    NameType,
    TextTemplate,
    compile_expression,
    compile_text,
    has_interpolation,
    to_text,
)

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("as is", "as is"),
        (1500.0, "1500"),
        (1500, "1500"),
        (0.1, "0.1"),
        (1e21, "1e+21"),
        (-0.0, "0"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        ([1.0, "b", None, [2.5, True]], "1, b, , 2.5, true"),
        ([], ""),
        (datetime.date(2024, 1, 5), "2024-01-05"),
        (datetime.date(999, 3, 1), "0999-03-01"),
        (datetime.datetime(2024, 7, 14, 23, 30, tzinfo=UTC), "2024-07-14T23:30:00Z"),
        (datetime.datetime(2024, 7, 14, 23, 30, 5, 123999, tzinfo=UTC), "2024-07-14T23:30:05.123Z"),
        (
            datetime.datetime(
                2024, 7, 15, 1, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            "2024-07-14T23:30:00Z",
        ),
    ],
)
def test_to_text(value: object, expected: str) -> None:
    assert to_text(value) == expected


def test_to_text_refuses_maps() -> None:
    with pytest.raises(ExpressionError) as info:
        to_text({"a": 1})
    assert info.value.code == "OR-E209"


SCOPE = {
    "name": NameType("string"),
    "nick": NameType("string"),
    "points": NameType("number"),
    "tags": NameType("list", items=NameType("string")),
    "prefs": NameType("object"),
}
ENV = Env.from_plain({"name": "ana maría", "points": 1, "tags": ["x", "y"], "prefs": {"a": 1}})


def run(source: str) -> object:
    return compile_expression(source, SCOPE, where="$.t").evaluate(ENV)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("upper('straße')", "STRASSE"),
        ("lower('ÀÉÎ')", "àéî"),
        ("lower('ΟΔΟΣ')", "οδος"),  # final sigma, as JavaScript's toLowerCase
        ("title(name)", "Ana María"),
        ("title('hELLO   wORLD\\tagain')", "Hello   World\tAgain"),
        ("title('élan o\\'neil mcDONALD')", "Élan O'neil Mcdonald"),
        ("name.upper()", "ANA MARÍA"),
        ("truncate('Hello world', 5)", "Hell…"),
        ("truncate('Hello', 5)", "Hello"),
        ("truncate('Hello!', 5)", "Hell…"),
        ("truncate('👍🏽👍🏽👍🏽', 2)", "👍🏽…"),  # emoji with a skin tone is one cluster
        ("truncate('👍🏽👍🏽', 2)", "👍🏽👍🏽"),
        ("truncate('e\\u0301e\\u0301e\\u0301', 3)", "e\u0301e\u0301e\u0301"),
        ("truncate('abc', 1)", "…"),
        ("join(tags, ' & ')", "x & y"),
        ("join([1, 2.5, null, true], '|')", "1|2.5||true"),
        ("join([], ', ')", ""),
        ("tags.join('-')", "x-y"),
        ("plural(points, 'point', 'points')", "point"),
        ("plural(2, 'point', 'points')", "points"),
        ("plural(0, 'point', 'points')", "points"),
    ],
)
def test_text_functions(source: str, expected: str) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("truncate(name, 0)", "whole number of at least 1"),
        ("truncate(name, 1.5)", "whole number of at least 1"),
        ("join([prefs], ',')", "cannot write a map"),
        ("upper(prefs.a)", "upper() needs a string, found a number"),
        ("upper(nick)", "found a null"),
    ],
)
def test_text_function_failures(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        run(source)
    assert info.value.code == "OR-E208"
    assert message in info.value.message


def test_interpolation_writes_text() -> None:
    t = compile_text(
        "Hi {{ title(name) }}, {{ points }} {{ plural(points, 'point', 'points') }}", SCOPE
    )
    assert t.evaluate(ENV) == "Hi Ana María, 1 point"
    assert t.whole is None
    assert [p if isinstance(p, str) else p.source for p in t.parts] == [
        "Hi ",
        " title(name) ",
        ", ",
        " points ",
        " ",
        " plural(points, 'point', 'points') ",
    ]


def test_whole_expression_keeps_its_type() -> None:
    t = compile_text("{{ points * 2 }}", SCOPE)
    assert t.whole is not None
    assert t.evaluate(ENV) == 2.0
    assert compile_text("{{ tags }}", SCOPE).evaluate(ENV) == ["x", "y"]
    # anything around the braces makes it text
    assert compile_text(" {{ points * 2 }}", SCOPE).evaluate(ENV) == " 2"
    assert compile_text("{{ tags }}!", SCOPE).evaluate(ENV) == "x, y!"


def test_null_and_lists_in_text() -> None:
    t = compile_text("[{{ nick }}] {{ tags }}", SCOPE)
    assert t.evaluate(ENV) == "[] x, y"


def test_plain_text() -> None:
    t = compile_text("no braces } here }}", SCOPE)
    assert t.evaluate(ENV) == "no braces } here }}"
    assert t.names == frozenset()
    assert compile_text("", SCOPE).evaluate(ENV) == ""
    assert not has_interpolation("a } b { c")
    assert has_interpolation("a {{ b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ {'a': 'x'}['a'] }}", "x"),
        ("{{ {'a': {'b': 'y'}}['a']['b'] }}", "y"),
        ("{{ '}}' }}", "}}"),
        ('{{ "{{" }}', "{{"),
        ("{{ '''multi }} line''' }}", "multi }} line"),
        ("a{{'b'}}c{{'d'}}", "abcd"),
    ],
)
def test_closing_braces_inside_strings_and_maps(text: str, expected: str) -> None:
    assert compile_text(text, SCOPE).evaluate(ENV) == expected


def test_map_in_text_is_e209_with_path() -> None:
    t = compile_text("prefs: {{ prefs }}", SCOPE, where="$.scenes[0].layers[1].text")
    with pytest.raises(ExpressionError) as info:
        t.evaluate(ENV)
    assert info.value.code == "OR-E209"
    assert info.value.path == "$.scenes[0].layers[1].text"


def test_unclosed_interpolation() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_text("Hi {{ name", SCOPE, where="$.x")
    assert info.value.code == "OR-E210"
    assert info.value.path == "$.x"
    assert "column 4" in info.value.message


def test_error_positions_count_in_the_whole_text() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_text("Hello {{ nmae }}", SCOPE, where="$.x")
    assert info.value.code == "OR-E202"
    assert "column 10" in info.value.message
    with pytest.raises(ExpressionError) as info:
        compile_text("line one\n  {{ 1 + }}", SCOPE, where="$.x")
    assert info.value.code == "OR-E201"
    assert "line 2" in info.value.message


def test_text_template_unions_names() -> None:
    t = compile_text("{{ name }} {{ tags.map(x, upper(x)) }} {{ decide('mood') }}", SCOPE)
    assert isinstance(t, TextTemplate)
    assert t.names == {"name", "tags", "tags[]"}
    assert t.roots == {"name", "tags"}
    assert t.decisions == {"mood"}
    assert {"upper", "map", "decide"} <= t.functions
    assert len(t.expressions) == 3
