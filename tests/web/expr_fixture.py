"""Expression vectors shared with the player: each CEL source, its data and the Python result.

``player/test/fixtures/expressions.json`` lists ``[source, data, result]`` where ``result`` is
``{"value": plain}`` (dates as ``{"date": "YYYY-MM-DD"}``, timestamps as ``{"timestamp": iso}``)
or ``{"error": "OR-E2xx"}``. The node tests require the player's evaluator (cel-js AST + OpenReel
semantics) to give the same; ``test_expr_fixture.py`` keeps the file in step with
:mod:`openreel.expr`. Regenerate with ``python tests/web/expr_fixture.py``. Every OpenReel
function is covered in several locales (``en-US``, ``de-DE``, ``fr-FR``, ``ja-JP``, ``ar-EG``,
``hi-IN``, ``pt-BR``, ``es-ES``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from openreel.errors import OpenReelError
from openreel.expr import Env, NameType, compile_expression
from openreel.expr._values import iso_date, iso_timestamp

FIXTURE = Path(__file__).resolve().parents[2] / "player" / "test" / "fixtures" / "expressions.json"
DATA: dict[str, Any] = {
    "name": "dana ÅSTRÖM",
    "points": 1234.5,
    "n": 3,
    "zero": 0,
    "neg": -7,
    "items": [1, 2, 3],
    "words": ["tea", "café", "👨‍👩‍👧‍👦 family"],
    "obj": {"a": 1, "b": None, "c": {"d": "x"}},
    "missing": None,
    "joined": dt.date(2024, 1, 5),
    "when": dt.datetime(2024, 7, 14, 23, 30, 15, 250000, tzinfo=dt.UTC),
    "flag": True,
}
LOCALES = ["en-US", "de-DE", "fr-FR", "ja-JP", "ar-EG", "hi-IN", "pt-BR", "es-ES", "en-IN", "sv-SE"]
NUMBERS = ["1234.5", "1234", "-1234567.891", "0.0005", "1.0005", "12345", "-0.5", "1e21", "2.5"]
SOURCES: list[str] = [
    "7 / 2",
    "-7 % 3",
    "7.5 % 2",
    "1 / 0",
    "5 % 0",
    "0.1 + 0.2",
    "1e308 * 10",
    "0x1F + 1u",
    "points * 2 > 100",
    "n == 3",
    "1 == '1'",
    "missing == null",
    "[1, 2] == [1, 2]",
    "{'a': 1} == {'a': 1}",
    "'b' > 'a'",
    "'a' < 1",
    "true > false",
    "2 in items",
    "'a' in obj",
    "has(name)",
    "has(missing)",
    "has(obj.b)",
    "has(obj.z)",
    "has(name.x)",
    "obj.b",
    "obj.z",
    "missing.x",
    "default(missing, 'x')",
    "default(obj.z, 'fallback')",
    "default(1 / 0, 9)",
    "default(name, 'x')",
    "items[1]",
    "items[1.5]",
    "items[5]",
    "obj['c']['d']",
    "obj.c.d",
    "true || 1 / 0 > 1",
    "1 / 0 > 1 || true",
    "false && (1 / 0 > 1)",
    "1 / 0 > 1 && true",
    "1 / 0 > 1 || false",
    "flag ? 'yes' : 'no'",
    "n ? 1 : 2",
    "!flag",
    "-n",
    "!n",
    "items.all(i, i > 0)",
    "items.exists(i, i > 2)",
    "items.exists_one(i, i > 1)",
    "items.filter(i, i % 2 == 1)",
    "items.map(i, i * 10)",
    "items.map(i, i > 1, i * 10)",
    "obj.map(k, k)",
    "obj.all(k, size(k) == 1)",
    "items.all(i, i / 0 > 1 || i > 0)",
    "size(name)",
    "size(words[2])",
    "size(items)",
    "size(obj)",
    "name.contains('ÅST')",
    "name.startsWith('dana')",
    "name.endsWith('x')",
    "name.matches('^d[a-z]+ ')",
    "int(3.7)",
    "int(-3.7)",
    "int('42')",
    "int('4.2')",
    "double('2.5')",
    "double('x')",
    "string(3.0)",
    "string(0.1 + 0.2)",
    "string(1e21)",
    "string(1e-7)",
    "string(-0.0)",
    "string(items)",
    "string(missing)",
    "string(duration('1h30m'))",
    "string(joined)",
    "string(when)",
    "string(obj)",
    "timestamp('2024-01-05T10:00:00Z')",
    "timestamp('2024-01-05T10:00:00.123456789+05:30')",
    "timestamp('2024-02-30T10:00:00Z')",
    "timestamp('nope')",
    "duration('-2.5s') + duration('1m')",
    "when - joined",
    "string(when - joined)",
    "when + duration('36h')",
    "joined < when",
    "joined == joined",
    "when.getFullYear()",
    "when.getMonth()",
    "when.getDate()",
    "when.getDayOfMonth()",
    "when.getDayOfWeek()",
    "when.getDayOfYear()",
    "when.getHours()",
    "when.getMinutes()",
    "when.getSeconds()",
    "when.getMilliseconds()",
    "when.getHours('Asia/Kolkata')",
    "when.getDate('Pacific/Auckland')",
    "when.getHours('-03:30')",
    "when.getHours('Mars/Base')",
    "duration('90m').getHours()",
    "duration('90m').getMinutes()",
    "joined.getDayOfWeek()",
    "upper(name)",
    "lower(name)",
    "title(name)",
    "title('hELLO\\twORLD  ok')",
    "upper('straße')",
    "truncate(words[2], 2)",
    "truncate(name, 4)",
    "truncate(name, 40)",
    "truncate(name, 0)",
    "join(items, ' + ')",
    "join([1, null, 'a', true], '|')",
    "join([obj], ',')",
    "plural(n, 'item', 'items')",
    "plural(1, 'item', 'items')",
    "name.upper()",
    "items.join('-')",
    "decide('offer')",
    "decide('nothing')",
    "format_number(points)",
    "format_currency(points, 'usd')",
    "format_currency(points, 'XYZ')",
    "format_currency(2.5, 'JPY')",
    "format_date(joined)",
    "format_date(when, 'short')",
    "format_number(points, 'xx-invalid-')",
    "format_number(name)",
    "format_date(points)",
    "[1, 'a', null] + [true]",
    "'a' + 'b'",
    "'a' + 1",
    "{'a': 1, 'a': 2}",
    "{'k': items}['k'][0]",
    "missing.map(x, x)",
]
for loc in LOCALES:
    for num in NUMBERS:
        SOURCES.append(f"format_number({num}, '{loc}')")
    SOURCES.append(f"format_currency(1234.5, 'EUR', '{loc}')")
    SOURCES.append(f"format_currency(-1234.5, 'USD', '{loc}')")
    SOURCES.append(f"format_currency(1234.567, 'JPY', '{loc}')")
    for style in ("short", "medium", "long", "full"):
        SOURCES.append(f"format_date(joined, '{style}', '{loc}')")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"timestamp": iso_timestamp(value)}
    if isinstance(value, dt.date):
        return {"date": iso_date(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _data_json() -> dict[str, Any]:
    out = dict(DATA)
    out["joined"] = {"date": iso_date(DATA["joined"])}
    out["when"] = {"timestamp": "2024-07-14T23:30:15.250Z"}
    return out


def table() -> dict[str, Any]:
    scope = {name: NameType("any") for name in DATA}
    env = Env.from_plain(DATA, decisions={"offer": "discount"})
    rows: list[list[Any]] = []
    for source in SOURCES:
        try:
            expr = compile_expression(source, scope)
            result: dict[str, Any] = {"value": _plain(expr.evaluate(env))}
        except OpenReelError as exc:
            result = {"error": exc.code}
        rows.append([source, result])
    return {"data": _data_json(), "decisions": {"offer": "discount"}, "rows": rows}


def render() -> str:
    return json.dumps(table(), ensure_ascii=False, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    FIXTURE.write_text(render(), encoding="utf-8")
