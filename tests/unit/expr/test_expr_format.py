"""Locale formatting: the Python side must write what the browser's Intl writes.

The expected strings below were produced by Node 20 (ICU 78.2, CLDR 48) with
``Intl.NumberFormat(locale)``, ``Intl.NumberFormat(locale, {style: "currency", currency})`` and
``Intl.DateTimeFormat(locale, {dateStyle, timeZone: "UTC"})``, and pasted here as literals.
"""

from __future__ import annotations

import datetime
import unicodedata

import pytest

from openreel.errors import ExpressionError
from openreel.expr import Env, NameType, compile_expression
from openreel.expr import _format as F

INTL = [
    ("number", "en-US", 1234567.891, None, "1,234,567.891"),
    ("number", "en-US", -1234.5, None, "-1,234.5"),
    ("number", "en-US", 0.0005, None, "0.001"),
    ("currency", "en-US", 1234.5, "EUR", "€1,234.50"),
    ("currency", "en-US", -2.5, "JPY", "-¥3"),
    ("currency", "en-US", 10.0, "EGP", "EGP\xa010.00"),
    ("date", "en-US", "2024-01-05", "short", "1/5/24"),
    ("date", "en-US", "2024-01-05", "medium", "Jan 5, 2024"),
    ("date", "en-US", "2024-01-05", "long", "January 5, 2024"),
    ("date", "en-US", "2024-01-05", "full", "Friday, January 5, 2024"),
    ("number", "en-GB", 1234567.891, None, "1,234,567.891"),
    ("number", "en-GB", -1234.5, None, "-1,234.5"),
    ("number", "en-GB", 0.0005, None, "0.001"),
    ("currency", "en-GB", 1234.5, "EUR", "€1,234.50"),
    ("currency", "en-GB", -2.5, "JPY", "-JP¥3"),
    ("currency", "en-GB", 10.0, "EGP", "EGP\xa010.00"),
    ("date", "en-GB", "2024-01-05", "short", "05/01/2024"),
    ("date", "en-GB", "2024-01-05", "medium", "5 Jan 2024"),
    ("date", "en-GB", "2024-01-05", "long", "5 January 2024"),
    ("date", "en-GB", "2024-01-05", "full", "Friday, 5 January 2024"),
    ("number", "de-DE", 1234567.891, None, "1.234.567,891"),
    ("number", "de-DE", -1234.5, None, "-1.234,5"),
    ("number", "de-DE", 0.0005, None, "0,001"),
    ("currency", "de-DE", 1234.5, "EUR", "1.234,50\xa0€"),
    ("currency", "de-DE", -2.5, "JPY", "-3\xa0¥"),
    ("currency", "de-DE", 10.0, "EGP", "10,00\xa0EGP"),
    ("date", "de-DE", "2024-01-05", "short", "05.01.24"),
    ("date", "de-DE", "2024-01-05", "medium", "05.01.2024"),
    ("date", "de-DE", "2024-01-05", "long", "5. Januar 2024"),
    ("date", "de-DE", "2024-01-05", "full", "Freitag, 5. Januar 2024"),
    ("number", "fr-FR", 1234567.891, None, "1\u202f234\u202f567,891"),
    ("number", "fr-FR", -1234.5, None, "-1\u202f234,5"),
    ("number", "fr-FR", 0.0005, None, "0,001"),
    ("currency", "fr-FR", 1234.5, "EUR", "1\u202f234,50\xa0€"),
    ("currency", "fr-FR", -2.5, "JPY", "-3\xa0JPY"),
    ("currency", "fr-FR", 10.0, "EGP", "10,00\xa0EGP"),
    ("date", "fr-FR", "2024-01-05", "short", "05/01/2024"),
    ("date", "fr-FR", "2024-01-05", "medium", "5 janv. 2024"),
    ("date", "fr-FR", "2024-01-05", "long", "5 janvier 2024"),
    ("date", "fr-FR", "2024-01-05", "full", "vendredi 5 janvier 2024"),
    ("number", "es-ES", 1234567.891, None, "1.234.567,891"),
    ("number", "es-ES", -1234.5, None, "-1234,5"),
    ("number", "es-ES", 0.0005, None, "0,001"),
    ("currency", "es-ES", 1234.5, "EUR", "1234,50\xa0€"),
    ("currency", "es-ES", -2.5, "JPY", "-3\xa0JPY"),
    ("currency", "es-ES", 10.0, "EGP", "10,00\xa0EGP"),
    ("date", "es-ES", "2024-01-05", "short", "5/1/24"),
    ("date", "es-ES", "2024-01-05", "medium", "5 ene 2024"),
    ("date", "es-ES", "2024-01-05", "long", "5 de enero de 2024"),
    ("date", "es-ES", "2024-01-05", "full", "viernes, 5 de enero de 2024"),
    ("number", "pt-BR", 1234567.891, None, "1.234.567,891"),
    ("number", "pt-BR", -1234.5, None, "-1.234,5"),
    ("number", "pt-BR", 0.0005, None, "0,001"),
    ("currency", "pt-BR", 1234.5, "EUR", "€\xa01.234,50"),
    ("currency", "pt-BR", -2.5, "JPY", "-JP¥\xa03"),
    ("currency", "pt-BR", 10.0, "EGP", "EGP\xa010,00"),
    ("date", "pt-BR", "2024-01-05", "short", "05/01/2024"),
    ("date", "pt-BR", "2024-01-05", "medium", "5 de jan. de 2024"),
    ("date", "pt-BR", "2024-01-05", "long", "5 de janeiro de 2024"),
    ("date", "pt-BR", "2024-01-05", "full", "sexta-feira, 5 de janeiro de 2024"),
    ("number", "ja-JP", 1234567.891, None, "1,234,567.891"),
    ("number", "ja-JP", -1234.5, None, "-1,234.5"),
    ("number", "ja-JP", 0.0005, None, "0.001"),
    ("currency", "ja-JP", 1234.5, "EUR", "€1,234.50"),
    ("currency", "ja-JP", -2.5, "JPY", "-￥3"),
    ("currency", "ja-JP", 10.0, "EGP", "EGP\xa010.00"),
    ("date", "ja-JP", "2024-01-05", "short", "2024/01/05"),
    ("date", "ja-JP", "2024-01-05", "medium", "2024/01/05"),
    ("date", "ja-JP", "2024-01-05", "long", "2024年1月5日"),
    ("date", "ja-JP", "2024-01-05", "full", "2024年1月5日金曜日"),
    ("number", "hi-IN", 1234567.891, None, "12,34,567.891"),
    ("number", "hi-IN", -1234.5, None, "-1,234.5"),
    ("number", "hi-IN", 0.0005, None, "0.001"),
    ("currency", "hi-IN", 1234.5, "EUR", "€1,234.50"),
    ("currency", "hi-IN", -2.5, "JPY", "-JP¥3"),
    ("currency", "hi-IN", 10.0, "EGP", "EGP\xa010.00"),
    ("date", "hi-IN", "2024-01-05", "short", "5/1/24"),
    ("date", "hi-IN", "2024-01-05", "medium", "5 जन॰ 2024"),
    ("date", "hi-IN", "2024-01-05", "long", "5 जनवरी 2024"),
    ("date", "hi-IN", "2024-01-05", "full", "शुक्रवार, 5 जनवरी 2024"),
    ("number", "ar-EG", 1234567.891, None, "١٬٢٣٤٬٥٦٧٫٨٩١"),
    ("number", "ar-EG", -1234.5, None, "\u061c-١٬٢٣٤٫٥"),
    ("number", "ar-EG", 0.0005, None, "٠٫٠٠١"),
    ("currency", "ar-EG", 1234.5, "EUR", "\u200f١٬٢٣٤٫٥٠\xa0€"),
    ("currency", "ar-EG", -2.5, "JPY", "\u061c-\u200f٣\xa0JP¥"),
    ("currency", "ar-EG", 10.0, "EGP", "\u200f١٠٫٠٠\xa0ج.م.\u200f"),
    ("date", "ar-EG", "2024-01-05", "short", "٥\u200f/١\u200f/٢٠٢٤"),
    ("date", "ar-EG", "2024-01-05", "medium", "٠٥\u200f/٠١\u200f/٢٠٢٤"),
    ("date", "ar-EG", "2024-01-05", "long", "٥ يناير ٢٠٢٤"),
    ("date", "ar-EG", "2024-01-05", "full", "الجمعة، ٥ يناير ٢٠٢٤"),
]


