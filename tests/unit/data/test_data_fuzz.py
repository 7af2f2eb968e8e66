"""Property tests: whatever JSON-like input arrives, validation succeeds or raises DataError."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from openreel.data import DataError, ValidatedData, validate_data
from openreel.template import FieldSpec

SCHEMA = {
    name: FieldSpec.model_validate(spec)
    for name, spec in {
        "s": {"type": "string", "max_length": 5, "pattern": "[a-z]*", "optional": True},
        "n": {"type": "number", "min": -10, "max": 10, "optional": True},
        "i": {"type": "integer", "default": 1},
        "b": {"type": "boolean", "optional": True},
        "e": {"type": "enum", "values": ["x", "y"], "optional": True},
        "c": {"type": "color", "optional": True},
        "u": {"type": "url", "optional": True},
        "m": {"type": "image", "optional": True},
        "d": {"type": "date", "optional": True},
        "t": {"type": "datetime", "optional": True},
        "l": {
            "type": "list",
            "max_items": 3,
            "optional": True,
            "items": {
                "type": "object",
                "fields": {"k": {"type": "string", "pii": True}, "v": {"type": "number"}},
            },
        },
        "o": {
            "type": "object",
            "optional": True,
            "fields": {"z": {"type": "list", "items": {"type": "date", "optional": True}}},
        },
    }.items()
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "2024-02-29",
            "2024-05-17T12:00:00Z",
            "#abc",
            "https://a.example/x",
            "[1, 2]",
            '{"z": ["2024-01-01", null]}',
            "true",
            "12",
            "logo",
            "x",
            "null",
        ]
    )
)
json_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["k", "v", "z", "other"]) | st.text(max_size=5), children, max_size=5
        )
    ),
    max_leaves=25,
)
viewers = st.dictionaries(
    st.sampled_from(sorted(SCHEMA)) | st.text(max_size=8), json_like, max_size=14
)


@settings(max_examples=400, deadline=None)
@given(raw=viewers, coerce=st.booleans())
def test_any_input_gives_data_or_a_data_error(raw: dict[str, Any], coerce: bool) -> None:
    try:
        result = validate_data(SCHEMA, raw, coerce_strings=coerce, asset_names=["logo"])
    except DataError as exc:
        assert exc.errors
        assert all(
            e.code.startswith("OR-E3") and e.path and e.path.startswith("$") for e in exc.errors
        )
        return
    assert isinstance(result, ValidatedData)
    assert list(result.values) == list(SCHEMA)
    # a valid result validates again to itself (normalisation is idempotent)
    assert validate_data(SCHEMA, result.values, asset_names=["logo"]).values == result.values


@settings(max_examples=200, deadline=None)
@given(raw=json_like)
def test_anything_at_all_as_the_whole_data(raw: Any) -> None:
    try:
        validate_data(SCHEMA, raw, coerce_strings=True)
    except DataError as exc:
        assert exc.code.startswith("OR-E3")
        if not isinstance(raw, dict):
            assert exc.code == "OR-E300"
    else:
        assert isinstance(raw, dict)
