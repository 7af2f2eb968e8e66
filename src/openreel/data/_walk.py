"""The walk over a viewer's data, as deep as the schema goes and no deeper.

Every problem is recorded with its JSON path and the walk goes on, so that one run reports all
of them (up to :data:`MAX_REPORTED`). Values of unknown fields are never read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openreel.errors import DataError, TemplateError, json_path
from openreel.template.data_schema import FieldSpec

from ._describe import Problem, found, kind
from ._model import DEFAULT_MAX_ITEMS, MAX_REPORTED, Value
from ._scalars import SCALAR_CHECKS, Options

Path = tuple[str | int, ...]
_JSON_FAILED = object()  # marks JSON text that did not parse (its problem is recorded)
_NAME_CHARS = 64  # an unknown field's name is cut to this many characters in its path


@dataclass(slots=True)
class Walk:
    """One validation run: its options and what it found."""

    options: Options
    source: str | None = None
    errors: list[DataError] = field(default_factory=list)
    warnings: list[DataError] = field(default_factory=list)
    unlisted_errors: int = 0
    unlisted_warnings: int = 0

    def error(self, problem: Problem, path: Path) -> None:
        if len(self.errors) >= MAX_REPORTED:
            self.unlisted_errors += 1
            return
        self.errors.append(
            DataError(problem.code, problem.message, file=self.source, path=json_path(path))
        )

    def unknown(self, name: object, path: Path, pii: bool) -> None:
        """Warn that a field the schema does not declare was dropped (inside a pii object, the
        warning points at the object and does not show the name, which may be personal)."""
        if len(self.warnings) >= MAX_REPORTED:
            self.unlisted_warnings += 1
            return
        message = "the schema declares no such field; it was dropped"
        if pii:
            message = "the schema declares no such field; one was dropped (its name is not shown)"
            where = json_path(path)
        else:
            text = name if isinstance(name, str) else kind(name)
            if len(text) > _NAME_CHARS:
                text = text[:_NAME_CHARS] + "…"
            where = json_path((*path, text))
        self.warnings.append(DataError("OR-E309", message, file=self.source, path=where))

    def finished_errors(self) -> list[DataError]:
        return _with_count(self.errors, self.unlisted_errors, "problems", self.source)

    def finished_warnings(self) -> list[DataError]:
        return _with_count(self.warnings, self.unlisted_warnings, "unknown fields", self.source)


def _with_count(
    items: list[DataError], unlisted: int, what: str, source: str | None
) -> list[DataError]:
    if not unlisted:
        return items
    last = items[-1]
    note = f"{unlisted} more {what} not listed (at most {MAX_REPORTED} are)"
    return [*items, DataError(last.code, note, file=source)]


def walk_fields(
    specs: Mapping[str, FieldSpec], raw: Mapping[str, object], path: Path, pii: bool, walk: Walk
) -> dict[str, Value]:
    """The declared fields of one object, each validated; unknown keys become warnings."""
    out: dict[str, Value] = {}
    for name, spec in specs.items():
        value = raw.get(name)
        child = (*path, name)
        if value is None:
            out[name] = absent(spec, child, pii or spec.pii, walk)
        else:
            out[name] = walk_value(spec, value, child, pii or spec.pii, walk)
    for key in raw:
        if key not in specs:
            walk.unknown(key, path, pii)
    return out


def absent(spec: FieldSpec, path: Path, pii: bool, walk: Walk) -> Value:
    """The value of an absent (or null) field: its default, None if optional, else OR-E301."""
    if spec.default is not None:
        return default_value(spec, path)
    if not spec.optional:
        walk.error(Problem("OR-E301", "a required field is missing (null counts as missing)"), path)
    return None


def default_value(spec: FieldSpec, path: Path = ()) -> Value:
    """A fresh, normalised copy of ``spec.default``.

    Raises :class:`TemplateError` ``OR-E121`` when the default breaks its own field: the
    template is at fault, and ``check_defaults`` reports it when the template is loaded.
    """
    walk = Walk(Options(coerce=False, assets=None))
    value = walk_value(spec, spec.default, path, True, walk)
    if walk.errors:
        raise TemplateError(
            "OR-E121",
            f"the template's default for {json_path(path)} does not satisfy its field",
            hint="Run check_defaults on the schema and fix the default.",
        )
    return value


def walk_value(spec: FieldSpec, value: object, path: Path, pii: bool, walk: Walk) -> Value:
    """``value`` validated against ``spec`` (problems are recorded; the result is then moot)."""
    check = SCALAR_CHECKS.get(spec.type)
    if check is not None:
        result = check(spec, value, pii, walk.options)
        if isinstance(result, Problem):
            walk.error(result, path)
            return None
        return result
    if isinstance(value, str) and walk.options.coerce:
        value = _json_text(value, spec, path, walk)
        if value is _JSON_FAILED:
            return None
        if value is None:  # the text "null"
            return absent(spec, path, pii, walk)
    if spec.type == "list":
        return _walk_list(spec, value, path, pii, walk)
    if not isinstance(value, Mapping):
        shown = found(value, pii or contains_pii(spec))
        walk.error(Problem("OR-E302", f"expected an object, found {shown}"), path)
        return None
    return walk_fields(spec.fields or {}, value, path, pii, walk)


def contains_pii(spec: FieldSpec) -> bool:
    """Whether ``spec`` or anything below it is pii: a wrong value in its place may be personal."""
    if spec.pii:
        return True
    children = [spec.items] if spec.items is not None else []
    return any(contains_pii(child) for child in [*children, *(spec.fields or {}).values()])


def _json_text(text: str, spec: FieldSpec, path: Path, walk: Walk) -> object:
    """A list or object cell written as JSON text (when coercing strings)."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        expected = "an array" if spec.type == "list" else "an object"
        walk.error(
            Problem(
                "OR-E302", f"expected {expected} as JSON text, found a string that is not JSON"
            ),
            path,
        )
        return _JSON_FAILED


def _no_constant(name: str) -> object:
    raise ValueError("NaN and Infinity are not JSON")


def _walk_list(spec: FieldSpec, value: object, path: Path, pii: bool, walk: Walk) -> Value:
    if not isinstance(value, list | tuple):
        shown = found(value, pii or contains_pii(spec))
        walk.error(Problem("OR-E302", f"expected an array, found {shown}"), path)
        return None
    items: Sequence[object] = value
    limit = spec.max_items if spec.max_items is not None else DEFAULT_MAX_ITEMS
    if len(items) > limit:
        rule = f"max_items {limit}" if spec.max_items is not None else f"the limit of {limit}"
        walk.error(
            Problem(
                "OR-E305", f"breaks {rule}: expected at most {limit} items, found {len(items)}"
            ),
            path,
        )
        items = items[:limit]  # the rest is not looked at
    item_spec = spec.items
    if item_spec is None:  # the schema model forbids it; kept for type narrowing
        return None
    item_pii = pii or item_spec.pii
    out: list[Value] = []
    for index, item in enumerate(items):
        child = (*path, index)
        if item is not None:
            out.append(walk_value(item_spec, item, child, item_pii, walk))
        elif item_spec.default is not None or item_spec.optional:
            out.append(absent(item_spec, child, item_pii, walk))
        else:
            problem = Problem("OR-E302", f"expected an item of type {item_spec.type}, found null")
            walk.error(problem, child)
    return out
