"""How problems describe what was found without leaking personal data.

A message names the rule and the value's type. The value itself is quoted (at most 40
characters) only when the field is not ``pii``; for a ``pii`` field, or anything nested inside
one, only its type is named, never the value, a part of it, or its length.
"""

from __future__ import annotations

from dataclasses import dataclass

from openreel.errors import json_kind

QUOTE_CHARS = 40


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule for one value: an ``OR-E3xx`` code and a pii-safe message."""

    code: str
    message: str


kind = json_kind
"""The JSON type name of a value (see :func:`openreel.errors.json_kind`)."""


def quote(text: str) -> str:
    """``text`` quoted, cut to its first 40 characters (an ellipsis marks the cut)."""
    if len(text) <= QUOTE_CHARS:
        return repr(text)
    return repr(text[:QUOTE_CHARS]) + "…"


def number_text(value: float) -> str:
    """A number as messages show it: integral values without ``.0``."""
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else "(a very large number)"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def found(value: object, pii: bool) -> str:
    """What was found: its type, and for a non-pii scalar the value quoted (40 chars at most).

    >>> found("blue", False), found("blue", True), found(3, False), found([1], False)
    ("string 'blue'", 'string', 'number 3', 'array')
    """
    name = kind(value)
    if pii:
        return name
    if isinstance(value, str):
        return f"string {quote(value)}"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"number {number_text(value)}"
    return name
