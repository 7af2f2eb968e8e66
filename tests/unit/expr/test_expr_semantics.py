"""Evaluation semantics: operators, null / has / default, decide, comprehensions, time."""

from __future__ import annotations

import datetime

import pytest

from openreel.errors import ExpressionError
from openreel.expr import Env, NameType, compile_expression

UTC = datetime.UTC
ITEM = NameType("object", fields={"name": NameType("string"), "image": NameType("string")})
SCOPE = {
    "first_name": NameType("string"),
    "nick": NameType("string"),
    "points": NameType("number"),
    "tier": NameType("string"),
    "items": NameType("list", items=ITEM, max_items=5),
    "tags": NameType("list", items=NameType("string")),
    "prefs": NameType("object"),
    "joined": NameType("timestamp"),
    "view": NameType(
        "object",
        fields={"time": NameType("timestamp"), "tz": NameType("string")},
    ),
    "anything": NameType("any"),
}
DATA: dict[str, object] = {
    "first_name": "Ana",
    "points": 1500,
    "tier": "gold",
    "items": [{"name": "Tea", "image": "tea.png"}, {"name": "Cake", "image": None}],
    "tags": ["a", "b"],
    "prefs": {"color": "red", "size": None},
    "joined": datetime.date(2024, 1, 5),
    "view": {"time": datetime.datetime(2024, 7, 14, 23, 30, tzinfo=UTC), "tz": "Europe/Berlin"},
    "anything": 3,
}
ENV = Env.from_plain(DATA, decisions={"mood": "calm"})  # type: ignore[arg-type]


def run(source: str, env: Env = ENV) -> object:
    return compile_expression(source, SCOPE, where="$.e").evaluate(env)


def fails(source: str, env: Env = ENV) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        run(source, env)
    assert info.value.code == "OR-E208"
    assert info.value.path == "$.e"
    return info.value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # strings and lists
        ('"Hi " + first_name', "Hi Ana"),
        ("tags + ['c']", ["a", "b", "c"]),
        ("'b' in tags", True),
        ("'color' in prefs", True),
        ("'z' in prefs", False),
        ("first_name < 'Bob'", True),
        ("false < true", True),
        # equality across kinds never fails
        ("1 == '1'", False),
        ("'1' != 1", True),
        ("nick == null", True),
        ("first_name == null", False),
        ("[1, 'a'] == [1.0, 'a']", True),
        ("{'a': 1} == {'a': 1.0}", True),
        ("true == 1", False),
        # logic: CEL's commutative error rule
        ("points > 1000 && tier == 'gold'", True),
        ("points / 0 > 1 || true", True),
        ("true || points / 0 > 1", True),
        ("false && points / 0 > 1", False),
        ("points / 0 > 1 && false", False),
        ("!(points > 1)", False),
        ("points > 1000 ? 'big' : 'small'", "big"),
        ("points > 2000 ? 'big' : points > 1000 ? 'mid' : 'small'", "mid"),
        ("true ? 1 : points / 0", 1.0),
        # names, fields, index
        ("items[0].name", "Tea"),
        ("items[1].image", None),
        ("prefs.color", "red"),
        ("prefs['color']", "red"),
        ("{'gold': '#D4AF37', 'silver': '#C0C0C0'}[tier]", "#D4AF37"),
        ("anything + 1", 4.0),
        # null, has, default
        ("nick", None),
        ("has(nick)", False),
        ("has(first_name)", True),
        ("has(prefs.color)", True),
        ("has(prefs.size)", False),  # the key is there but null: no value (unlike stock CEL)
        ("has(prefs.missing)", False),
        ("has(items[1].image)", False),
        ("has(items[0].image)", True),
        ("default(nick, 'friend')", "friend"),
        ("default(first_name, 'friend')", "Ana"),
        ("default(points / 0, -1)", -1.0),
        ("default(prefs.missing, 'x')", "x"),
        ("default(items[9].name, 'none')", "none"),
        ("default(items.map(i, 1 / 0), [])", []),
        ("default(nick, default(tier, 'x'))", "gold"),
        # decisions
        ("decide('mood')", "calm"),
        ("decide('mood') == 'calm' ? 1 : 2", 1.0),
        # comprehensions
        ("items.map(i, i.name)", ["Tea", "Cake"]),
        ("items.map(i, i.name == 'Tea', upper(i.name))", ["TEA"]),
        ("items.filter(i, has(i.image) && i.image != null).map(i, i.name)", ["Tea"]),
        ("items.all(i, size(i.name) >= 3)", True),
        ("items.exists(i, i.name == 'Cake')", True),
        ("items.exists_one(i, i.name.startsWith('T'))", True),
        ("tags.exists(t, t == 'z')", False),
        ("[1, 2, 3].exists(x, 1 / (x - 1) > 0.4)", True),  # the error on x == 1 is absorbed
        ("[1, 2, 3].all(x, x > 5)", False),
        ("prefs.map(k, k)", ["color", "size"]),
        ("items.map(i, tags.map(t, i.name + t))", [["Teaa", "Teab"], ["Cakea", "Cakeb"]]),
        ("[].all(x, x > 0)", True),
        ("[].exists(x, x > 0)", False),
        # timestamps and durations
        ("joined < view.time", True),
        ("joined == timestamp('2024-01-05T00:00:00Z')", True),
        ("view.time.getHours()", 23.0),
        ("view.time.getHours(view.tz)", 1.0),
        ("view.time.getHours('+05:30')", 5.0),
        ("view.time.getDayOfWeek()", 0.0),
        ("view.time.getMonth()", 6.0),
        ("view.time.getDate()", 14.0),
        ("view.time.getDayOfMonth()", 13.0),
        ("view.time.getDayOfYear()", 195.0),
        ("view.time.getFullYear(view.tz)", 2024.0),
        ("(view.time - joined).getHours()", 4607.0),
        ("duration('1h30m').getMinutes()", 90.0),
        ("duration('-2.5s').getMilliseconds()", -2500.0),
        ("joined + duration('36h') > view.time", False),
        ("string(duration('90s'))", "90s"),
        ("timestamp('2024-01-05T10:00:00.123456789+02:00').getMilliseconds()", 123.0),
        ("int(timestamp('1970-01-02T00:00:00Z'))", 86400.0),
        # strings
        ("'hello'.contains('ell')", True),
        ("first_name.endsWith('na')", True),
        ("'abc123'.matches('^[a-z]+[0-9]+$')", True),
        ("matches('abc', 'b')", True),
        ("string(points)", "1500"),
        ("string(0.1 + 0.2)", "0.30000000000000004"),
        ("string(nick)", ""),
        ("string(joined)", "2024-01-05"),
        ("string(view.time)", "2024-07-14T23:30:00Z"),
        ("string(tags)", "a, b"),
        ("string(true)", "true"),
    ],
)
def test_evaluates(source: str, expected: object) -> None:
    assert run(source) == expected


