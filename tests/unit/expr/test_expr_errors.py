"""Load-time errors (each code with its JSON path), the time limits, and no data in messages."""

from __future__ import annotations

import datetime
import time

import pytest

from openreel.errors import ExpressionError
from openreel.expr import Env, Limits, NameType, compile_expression, compile_text

SCOPE = {
    "first_name": NameType("string", pii=True),
    "points": NameType("number"),
    "joined": NameType("timestamp"),
    "items": NameType(
        "list", items=NameType("object", fields={"name": NameType("string")}), max_items=3
    ),
    "theme": NameType("object", fields={"accent": NameType("string")}),
    "nothing": NameType("null"),
    "anything": NameType("any"),
}
WHERE = "$.scenes[1].layers[0].text"


def error_of(source: str, limits: Limits | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE, limits=limits or Limits(), where=WHERE)
    assert info.value.path == WHERE
    return info.value


@pytest.mark.parametrize(
    ("source", "code", "fragment"),
    [
        ("points +", "OR-E201", "ends too early at column 9"),
        ("points ) 1", "OR-E201", "unexpected ')' at column 8"),
        ("'a' $ 'b'", "OR-E201", "unexpected character '$' at column 5"),
        ("", "OR-E201", "empty"),
        ("b'bytes'", "OR-E201", "bytes"),
        ("Msg{a: 1}", "OR-E201", "message construction"),
        (".points", "OR-E201", "leading '.'"),
        ("1e999", "OR-E201", "too large"),
        ("has(points + 1)", "OR-E201", "has() takes a name or a field"),
        ("items.map(1, 2)", "OR-E201", "variable name"),
        ("map(x, x)", "OR-E201", "list.map(x, ...)"),
        ("points.default(1)", "OR-E201", "default(...)"),
        ("frist_name", "OR-E202", "unknown name 'frist_name' at column 1"),
        ("points > 1 && (\n  thme.accent == '')", "OR-E202", "at line 2, column 3"),
        ("foo(points)", "OR-E203", "unknown function 'foo'"),
        ("items.reduce(a, b, 0, a + b)", "OR-E203", "unknown function 'reduce'"),
        ("dyn(points)", "OR-E203", "unknown function 'dyn'"),
        ("theme.acent", "OR-E207", "no field 'acent'"),
        ("first_name.length", "OR-E207", "a string has no field 'length'"),
        ("points.x", "OR-E207", "a number has no field 'x'"),
        ("items.name", "OR-E207", "a list has no field 'name'"),
        ("nothing.x", "OR-E207", "a null has no field 'x'"),
        ("points[0]", "OR-E207", "cannot index a number"),
        ("items['a']", "OR-E207", "a list index must be a number"),
        ("points.map(x, x)", "OR-E207", "map() needs a list or a map, found a number"),
        ("items.all(i, i.name)", "OR-E207", "all() body must be a bool"),
        ("upper(points)", "OR-E207", "upper() needs a string as argument 1, found a number"),
        ("format_date(first_name)", "OR-E207", "needs a timestamp"),
        ("truncate(first_name)", "OR-E207", "takes 2 arguments, found 1"),
        ("format_number(points, 'en-US', 2)", "OR-E207", "takes 1 to 2 arguments, found 3"),
        ("'Hi ' + points", "OR-E207", "'+' cannot combine a string and a number"),
        ("points - joined", "OR-E207", "'-' cannot combine a number and a timestamp"),
        ("points < 'a'", "OR-E207", "cannot compare a number and a string"),
        ("!points", "OR-E207", "'!' needs a bool"),
        ("points && true", "OR-E207", "'&&' needs bools"),
        ("points ? 1 : 2", "OR-E207", "must be a bool"),
        ("'a' in points", "OR-E207", "'in' needs a list or a map"),
        ("{1: 'a'}", "OR-E207", "map keys must be strings"),
        ("decide(first_name)", "OR-E207", "quoted string"),
        ("format_number(points, 'klingon')", "OR-E207", "'klingon'"),
        ("format_currency(points, 'EURO')", "OR-E207", "'EURO'"),
        ("format_date(joined, 'tiny')", "OR-E207", "'tiny'"),
        ("first_name.matches('(')", "OR-E207", "pattern"),
        ("timestamp('yesterday')", "OR-E207", "RFC 3339"),
        ("duration('1 hour')", "OR-E207", "1h30m"),
        (
            "anything.map(a, anything.map(b, anything.map(c, [a, b, c])))",
            "OR-E206",
            "estimated cost",
        ),
        ("(" * 25 + "1" + ")" * 25, "OR-E205", "brackets nest more than 24 deep at column 25"),
        ("x" * 2001, "OR-E204", "2001 characters, more than 2000"),
    ],
)
def test_load_time_errors(source: str, code: str, fragment: str) -> None:
    error = error_of(source)
    assert error.code == code
    assert fragment in error.message


def test_did_you_mean_goes_in_the_hint() -> None:
    error = error_of("frist_name")
    assert error.hint.startswith("Did you mean 'first_name'?")
    assert error_of("theme.acent").hint.startswith("Did you mean 'accent'?")
    assert error_of("uper(first_name)").hint.startswith("Did you mean 'upper'?")
    assert "string(x)" in error_of("'Hi ' + points").hint


