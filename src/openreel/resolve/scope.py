"""Names in scope for expressions, built from the template's data schema and theme."""

from __future__ import annotations

from collections.abc import Mapping

from openreel.expr import NameType
from openreel.template import FieldSpec, Template

_KIND = {
    "string": "string",
    "enum": "string",
    "color": "string",
    "url": "string",
    "image": "string",
    "number": "number",
    "integer": "number",
    "boolean": "bool",
    "date": "timestamp",
    "datetime": "timestamp",
}

VIEW_TYPE = NameType(
    "object",
    fields={
        "time": NameType("timestamp"),
        "locale": NameType("string"),
        "tz": NameType("string"),
    },
)
SCENE_TYPE = NameType(
    "object",
    fields={
        name: NameType("number") for name in ("index", "count", "repeat_index", "repeat_count")
    },
)


def field_type(spec: FieldSpec) -> NameType:
    """The expression type of a data field."""
    if spec.type == "list":
        items = field_type(spec.items) if spec.items is not None else NameType("any")
        return NameType("list", items=items, max_items=spec.max_items, pii=spec.pii)
    if spec.type == "object":
        fields = {k: field_type(v) for k, v in (spec.fields or {}).items()}
        return NameType("object", fields=fields, pii=spec.pii)
    kind = _KIND[spec.type]
    return NameType(kind, pii=spec.pii)  # type: ignore[arg-type]


def _theme_value_type(value: object) -> NameType:
    if isinstance(value, bool):
        return NameType("bool")
    if isinstance(value, int | float):
        return NameType("number")
    return NameType("string") if "{{" not in str(value) else NameType("any")


def theme_type(template: Template) -> NameType:
    return NameType(
        "object", fields={k: _theme_value_type(v) for k, v in template.theme.default.items()}
    )


def data_scope(template: Template) -> dict[str, NameType]:
    """Data fields and ``view``: what every expression may read."""
    scope = {name: field_type(spec) for name, spec in template.data.items()}
    scope["view"] = VIEW_TYPE
    return scope


def extend(scope: Mapping[str, NameType], **more: NameType) -> dict[str, NameType]:
    return {**scope, **more}
