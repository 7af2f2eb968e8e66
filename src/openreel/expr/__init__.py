"""OpenReel's expressions: CEL with designer-friendly numbers, checked when a template loads.

The browser player implements the same rules (with ``@marcbachmann/cel-js``); the shared
conformance vectors hold both to them. ``docs/expressions.md`` is the user-facing version.

**Where expressions appear.** A string property may interpolate ``{{ expr }}``
(:func:`compile_text`); a property that is exactly one ``{{ expr }}`` keeps the expression's
type; ``when`` and ``repeat`` hold a bare expression (:func:`compile_expression`).

**Parsing** is cel-python's CEL grammar. Evaluation is OpenReel's own (closures built once per
expression), because the rules below differ from stock CEL in most operators.

**Numbers.** Every number is a double: data numbers and integer fields, and every number
literal (``1``, ``0x1F``, ``1u`` are read as doubles). ``7 / 2 == 3.5``; ``%`` keeps the sign
of the dividend; division or remainder by zero, and any non-finite result, fail (OR-E208).
``size()``, ``int()`` and the timestamp getters give (whole) doubles. A list index must be a
whole number. Results come out as Python ``float``.

**Null and absence.** A name the viewer's data does not bind reads as null. ``has(x)`` for a
bare name is true when it is bound and not null; ``has(a.b)`` is true when the map ``a``
holds key ``b`` with a non-null value (unlike CEL's bare presence test: optional object fields
that are absent are bound to null, and designers mean "has a value").
``default(x, fallback)`` is ``fallback`` when ``x`` is null or fails. Reading a field of
null, or a field a map does not hold, fails. Nothing renders as "None" or "null": null is
written as ``""``.

**Equality and order.** ``==`` / ``!=`` never fail; values of different kinds are unequal;
``<`` and friends need two numbers, strings (code point order), bools, timestamps or durations.

**Logic.** ``||`` / ``&&`` / ``?:`` need bools; ``||`` is true if any operand is true even if
another fails (CEL's commutative rule), ``&&`` likewise false.

**Decisions.** ``decide("name")`` (a string literal, else OR-E207) is the arm chosen in the
Env's decisions; no arm for that name fails at evaluation.

**Functions.** CEL's ``size``, ``contains``, ``startsWith``, ``endsWith``, ``matches`` (RE2),
``int``, ``double``, ``string``, ``timestamp``, ``duration``, the timestamp getters
(``getFullYear`` ... ``getMilliseconds``, optional time zone), the macros ``has``, ``all``,
``exists``, ``exists_one``, ``map``, ``filter``; and OpenReel's ``format_number(x, locale?)``,
``format_currency(x, code, locale?)``, ``format_date(d, style?, locale?)``,
``plural(n, one, other)``, ``upper``, ``lower``, ``title``, ``truncate(s, n)``,
``join(list, sep)``, ``default(x, fallback)``, ``decide(name)``. Any function may be called
as ``f(x, ...)`` or ``x.f(...)`` except ``has``, ``default``, ``decide`` (only ``f(...)``) and
the comprehensions (only ``list.m(x, ...)``). Locales are BCP 47 tags (``"de-DE"``); a missing
or null locale is the Env's (the viewer's ``view.locale``, else ``"en-US"``); an unknown locale
argument fails (OR-E207 when it is a literal). Formatting matches ``Intl`` (see ``_format``).

**Text.** :func:`to_text`: strings as they are, numbers as JavaScript's ``String(x)``
(:func:`number_to_string`), ``true``/``false``, null as ``""``, lists joined with ``", "``,
dates ``YYYY-MM-DD``, timestamps ISO 8601 UTC with ``Z``; a map is OR-E209.

**Load-time checks** (each an :class:`~openreel.errors.ExpressionError` with ``path=where``):
nesting deeper than ``max_depth`` OR-E205 and source longer than ``max_length`` OR-E204, both
found before parsing; syntax OR-E201; unknown name OR-E202 (with a "did you mean");
unknown function OR-E203; access, argument or operator that does not fit the scope OR-E207;
static cost over ``max_cost`` OR-E206; an unclosed ``{{`` OR-E210.

**Errors at evaluation** (OR-E208) name the operation and the kinds of the values involved,
never the values themselves.
"""

from ._env import Env
from ._expression import Expression, compile_expression
from ._format import (
    DATE_STYLES,
    DEFAULT_LOCALE,
    FormatProblem,
    format_currency,
    format_date,
    format_number,
)
from ._functions import KNOWN as FUNCTION_NAMES
from ._numbers import number_to_string
from ._template import TextTemplate, compile_text, has_interpolation
from ._types import Kind, Limits, NameType, Scope
from ._values import Value, to_text

__all__ = [
    "DATE_STYLES",
    "DEFAULT_LOCALE",
    "FUNCTION_NAMES",
    "Env",
    "Expression",
    "FormatProblem",
    "Kind",
    "Limits",
    "NameType",
    "Scope",
    "TextTemplate",
    "Value",
    "compile_expression",
    "compile_text",
    "format_currency",
    "format_date",
    "format_number",
    "has_interpolation",
    "number_to_string",
    "to_text",
]