@pytest.mark.parametrize(("kind", "locale", "x", "extra", "expected"), INTL)
def test_matches_intl(kind: str, locale: str, x: object, extra: str | None, expected: str) -> None:
    if kind == "number":
        assert isinstance(x, float)
        got = F.format_number(x, locale)
    elif kind == "currency":
        assert isinstance(x, float) and extra is not None
        got = F.format_currency(x, extra, locale)
    else:
        assert isinstance(x, str) and extra is not None
        got = F.format_date(datetime.date.fromisoformat(x), extra, locale)
    assert got == expected


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (1.0005, "1.001"),  # half away from zero on the shortest decimal (Babel: half even)
        (2.5, "2.5"),
        (0.0004, "0"),
        (-0.0004, "-0"),  # Intl keeps the sign of a negative number rounded to zero
        (-0.0, "-0"),
        (1e21, "1,000,000,000,000,000,000,000"),
        (999.9995, "1,000"),
    ],
)
def test_format_number_rounding_en_us(x: float, expected: str) -> None:
    assert F.format_number(x) == expected


def test_min_grouping_digits() -> None:
    assert F.format_number(1234.0, "es-ES") == "1234"
    assert F.format_number(12345.0, "es-ES") == "12.345"
    assert F.format_number(9999.9996, "es-ES") == "10.000"  # grouped after rounding
    assert F.format_number(1234.0, "es-MX") == "1,234"
    assert F.format_currency(1234.5, "EUR", "es-ES") == "1234,50\xa0€"


