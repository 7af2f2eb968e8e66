"""Locale-aware formatting with Babel, made to match the browser's ``Intl`` (ICU) output.

The browser player formats with ``Intl.NumberFormat(locale)``,
``Intl.NumberFormat(locale, {style: "currency", currency: code})`` and
``Intl.DateTimeFormat(locale, {dateStyle: style, timeZone: "UTC"})``. Babel and ICU read the
same CLDR data but differ in a few rules, which this module closes:

- rounding: ICU rounds half away from zero on the shortest decimal that reads back as the
  double (``1.0005`` -> ``1.001``); Babel would round half to even;
- digits: ICU writes the locale's default numbering system (``ar-EG`` -> ``١٬٢٣٤٫٥``); Babel
  only swaps the separators, so ASCII digits are transliterated here;
- the minus sign: ICU writes the locale's minus sign (``sv-SE`` -> ``−``), Babel the pattern's
  ``-``; in locales with their own digits ICU puts it before the pattern's right-to-left mark;
- minimum grouping digits: in some locales (``es-ES``, ``pl-PL``, ``pt-PT``, ...) a four-digit
  number is not grouped (``1234``); Babel does not know this CLDR rule (table below);
- currency spacing: ICU puts a no-break space between a currency symbol ending in a letter and
  the digits (``EGP 10.00``).

Errors raise :class:`FormatProblem` with a message that never contains the value, the locale
or the currency code (those may come from viewer data).
"""

from __future__ import annotations

import datetime
import decimal
import functools
import re
import unicodedata

from babel import Locale, UnknownLocaleError, dates, numbers

DEFAULT_LOCALE = "en-US"
DATE_STYLES = ("short", "medium", "long", "full")

# Locales whose CLDR minimumGroupingDigits is 2: a number is grouped only from 5 integer
# digits on. CLDR 48 as ICU 78 applies it (read with node's Intl: 1234 ungrouped, 12345
# grouped), keyed by Babel's locale identifier.
_MIN_GROUPING_2 = frozenset(
    [
        "be",
        "be_BY",
        "be_TARASK",
        "bg",
        "bg_BG",
        "es",
        "es_EA",
        "es_ES",
        "es_GQ",
        "es_IC",
        "es_PH",
        "et",
        "et_EE",
        "hu",
        "hu_HU",
        "hy",
        "hy_AM",
        "ia",
        "ia_001",
        "ie",
        "ie_EE",
        "it",
        "it_CH",
        "it_IT",
        "it_SM",
        "it_VA",
        "ka",
        "ka_GE",
        "lv",
        "lv_LV",
        "pl",
        "pl_PL",
        "pt_CH",
        "pt_CV",
        "pt_GQ",
        "pt_GW",
        "pt_LU",
        "pt_MO",
        "pt_MZ",
        "pt_PT",
        "pt_ST",
        "pt_TL",
        "ru_UA",
        "sl",
        "sl_SI",
        "sq",
        "sq_AL",
        "sq_MK",
        "sq_XK",
    ]
)

# The zero digit of the numbering systems that are some CLDR locale's default; the other
# digits follow it in Unicode.
_ZERO_DIGIT = {
    "arab": 0x0660,
    "arabext": 0x06F0,
    "adlm": 0x1E950,
    "beng": 0x09E6,
    "cakm": 0x11136,
    "deva": 0x0966,
    "hmnp": 0x1E140,
    "mtei": 0xABF0,
    "mymr": 0x1040,
    "nkoo": 0x07C0,
    "olck": 0x1C50,
    "tibt": 0x0F20,
}
_LOCALE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
_HALF_AWAY = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_UP)


class FormatProblem(ValueError):
    """A formatting function got an argument it cannot use; the message is safe to show."""


@functools.lru_cache(maxsize=512)
def parse_locale(tag: str) -> Locale:
    """The Babel locale for a BCP 47 tag such as ``"de-DE"`` (FormatProblem when unknown)."""
    if not _LOCALE_TAG.fullmatch(tag):
        raise FormatProblem('the locale is not a BCP 47 tag such as "de-DE"')
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise FormatProblem("the locale is not one OpenReel knows (CLDR)") from exc


def usable_locale(tag: object) -> str | None:
    """The viewer's locale as a default for formatting: ``tag`` when OpenReel knows it, else
    its language alone (``"de-XX"`` -> ``"de"``, extensions dropped), else None (en-US).
    Never raises: a browser may report any tag."""
    if not isinstance(tag, str):
        return None
    for candidate in (tag, tag.split("-")[0]):
        try:
            parse_locale(candidate)
        except FormatProblem:
            continue
        return candidate
    return None


def _locale(tag: str | None) -> Locale:
    return parse_locale(DEFAULT_LOCALE if tag is None else tag)


