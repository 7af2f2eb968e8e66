"""Example viewers built from a schema: one plausible viewer, and the edge cases designers preview.

Everything here is deterministic (no randomness, no clock) so that docs and previews are stable.
Each example is data to pass to :func:`validate_data`; it passes whenever the schema can be
satisfied by the candidates tried (a ``pattern`` none of them matches keeps its sample value,
which may then fail validation: give such a field a ``default``).
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from collections.abc import Callable, Mapping

from openreel.template.data_schema import FieldSpec

from ._describe import Problem
from ._model import Value
from ._scalars import Options, check_string, first_graphemes
from ._walk import default_value

_OPTIONS = Options(coerce=False, assets=None)
_SAMPLE_DATE = datetime.date(2024, 5, 17)
_SAMPLE_DATETIME = datetime.datetime(2024, 5, 17, 12, 30, tzinfo=datetime.UTC)
# Name hints, checked in order against the field's name.
_HINTS: tuple[tuple[str, str], ...] = (
    ("email", "alex@example.com"),
    ("phone", "+1 555 0100"),
    ("city", "Lisbon"),
    ("country", "Portugal"),
    ("company", "Example Co."),
    ("name", "Alex"),
    ("title", "Welcome back"),
    ("code", "A1B2C3"),
    ("id", "12345"),
)
_FALLBACKS = ("Sample text", "A", "a", "1", "A1", "ABC123", "abc", "alex@example.com", "")
_LONG = "Maximilian Alexander Wolfeschlegelsteinhausen-Bergerdorff "
_NON_LATIN = unicodedata.normalize(
    "NFC", "Zoë Łukasz 山田太郎 Nguyễn Thị Ολυμπία 👩🏽‍💻👨‍👩‍👧‍👦 Añaña"
)
_RTL = "سارة الأحمد — שלום עולם — مرحبا بك"
_UNSET_STRING_LENGTH = 100  # "longest" text for a string without max_length
_UNSET_MAX_ITEMS = 20  # a "full" list without max_items
_BIG = 999_999_999.99
_SMALL = -999_999.99


def sample_data(fields: Mapping[str, FieldSpec]) -> dict[str, Value]:
    """A plausible viewer: every field (optional ones too) from its default or its type.

    Raises :class:`TemplateError` ``OR-E121`` when a default breaks its own field.

    >>> from openreel.template import FieldSpec
    >>> sample_data({"first_name": FieldSpec(type="string"), "points": FieldSpec(
    ...     type="integer", min=0, max=1000), "tier": FieldSpec(type="enum", values=("a", "b"))})
    {'first_name': 'Alex', 'points': 500.0, 'tier': 'a'}
    """
    return {name: _sample(spec, name) for name, spec in fields.items()}


def _sample(spec: FieldSpec, name: str) -> Value:
    if spec.default is not None:
        return default_value(spec)
    kind = spec.type
    if kind == "string":
        return _sample_string(spec, name)
    if kind in ("number", "integer"):
        return _sample_number(spec, kind == "integer")
    if kind == "list":
        count = 2 if spec.max_items is None else min(2, spec.max_items)
        return [_sample(spec.items, name) for _ in range(count)] if spec.items else []
    if kind == "object":
        return {sub: _sample(s, sub) for sub, s in (spec.fields or {}).items()}
    if kind == "enum":
        return (spec.values or ("",))[0]
    return _SCALAR_SAMPLES[kind]


_SCALAR_SAMPLES: dict[str, Value] = {
    "boolean": True,
    "color": "#3366ffff",
    "url": "https://example.com/",
    "image": "https://example.com/image.png",
    "date": _SAMPLE_DATE,
    "datetime": _SAMPLE_DATETIME,
}


def _fits(spec: FieldSpec, text: str) -> bool:
    return not isinstance(check_string(spec, text, False, _OPTIONS), Problem)


def _sample_string(spec: FieldSpec, name: str) -> str:
    lowered = name.lower()
    hinted = [text for hint, text in _HINTS if hint in lowered][:1]
    candidates = [*hinted, *_FALLBACKS]
    if spec.max_length is not None:
        candidates = [first_graphemes(c, spec.max_length) for c in candidates]
    return next((c for c in candidates if _fits(spec, c)), candidates[0])


def _sample_number(spec: FieldSpec, integral: bool) -> float:
    low, high = spec.min, spec.max
    if low is not None and high is not None:
        number = (low + high) / 2
    elif low is not None:
        number = max(low, 42.0)
    elif high is not None:
        number = min(high, 42.0)
    else:
        number = 42.0
    if integral:
        number = float(math.floor(number))
        if low is not None and number < low:
            number = float(math.ceil(low))
    return number


def edge_case_data(fields: Mapping[str, FieldSpec]) -> list[tuple[str, dict[str, Value]]]:
    """Named viewers at the edges designers preview with, each built from :func:`sample_data`.

    ``longest_strings`` (every string at ``max_length`` grapheme clusters, or 100; every enum
    at its longest value), ``empty_optional`` (optional and defaulted fields absent),
    ``empty_lists``, ``max_items`` (every list at ``max_items``, or 20 items),
    ``non_latin_emoji`` (accented, CJK and Greek names with emoji ZWJ sequences), ``rtl_text``
    (Arabic and Hebrew), ``min_numbers`` and ``max_numbers`` (at ``min`` / ``max``, or
    -999999.99 / 999999999.99 when unset; integers rounded inwards). Strings whose ``pattern``
    refuses the edge text keep their sample value.
    """
    base = sample_data(fields)
    return [
        ("longest_strings", _mapped(fields, base, _longest, _keep)),
        ("empty_optional", _without_optional(fields, base)),
        ("empty_lists", _mapped(fields, base, _same, lambda spec: 0)),
        ("max_items", _mapped(fields, base, _same, _full)),
        ("non_latin_emoji", _mapped(fields, base, _text_leaf(_NON_LATIN), _keep)),
        ("rtl_text", _mapped(fields, base, _text_leaf(_RTL), _keep)),
        ("min_numbers", _mapped(fields, base, _number_leaf(low=True), _keep)),
        ("max_numbers", _mapped(fields, base, _number_leaf(low=False), _keep)),
    ]


Leaf = Callable[[FieldSpec, Value], Value]
Size = Callable[[FieldSpec], "int | None"]


def _mapped(
    fields: Mapping[str, FieldSpec], data: Mapping[str, Value], leaf: Leaf, size: Size
) -> dict[str, Value]:
    return {
        name: _map_value(spec, name, data.get(name), leaf, size) for name, spec in fields.items()
    }


def _map_value(spec: FieldSpec, name: str, value: Value, leaf: Leaf, size: Size) -> Value:
    if spec.type == "object" and isinstance(value, dict):
        return _mapped(spec.fields or {}, value, leaf, size)
    if spec.type == "list" and isinstance(value, list) and spec.items is not None:
        count = size(spec)
        items = value if count is None else [_sample(spec.items, name) for _ in range(count)]
        return [_map_value(spec.items, name, item, leaf, size) for item in items]
    return leaf(spec, value)


def _keep(spec: FieldSpec) -> int | None:
    return None


def _full(spec: FieldSpec) -> int | None:
    return _UNSET_MAX_ITEMS if spec.max_items is None else spec.max_items


def _same(spec: FieldSpec, value: Value) -> Value:
    return value


def _longest(spec: FieldSpec, value: Value) -> Value:
    if spec.type == "enum" and spec.values:
        return max(spec.values, key=len)
    if spec.type != "string":
        return value
    length = spec.max_length or _UNSET_STRING_LENGTH
    text = (_LONG * (length // len(_LONG) + 1))[:length]
    return text if _fits(spec, text) else value


def _text_leaf(source: str) -> Leaf:
    def leaf(spec: FieldSpec, value: Value) -> Value:
        if spec.type != "string":
            return value
        text = source if spec.max_length is None else first_graphemes(source, spec.max_length)
        return text if _fits(spec, text) else value

    return leaf


def _number_leaf(*, low: bool) -> Leaf:
    def leaf(spec: FieldSpec, value: Value) -> Value:
        if spec.type not in ("number", "integer"):
            return value
        bound = spec.min if low else spec.max
        number = bound if bound is not None else (_SMALL if low else _BIG)
        if spec.type == "integer":
            number = float(math.ceil(number) if low else math.floor(number))
        return number

    return leaf


def _without_optional(
    fields: Mapping[str, FieldSpec], data: Mapping[str, Value]
) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for name, spec in fields.items():
        if spec.optional or spec.default is not None:
            continue
        value = data.get(name)
        if spec.type == "object" and isinstance(value, dict):
            value = _without_optional(spec.fields or {}, value)
        elif spec.type == "list" and isinstance(value, list) and spec.items is not None:
            item_spec = spec.items
            value = [
                _without_optional(item_spec.fields or {}, item)
                if item_spec.type == "object" and isinstance(item, dict)
                else item
                for item in value
            ]
        out[name] = value
    return out
