"""coerce_strings: strings standing for numbers, booleans, dates, lists and objects."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from openreel.data import DataError, validate_data
from openreel.template import FieldSpec


def coerced(spec: dict[str, Any], value: object) -> object:
    fields = {"f": FieldSpec.model_validate(spec)}
    return validate_data(fields, {"f": value}, coerce_strings=True).values["f"]


def refused(spec: dict[str, Any], value: object) -> str:
    fields = {"f": FieldSpec.model_validate(spec)}
    with pytest.raises(DataError) as caught:
        validate_data(fields, {"f": value}, coerce_strings=True)
    return caught.value.code


@pytest.mark.parametrize(
    ("spec", "text", "expected"),
    [
        ({"type": "number"}, "12", 12.0),
        ({"type": "number"}, " -3.5e2 ", -350.0),
        ({"type": "number"}, "+.5", 0.5),
        ({"type": "integer"}, "42", 42.0),
        ({"type": "integer"}, "42.0", 42.0),
        ({"type": "boolean"}, "TRUE", True),
        ({"type": "boolean"}, "yes", True),
        ({"type": "boolean"}, "1", True),
        ({"type": "boolean"}, "False", False),
        ({"type": "boolean"}, " no ", False),
        ({"type": "boolean"}, "0", False),
        ({"type": "date"}, "2024-01-31", datetime.date(2024, 1, 31)),
        ({"type": "date"}, " 2024-01-31 ", datetime.date(2024, 1, 31)),
        (
            {"type": "datetime"},
            "2024-01-31T10:00:00+01:00",
            datetime.datetime(2024, 1, 31, 9, tzinfo=datetime.UTC),
        ),
        ({"type": "color"}, " #ABC ", "#aabbccff"),
        ({"type": "string"}, 12, "12"),
        ({"type": "string"}, 12.5, "12.5"),
        ({"type": "string"}, 3.0, "3"),
        ({"type": "enum", "values": ["1", "2"]}, 2, "2"),
        ({"type": "list", "items": {"type": "number"}}, "[1, 2.5]", [1.0, 2.5]),
        ({"type": "list", "items": {"type": "number"}}, '["1", "2"]', [1.0, 2.0]),
        (
            {"type": "object", "fields": {"a": {"type": "string"}, "b": {"type": "integer"}}},
            '{"a": "x", "b": 3}',
            {"a": "x", "b": 3.0},
        ),
    ],
)
def test_strings_are_coerced(spec: dict[str, Any], text: object, expected: object) -> None:
    value = coerced(spec, text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("spec", "text", "code"),
    [
        ({"type": "number"}, "nan", "OR-E302"),
        ({"type": "number"}, "inf", "OR-E302"),
        ({"type": "number"}, "Infinity", "OR-E302"),
        ({"type": "number"}, "1_000", "OR-E302"),
        ({"type": "number"}, "1,5", "OR-E302"),
        ({"type": "number"}, "0x10", "OR-E302"),
        ({"type": "number"}, "1e999", "OR-E302"),
        ({"type": "number"}, "", "OR-E302"),
        ({"type": "integer"}, "4.5", "OR-E302"),
        ({"type": "boolean"}, "maybe", "OR-E302"),
        ({"type": "boolean"}, "2", "OR-E302"),
        ({"type": "string"}, True, "OR-E302"),
        ({"type": "string"}, float("nan"), "OR-E302"),
        ({"type": "list", "items": {"type": "number"}}, "[1,", "OR-E302"),
        ({"type": "list", "items": {"type": "number"}}, "[NaN]", "OR-E302"),
        ({"type": "list", "items": {"type": "number"}}, '{"a": 1}', "OR-E302"),
        ({"type": "list", "items": {"type": "number"}}, "[" * 100_000, "OR-E302"),
        ({"type": "object", "fields": {"a": {"type": "number"}}}, "[1]", "OR-E302"),
        ({"type": "list", "max_items": 1, "items": {"type": "number"}}, "[1, 2]", "OR-E305"),
    ],
)
def test_unusable_strings_are_still_refused(spec: dict[str, Any], text: object, code: str) -> None:
    assert refused(spec, text) == code


def test_json_null_text_counts_as_absent() -> None:
    spec = {"type": "list", "optional": True, "items": {"type": "number"}}
    assert coerced(spec, "null") is None


def test_without_coercion_strings_stay_strings() -> None:
    fields = {"n": FieldSpec(type="number"), "b": FieldSpec(type="boolean")}
    with pytest.raises(DataError) as caught:
        validate_data(fields, {"n": "1", "b": "true"})
    assert [e.code for e in caught.value.errors] == ["OR-E302", "OR-E302"]
