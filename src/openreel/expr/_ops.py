"""The operators of OpenReel's CEL dialect, on expression values (see ``_values``).

Every number is a double. Failures raise :class:`Failure`, whose message names the operation
and the kinds of the operands, never their values.

- ``+``: number + number, string + string (concatenation), list + list (concatenation),
  timestamp + duration, duration + timestamp, duration + duration.
- ``-``: numbers, timestamp - timestamp (a duration), timestamp - duration, durations.
- ``*``, ``/``: numbers only; ``/`` by zero fails.
- ``%``: numbers only; the remainder takes the sign of the dividend (JavaScript's ``%``,
  C's ``fmod``): ``-7 % 3 == -1``; ``% 0`` fails.
- A result that is not finite (overflow) fails.
- ``<``, ``<=``, ``>``, ``>=``: both numbers, both strings (code point order), both bools
  (``false < true``), both timestamps or both durations; anything else fails.
- ``==``, ``!=``: never fail. Values of different kinds are unequal (``1 == "1"`` is false,
  ``x == null`` is true only for null); numbers compare by value; lists item by item; maps by
  keys and values; timestamps and dates as instants.
- ``x in list`` is true when some item ``== x``; ``key in map`` tests the keys.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

from ._values import CalendarDate, kind_of

_Timestamp = datetime.datetime
_Duration = datetime.timedelta


class Failure(Exception):
    """An expression failed while evaluating; the message is safe to show (no values)."""


def _finite(x: float, op: str) -> float:
    if math.isfinite(x):
        return x
    raise Failure(f"'{op}' gave a number too large to represent")


def _plain_ts(value: _Timestamp) -> _Timestamp:
    """Timestamp arithmetic always gives a plain timestamp, even from a calendar date."""
    if isinstance(value, CalendarDate):
        return _Timestamp.fromtimestamp(value.timestamp(), tz=datetime.UTC)
    return value


def _mismatch(op: str, a: object, b: object) -> Failure:
    return Failure(f"'{op}' cannot combine a {kind_of(a)} and a {kind_of(b)}")


def _time_op(op: str, fn: Callable[[], object], a: object, b: object) -> object:
    try:
        result = fn()
    except OverflowError as exc:
        raise Failure(f"'{op}' gave a timestamp or duration out of range") from exc
    return _plain_ts(result) if isinstance(result, _Timestamp) else result


def add(a: object, b: object) -> object:
    if isinstance(a, float) and isinstance(b, float):
        return _finite(a + b, "+")
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    if isinstance(a, _Timestamp) and isinstance(b, _Duration):
        return _time_op("+", lambda: a + b, a, b)
    if isinstance(a, _Duration) and isinstance(b, _Timestamp):
        return _time_op("+", lambda: b + a, a, b)
    if isinstance(a, _Duration) and isinstance(b, _Duration):
        return _time_op("+", lambda: a + b, a, b)
    raise _mismatch("+", a, b)


def sub(a: object, b: object) -> object:
    if isinstance(a, float) and isinstance(b, float):
        return _finite(a - b, "-")
    if isinstance(a, _Timestamp) and isinstance(b, _Timestamp):
        return _time_op("-", lambda: a - b, a, b)
    if isinstance(a, _Timestamp) and isinstance(b, _Duration):
        return _time_op("-", lambda: a - b, a, b)
    if isinstance(a, _Duration) and isinstance(b, _Duration):
        return _time_op("-", lambda: a - b, a, b)
    raise _mismatch("-", a, b)


def _numbers(op: str, a: object, b: object) -> tuple[float, float]:
    if isinstance(a, float) and isinstance(b, float):
        return a, b
    raise _mismatch(op, a, b)


def mul(a: object, b: object) -> object:
    x, y = _numbers("*", a, b)
    return _finite(x * y, "*")


def div(a: object, b: object) -> object:
    x, y = _numbers("/", a, b)
    if y == 0:
        raise Failure("division by zero")
    return _finite(x / y, "/")


def mod(a: object, b: object) -> object:
    x, y = _numbers("%", a, b)
    if y == 0:
        raise Failure("remainder of a division by zero")
    return math.fmod(x, y)


def neg(a: object) -> object:
    if isinstance(a, float):
        return -a
    if isinstance(a, _Duration):
        return -a
    raise Failure(f"'-' cannot negate a {kind_of(a)}")


def not_(a: object) -> object:
    if isinstance(a, bool):
        return not a
    raise Failure(f"'!' needs a bool, found a {kind_of(a)}")


def _comparable(op: str, a: object, b: object) -> None:
    same = (
        (isinstance(a, float) and isinstance(b, float))
        or (isinstance(a, str) and isinstance(b, str))
        or (isinstance(a, bool) and isinstance(b, bool))
        or (isinstance(a, _Timestamp) and isinstance(b, _Timestamp))
        or (isinstance(a, _Duration) and isinstance(b, _Duration))
    )
    if not same:
        raise Failure(f"'{op}' cannot compare a {kind_of(a)} and a {kind_of(b)}")


def lt(a: object, b: object) -> object:
    _comparable("<", a, b)
    return a < b  # type: ignore[operator]


def le(a: object, b: object) -> object:
    _comparable("<=", a, b)
    return a <= b  # type: ignore[operator]


def gt(a: object, b: object) -> object:
    _comparable(">", a, b)
    return a > b  # type: ignore[operator]


def ge(a: object, b: object) -> object:
    _comparable(">=", a, b)
    return a >= b  # type: ignore[operator]


def equal(a: object, b: object) -> bool:
    """CEL equality extended to values of different kinds (which are unequal)."""
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, float) and isinstance(b, float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, _Timestamp) and isinstance(b, _Timestamp):
        return a == b
    if isinstance(a, _Duration) and isinstance(b, _Duration):
        return a == b
    return False


def eq(a: object, b: object) -> object:
    return equal(a, b)


def ne(a: object, b: object) -> object:
    return not equal(a, b)


def in_(item: object, container: object) -> object:
    if isinstance(container, list):
        return any(equal(item, x) for x in container)
    if isinstance(container, dict):
        return isinstance(item, str) and item in container
    raise Failure(f"'in' needs a list or a map on its right, found a {kind_of(container)}")


BINARY: dict[str, Callable[[object, object], object]] = {
    "+": add,
    "-": sub,
    "*": mul,
    "/": div,
    "%": mod,
    "<": lt,
    "<=": le,
    ">": gt,
    ">=": ge,
    "==": eq,
    "!=": ne,
    "in": in_,
}
UNARY: dict[str, Callable[[object], object]] = {"-": neg, "!": not_}


def select(target: object, field: str) -> object:
    """``target.field``: a map's entry; a missing key or any other kind fails."""
    if isinstance(target, dict):
        try:
            return target[field]
        except KeyError:
            raise Failure(f"no field '{field}' in this map") from None
    if target is None:
        raise Failure(f"cannot read field '{field}' of null")
    raise Failure(f"a {kind_of(target)} has no field '{field}'")


def index(target: object, key: object) -> object:
    """``target[key]``: a list item (a whole-number index from 0) or a map entry."""
    if isinstance(target, list):
        if not isinstance(key, float) or not key.is_integer():
            raise Failure(f"a list index must be a whole number, found a {kind_of(key)}")
        if not 0 <= key < len(target):
            raise Failure("list index out of range")
        return target[int(key)]
    if isinstance(target, dict):
        if not isinstance(key, str):
            raise Failure(f"a map key must be a string, found a {kind_of(key)}")
        try:
            return target[key]
        except KeyError:
            raise Failure("no such key in this map") from None
    raise Failure(f"cannot index a {kind_of(target)}")


def iterate(target: object, macro: str) -> list[object]:
    """The items a comprehension runs over: a list's items or a map's keys (in order)."""
    if isinstance(target, list):
        return target
    if isinstance(target, dict):
        return list(target)
    raise Failure(f"{macro}() needs a list or a map, found a {kind_of(target)}")
