"""Checks and normalisation of scalar field values (every type but ``list`` and ``object``).

Each check takes the field's spec, the raw value, whether the value is personal data and the
options of the run, and returns the normalised value or a :class:`Problem`. No check raises on
any input, and no message quotes a ``pii`` value (see :mod:`._describe`).
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import regex

from openreel.template.data_schema import FieldSpec

from ._describe import Problem, found, kind, number_text, quote
from ._model import MAX_URL_LENGTH, Value


@dataclass(frozen=True, slots=True)
class Options:
    """How one validation run treats values.

    ``coerce``: strings may stand for numbers, booleans, lists and objects (CSV cells, query
    strings). ``assets``: the template's asset names an ``image`` may name; ``None`` accepts any
    well-formed asset name (used for template defaults, checked against the assets elsewhere).
    """

    coerce: bool
    assets: frozenset[str] | None


Check = Callable[[FieldSpec, object, bool, Options], "Value | Problem"]

MAX_SAFE_INTEGER = 2**53 - 1
# A decimal number as JSON writes it, plus an optional leading "+" (Python's float() would also
# take "nan", "inf" and "1_000", which JavaScript's Number() does not).
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOLEAN_TEXT = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))?"
)
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\\]")
_ASSET_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 _.-]{0,63}")
_GRAPHEME = regex.compile(r"\X")


def grapheme_count(text: str) -> int:
    """User-perceived characters (extended grapheme clusters): a family emoji counts as one."""
    return len(_GRAPHEME.findall(text))


def first_graphemes(text: str, count: int) -> str:
    """The first ``count`` grapheme clusters of ``text``."""
    return "".join(_GRAPHEME.findall(text)[:count])


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _wrong_type(expected: str, value: object, pii: bool) -> Problem:
    return Problem("OR-E302", f"expected {expected}, found {found(value, pii)}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain_number(value: object) -> bool:
    """A number that reads back as itself in text: finite, and not an absurdly long integer."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value.bit_length() <= 64
    return isinstance(value, float) and math.isfinite(value)


def _valid_unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON)
        return False
    return True


def _text(expected: str, value: object, pii: bool, opts: Options) -> str | Problem:
    """``value`` as NFC text, or a wrong-type problem (numbers become text only when coercing)."""
    if not isinstance(value, str):
        if opts.coerce and _plain_number(value):
            return number_text(value)  # type: ignore[arg-type]
        return _wrong_type(expected, value, pii)
    if not _valid_unicode(value):
        return Problem("OR-E302", f"expected {expected}, found a string with invalid Unicode")
    return unicodedata.normalize("NFC", value)


def _max_length(spec: FieldSpec, text: str, pii: bool) -> Problem | None:
    limit = spec.max_length
    if limit is None or len(text) <= limit:  # never more graphemes than code points
        return None
    count = grapheme_count(text)
    if count <= limit:
        return None
    what = "a longer string" if pii else f"{count} characters"
    return Problem(
        "OR-E303", f"breaks max_length {limit}: expected at most {limit} characters, found {what}"
    )