def test_own_digits_and_minus_sign() -> None:
    assert F.format_number(-12.5, "sv-SE") == "\u221212,5"
    assert F.format_number(1234.5, "mr-IN") == "१,२३४.५"
    assert F.format_date(datetime.date(2024, 1, 5), "long", "ar-EG") == "٥ يناير ٢٠٢٤"


def test_digit_tables_are_unicode_digits() -> None:
    for zero in F._ZERO_DIGIT.values():
        assert [unicodedata.digit(chr(zero + d)) for d in range(10)] == list(range(10))


def test_timestamps_format_as_their_utc_date() -> None:
    late = datetime.datetime(2024, 7, 14, 23, 30, tzinfo=datetime.UTC)
    berlin = late.astimezone(datetime.timezone(datetime.timedelta(hours=2)))  # already the 15th
    assert F.format_date(berlin, "short", "en-US") == "7/14/24"


@pytest.mark.parametrize("tag", ["xx", "de_DE", "en-US-u-ca-buddhist", "", "e"])
def test_unknown_locales(tag: str) -> None:
    with pytest.raises(F.FormatProblem):
        F.format_number(1.0, tag)


def test_currency_codes() -> None:
    assert F.check_currency("usd") == "USD"
    for bad in ("EURO", "E1R", "XQQ", "€"):
        with pytest.raises(F.FormatProblem):
            F.check_currency(bad)


SCOPE = {
    "points": NameType("number"),
    "joined": NameType("timestamp"),
    "view": NameType("object", fields={"locale": NameType("string")}),
}


def _run(source: str, **values: object) -> object:
    env = Env.from_plain(values)  # type: ignore[arg-type]
    return compile_expression(source, SCOPE, where="$.t").evaluate(env)


