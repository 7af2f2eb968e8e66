"""OpenReel's text functions: ``upper``, ``lower``, ``title``, ``truncate``, ``join``, ``plural``.

- ``upper(s)`` / ``lower(s)``: full Unicode case mapping, locale-independent (JavaScript's
  ``toUpperCase`` / ``toLowerCase``): ``upper("straße") == "STRASSE"``.
- ``title(s)``: in each run of non-whitespace characters the first code point is upper-cased and
  the rest of the run lower-cased; whitespace (JavaScript's ``\\s`` set) is kept as it is.
- ``truncate(s, n)``: ``s`` when it has at most ``n`` grapheme clusters (user-perceived
  characters, Unicode ``\\X``); otherwise its first ``n - 1`` clusters then ``"…"`` (U+2026).
  ``n`` is a whole number >= 1.
- ``join(list, sep)``: the items written as in interpolated text (numbers as JavaScript writes
  them, null as ``""``), separated by ``sep``; an item that is a map fails.
- ``plural(n, one, other)``: ``one`` when ``n == 1``, else ``other``.
"""

from __future__ import annotations

import regex

from openreel.errors import ExpressionError

from ._ops import Failure
from ._values import kind_of, to_text

# JavaScript's \s: WhiteSpace and LineTerminator code points (ECMA-262).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WORD = regex.compile(f"[^{_JS_SPACE}]+")
_GRAPHEME = regex.compile(r"\X")
ELLIPSIS = "\u2026"


def _string(fn: str, value: object, position: str = "") -> str:
    if isinstance(value, str):
        return value
    raise Failure(f"{fn}() needs a string{position}, found a {kind_of(value)}")


def upper(s: object) -> object:
    return _string("upper", s).upper()


def lower(s: object) -> object:
    return _string("lower", s).lower()


def _title_word(match: regex.Match[str]) -> str:
    word = match.group(0)
    return word[0].upper() + word[1:].lower()


def title(s: object) -> object:
    return _WORD.sub(_title_word, _string("title", s))


def truncate(s: object, n: object) -> object:
    text = _string("truncate", s, " as its first argument")
    if not isinstance(n, float) or not n.is_integer() or n < 1:
        raise Failure("truncate() needs a whole number of at least 1 as its second argument")
    if len(text) <= n:  # never more clusters than code points
        return text
    clusters = _GRAPHEME.findall(text)
    if len(clusters) <= n:
        return text
    return "".join(clusters[: int(n) - 1]) + ELLIPSIS


def join(items: object, sep: object) -> object:
    if not isinstance(items, list):
        raise Failure(f"join() needs a list as its first argument, found a {kind_of(items)}")
    separator = _string("join", sep, " as its second argument")
    try:
        return separator.join(to_text(item) for item in items)
    except ExpressionError:
        raise Failure("join() cannot write a map or a duration as text") from None


def plural(n: object, one: object, other: object) -> object:
    if not isinstance(n, float):
        raise Failure(f"plural() needs a number as its first argument, found a {kind_of(n)}")
    return one if n == 1 else other
