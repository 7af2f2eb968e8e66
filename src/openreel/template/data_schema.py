"""The data schema: the contract between a template and the brand's CRM (spec section 2).

Each field declares a type, flags (``optional``, ``default``, ``pii``, ``live``) and constraints.
Field names are identifiers usable in expressions; names that expressions reserve (``theme``,
``scene``, ``view``, ``decide`` and CEL's keywords) are refused.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ._types import Model, custom_error

FieldType = Literal[
    "string",
    "number",
    "integer",
    "boolean",
    "enum",
    "color",
    "url",
    "image",
    "date",
    "datetime",
    "list",
    "object",
]

RESERVED_NAMES = frozenset(
    {
        "theme",
        "scene",
        "view",
        "decide",
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
        "has",
        "default",
    }
)
MAX_FIELDS = 200
MAX_DEPTH = 4

_CONSTRAINTS_BY_TYPE: dict[str, frozenset[str]] = {
    "string": frozenset({"max_length", "pattern"}),
    "number": frozenset({"min", "max"}),
    "integer": frozenset({"min", "max"}),
    "list": frozenset({"max_items"}),
    "url": frozenset({"max_length"}),
    "image": frozenset(),
    "enum": frozenset(),
}


class FieldSpec(Model):
    """One data field."""

    type: FieldType
    description: str | None = None
    pii: bool = False
    optional: bool = False
    default: Any = None
    live: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = Field(default=None, ge=1, le=100_000)
    pattern: str | None = None
    max_items: int | None = Field(default=None, ge=0, le=10_000)
    values: tuple[str, ...] | None = None
    items: FieldSpec | None = None
    fields: dict[str, FieldSpec] | None = None

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, FieldSpec] | None) -> dict[str, FieldSpec] | None:
        if value is not None:
            check_field_names(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        kind = self.type
        if kind == "enum" and not self.values:
            raise custom_error("121", "an enum field needs a non-empty 'values' list")
        if kind != "enum" and self.values is not None:
            raise custom_error("121", "'values' is only for enum fields")
        if kind == "list" and self.items is None:
            raise custom_error("121", "a list field needs 'items' describing its elements")
        if kind != "list" and self.items is not None:
            raise custom_error("121", "'items' is only for list fields")
        if kind == "object" and not self.fields:
            raise custom_error("121", "an object field needs 'fields'")
        if kind != "object" and self.fields is not None:
            raise custom_error("121", "'fields' is only for object fields")
        allowed = _CONSTRAINTS_BY_TYPE.get(kind, frozenset())
        for name in ("min", "max", "max_length", "pattern", "max_items"):
            if getattr(self, name) is not None and name not in allowed:
                raise custom_error(
                    "121", "'{name}' does not apply to a {kind} field", name=name, kind=kind
                )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise custom_error("121", "'min' is greater than 'max'")
        if self.pattern is not None:
            _check_pattern(self.pattern)
        if kind == "enum" and self.default is not None and self.default not in (self.values or ()):
            raise custom_error("121", "the default is not one of the enum's values")
        if self.live and kind in ("list", "object"):
            raise custom_error("121", "only scalar fields can be live")
        return self

    @property
    def required(self) -> bool:
        """A field the data must carry: neither optional nor defaulted."""
        return not self.optional and self.default is None


def _check_pattern(pattern: str) -> None:
    import re

    if len(pattern) > 500:
        raise custom_error("121", "'pattern' is longer than 500 characters")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise custom_error(
            "121", "'pattern' is not a valid regular expression: {why}", why=str(exc)
        ) from None


def check_field_names(fields: dict[str, FieldSpec]) -> None:
    import re

    if len(fields) > MAX_FIELDS:
        raise custom_error("121", "at most {n} fields", n=MAX_FIELDS)
    for name in fields:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", name):
            raise custom_error("121", "field name {name!r} is not an identifier", name=name[:40])
        if name in RESERVED_NAMES:
            raise custom_error("121", "field name {name!r} is reserved", name=name)


def schema_depth(spec: FieldSpec) -> int:
    """How deeply lists and objects nest below a field (a scalar is 0)."""
    children: list[FieldSpec] = []
    if spec.items is not None:
        children.append(spec.items)
    if spec.fields:
        children.extend(spec.fields.values())
    return 1 + max(map(schema_depth, children)) if children else 0