def test_formatting_functions_in_expressions() -> None:
    day = datetime.date(2024, 1, 5)
    assert _run("format_number(points, view.locale)", points=1234.5, view={"locale": "de-DE"}) == (
        "1.234,5"
    )
    with pytest.raises(ExpressionError):  # a missing map key fails (unlike an unbound name)
        _run("format_number(points, view.locale)", points=1234.5, view={})
    assert _run("format_number(points, default(view.locale, null))", points=1.5, view={}) == "1.5"
    assert _run("format_number(points, view.locale)", points=1234.5, view={"locale": None}) == (
        "1,234.5"
    )
    assert _run("points.format_number('fr-FR')", points=1234.5) == "1\u202f234,5"
    assert _run("format_currency(points, 'usd')", points=3) == "$3.00"
    assert _run("format_date(joined)", joined=day) == "January 5, 2024"
    assert _run("format_date(joined, null, 'de-DE')", joined=day) == "5. Januar 2024"
    assert _run("joined.format_date('medium')", joined=day) == "Jan 5, 2024"


def test_unknown_locale_from_data_fails_without_echo() -> None:
    with pytest.raises(ExpressionError) as info:
        _run("format_number(points, view.locale)", points=1.0, view={"locale": "zz-CANARY"})
    assert info.value.code == "OR-E208"
    assert info.value.path == "$.t"
    assert "CANARY" not in str(info.value)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("format_number(points, 'xx-YY')", "'xx-YY'"),
        ("format_currency(points, 'EURO')", "'EURO'"),
        ("format_date(joined, 'tiny')", "'tiny'"),
        ("format_date(joined, 'long', 'de_DE')", "'de_DE'"),
    ],
)
def test_literal_arguments_are_checked_at_load(source: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE, where="$.x")
    assert info.value.code == "OR-E207"
    assert fragment in info.value.message


VIEW_SCOPE = {
    "points": NameType("number"),
    "joined": NameType("timestamp"),
    "view": NameType("object", fields={"locale": NameType("string")}),
}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (Env.from_plain({"points": 1234.5}), "1,234.5"),
        (Env.from_plain({"points": 1234.5, "view": {"locale": "de-DE"}}), "1.234,5"),
        (Env.from_plain({"points": 1234.5}, locale="fr-FR"), "1\u202f234,5"),
        (Env.from_plain({"points": 1234.5, "view": {"locale": "de-XX"}}), "1.234,5"),
        (Env.from_plain({"points": 1234.5, "view": {"locale": "en-u-nu-thai"}}), "1,234.5"),
        (Env.from_plain({"points": 1234.5, "view": {"locale": "??"}}), "1,234.5"),
        (Env.from_plain({"points": 1234.5}).child({"view": {"locale": "es-ES"}}), "1234,5"),
    ],
)
def test_default_locale_is_the_viewers(env: Env, expected: str) -> None:
    for source in ("format_number(points)", "format_number(points, null)"):
        assert compile_expression(source, VIEW_SCOPE).evaluate(env) == expected


def test_default_locale_in_currency_and_dates() -> None:
    env = Env.from_plain({"points": 2, "joined": datetime.date(2024, 1, 5)}, locale="de-DE")

    def run(source: str) -> object:
        return compile_expression(source, VIEW_SCOPE).evaluate(env)

    assert run("format_currency(points, 'EUR')") == "2,00\xa0€"
    assert run("format_date(joined)") == "5. Januar 2024"
    assert run("format_date(joined, 'short')") == "05.01.24"
    assert run("format_date(joined, 'short', 'en-US')") == "1/5/24"  # an explicit locale wins


def test_formatting_without_locale_reads_view_locale() -> None:
    implicit = compile_expression("format_number(points)", VIEW_SCOPE)
    assert implicit.names == {"points", "view.locale"}
    assert implicit.roots == {"points", "view"}
    explicit = compile_expression("format_number(points, 'de-DE')", VIEW_SCOPE)
    assert explicit.names == {"points"}
    # without a view in scope there is nothing to record
    assert compile_expression("format_number(1)", {}).names == frozenset()