def test_syntax_errors_do_not_echo_long_source() -> None:
    source = "points + 'a very long string literal that goes on and on' * ) " + "1 + " * 40 + "1"
    error = error_of(source)
    assert error.code == "OR-E201"
    assert len(error.message) < 120


def test_tree_depth_guard() -> None:
    chain = "first_name" + ".upper()" * 120  # no brackets nest, but 120 nested calls
    error = error_of(chain)
    assert error.code == "OR-E205"
    assert "96" in error.message
    assert compile_expression("first_name" + ".upper()" * 50, SCOPE)  # well within


def test_long_flat_chains_compile_and_evaluate() -> None:
    # 999 chained additions: cel-python's own evaluator overflows Python's stack at ~120
    e = compile_expression("1" + " + 1" * 499, SCOPE)
    assert e.evaluate(Env.from_plain({})) == 500.0
    e = compile_expression("!" * 1000 + "true", SCOPE)
    assert e.evaluate(Env.from_plain({})) is True


def test_one_megabyte_expression_is_rejected_fast() -> None:
    source = "points + " * (1_000_000 // 9) + "1"
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE, where=WHERE)
    elapsed = time.perf_counter() - start
    assert info.value.code == "OR-E204"
    assert elapsed < 0.050


def test_ten_thousand_deep_nesting_is_rejected_fast() -> None:
    source = "(" * 10_000 + "1" + ")" * 10_000
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE, where=WHERE)
    elapsed = time.perf_counter() - start
    assert info.value.code == "OR-E205"
    assert elapsed < 0.050
    # also when the limits allow the length: the scan stops at the first bracket too deep
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE, limits=Limits(max_length=100_000))
    assert info.value.code == "OR-E205"
    assert time.perf_counter() - start < 0.050


def test_huge_interpolation_is_rejected_fast() -> None:
    text = "Hi {{ " + "x" * 1_000_000 + " }}"
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        compile_text(text, SCOPE, where=WHERE)
    assert info.value.code == "OR-E204"
    assert time.perf_counter() - start < 0.050


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    source = "'" + "(" * 40 + "' + '[' // " + "{" * 40 + "\n + ')'"
    assert compile_expression(source, SCOPE).evaluate(Env.from_plain({})) == "(" * 40 + "[)"


# --- no data values in error messages ------------------------------------------------------
CANARY = "CANARY7731"
CANARY_DATA: dict[str, object] = {
    "first_name": CANARY + "-name",
    "points": 7731.0,
    "joined": datetime.date(2024, 1, 5),
    "items": [{"name": CANARY + "-item"}, {"name": None}],
    "theme": {"accent": CANARY + "-accent"},
    "anything": {
        "text": CANARY + "-text",
        "num": 7731.5,
        "list": [CANARY + "-l"],
        "map": {CANARY + "-key": CANARY + "-value"},
        "locale": CANARY,
        "code": "C" + CANARY,
        "ts": CANARY + "T",
    },
}
FAILING = [
    "anything.text + 1",
    "anything.text * 2",
    "anything.num / 0",
    "anything.text < 1",
    "int(anything.text)",
    "double(anything.text)",
    "timestamp(anything.ts)",
    "duration(anything.text)",
    "anything.map[anything.text]",
    "anything.map.missing",
    "anything.list[7731]",
    "anything.list[anything.num]",
    "anything.text.x",
    "anything.text[0]",
    "format_number(points, anything.locale)",
    "format_currency(points, anything.code)",
    "format_currency(points, 'EUR', anything.locale)",
    "format_date(joined, anything.text)",
    "format_date(anything.text)",
    "upper(anything.num)",
    "truncate(first_name, anything.num)",
    "join(anything.list, anything.num)",
    "join([anything.map], ', ')",
    "first_name.matches(anything.text + '(')",
    "joined.getHours(anything.text)",
    "anything.text ? 1 : 2",
    "anything.text || false",
    "items.map(i, i.name + 1)",
    "items.exists_one(i, anything.text)",
    "{anything.text: 1, anything.text: 2}",
    "decide(anything.text) == 1",
    "string(anything.map)",
    "anything.num % 0",
    "text: map {{ anything.map }}",
    "text: {{ anything.num }} {{ anything.text + 1 }}",
]


@pytest.mark.parametrize("source", FAILING)
def test_messages_never_contain_data(source: str) -> None:
    env = Env.from_plain(CANARY_DATA, decisions={"mood": CANARY})  # type: ignore[arg-type]
    scope = {**SCOPE, "anything": NameType("any")}
    with pytest.raises(ExpressionError) as info:
        if source.startswith("text: "):
            compile_text(source.removeprefix("text: "), scope, where=WHERE).evaluate(env)
        else:
            compile_expression(source, scope, where=WHERE).evaluate(env)
    error = info.value
    assert error.code in ("OR-E207", "OR-E208", "OR-E209")
    text = " ".join(str(v) for v in error.to_dict().values()) + str(error) + repr(error)
    assert CANARY not in text
    assert "7731" not in text.replace("anything.list[7731]", "")
