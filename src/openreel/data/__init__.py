"""A viewer's data: read it, validate and coerce it against the template's schema (spec section 2).

These rules are the contract; the browser player implements the same ones.

**Absent values.** A key that is missing or holds ``null`` is absent. An absent required field
is ``OR-E301``; an absent optional field is ``None``; an absent field with a ``default`` gets a
fresh, normalised copy of the default. Every declared field is in the result, in schema order.
A ``null`` list item takes the item's default, ``None`` if items are optional, else it is
``OR-E302``. Nothing is ever turned into the text "None", "null" or "undefined".

**Types** (wrong type: ``OR-E302``, "expected a number, found string"):

- ``string``: a string, NFC-normalised, surrounding whitespace kept; a string with a lone
  surrogate is refused. Numbers become text only with ``coerce_strings``.
- ``number`` / ``integer``: a JSON number (never a boolean), returned as a ``float`` because
  every number is a double in expressions. NaN, infinities and numbers beyond a double are
  refused. An ``integer`` must be integral and within ±(2**53 - 1) (``OR-E303`` beyond).
- ``boolean``: ``true`` / ``false``.
- ``enum``: one of ``values`` after NFC normalisation, else ``OR-E304``.
- ``color``: ``#RGB``, ``#RRGGBB`` or ``#RRGGBBAA``, returned as lower-case ``#rrggbbaa``
  (``OR-E306``).
- ``url``: ``http://`` or ``https://`` with a host, at most 2048 characters, no user info
  (``user@``), no whitespace, control characters or backslashes; returned as given
  (``OR-E307``).
- ``image``: the exact name of one of the template's assets, or an ``https://`` URL under the
  same rules (``OR-E307``).
- ``date``: ``YYYY-MM-DD`` (ASCII digits, a real day) -> ``datetime.date`` (``OR-E308``).
- ``datetime``: ``YYYY-MM-DDTHH:MM[:SS[.fraction]]`` followed by ``Z`` or ``±HH:MM`` (``T``
  and ``Z`` may be lower-case; fractions beyond microseconds are cut) -> an aware
  ``datetime`` converted to UTC. A datetime without an offset is refused (``OR-E308``).
- ``list``: an array; items are validated against ``items``.
- ``object``: an object; its declared fields are validated, unknown ones dropped with an
  ``OR-E309`` warning.

Python callers may also pass ``datetime.date`` / aware ``datetime.datetime`` objects.

**coerce_strings=True** (CSV cells, query strings): a string may stand for a number (JSON
number syntax, optional ``+``, surrounding spaces ignored; not "nan", "inf" or "1_000"), a
boolean (``true``/``false``/``1``/``0``/``yes``/``no``, any case), a list or an object (JSON
text; the text ``null`` is absent); dates and colors may carry surrounding spaces; a number
given for a string or enum field becomes its text (``12``, ``12.5``).

**Constraints** (``OR-E303`` unless noted): ``min`` / ``max`` for numbers (inclusive);
``max_length`` for strings and URLs, counted in extended grapheme clusters (``regex``'s
``\\X``: a family emoji is one); ``pattern``, which must match the whole NFC string with
Python's ``re`` (``fullmatch``). Patterns must keep to the syntax Python and JavaScript share:
no look-behind, no named groups, no inline flags, no possessive quantifiers, no
``\\A``/``\\Z``; ``max_items`` for lists (``OR-E305``; 1000 when unset; items beyond the limit
are not examined).

**Messages** name the rule and the value's type; ``error.path`` is its JSON path (``$.points``,
``$.top_items[2].name``). The value is quoted, cut to 40 characters, only when the field is
not ``pii``; for a ``pii`` field, anything inside a ``pii`` object or list, or a list or object
with ``pii`` fields below it, neither the value nor any part of it nor its length ever appears.
Unknown fields are named in their ``OR-E309`` warning, except inside a ``pii`` object, where
the warning points at the object only. One run reports every problem (at most
100, then one entry counting the rest) in one :class:`DataError` (``.errors``).

**Limits.** At most 1 MiB of data, measured as compact UTF-8 JSON (``OR-E311``); the data is
read only as deep as the schema goes (values of unknown fields are never looked at).

>>> from openreel.template import FieldSpec
>>> schema = {"first_name": FieldSpec(type="string", pii=True, max_length=5, default="there"),
...           "accent": FieldSpec(type="color", optional=True)}
>>> validate_data(schema, {"accent": "#F0A"}).values
{'first_name': 'there', 'accent': '#ff00aaff'}
>>> try:
...     validate_data(schema, {"first_name": "Maximilian"})
... except DataError as exc:
...     print(exc)
OR-E303 constraint broken at $.first_name: breaks max_length 5: expected at most 5 characters, \
found a longer string
"""

from openreel.errors import DataError

from ._model import DEFAULT_MAX_ITEMS, MAX_DATA_BYTES, MAX_URL_LENGTH, ValidatedData, Value
from .samples import edge_case_data, sample_data
from .sources import iter_csv_rows, read_csv_row, read_json_data
from .validate import check_defaults, pii_paths, validate_data

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "MAX_DATA_BYTES",
    "MAX_URL_LENGTH",
    "DataError",
    "ValidatedData",
    "Value",
    "check_defaults",
    "edge_case_data",
    "iter_csv_rows",
    "pii_paths",
    "read_csv_row",
    "read_json_data",
    "sample_data",
    "validate_data",
]