def check_string(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    text = _text("a string", value, pii, opts)
    if isinstance(text, Problem):
        return text
    problem = _max_length(spec, text, pii)
    if problem is not None:
        return problem
    if spec.pattern is not None and _compiled(spec.pattern).fullmatch(text) is None:
        return Problem(
            "OR-E303",
            f"breaks pattern {quote(spec.pattern)}: expected a string that matches it in full, "
            f"found {found(text, pii)}",
        )
    return text


def _finite(value: object, pii: bool, opts: Options) -> float | Problem:
    if isinstance(value, str) and opts.coerce:
        text = value.strip()
        if not _NUMBER_TEXT.fullmatch(text):
            return _wrong_type("a number", value, pii)
        value = float(text)  # cannot fail on this grammar; may overflow to inf
    elif not _is_number(value):
        return _wrong_type("a number", value, pii)
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        return Problem("OR-E302", "expected a finite number, found NaN, infinity or an overflow")
    return number


def _range(spec: FieldSpec, number: float, pii: bool) -> Problem | None:
    shown = "a smaller number" if pii else number_text(number)
    if spec.min is not None and number < spec.min:
        low = number_text(spec.min)
        return Problem("OR-E303", f"breaks min {low}: expected a number >= {low}, found {shown}")
    shown = "a larger number" if pii else shown
    if spec.max is not None and number > spec.max:
        high = number_text(spec.max)
        return Problem("OR-E303", f"breaks max {high}: expected a number <= {high}, found {shown}")
    return None


def check_number(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    number = _finite(value, pii, opts)
    if isinstance(number, Problem):
        return number
    return _range(spec, number, pii) or number


def check_integer(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    number = _finite(value, pii, opts)
    if isinstance(number, Problem):
        return _wrong_type("an integer", value, pii) if number.code == "OR-E302" else number
    if not number.is_integer():
        shown = "a number with a fraction" if pii else f"number {number_text(number)}"
        return Problem("OR-E302", f"expected an integer, found {shown}")
    if abs(number) > MAX_SAFE_INTEGER:
        return Problem(
            "OR-E303",
            f"breaks the safe integer range: expected an integer within "
            f"±{MAX_SAFE_INTEGER}, found a larger one",
        )
    return _range(spec, number, pii) or number


def check_boolean(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    if isinstance(value, bool):
        return value
    if opts.coerce and isinstance(value, str):
        parsed = _BOOLEAN_TEXT.get(value.strip().lower())
        if parsed is not None:
            return parsed
    return _wrong_type("a boolean", value, pii)


def check_enum(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    allowed = spec.values or ()
    text = _text("one of the enum's values (a string)", value, pii, opts)
    if isinstance(text, Problem):
        return text
    if text in allowed:
        return text
    listed = ", ".join(quote(v) for v in allowed[:10])
    more = f" ({len(allowed)} in all)" if len(allowed) > 10 else ""
    return Problem("OR-E304", f"expected one of {listed}{more}, found {found(text, pii)}")


def check_color(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    if not isinstance(value, str):
        return _wrong_type("a color string", value, pii)
    text = value.strip() if opts.coerce else value
    if not _COLOR.fullmatch(text):
        return Problem("OR-E306", f"expected #RGB, #RRGGBB or #RRGGBBAA, found {found(value, pii)}")
    digits = text[1:].lower()
    if len(digits) == 3:
        digits = "".join(c + c for c in digits)
    return "#" + (digits if len(digits) == 8 else digits + "ff")


def url_problem(text: str, schemes: tuple[str, ...]) -> str | None:
    """Why ``text`` is not an acceptable URL of one of ``schemes``, or None when it is."""
    if len(text) > MAX_URL_LENGTH:
        return f"is longer than {MAX_URL_LENGTH} characters"
    if _URL_FORBIDDEN.search(text):
        return "contains whitespace, a control character or a backslash"
    if not _valid_unicode(text):
        return "contains invalid Unicode"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0..65535
    except ValueError:
        return "is not a well-formed URL (or its port is invalid)"
    if parts.scheme.lower() not in schemes:
        return "does not start with " + " or ".join(f"{s}://" for s in schemes)
    if "@" in parts.netloc:
        return "has user info (user:password@)"
    if not text[len(parts.scheme) + 1 :].startswith("//") or not parts.hostname:
        return "has no host"
    return None


def check_url(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    if not isinstance(value, str):
        return _wrong_type("a URL string", value, pii)
    why = url_problem(value, ("http", "https"))
    if why is not None:
        return Problem("OR-E307", f"expected an http(s) URL, found {found(value, pii)} that {why}")
    return _max_length(spec, value, pii) or value


def check_image(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    if not isinstance(value, str):
        return _wrong_type("an https URL or an asset name", value, pii)
    if opts.assets is None:
        if _ASSET_NAME.fullmatch(value):
            return value
    elif value in opts.assets:
        return value
    if ":" not in value:
        return Problem(
            "OR-E307",
            f"expected an https URL or the name of one of the template's assets, "
            f"found {found(value, pii)} that is neither",
        )
    why = url_problem(value, ("https",))
    if why is not None:
        return Problem("OR-E307", f"expected an https URL, found {found(value, pii)} that {why}")
    return value


def check_date(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    if isinstance(value, datetime.datetime):
        return _wrong_type("a date", value, pii)
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return _wrong_type("a date string", value, pii)
    match = _DATE.fullmatch(value.strip() if opts.coerce else value)
    if match is None:
        return Problem("OR-E308", f"expected a date YYYY-MM-DD, found {found(value, pii)}")
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return Problem(
            "OR-E308", f"expected a date YYYY-MM-DD, found {found(value, pii)} that is no real day"
        )


def check_datetime(spec: FieldSpec, value: object, pii: bool, opts: Options) -> Value | Problem:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return Problem("OR-E308", "expected a datetime with an offset, found a naive datetime")
        moment: datetime.datetime = value
    elif isinstance(value, str):
        parsed = _parse_datetime(value.strip() if opts.coerce else value)
        if isinstance(parsed, str):
            return Problem(
                "OR-E308",
                f"expected an ISO 8601 datetime with an offset or Z, "
                f"found {found(value, pii)} {parsed}",
            )
        moment = parsed
    else:
        return _wrong_type("a datetime string", value, pii)
    try:
        return moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        return Problem("OR-E308", "expected a datetime within years 1..9999 in UTC, found another")


def _parse_datetime(text: str) -> datetime.datetime | str:
    """The aware datetime ``text`` writes, or why it is refused."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return "that is not in the form YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)"
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if zulu is None and sign is None:
        return "without an offset (naive datetimes are refused)"
    offset = datetime.timedelta(0)
    if sign is not None:
        if int(off_h) > 23 or int(off_m) > 59:
            return "with an offset out of range"
        offset = datetime.timedelta(hours=int(off_h), minutes=int(off_m))
        offset = -offset if sign == "-" else offset
    micro = int((fraction or "").ljust(6, "0")[:6])
    try:
        return datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micro,
            tzinfo=datetime.timezone(offset),
        )
    except ValueError:
        return "that is no real moment"


SCALAR_CHECKS: dict[str, Check] = {
    "string": check_string,
    "number": check_number,
    "integer": check_integer,
    "boolean": check_boolean,
    "enum": check_enum,
    "color": check_color,
    "url": check_url,
    "image": check_image,
    "date": check_date,
    "datetime": check_datetime,
}
"""The check of each scalar type (table-driven: ``list`` and ``object`` are walked elsewhere)."""

__all__ = ["SCALAR_CHECKS", "Options", "first_graphemes", "grapheme_count", "kind", "url_problem"]
