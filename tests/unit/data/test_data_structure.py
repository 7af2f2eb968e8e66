"""Absent values, defaults, nesting, unknown fields, reporting every problem, and the limits."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from openreel.data import DataError, ValidatedData, pii_paths, validate_data
from openreel.data._model import MAX_DATA_BYTES, MAX_REPORTED
from openreel.errors import TemplateError
from openreel.template import FieldSpec


def schema(doc: dict[str, Any]) -> dict[str, FieldSpec]:
    return {name: FieldSpec.model_validate(spec) for name, spec in doc.items()}


SPEC = schema(
    {
        "first_name": {"type": "string", "pii": True, "max_length": 40, "default": "there"},
        "tier": {"type": "enum", "values": ["silver", "gold", "platinum"], "default": "silver"},
        "points": {"type": "number", "min": 0},
        "avatar": {"type": "image", "pii": True, "optional": True},
        "joined": {"type": "date"},
        "accent": {"type": "color", "default": "#FFF"},
        "top_items": {
            "type": "list",
            "max_items": 5,
            "items": {
                "type": "object",
                "fields": {"name": {"type": "string", "pii": True}, "image": {"type": "image"}},
            },
        },
        "contact": {
            "type": "object",
            "optional": True,
            "fields": {
                "email": {"type": "string", "pii": True},
                "city": {"type": "string", "optional": True},
                "since": {"type": "date", "default": "2020-01-01"},
            },
        },
    }
)
GOOD = {
    "points": 12,
    "joined": "2024-02-29",
    "top_items": [{"name": "Mug", "image": "logo"}],
}


def errors_of(raw: dict[str, Any], **kwargs: Any) -> list[tuple[str, str | None]]:
    with pytest.raises(DataError) as caught:
        validate_data(SPEC, raw, asset_names=["logo"], **kwargs)
    return [(e.code, e.path) for e in caught.value.errors]


def test_good_data_gets_defaults_and_none_for_absent_optional_fields() -> None:
    result = validate_data(SPEC, GOOD, asset_names=["logo"])
    assert isinstance(result, ValidatedData)
    assert result.values == {
        "first_name": "there",
        "tier": "silver",
        "points": 12.0,
        "avatar": None,
        "joined": datetime.date(2024, 2, 29),
        "accent": "#ffffffff",  # defaults are normalised like data
        "top_items": [{"name": "Mug", "image": "logo"}],
        "contact": None,
    }
    assert list(result.values) == list(SPEC)  # schema order, every field present
    assert result.warnings == ()


def test_null_counts_as_absent() -> None:
    result = validate_data(SPEC, {**GOOD, "first_name": None, "avatar": None}, asset_names=["logo"])
    assert result.values["first_name"] == "there"
    assert result.values["avatar"] is None
    assert errors_of({**GOOD, "points": None}) == [("OR-E301", "$.points")]


def test_missing_required_fields_are_all_reported() -> None:
    assert errors_of({}) == [
        ("OR-E301", "$.points"),
        ("OR-E301", "$.joined"),
        ("OR-E301", "$.top_items"),
    ]


def test_defaults_are_fresh_copies() -> None:
    spec = schema({"tags": {"type": "list", "items": {"type": "string"}, "default": ["a"]}})
    first = validate_data(spec, {}).values["tags"]
    assert first == ["a"]
    assert isinstance(first, list)
    first.append("mutated")
    assert validate_data(spec, {}).values["tags"] == ["a"]
    assert spec["tags"].default == ["a"]


def test_nested_objects_get_their_own_defaults_and_paths() -> None:
    result = validate_data(
        SPEC, {**GOOD, "contact": {"email": "a@example.com"}}, asset_names=["logo"]
    )
    assert result.values["contact"] == {
        "email": "a@example.com",
        "city": None,
        "since": datetime.date(2020, 1, 1),
    }
    assert errors_of({**GOOD, "contact": {"city": 3}}) == [
        ("OR-E301", "$.contact.email"),
        ("OR-E302", "$.contact.city"),
    ]


def test_list_item_errors_carry_the_item_index() -> None:
    items = [{"name": "ok", "image": "logo"}, {"name": 1, "image": "logo"}, {"image": "http://x"}]
    assert errors_of({**GOOD, "top_items": items}) == [
        ("OR-E302", "$.top_items[1].name"),
        ("OR-E301", "$.top_items[2].name"),
        ("OR-E307", "$.top_items[2].image"),
    ]


def test_too_many_items_is_reported_and_only_the_allowed_items_are_examined() -> None:
    items = [{"name": "x", "image": "logo"}] * 5 + [{"name": 1}] * 3
    assert errors_of({**GOOD, "top_items": items}) == [("OR-E305", "$.top_items")]


def test_lists_without_max_items_are_capped_at_1000() -> None:
    spec = schema({"n": {"type": "list", "items": {"type": "number"}}})
    assert len(validate_data(spec, {"n": [1] * 1000}).values["n"]) == 1000  # type: ignore[arg-type]
    with pytest.raises(DataError) as caught:
        validate_data(spec, {"n": [1] * 1001})
    assert caught.value.code == "OR-E305"
    assert "the limit of 1000" in caught.value.message


def test_null_list_items() -> None:
    required = schema({"n": {"type": "list", "items": {"type": "number"}}})
    with pytest.raises(DataError) as caught:
        validate_data(required, {"n": [1, None]})
    assert (caught.value.code, caught.value.path) == ("OR-E302", "$.n[1]")
    optional = schema({"n": {"type": "list", "items": {"type": "number", "optional": True}}})
    assert validate_data(optional, {"n": [1, None]}).values["n"] == [1.0, None]
    defaulted = schema({"n": {"type": "list", "items": {"type": "number", "default": 0}}})
    assert validate_data(defaulted, {"n": [None]}).values["n"] == [0.0]


def test_unknown_fields_are_dropped_with_warnings_naming_only_the_field() -> None:
    raw = {**GOOD, "extra": "secret-value", "contact": {"email": "e", "nick": "secret-nick"}}
    result = validate_data(SPEC, raw, asset_names=["logo"])
    assert "extra" not in result.values
    assert result.values["contact"] == {
        "email": "e",
        "city": None,
        "since": datetime.date(2020, 1, 1),
    }
    assert [(w.code, w.path) for w in result.warnings] == [
        ("OR-E309", "$.contact.nick"),
        ("OR-E309", "$.extra"),
    ]
    assert all("secret" not in str(w) for w in result.warnings)


def test_unknown_field_names_are_cut_in_paths_and_warnings_are_capped() -> None:
    raw = {**GOOD, "x" * 500: 1, **{f"k{i}": i for i in range(300)}}
    warnings = validate_data(SPEC, raw, asset_names=["logo"]).warnings
    assert len(warnings) == MAX_REPORTED + 1
    assert all(len(w.path or "") < 80 for w in warnings)
    assert "201 more unknown fields not listed" in warnings[-1].message


def test_every_problem_is_reported_up_to_the_cap() -> None:
    spec = schema({"n": {"type": "list", "max_items": 5000, "items": {"type": "number"}}})
    with pytest.raises(DataError) as caught:
        validate_data(spec, {"n": ["x"] * 150})
    errors = caught.value.errors
    assert len(errors) == MAX_REPORTED + 1
    assert errors[99].path == "$.n[99]"
    assert errors[-1].message == "50 more problems not listed (at most 100 are)"


def test_errors_carry_the_source_as_file() -> None:
    with pytest.raises(DataError) as caught:
        validate_data(SPEC, {}, source="viewers.csv")
    assert all(e.file == "viewers.csv" for e in caught.value.errors)
    assert str(caught.value).startswith("OR-E301 missing field at viewers.csv $.points:")


@pytest.mark.parametrize("raw", [[1, 2], "text", None, 3])
def test_data_that_is_not_an_object_is_unreadable(raw: Any) -> None:
    with pytest.raises(DataError) as caught:
        validate_data(SPEC, raw)
    assert caught.value.code == "OR-E300"


def test_data_over_one_mebibyte_is_refused() -> None:
    spec = schema({"note": {"type": "string"}})
    validate_data(spec, {"note": "a" * (MAX_DATA_BYTES - 100)})
    with pytest.raises(DataError) as caught:
        validate_data(spec, {"note": "a" * MAX_DATA_BYTES})
    assert caught.value.code == "OR-E311"
    with pytest.raises(DataError) as caught:  # unknown fields count too
        validate_data(spec, {"note": "a", "junk": ["é" * 1000] * 600})
    assert caught.value.code == "OR-E311"


def test_deep_or_cyclic_junk_is_measured_without_recursion() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    spec = schema({"note": {"type": "string", "optional": True}})
    result = validate_data(spec, {"junk": deep})  # never read: only its size is estimated
    assert [w.path for w in result.warnings] == ["$.junk"]
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(DataError) as caught:
        validate_data(spec, {"junk": cyclic})
    assert caught.value.code == "OR-E311"


def test_pii_fields_are_dotted_paths_including_children_of_pii_parents() -> None:
    doc = {
        "first_name": {"type": "string", "pii": True},
        "tier": {"type": "string"},
        "contact": {
            "type": "object",
            "fields": {"email": {"type": "string", "pii": True}, "city": {"type": "string"}},
        },
        "top_items": {
            "type": "list",
            "items": {"type": "object", "fields": {"name": {"type": "string", "pii": True}}},
        },
        "secret": {
            "type": "object",
            "pii": True,
            "fields": {"a": {"type": "list", "items": {"type": "string"}}},
        },
    }
    expected = {
        "first_name",
        "contact.email",
        "top_items[].name",
        "secret",
        "secret.a",
        "secret.a[]",
    }
    assert pii_paths(schema(doc)) == expected
    raw = {
        "first_name": "Ana",
        "tier": "t",
        "contact": {"email": "e", "city": "c"},
        "top_items": [],
        "secret": {"a": []},
    }
    assert validate_data(schema(doc), raw).pii_fields == expected


def test_an_invalid_default_is_the_templates_fault() -> None:
    spec = {"n": FieldSpec.model_construct(type="number", max=5.0, default=9, optional=False)}
    with pytest.raises(TemplateError) as caught:
        validate_data(spec, {})
    assert caught.value.code == "OR-E121"
