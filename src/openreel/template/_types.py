"""Scalar property types shared by the template models.

Each type validates with a single precise error (a stable ``or_eNNN`` error type that the loader
maps to ``OR-ENNN``) instead of one error per union member, and carries its JSON Schema.

A value written as a whole ``{{ expression }}`` string is accepted wherever the format allows an
expression; it is checked and compiled later, when the template is compiled against its schema.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel as _BaseModel
from pydantic import ConfigDict, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from openreel.errors import json_kind

_WHOLE_EXPR = re.compile(r"^\s*\{\{.*\}\}\s*$", re.DOTALL)
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")

EXPR_PATTERN = r"^\s*\{\{.*\}\}\s*$"


class Model(_BaseModel):
    """Base of every format model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


type_name = json_kind


def is_whole_expression(value: object) -> bool:
    return isinstance(value, str) and bool(_WHOLE_EXPR.match(value))


def _err(code: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(f"or_e{code}", message, ctx or None)


def _number_or_expr(value: object) -> float | str:
    if isinstance(value, bool):
        raise _err("102", "expected a number or a {{ expression }}, found a boolean")
    if isinstance(value, int | float):
        return value
    if is_whole_expression(value):
        return str(value)
    raise _err(
        "102", "expected a number or a {{ expression }}, found {found}", found=type_name(value)
    )


def _positive_or_expr(value: object) -> float | str:
    out = _number_or_expr(value)
    if isinstance(out, int | float) and out <= 0:
        raise _err("106", "expected a duration greater than 0, found {value}", value=out)
    return out


def _non_negative(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _err("102", "expected a number, found {found}", found=type_name(value))
    if value < 0:
        raise _err("106", "expected a time of 0 seconds or more, found {value}", value=value)
    return value


def _color_or_expr(value: object) -> str:
    if isinstance(value, str) and (_COLOR.match(value) or is_whole_expression(value)):
        return value
    found = repr(value) if isinstance(value, str) and len(value) <= 40 else type_name(value)
    raise _err(
        "105", "expected #RGB, #RRGGBB, #RRGGBBAA or a {{ expression }}, found {found}", found=found
    )


def _expr_source(value: object) -> str:
    """A bare expression (``when``, ``repeat``): any non-empty string; compiled later."""
    if not isinstance(value, str) or not value.strip():
        raise _err("102", "expected an expression string, found {found}", found=type_name(value))
    return value


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _err("102", "expected text, found {found}", found=type_name(value))


def _identifier(value: object) -> str:
    if not isinstance(value, str) or not _IDENT.match(value):
        raise _err(
            "104",
            "expected an identifier (letters, digits, _), found {found}",
            found=type_name(value) if not isinstance(value, str) else repr(value[:40]),
        )
    return value


def _id(value: object) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _err(
            "104",
            "expected an id of letters, digits, '_', '-' or '.', found {found}",
            found=type_name(value) if not isinstance(value, str) else repr(value[:40]),
        )
    return value


def _unit_pair(value: object) -> tuple[float, float]:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        a, b = float(value[0]), float(value[1])
        if 0 <= a <= 1 and 0 <= b <= 1:
            return (a, b)
        raise _err("104", "expected two numbers between 0 and 1")
    raise _err("102", "expected [number, number], found {found}", found=type_name(value))


def _point(value: object) -> tuple[float, float]:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return (float(value[0]), float(value[1]))
    raise _err("102", "expected [x, y], found {found}", found=type_name(value))


_NUM_OR_EXPR_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": EXPR_PATTERN}]}

NumberOrExpr = Annotated[
    float | str, PlainValidator(_number_or_expr), WithJsonSchema(_NUM_OR_EXPR_SCHEMA)
]
Duration = Annotated[
    float | str,
    PlainValidator(_positive_or_expr),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": EXPR_PATTERN},
            ]
        }
    ),
]
Seconds = Annotated[
    float, PlainValidator(_non_negative), WithJsonSchema({"type": "number", "minimum": 0})
]
Color = Annotated[
    str,
    PlainValidator(_color_or_expr),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|\s*\{\{.*\}\}\s*)$",
        }
    ),
]
ExprSource = Annotated[
    str, PlainValidator(_expr_source), WithJsonSchema({"type": "string", "minLength": 1})
]
Text = Annotated[str, PlainValidator(_text), WithJsonSchema({"type": "string"})]
Identifier = Annotated[
    str,
    PlainValidator(_identifier),
    WithJsonSchema({"type": "string", "pattern": _IDENT.pattern}),
]
Id = Annotated[str, PlainValidator(_id), WithJsonSchema({"type": "string", "pattern": _ID.pattern})]
UnitPair = Annotated[
    tuple[float, float],
    PlainValidator(_unit_pair),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "number", "minimum": 0, "maximum": 1},
            "minItems": 2,
            "maxItems": 2,
        }
    ),
]
Point = Annotated[
    tuple[float, float],
    PlainValidator(_point),
    WithJsonSchema({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}),
]


def custom_error(code: str, message: str, **ctx: Any) -> PydanticCustomError:
    """A validation error that the loader reports as ``OR-E<code>``."""
    return _err(code, message, **ctx)