def test_results_are_plain_values() -> None:
    assert run("joined") == datetime.date(2024, 1, 5)
    assert type(run("joined")) is datetime.date
    assert run("view.time") == datetime.datetime(2024, 7, 14, 23, 30, tzinfo=UTC)
    assert run("joined + duration('1h')") == datetime.datetime(2024, 1, 5, 1, tzinfo=UTC)
    result = run("items")
    assert result == DATA["items"]
    assert isinstance(result, list)
    result.append("mutated")  # the caller's copy: the Env is unchanged
    assert run("size(items)") == 2.0


def test_unbound_names_read_as_null() -> None:
    empty = Env.from_plain({})
    assert run("first_name", empty) is None
    assert run("has(first_name)", empty) is False
    assert run("default(points, 0) + 1", empty) == 1.0


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("nick + 'x'", "'+' cannot combine a null and a string"),
        ("anything + 'x'", "'+' cannot combine a number and a string"),
        ("prefs.missing", "no field 'missing'"),
        ("items[1].image.size()", "size() needs a string, list or map, found a null"),
        ("prefs.size.x == 1 || false", "cannot read field 'x' of null"),
        ("has(prefs.size.x)", "has() needs a map"),
        ("decide('offer')", "no arm was chosen for the decision 'offer'"),
        ("items.map(i, i.name == 'Tea' ? 1 : 1 / 0)", "division by zero"),
        ("tags.exists_one(t, prefs.size)", "must be a bool"),
        ("tags.filter(t, prefs.color)", "must be a bool"),
        ("anything ? 1 : 2", "must be a bool"),
        ("anything || false", "'||' needs bools"),
        ("{'a': 1, 'a': 2}", "repeats a key"),
        ("anything.map(x, x)", "needs a list or a map"),
        ("anything < 'a'", "cannot compare a number and a string"),
        ("view.time.getHours('Mars/Olympus')", "time zone"),
        ("timestamp({'d': '2024-02-30T00:00:00Z'}['d'])", "does not exist"),
        ("anything[0]", "cannot index a number"),
        ("'a' in anything", "'in' needs a list or a map"),
    ],
)
def test_failures_name_kinds(source: str, message: str) -> None:
    error = fails(source)
    assert message in error.message
    assert "`" in error.message  # the expression is quoted so the designer can find it


def test_map_results_and_durations() -> None:
    assert run("{'a': [1, null]}") == {"a": [1.0, None]}
    with pytest.raises(ExpressionError) as info:
        run("view.time - joined")
    assert info.value.code == "OR-E209"
    assert info.value.path == "$.e"


def test_env_child_binds_and_shadows() -> None:
    child = ENV.child({"item": {"name": "Jam"}, "tier": "silver"})
    scope = {**SCOPE, "item": ITEM}
    assert compile_expression("item.name + tier", scope).evaluate(child) == "Jamsilver"
    assert run("tier") == "gold"  # the parent is unchanged
    assert "Ana" not in repr(child)  # an Env never shows its values


def test_comprehension_variable_shadows_a_root() -> None:
    assert run("tags.map(first_name, first_name + '!')") == ["a!", "b!"]
