"""sample_data, edge_case_data and check_defaults."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from openreel.data import check_defaults, edge_case_data, sample_data, validate_data
from openreel.data._scalars import grapheme_count
from openreel.template import FieldSpec


def schema(doc: dict[str, Any]) -> dict[str, FieldSpec]:
    return {name: FieldSpec.model_validate(spec) for name, spec in doc.items()}


RICH = schema(
    {
        "first_name": {"type": "string", "pii": True, "max_length": 12, "default": "there"},
        "last_name": {"type": "string", "optional": True},
        "email": {"type": "string", "pattern": "[^@ ]+@[^@ ]+", "optional": True},
        "code": {"type": "string", "pattern": "[A-Z]{3}-[0-9]{2}"},  # no candidate fits
        "tier": {"type": "enum", "values": ["silver", "gold", "platinum"], "default": "silver"},
        "points": {"type": "number", "min": 0},
        "level": {"type": "integer", "min": 1, "max": 10},
        "balance": {"type": "number", "live": True},
        "vip": {"type": "boolean"},
        "accent": {"type": "color"},
        "site": {"type": "url", "optional": True},
        "avatar": {"type": "image", "pii": True, "optional": True},
        "joined": {"type": "date"},
        "last_seen": {"type": "datetime", "optional": True},
        "top_items": {
            "type": "list",
            "max_items": 5,
            "items": {
                "type": "object",
                "fields": {
                    "name": {"type": "string", "max_length": 20},
                    "price": {"type": "number", "min": 0, "max": 500},
                    "note": {"type": "string", "optional": True},
                },
            },
        },
        "tags": {"type": "list", "items": {"type": "string"}, "optional": True},
        "contact": {
            "type": "object",
            "optional": True,
            "fields": {
                "city": {"type": "string"},
                "since": {"type": "date", "default": "2020-01-01"},
            },
        },
    }
)
SATISFIABLE = {name: spec for name, spec in RICH.items() if name != "code"}


def test_sample_data_is_plausible_and_valid() -> None:
    sample = sample_data(SATISFIABLE)
    assert sample["first_name"] == "there"  # the default
    assert sample["last_name"] == "Alex"
    assert sample["email"] == "alex@example.com"
    assert sample["tier"] == "silver"
    assert sample["points"] == 42.0
    assert sample["level"] == 5.0
    assert sample["joined"] == datetime.date(2024, 5, 17)
    assert sample["contact"] == {"city": "Lisbon", "since": datetime.date(2020, 1, 1)}
    validated = validate_data(SATISFIABLE, sample)
    assert validated.values == sample
    assert validated.warnings == ()


def test_sample_data_is_deterministic() -> None:
    assert sample_data(RICH) == sample_data(RICH)
    assert edge_case_data(RICH) == edge_case_data(RICH)


def test_an_unmatched_pattern_keeps_a_candidate() -> None:
    assert isinstance(sample_data(RICH)["code"], str)


def cases() -> dict[str, dict[str, Any]]:
    return dict(edge_case_data(SATISFIABLE))


def test_edge_cases_are_named_and_all_valid() -> None:
    named = cases()
    assert list(named) == [
        "longest_strings",
        "empty_optional",
        "empty_lists",
        "max_items",
        "non_latin_emoji",
        "rtl_text",
        "min_numbers",
        "max_numbers",
    ]
    for name, data in named.items():
        result = validate_data(SATISFIABLE, data)
        assert result.warnings == (), name


def test_longest_strings_sit_exactly_at_max_length() -> None:
    data = cases()["longest_strings"]
    assert grapheme_count(data["first_name"]) == 12
    assert len(data["last_name"]) == 100  # unset max_length
    assert data["tier"] == "platinum"
    assert all(len(item["name"]) == 20 for item in data["top_items"])
    assert data["email"] == "alex@example.com"  # the pattern refuses long text


def test_empty_optional_leaves_optional_and_defaulted_fields_absent() -> None:
    data = cases()["empty_optional"]
    assert "first_name" not in data and "last_name" not in data and "contact" not in data
    assert all("note" not in item for item in data["top_items"])
    values = validate_data(SATISFIABLE, data).values
    assert values["first_name"] == "there"
    assert values["last_name"] is None


def test_list_edges() -> None:
    assert cases()["empty_lists"]["top_items"] == []
    full = cases()["max_items"]
    assert len(full["top_items"]) == 5
    assert len(full["tags"]) == 20


def test_non_latin_and_rtl_text() -> None:
    named = cases()
    emoji = named["non_latin_emoji"]["last_name"]
    assert "山田" in emoji and "\u200d" in emoji
    assert grapheme_count(named["non_latin_emoji"]["first_name"]) == 12
    assert "שלום" in named["rtl_text"]["last_name"]


def test_number_edges() -> None:
    low, high = cases()["min_numbers"], cases()["max_numbers"]
    assert (low["points"], low["level"], low["balance"]) == (0.0, 1.0, -999_999.99)
    assert (high["level"], high["balance"]) == (10.0, 999_999_999.99)
    assert high["top_items"][0]["price"] == 500.0


def test_check_defaults_accepts_good_defaults() -> None:
    assert check_defaults(RICH) == []


@pytest.mark.parametrize(
    ("spec", "path", "text"),
    [
        ({"type": "string", "max_length": 2, "default": "abc"}, "$.data.f.default", "max_length 2"),
        ({"type": "number", "default": "3"}, "$.data.f.default", "expected a number"),
        ({"type": "color", "default": "red"}, "$.data.f.default", "#RGB"),
        ({"type": "date", "default": "2024-02-30"}, "$.data.f.default", "no real day"),
        (
            {"type": "object", "fields": {"a": {"type": "integer", "default": 1.5}}},
            "$.data.f.fields.a.default",
            "integer",
        ),
        (
            {"type": "list", "items": {"type": "url", "default": "ftp://x"}},
            "$.data.f.items.default",
            "https://",
        ),
        (
            {"type": "object", "fields": {"a": {"type": "string"}}, "default": {"a": 1}},
            "$.data.f.default",
            "(at $.a in the default)",
        ),
        (
            {"type": "object", "fields": {"a": {"type": "string"}}, "default": {"a": "x", "b": 1}},
            "$.data.f.default",
            "no such field",
        ),
    ],
)
def test_check_defaults_reports_each_bad_default(
    spec: dict[str, Any], path: str, text: str
) -> None:
    (error,) = check_defaults(schema({"f": spec}))
    assert (error.code, error.path) == ("OR-E121", path)
    assert text in error.message


def test_check_defaults_checks_image_asset_names_when_given() -> None:
    fields = schema({"f": {"type": "image", "default": "logo"}})
    assert check_defaults(fields) == []
    assert check_defaults(fields, asset_names=["logo"]) == []
    assert [e.code for e in check_defaults(fields, asset_names=["bg"])] == ["OR-E121"]
