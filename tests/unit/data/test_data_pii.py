"""Canary test: the value of a pii field never appears in any error, whatever breaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openreel.data import DataError, check_defaults, read_csv_row, validate_data
from openreel.errors import OpenReelError
from openreel.template import FieldSpec

CANARY = "CANARY-7f3a"
EMAIL = f"{CANARY}@example.com"


def schema(doc: dict[str, Any]) -> dict[str, FieldSpec]:
    return {name: FieldSpec.model_validate(spec) for name, spec in doc.items()}


PII = schema(
    {
        "first_name": {"type": "string", "pii": True, "max_length": 8},
        "email": {"type": "string", "pii": True, "pattern": "[a-z]+@[a-z]+\\.[a-z]+"},
        "segment": {"type": "enum", "pii": True, "values": ["a", "b"]},
        "age": {"type": "integer", "pii": True, "min": 18, "max": 120},
        "score": {"type": "number", "pii": True},
        "vip": {"type": "boolean", "pii": True},
        "eye": {"type": "color", "pii": True},
        "site": {"type": "url", "pii": True},
        "avatar": {"type": "image", "pii": True},
        "birthday": {"type": "date", "pii": True},
        "last_seen": {"type": "datetime", "pii": True},
        "contact": {
            "type": "object",
            "pii": True,
            "fields": {"email": {"type": "string", "max_length": 5}, "phone": {"type": "integer"}},
        },
        "friends": {
            "type": "list",
            "max_items": 2,
            "items": {
                "type": "object",
                "fields": {
                    "name": {"type": "string", "pii": True, "max_length": 4},
                    "email": {"type": "url", "pii": True},
                },
            },
        },
        "notes": {"type": "list", "pii": True, "items": {"type": "string", "pattern": "x"}},
    }
)

# Every field broken with values that carry the canary, in every way the field can break.
BROKEN: list[dict[str, Any]] = [
    {  # wrong types
        "first_name": [CANARY],
        "email": {"v": EMAIL},
        "segment": 7,
        "age": CANARY,
        "score": EMAIL,
        "vip": CANARY,
        "eye": 0xCA,
        "site": [EMAIL],
        "avatar": {"x": CANARY},
        "birthday": 7,
        "last_seen": [CANARY],
        "contact": CANARY,
        "friends": CANARY,
        "notes": EMAIL,
    },
    {  # rules broken by canary-bearing strings
        "first_name": CANARY,
        "email": EMAIL,
        "segment": CANARY,
        "age": 7,
        "score": float("nan"),
        "vip": "yes",
        "eye": f"#{CANARY}",
        "site": f"https://{CANARY}:pw@example.com/{CANARY}",
        "avatar": f"http://example.com/{CANARY}.png",
        "birthday": f"2024-02-30{CANARY}",
        "last_seen": f"2024-05-17T12:00:00 {CANARY}",
        "contact": {"email": EMAIL, "phone": CANARY, CANARY.lower(): 1},
        "friends": [{"name": CANARY, "email": f"mailto:{EMAIL}"}] * 3,
        "notes": [EMAIL, CANARY],
    },
    {  # more rules
        "first_name": CANARY.lower() * 3,
        "email": f"{CANARY} has spaces",
        "segment": CANARY.lower(),
        "age": 121,
        "score": 10**400,
        "vip": 1,
        "eye": CANARY,
        "site": f"https://example.com/{CANARY} x",
        "avatar": CANARY,
        "birthday": CANARY,
        "last_seen": "2024-05-17T12:00:00",
        "contact": [CANARY],
        "friends": [{"name": [EMAIL]}, None],
        "notes": [[CANARY]],
    },
    {  # almost right, still wrong
        "first_name": "\ud800" + CANARY,
        "email": EMAIL.upper(),
        "segment": "A",
        "age": 18.5,
        "score": "12 pts",
        "vip": None,
        "eye": "#abcd",
        "site": f"ftp://{CANARY}.example.com/",
        "avatar": f"https://{CANARY}.example.com/{'a' * 2100}",
        "birthday": "2024-13-01",
        "last_seen": f"{CANARY}T00:00Z",
        "contact": {"email": CANARY.lower(), "phone": 1.5},
        "friends": [{"name": CANARY.upper(), "email": CANARY}],
        "notes": [f"x{CANARY}"],
    },
]


def texts_of(error: OpenReelError) -> list[str]:
    """Every piece of text an error shows or carries."""
    out = [str(error), repr(error), error.render(), error.where(), *map(str, error.args)]
    out += [value for value in error.to_dict().values() if value]
    return out


def assert_no_canary(errors: tuple[OpenReelError, ...] | list[Any]) -> None:
    assert errors, "the data was expected to be refused"
    for error in errors:
        assert error.__context__ is None and error.__cause__ is None
        for text in texts_of(error):
            lowered = text.lower()
            assert CANARY.lower() not in lowered, text
            assert "7f3a" not in lowered, text


@pytest.mark.parametrize("coerce", [False, True])
@pytest.mark.parametrize("index", range(len(BROKEN)))
def test_no_pii_value_in_any_error(index: int, coerce: bool) -> None:
    with pytest.raises(DataError) as caught:
        validate_data(PII, BROKEN[index], coerce_strings=coerce, asset_names=["logo"])
    errors = caught.value.errors
    assert_no_canary(errors)
    # every broken field is reported (the canary test is only meaningful if they all fail)
    reported = {(e.path or "").split(".")[1].split("[")[0] for e in errors}
    expected = set(PII) - ({"vip"} if coerce and index == 1 else set())
    assert reported == expected, sorted(expected ^ reported)


def test_unknown_names_inside_pii_objects_are_not_shown() -> None:
    fields = schema(
        {"contact": {"type": "object", "pii": True, "fields": {"a": {"type": "string"}}}}
    )
    result = validate_data(fields, {"contact": {"a": "x", EMAIL: CANARY}})
    assert [(w.code, w.path) for w in result.warnings] == [("OR-E309", "$.contact")]
    assert_no_canary(list(result.warnings))


def test_no_pii_value_in_csv_errors(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(f"email,age\n{EMAIL},{CANARY}\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_csv_row(path, key=("email", EMAIL.upper()))
    assert_no_canary(caught.value.errors)
    with pytest.raises(DataError) as caught:
        validate_data(PII, read_csv_row(path), coerce_strings=True)
    assert_no_canary(caught.value.errors)


def test_no_pii_value_in_default_errors() -> None:
    fields = {
        "first_name": FieldSpec.model_construct(
            type="string", pii=True, max_length=3, default=CANARY, optional=False
        )
    }
    assert_no_canary(check_defaults(fields))


def test_non_pii_values_are_quoted_for_contrast() -> None:
    with pytest.raises(DataError) as caught:
        validate_data({"city": FieldSpec(type="string", max_length=3)}, {"city": CANARY})
    assert "11 characters" in caught.value.message
    with pytest.raises(DataError) as caught:
        validate_data({"city": FieldSpec(type="integer")}, {"city": CANARY})
    assert CANARY in caught.value.message