@functools.lru_cache(maxsize=512)
def _digits_table(locale: Locale) -> tuple[str, dict[int, str]]:
    """(numbering system to ask Babel for, ASCII digit -> locale digit table)."""
    system = locale.default_numbering_system or "latn"
    zero = _ZERO_DIGIT.get(system)
    if zero is None or system not in locale.number_symbols:
        return "latn", {}
    table = {ord("0") + d: chr(zero + d) for d in range(10)}
    if any(unicodedata.digit(ch, -1) != d for d, ch in enumerate(table.values())):
        return "latn", {}  # pragma: no cover - the table above is checked by the tests
    return system, table


def check_currency(code: str) -> str:
    """The upper-cased ISO 4217 code, or FormatProblem when Babel does not know it."""
    upper = code.upper()
    if not (len(upper) == 3 and upper.isascii() and upper.isalpha()):
        raise FormatProblem('a currency code is three letters such as "EUR"')
    if not numbers.is_currency(upper):
        raise FormatProblem("the currency code is not an ISO 4217 code OpenReel knows")
    return upper


def check_date_style(style: str) -> str:
    if style not in DATE_STYLES:
        raise FormatProblem("the date style is one of short, medium, long, full")
    return style


def _decimal(x: float) -> decimal.Decimal:
    return decimal.Decimal(repr(float(x)))


def _grouped(locale: Locale, rounded: decimal.Decimal) -> bool:
    return str(locale) not in _MIN_GROUPING_2 or abs(rounded) >= 10000


def _localize(text: str, locale: Locale, negative: bool) -> str:
    system, table = _digits_table(locale)
    if negative:
        minus = numbers.get_minus_sign_symbol(locale, numbering_system=system)
        text = text.replace("-", minus, 1)
        if table and text.startswith("\u200f" + minus):
            # ICU prefixes the sign to the whole pattern (before its right-to-left mark)
            text = minus + "\u200f" + text[1 + len(minus) :]
    return text.translate(table) if table else text


def format_number(x: float, locale: str | None = None) -> str:
    """``Intl.NumberFormat(locale).format(x)``: grouping, at most 3 fraction digits.

    >>> format_number(1234.5, "de-DE"), format_number(1.0005), format_number(1234, "es-ES")
    ('1.234,5', '1.001', '1234')
    """
    loc = _locale(locale)
    value = _decimal(x)
    with decimal.localcontext(_HALF_AWAY):
        rounded = value.quantize(decimal.Decimal("0.001"))
        system, _ = _digits_table(loc)
        text = numbers.format_decimal(
            value, locale=loc, group_separator=_grouped(loc, rounded), numbering_system=system
        )
    return _localize(text, loc, value.is_signed())


def _currency_spacing(text: str, symbol: str) -> str:
    """ICU's currency spacing: a no-break space between a symbol ending (or starting) with a
    character that is neither a symbol (S*) nor a space (Z*) and an adjacent digit."""
    if not symbol:
        return text
    at = text.find(symbol)
    if at < 0:
        return text
    end = at + len(symbol)
    if end < len(text) and text[end].isdigit() and unicodedata.category(symbol[-1])[0] not in "SZ":
        text = text[:end] + "\u00a0" + text[end:]
    if at > 0 and text[at - 1].isdigit() and unicodedata.category(symbol[0])[0] not in "SZ":
        text = text[:at] + "\u00a0" + text[at:]
    return text


def format_currency(x: float, code: str, locale: str | None = None) -> str:
    """``Intl.NumberFormat(locale, {style: "currency", currency: code}).format(x)``.

    >>> format_currency(1234.5, "EUR", "de-DE"), format_currency(2.5, "JPY", "en-US")
    ('1.234,50\\xa0€', '¥3')
    """
    loc = _locale(locale)
    currency = check_currency(code)
    value = _decimal(x)
    digits = numbers.get_currency_precision(currency)
    with decimal.localcontext(_HALF_AWAY):
        rounded = value.quantize(decimal.Decimal(1).scaleb(-digits))
        system, _ = _digits_table(loc)
        text = numbers.format_currency(
            value,
            currency,
            locale=loc,
            group_separator=_grouped(loc, rounded),
            numbering_system=system,
        )
    text = _currency_spacing(text, numbers.get_currency_symbol(currency, locale=loc))
    return _localize(text, loc, value.is_signed())


def format_date(day: datetime.date, style: str = "long", locale: str | None = None) -> str:
    """``Intl.DateTimeFormat(locale, {dateStyle: style, timeZone: "UTC"}).format(day)``.

    A timestamp is formatted as its calendar date in UTC.

    >>> format_date(datetime.date(2024, 1, 5)), format_date(datetime.date(2024, 1, 5), "short")
    ('January 5, 2024', '1/5/24')
    """
    loc = _locale(locale)
    check_date_style(style)
    if isinstance(day, datetime.datetime):
        day = day.astimezone(datetime.UTC).date()
    text = dates.format_date(day, format=style, locale=loc)
    return _localize(text, loc, negative=False)
