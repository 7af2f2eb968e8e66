"""Each field type: what it accepts, how it normalises, and the code of what it refuses."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from openreel.data import DataError, validate_data
from openreel.template import FieldSpec


def one(spec: dict[str, Any], value: object, **kwargs: Any) -> object:
    """The validated value of a single field ``f``."""
    return validate_data({"f": FieldSpec.model_validate(spec)}, {"f": value}, **kwargs).values["f"]


def problem(spec: dict[str, Any], value: object, **kwargs: Any) -> DataError:
    """The single error of validating ``value`` for field ``f``."""
    with pytest.raises(DataError) as caught:
        one(spec, value, **kwargs)
    assert len(caught.value.errors) == 1, caught.value.errors
    error = caught.value.errors[0]
    assert isinstance(error, DataError)
    assert error.path == "$.f"
    return error


UTC = datetime.UTC

ACCEPTED = [
    ({"type": "string"}, "Ana", "Ana"),
    ({"type": "string"}, "  padded  ", "  padded  "),
    ({"type": "string"}, "Cafe\u0301", "Caf\u00e9"),  # NFC
    ({"type": "string"}, "", ""),
    ({"type": "number"}, 3, 3.0),
    ({"type": "number"}, -2.5, -2.5),
    ({"type": "number", "min": 0, "max": 10}, 10, 10.0),
    ({"type": "number", "min": 0, "max": 10}, 0, 0.0),
    ({"type": "integer"}, 7, 7.0),
    ({"type": "integer"}, 7.0, 7.0),
    ({"type": "integer"}, 2**53 - 1, float(2**53 - 1)),
    ({"type": "boolean"}, True, True),
    ({"type": "boolean"}, False, False),
    ({"type": "enum", "values": ["silver", "gold"]}, "gold", "gold"),
    ({"type": "color"}, "#F0a", "#ff00aaff"),
    ({"type": "color"}, "#0B1020", "#0b1020ff"),
    ({"type": "color"}, "#0B102080", "#0b102080"),
    ({"type": "url"}, "https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
    ({"type": "url"}, "HTTP://Example.com:8080/x", "HTTP://Example.com:8080/x"),
    ({"type": "image"}, "https://cdn.example.com/a.png", "https://cdn.example.com/a.png"),
    ({"type": "date"}, "2024-02-29", datetime.date(2024, 2, 29)),
    ({"type": "date"}, datetime.date(2024, 1, 2), datetime.date(2024, 1, 2)),
    (
        {"type": "datetime"},
        "2024-05-17T12:30:00Z",
        datetime.datetime(2024, 5, 17, 12, 30, tzinfo=UTC),
    ),
    (
        {"type": "datetime"},
        "2024-05-17t14:30+02:00",
        datetime.datetime(2024, 5, 17, 12, 30, tzinfo=UTC),
    ),
    (
        {"type": "datetime"},
        "2024-05-17T00:00:00.1234567-05:30",
        datetime.datetime(2024, 5, 17, 5, 30, 0, 123456, tzinfo=UTC),
    ),
    ({"type": "list", "items": {"type": "number"}}, [1, 2], [1.0, 2.0]),
    ({"type": "list", "items": {"type": "number"}}, [], []),
    ({"type": "object", "fields": {"a": {"type": "boolean"}}}, {"a": True}, {"a": True}),
]


@pytest.mark.parametrize(("spec", "raw", "expected"), ACCEPTED)
def test_accepted_values_are_normalised(
    spec: dict[str, Any], raw: object, expected: object
) -> None:
    value = one(spec, raw)
    assert value == expected
    assert type(value) is type(expected)


def test_datetime_objects_become_utc_and_naive_ones_are_refused() -> None:
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    value = one({"type": "datetime"}, datetime.datetime(2024, 1, 1, 2, 0, tzinfo=plus2))
    assert value == datetime.datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    assert isinstance(value, datetime.datetime) and value.utcoffset() == datetime.timedelta(0)
    assert problem({"type": "datetime"}, datetime.datetime(2024, 1, 1)).code == "OR-E308"


REFUSED = [
    # wrong type
    ({"type": "string"}, 12, "OR-E302", "expected a string, found number 12"),
    ({"type": "string"}, True, "OR-E302", "found boolean true"),
    ({"type": "string"}, ["a"], "OR-E302", "found array"),
    ({"type": "string"}, "bad \ud800", "OR-E302", "invalid Unicode"),
    ({"type": "number"}, "12", "OR-E302", "expected a number, found string '12'"),
    ({"type": "number"}, True, "OR-E302", "expected a number, found boolean"),
    ({"type": "number"}, float("nan"), "OR-E302", "finite"),
    ({"type": "number"}, float("inf"), "OR-E302", "finite"),
    ({"type": "number"}, 10**400, "OR-E302", "finite"),
    ({"type": "number"}, {"a": 1}, "OR-E302", "found object"),
    ({"type": "integer"}, 1.5, "OR-E302", "expected an integer, found number 1.5"),
    ({"type": "integer"}, False, "OR-E302", "expected an integer, found boolean"),
    ({"type": "integer"}, 2**53, "OR-E303", "safe integer"),
    ({"type": "boolean"}, "true", "OR-E302", "expected a boolean, found string 'true'"),
    ({"type": "boolean"}, 1, "OR-E302", "expected a boolean, found number 1"),
    ({"type": "enum", "values": ["a", "b"]}, 1, "OR-E302", "found number"),
    ({"type": "color"}, 255, "OR-E302", "found number"),
    ({"type": "url"}, 5, "OR-E302", "found number"),
    ({"type": "image"}, 3.5, "OR-E302", "found number"),
    ({"type": "date"}, 20240101, "OR-E302", "found number"),
    ({"type": "date"}, datetime.datetime(2024, 1, 1, tzinfo=UTC), "OR-E302", "found datetime"),
    ({"type": "datetime"}, 1700000000, "OR-E302", "found number"),
    ({"type": "list", "items": {"type": "number"}}, "[1]", "OR-E302", "expected an array"),
    ({"type": "list", "items": {"type": "number"}}, {"a": 1}, "OR-E302", "found object"),
    ({"type": "object", "fields": {"a": {"type": "number"}}}, [1], "OR-E302", "found array"),
    # constraints
    ({"type": "number", "min": 0}, -1, "OR-E303", "breaks min 0: expected a number >= 0, found -1"),
    ({"type": "number", "max": 9.5}, 10, "OR-E303", "breaks max 9.5: expected a number <= 9.5"),
    ({"type": "integer", "min": 1}, 0, "OR-E303", "breaks min 1"),
    ({"type": "string", "max_length": 3}, "abcd", "OR-E303", "breaks max_length 3"),
    ({"type": "string", "max_length": 3}, "abcd", "OR-E303", "found 4 characters"),
    ({"type": "string", "pattern": "[A-Z]{3}"}, "ABCD", "OR-E303", "breaks pattern '[A-Z]{3}'"),
    ({"type": "string", "pattern": "[A-Z]{3}"}, "xABC", "OR-E303", "matches it in full"),
    ({"type": "url", "max_length": 20}, "https://example.com/abcdef", "OR-E303", "max_length 20"),
    # enum
    ({"type": "enum", "values": ["silver", "gold"]}, "bronze", "OR-E304", "'silver', 'gold'"),
    ({"type": "enum", "values": ["gold"]}, "Gold", "OR-E304", "found string 'Gold'"),
    # color
    ({"type": "color"}, "blue", "OR-E306", "found string 'blue'"),
    ({"type": "color"}, "#12345", "OR-E306", "#RGB, #RRGGBB or #RRGGBBAA"),
    ({"type": "color"}, "#ggg", "OR-E306", ""),
    ({"type": "color"}, " #fff", "OR-E306", ""),
    # url
    ({"type": "url"}, "ftp://example.com/x", "OR-E307", "does not start with http:// or https://"),
    ({"type": "url"}, "javascript:alert(1)", "OR-E307", "does not start"),
    ({"type": "url"}, "https://user:pw@example.com/", "OR-E307", "user info"),
    ({"type": "url"}, "https://example.com/a b", "OR-E307", "whitespace"),
    ({"type": "url"}, "https://example.com\\@evil.com", "OR-E307", "backslash"),
    ({"type": "url"}, "https:///path", "OR-E307", "no host"),
    ({"type": "url"}, "https:example.com", "OR-E307", "no host"),
    ({"type": "url"}, "https://example.com:99999/", "OR-E307", "port"),
    ({"type": "url"}, "https://example.com/" + "a" * 2040, "OR-E307", "longer than 2048"),
    ({"type": "url"}, "example.com", "OR-E307", "does not start"),
    ({"type": "url"}, "https://example.com/\ud800", "OR-E307", "invalid Unicode"),
    # image
    ({"type": "image"}, "http://cdn.example.com/a.png", "OR-E307", "does not start with https://"),
    ({"type": "image"}, "unknown_asset", "OR-E307", "name of one of the template's assets"),
    # date / datetime
    ({"type": "date"}, "2023-02-29", "OR-E308", "no real day"),
    ({"type": "date"}, "2024-1-2", "OR-E308", "YYYY-MM-DD"),
    ({"type": "date"}, "20240102", "OR-E308", "YYYY-MM-DD"),
    ({"type": "date"}, "2024-01-02T00:00:00Z", "OR-E308", "YYYY-MM-DD"),
    ({"type": "date"}, "\u0662\u0660\u0662\u0664-01-02", "OR-E308", "YYYY-MM-DD"),  # Arabic digits
    ({"type": "datetime"}, "2024-05-17T12:30:00", "OR-E308", "without an offset"),
    ({"type": "datetime"}, "2024-05-17", "OR-E308", "not in the form"),
    ({"type": "datetime"}, "2024-05-17T25:00Z", "OR-E308", "no real moment"),
    ({"type": "datetime"}, "2024-05-17T12:00+24:00", "OR-E308", "offset out of range"),
    ({"type": "datetime"}, "0001-01-01T00:00+01:00", "OR-E308", "years 1..9999"),
    # list
    (
        {"type": "list", "max_items": 2, "items": {"type": "number"}},
        [1, 2, 3],
        "OR-E305",
        "breaks max_items 2: expected at most 2 items, found 3",
    ),
    ({"type": "list", "max_items": 0, "items": {"type": "number"}}, [1], "OR-E305", "at most 0"),
]


@pytest.mark.parametrize(("spec", "raw", "code", "text"), REFUSED)
def test_refused_values_have_their_code_and_say_what_was_found(
    spec: dict[str, Any], raw: object, code: str, text: str
) -> None:
    error = problem(spec, raw)
    assert error.code == code
    assert text in error.message
    assert error.hint  # every code has a one-line hint


def test_image_may_name_one_of_the_templates_assets() -> None:
    assert one({"type": "image"}, "logo", asset_names=("logo", "bg")) == "logo"
    assert problem({"type": "image"}, "logo", asset_names=("bg",)).code == "OR-E307"


def test_max_length_counts_grapheme_clusters() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one user-perceived char
    assert len(family) == 7
    assert one({"type": "string", "max_length": 1}, family) == family
    assert one({"type": "string", "max_length": 3}, "e\u0301e\u0301e\u0301") == "\u00e9" * 3
    assert problem({"type": "string", "max_length": 1}, family * 2).code == "OR-E303"


def test_pattern_must_match_the_whole_string() -> None:
    spec = {"type": "string", "pattern": "[0-9]+"}
    assert one(spec, "123") == "123"
    assert problem(spec, "123a").code == "OR-E303"
    assert problem(spec, "a123").code == "OR-E303"


def test_long_non_pii_values_are_quoted_cut_to_40_characters() -> None:
    error = problem({"type": "color"}, "x" * 100)
    assert "'" + "x" * 40 + "'…" in error.message
    assert "x" * 41 not in error.message


def test_enum_lists_at_most_ten_values() -> None:
    values = [f"v{i}" for i in range(15)]
    error = problem({"type": "enum", "values": values}, "nope")
    assert "'v9'" in error.message and "'v10'" not in error.message
    assert "(15 in all)" in error.message
