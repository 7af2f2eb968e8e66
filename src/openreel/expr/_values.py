"""Values inside expressions, and how they come in from and go out to plain Python.

Inside an expression every value is one of: ``None`` (null), ``bool``, ``float`` (every number;
there is no integer type), ``str``, ``list``, ``dict`` with ``str`` keys (a map), ``datetime``
with UTC tzinfo (a timestamp), :class:`CalendarDate` (a calendar date: a timestamp at 00:00 UTC
of that day that remembers it is a date) and ``timedelta`` (a duration, only from ``duration()``
or timestamp subtraction; it cannot leave an expression).

Plain values (:data:`Value`) are what callers pass in and get back: ints are accepted on the way
in and become floats, tuples become lists, ``datetime.date`` becomes a calendar date, naive
datetimes are read as UTC.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TypeAlias

from openreel.errors import ExpressionError

from ._numbers import number_to_string

Value: TypeAlias = (
    None
    | bool
    | float
    | str
    | list["Value"]
    | dict[str, "Value"]
    | datetime.date
    | datetime.datetime
)
"""A plain value going into or out of an expression."""

UTC = datetime.UTC


class CalendarDate(datetime.datetime):
    """A calendar date inside an expression: 00:00:00 UTC of that day, remembered as a date.

    It orders and compares as that instant; arithmetic on it gives plain timestamps.
    """

    @classmethod
    def of(cls, day: datetime.date) -> CalendarDate:
        return cls(day.year, day.month, day.day, tzinfo=UTC)


def from_plain(value: object) -> object:
    """The expression value for a plain value (ints -> float, date -> CalendarDate, ...).

    Raises ``TypeError`` for anything that is not a :data:`Value` (a programming error of the
    caller; the message names the type only).
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"map keys must be strings, found {type(key).__name__}")
            out[key] = from_plain(item)
        return out
    if isinstance(value, (list, tuple)):
        return [from_plain(item) for item in value]
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, datetime.date):
        return CalendarDate.of(value)
    raise TypeError(f"cannot use a {type(value).__name__} in an expression")


def to_plain(value: object) -> Value:
    """The plain value for an expression value. Durations and other types raise OR-E209."""
    if value is None or isinstance(value, (str, bool, float)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, CalendarDate):
        return value.date()
    if isinstance(value, datetime.datetime):
        return value.astimezone(UTC)
    raise ExpressionError(
        "OR-E209",
        f"an expression gave a {kind_of(value)}, which no property can take",
        hint="Turn it into a number or text first, e.g. with getSeconds() or string().",
    )


def kind_of(value: object) -> str:
    """The kind of a value as messages name it (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, CalendarDate):
        return "date"
    if isinstance(value, datetime.datetime):
        return "timestamp"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, datetime.timedelta):
        return "duration"
    return "value"


def iso_timestamp(value: datetime.datetime) -> str:
    """ISO 8601 in UTC with ``Z``: seconds, plus ``.mmm`` only when the milliseconds are not 0.

    >>> iso_timestamp(datetime.datetime(2024, 7, 14, 23, 30, tzinfo=UTC))
    '2024-07-14T23:30:00Z'
    """
    v = value.astimezone(UTC) if value.tzinfo is not None else value
    text = f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
    millis = v.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else text + "Z"


def iso_date(value: datetime.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def to_text(value: object) -> str:
    """How a value is written into interpolated text.

    Strings as they are; numbers as JavaScript's ``String(x)`` (1500.0 -> ``"1500"``);
    ``true`` / ``false``; null -> ``""``; lists -> the items' texts joined with ``", "``;
    dates ``YYYY-MM-DD``; timestamps ISO 8601 in UTC with ``Z``. Maps and durations raise
    OR-E209.

    >>> [to_text(v) for v in ("a", 1500.0, True, None, [1, "b", None], datetime.date(2024, 1, 5))]
    ['a', '1500', 'true', '', '1, b, ', '2024-01-05']
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_to_string(float(value))
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(to_text(item) for item in value)
    if isinstance(value, CalendarDate):
        return iso_date(value)
    if isinstance(value, datetime.datetime):
        return iso_timestamp(value)
    if isinstance(value, datetime.date):
        return iso_date(value)
    raise ExpressionError(
        "OR-E209",
        f"a {kind_of(value)} cannot be written as text",
        hint="Pick a field of it, or format it with a function first.",
    )
