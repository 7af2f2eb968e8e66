"""The value types and limits of validated viewer data (shared by every module of the package)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from openreel.errors import DataError
from openreel.expr import Value as ExprValue

# A validated value is exactly what expressions and the resolver take: one definition serves both.
Value: TypeAlias = ExprValue

MAX_DATA_BYTES = 1_048_576
"""At most this many bytes of JSON data per viewer (1 MiB; ``OR-E311``)."""

DEFAULT_MAX_ITEMS = 1000
"""The item limit of a list field that declares no ``max_items``."""

MAX_URL_LENGTH = 2048
"""The longest ``url`` or ``image`` URL accepted, in characters."""

MAX_REPORTED = 100
"""At most this many errors (and as many warnings) are listed; one more entry counts the rest."""


@dataclass(frozen=True)
class ValidatedData:
    """A viewer's data after validation.

    ``values`` holds every declared field, in schema order: the validated value, the field's
    default (a fresh copy) when absent, or ``None`` when an optional field is absent.
    ``warnings`` holds ``OR-E309`` entries for dropped unknown fields (names only, never
    values). ``pii_fields`` holds the dotted paths of every field that is personal data, itself
    or because it sits inside a ``pii`` object or list (``"contact.email"``,
    ``"top_items[].name"``; a list's items are ``"name[]"``).
    """

    values: dict[str, Value]
    warnings: tuple[DataError, ...]
    pii_fields: frozenset[str]
