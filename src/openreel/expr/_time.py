"""Timestamps and durations: ``timestamp()``, ``duration()`` and CEL's getter methods.

- ``timestamp(s)``: an RFC 3339 string with a ``Z`` or a ``+hh:mm`` offset
  (``"2024-01-05T10:00:00Z"``), years 1 to 9999.
- ``duration(s)``: CEL duration text, a sign then number-unit pairs with the units ``h``, ``m``,
  ``s``, ``ms``, ``us``, ``ns`` (``"1h30m"``, ``"-2.5s"``).
- Getters on timestamps take an optional time zone (an IANA name such as ``"Europe/Berlin"``
  or an offset ``"+05:30"``; default UTC): ``getFullYear``, ``getMonth`` (0-11), ``getDate``
  (1-31), ``getDayOfMonth`` (0-30), ``getDayOfWeek`` (0 = Sunday), ``getDayOfYear`` (0-365),
  ``getHours``, ``getMinutes``, ``getSeconds``, ``getMilliseconds``.
- On durations ``getHours``, ``getMinutes``, ``getSeconds``, ``getMilliseconds`` give the
  whole duration in that unit, truncated toward zero.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import zoneinfo
from collections.abc import Callable

from ._ops import Failure
from ._values import UTC, kind_of

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)
_DURATION = re.compile(r"([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|us|ns|m|s))+)")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(h|ms|us|ns|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def parse_timestamp(text: str) -> datetime.datetime:
    if not _RFC3339.fullmatch(text):
        raise Failure('timestamp() needs RFC 3339 text such as "2024-01-05T10:00:00Z"')
    head, _, rest = text.partition(".")
    if rest:  # Python reads at most 6 fraction digits
        digits = re.match(r"\d+", rest)
        frac = digits.group(0) if digits else ""
        text = f"{head}.{(frac + '000000')[:6]}{rest[len(frac) :]}"
    try:
        value = datetime.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise Failure("timestamp() got a date or time that does not exist") from None
    return value.astimezone(UTC)


def parse_duration(text: str) -> datetime.timedelta:
    match = _DURATION.fullmatch(text)
    if not match:
        raise Failure('duration() needs text such as "1h30m" or "2.5s"')
    seconds = sum(
        float(number) * _UNIT_SECONDS[unit]
        for number, unit in _DURATION_PART.findall(match.group(2))
    )
    try:
        value = datetime.timedelta(seconds=seconds)
    except OverflowError:
        raise Failure("duration() is out of range") from None
    return -value if match.group(1) == "-" else value


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> datetime.tzinfo:
    offset = _OFFSET.fullmatch(name)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        hours, minutes = int(offset.group(2)), int(offset.group(3))
        if hours > 23 or minutes > 59:
            raise Failure("the time zone offset is out of range")
        return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    if name == "UTC":
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Failure("the time zone is not an IANA name or a +hh:mm offset") from None


def _local(ts: object, tz: object, getter: str) -> datetime.datetime:
    if not isinstance(ts, datetime.datetime):
        raise Failure(f"{getter}() needs a timestamp, found a {kind_of(ts)}")
    if tz is None:
        return ts.astimezone(UTC)
    if not isinstance(tz, str):
        raise Failure(f"{getter}() needs a time zone name, found a {kind_of(tz)}")
    return ts.astimezone(_zone(tz))


def _truncated(seconds: float, unit: float) -> float:
    return float(math.trunc(seconds / unit))


def _ts_getter(name: str, field: Callable[[datetime.datetime], int]) -> Callable[..., object]:
    def getter(ts: object, tz: object = None) -> object:
        return float(field(_local(ts, tz, name)))

    getter.__name__ = name
    return getter


def _mixed_getter(
    name: str, field: Callable[[datetime.datetime], int], unit: float
) -> Callable[..., object]:
    def getter(value: object, tz: object = None) -> object:
        if isinstance(value, datetime.timedelta):
            if tz is not None:
                raise Failure(f"{name}() on a duration takes no time zone")
            return _truncated(value.total_seconds(), unit)
        return float(field(_local(value, tz, name)))

    getter.__name__ = name
    return getter


GETTERS: dict[str, Callable[..., object]] = {
    "getFullYear": _ts_getter("getFullYear", lambda d: d.year),
    "getMonth": _ts_getter("getMonth", lambda d: d.month - 1),
    "getDate": _ts_getter("getDate", lambda d: d.day),
    "getDayOfMonth": _ts_getter("getDayOfMonth", lambda d: d.day - 1),
    "getDayOfWeek": _ts_getter("getDayOfWeek", lambda d: (d.weekday() + 1) % 7),
    "getDayOfYear": _ts_getter("getDayOfYear", lambda d: d.timetuple().tm_yday - 1),
    "getHours": _mixed_getter("getHours", lambda d: d.hour, 3600.0),
    "getMinutes": _mixed_getter("getMinutes", lambda d: d.minute, 60.0),
    "getSeconds": _mixed_getter("getSeconds", lambda d: d.second, 1.0),
    "getMilliseconds": _mixed_getter("getMilliseconds", lambda d: d.microsecond // 1000, 1e-3),
}
"""The CEL getters; the timestamp ones take ``(timestamp, time zone or null)``."""
