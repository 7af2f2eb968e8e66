"""What the load-time checker knows: the limits and the type of every name in scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["string", "number", "bool", "timestamp", "list", "object", "any", "null"]


@dataclass(frozen=True)
class Limits:
    """Bounds checked when an expression is compiled.

    ``max_length``: characters of one expression. ``max_depth``: bracket nesting (``(``, ``[``,
    ``{``) in the source; the parsed tree may nest at most ``4 * max_depth`` operations (an
    operator chain such as ``a + b + c`` or ``a.b.c`` counts once, every call, comprehension,
    operand or argument one more). ``max_cost``: the static cost estimate. A list whose
    ``max_items`` is unknown is assumed to hold ``default_list_size`` items.
    """

    max_length: int = 2000
    max_depth: int = 24
    max_cost: int = 20000
    default_list_size: int = 100

    @property
    def max_tree_depth(self) -> int:
        return 4 * self.max_depth


@dataclass(frozen=True)
class NameType:
    """What the type checker knows of a name.

    ``fields`` (objects): the known fields, or None when any field is allowed. ``items``
    (lists): the items' type, None when unknown. ``max_items`` (lists): used by the cost
    estimate. ``pii``: the value is personal data (names reading it are reported in
    ``Expression.pii_names``). Kind ``timestamp`` covers dates and datetimes; ``any`` turns
    checks off for that name.
    """

    kind: Kind
    fields: Mapping[str, NameType] | None = None
    items: NameType | None = None
    max_items: int | None = None
    pii: bool = False


Scope = Mapping[str, NameType]
"""The names an expression may read, with their types."""

ANY = NameType("any")
STRING = NameType("string")
NUMBER = NameType("number")
BOOL = NameType("bool")
NULL = NameType("null")
TIMESTAMP = NameType("timestamp")
LIST = NameType("list")
OBJECT = NameType("object")
