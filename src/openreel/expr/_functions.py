"""The functions an expression may call: CEL's standard ones that OpenReel keeps, and its own.

Every function here may be called as ``f(x, ...)`` or as a method ``x.f(...)``; the receiver is
the first argument. ``has``, ``default`` and ``decide`` are only called as ``f(...)``, the
comprehension macros ``all``, ``exists``, ``exists_one``, ``map``, ``filter`` only as methods
(they are handled by the compiler, not listed here).

Left out on purpose (a load-time OR-E203): ``bytes``, ``uint``, ``dyn``, ``type``, protobuf
messages and cel-python's extensions (``reduce``, ``min``).
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import re2  # type: ignore[import-untyped]

from . import _format, _text
from ._numbers import number_to_string
from ._ops import Failure
from ._time import GETTERS, parse_duration, parse_timestamp
from ._types import ANY, BOOL, NUMBER, STRING, TIMESTAMP, Kind, NameType
from ._values import kind_of, to_text

Impl = Callable[..., object]
_DOUBLE_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INT_TEXT = re.compile(r"[-+]?\d+")


@dataclass(frozen=True)
class FunctionSpec:
    """A callable function: arity, the kinds each argument may have (None: any), the result."""

    impl: Impl
    min_args: int
    max_args: int
    params: tuple[frozenset[Kind] | None, ...]
    result: NameType
    # argument position -> a check of a literal string there (raises Failure when unusable)
    literal_checks: Mapping[int, Callable[[str], object]] = field(default_factory=dict)
    # the position of a locale argument that, when missing or null, is the Env's locale
    locale_arg: int | None = None


def _kinds(*names: Kind) -> frozenset[Kind]:
    return frozenset(names)


_STR = _kinds("string")
_NUM = _kinds("number")
_TS = _kinds("timestamp")
_LOCALE = _kinds("string", "null")


def _formatting(fn: str, impl: Callable[..., str]) -> Impl:
    def call(*args: object) -> object:
        try:
            return impl(*args)
        except _format.FormatProblem as exc:
            raise Failure(f"{fn}(): {exc}") from None

    return call


def _num(fn: str, x: object, position: str = " as its first argument") -> float:
    if isinstance(x, float):
        return x
    raise Failure(f"{fn}() needs a number{position}, found a {kind_of(x)}")


def _opt_str(fn: str, x: object, what: str) -> str | None:
    if x is None or isinstance(x, str):
        return x
    raise Failure(f"{fn}() needs {what} as text, found a {kind_of(x)}")


def format_number(x: object, locale: object = None) -> str:
    return _format.format_number(
        _num("format_number", x), _opt_str("format_number", locale, "the locale")
    )


def format_currency(x: object, code: object, locale: object = None) -> str:
    if not isinstance(code, str):
        raise Failure(f"format_currency() needs a currency code, found a {kind_of(code)}")
    return _format.format_currency(
        _num("format_currency", x), code, _opt_str("format_currency", locale, "the locale")
    )


def format_date(day: object, style: object = None, locale: object = None) -> str:
    if not isinstance(day, datetime.datetime):
        raise Failure(f"format_date() needs a date or timestamp, found a {kind_of(day)}")
    chosen = _opt_str("format_date", style, "the style")
    return _format.format_date(
        day,
        "long" if chosen is None else chosen,
        _opt_str("format_date", locale, "the locale"),
    )


def size(x: object) -> object:
    if isinstance(x, (str, list, dict)):
        return float(len(x))  # a string's size counts code points
    raise Failure(f"size() needs a string, list or map, found a {kind_of(x)}")


def _strings(fn: str, a: object, b: object) -> tuple[str, str]:
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    raise Failure(f"{fn}() needs two strings, found a {kind_of(a)} and a {kind_of(b)}")


def contains(s: object, part: object) -> object:
    text, sub = _strings("contains", s, part)
    return sub in text


def starts_with(s: object, part: object) -> object:
    text, prefix = _strings("startsWith", s, part)
    return text.startswith(prefix)


def ends_with(s: object, part: object) -> object:
    text, suffix = _strings("endsWith", s, part)
    return text.endswith(suffix)


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print the pattern to stderr
    return options


_RE2_OPTIONS = _re2_options()


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error:
        raise Failure("matches() got a pattern RE2 cannot read") from None


def matches(s: object, pattern: object) -> object:
    text, pat = _strings("matches", s, pattern)
    return _regex(pat).search(text) is not None


def to_int(x: object) -> object:
    """``int(x)``: a number truncated toward zero; decimal integer text; a timestamp's epoch
    seconds. The result is still a (whole) number."""
    if isinstance(x, float):
        return float(math.trunc(x))
    if isinstance(x, str) and _INT_TEXT.fullmatch(x):
        return float(int(x))
    if isinstance(x, datetime.datetime):
        return float(math.floor(x.timestamp()))
    raise Failure(f"int() cannot convert a {kind_of(x)}")


def to_double(x: object) -> object:
    if isinstance(x, float):
        return x
    if isinstance(x, str) and _DOUBLE_TEXT.fullmatch(x):
        value = float(x)
        if math.isfinite(value):
            return value
    raise Failure(f"double() cannot convert a {kind_of(x)}")


def to_string(x: object) -> object:
    """``string(x)``: the text interpolation would write; a duration as CEL writes it
    (``"90s"``); a map fails."""
    if isinstance(x, datetime.timedelta):
        return number_to_string(x.total_seconds()) + "s"
    if isinstance(x, dict):
        raise Failure("string() cannot convert a map")
    return to_text(x)


def to_timestamp(x: object) -> object:
    if isinstance(x, datetime.datetime):
        return x
    if isinstance(x, str):
        return parse_timestamp(x)
    raise Failure(f"timestamp() needs a string, found a {kind_of(x)}")


def to_duration(x: object) -> object:
    if isinstance(x, datetime.timedelta):
        return x
    if isinstance(x, str):
        return parse_duration(x)
    raise Failure(f"duration() needs a string, found a {kind_of(x)}")


def _spec(
    impl: Impl,
    arity: tuple[int, int],
    params: tuple[frozenset[Kind] | None, ...],
    result: NameType,
    locale_arg: int | None = None,
    **literal_checks: Callable[[str], object],
) -> FunctionSpec:
    checks = {int(k.removeprefix("arg")): v for k, v in literal_checks.items()}
    return FunctionSpec(impl, arity[0], arity[1], params, result, checks, locale_arg)


_GETTER_PARAMS = (None, _STR)
FUNCTIONS: dict[str, FunctionSpec] = {
    "size": _spec(size, (1, 1), (_kinds("string", "list", "object"),), NUMBER),
    "contains": _spec(contains, (2, 2), (_STR, _STR), BOOL),
    "startsWith": _spec(starts_with, (2, 2), (_STR, _STR), BOOL),
    "endsWith": _spec(ends_with, (2, 2), (_STR, _STR), BOOL),
    "matches": _spec(matches, (2, 2), (_STR, _STR), BOOL, arg1=_regex),
    "int": _spec(to_int, (1, 1), (_kinds("number", "string", "timestamp"),), NUMBER),
    "double": _spec(to_double, (1, 1), (_kinds("number", "string"),), NUMBER),
    "string": _spec(to_string, (1, 1), (None,), STRING),
    "timestamp": _spec(
        to_timestamp, (1, 1), (_kinds("string", "timestamp"),), TIMESTAMP, arg0=parse_timestamp
    ),
    "duration": _spec(to_duration, (1, 1), (_STR,), ANY, arg0=parse_duration),
    "format_number": _spec(
        _formatting("format_number", format_number),
        (1, 2),
        (_NUM, _LOCALE),
        STRING,
        locale_arg=1,
        arg1=_format.parse_locale,
    ),
    "format_currency": _spec(
        _formatting("format_currency", format_currency),
        (2, 3),
        (_NUM, _STR, _LOCALE),
        STRING,
        locale_arg=2,
        arg1=_format.check_currency,
        arg2=_format.parse_locale,
    ),
    "format_date": _spec(
        _formatting("format_date", format_date),
        (1, 3),
        (_TS, _LOCALE, _LOCALE),
        STRING,
        locale_arg=2,
        arg1=_format.check_date_style,
        arg2=_format.parse_locale,
    ),
    "plural": _spec(_text.plural, (3, 3), (_NUM, None, None), ANY),
    "upper": _spec(_text.upper, (1, 1), (_STR,), STRING),
    "lower": _spec(_text.lower, (1, 1), (_STR,), STRING),
    "title": _spec(_text.title, (1, 1), (_STR,), STRING),
    "truncate": _spec(_text.truncate, (2, 2), (_STR, _NUM), STRING),
    "join": _spec(_text.join, (2, 2), (_kinds("list"), _STR), STRING),
}
for _name, _getter in GETTERS.items():
    FUNCTIONS[_name] = _spec(_getter, (1, 2), _GETTER_PARAMS, NUMBER)

SPECIAL = ("has", "default", "decide")
"""Called only as ``f(...)``; compiled specially (lazy or checked at load time)."""
MACROS = ("all", "exists", "exists_one", "map", "filter")
"""Comprehensions, called only as ``list.m(x, ...)``."""
KNOWN = frozenset(FUNCTIONS) | frozenset(SPECIAL) | frozenset(MACROS)
