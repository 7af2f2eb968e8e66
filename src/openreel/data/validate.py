"""Validating a viewer's data against a template's schema, and checking the schema's defaults."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from openreel.errors import DataError, TemplateError, json_path
from openreel.template.data_schema import FieldSpec

from ._describe import kind
from ._model import MAX_DATA_BYTES, ValidatedData
from ._scalars import Options
from ._walk import Path, Walk, walk_fields, walk_value


def validate_data(
    fields: Mapping[str, FieldSpec],
    raw: Mapping[str, object],
    *,
    asset_names: Collection[str] = (),
    source: str | None = None,
    coerce_strings: bool = False,
) -> ValidatedData:
    """``raw`` checked against the schema ``fields``, normalised and completed with defaults.

    ``asset_names`` are the template's assets an ``image`` field may name. ``source`` (a file
    name or label) is set as the ``file`` of every error. ``coerce_strings`` lets strings stand
    for numbers, booleans, dates, lists and objects (CSV cells, query strings).

    Raises :class:`DataError` carrying every problem (``.errors``), each with its code and a
    path such as ``$.top_items[2].name``; ``OR-E300`` when ``raw`` is not an object and
    ``OR-E311`` when it is larger than 1 MiB as compact JSON.

    >>> from openreel.template import FieldSpec
    >>> schema = {"points": FieldSpec(type="integer", min=0), "tier": FieldSpec(
    ...     type="enum", values=("silver", "gold"), default="silver")}
    >>> validate_data(schema, {"points": 12}).values
    {'points': 12.0, 'tier': 'silver'}
    >>> try:
    ...     validate_data(schema, {"points": -1, "tier": "bronze"})
    ... except DataError as exc:
    ...     print(*exc.errors, sep="\\n")
    OR-E303 constraint broken at $.points: breaks min 0: expected a number >= 0, found -1
    OR-E304 value not allowed at $.tier: expected one of 'silver', 'gold', found string 'bronze'
    """
    if not isinstance(raw, Mapping):
        raise DataError(
            "OR-E300", f"expected an object of fields, found {kind(raw)}", file=source, path="$"
        )
    if json_size(raw, MAX_DATA_BYTES) > MAX_DATA_BYTES:
        raise DataError(
            "OR-E311",
            f"expected at most {MAX_DATA_BYTES} bytes of data as JSON, found more",
            file=source,
            path="$",
        )
    assets = asset_names if isinstance(asset_names, frozenset) else frozenset(asset_names)
    walk = Walk(Options(coerce=coerce_strings, assets=assets), source=source)
    values = walk_fields(fields, raw, (), False, walk)
    errors = walk.finished_errors()
    if errors:
        head, *rest = errors
        raise DataError(head.code, head.message, file=head.file, path=head.path, related=rest)
    return ValidatedData(values, tuple(walk.finished_warnings()), pii_paths(fields))


def check_defaults(
    fields: Mapping[str, FieldSpec], *, asset_names: Collection[str] | None = None
) -> list[TemplateError]:
    """An ``OR-E121`` error for every default that does not satisfy its own field.

    Nested defaults are checked too (``$.data.contact.fields.email.default``,
    ``$.data.top_items.items.default``). An ``image`` default naming an asset is checked
    against ``asset_names`` when given; otherwise any well-formed asset name passes. Unknown
    sub-fields in an object default are errors here (in viewer data they are warnings).

    >>> from openreel.template import FieldSpec
    >>> [e.render() for e in check_defaults({"n": FieldSpec(type="number", max=9, default=12)})]
    ['OR-E121 invalid data schema at $.data.n.default: the default does not satisfy its field: \
breaks max 9: expected a number <= 9, found 12']
    """
    assets = None if asset_names is None else frozenset(asset_names)
    out: list[TemplateError] = []
    for name, spec in fields.items():
        _check_default(spec, ("data", name), assets, out)
    return out


def _check_default(
    spec: FieldSpec, where: Path, assets: frozenset[str] | None, out: list[TemplateError]
) -> None:
    if spec.default is not None:
        walk = Walk(Options(coerce=False, assets=assets))
        walk_value(spec, spec.default, (), spec.pii, walk)
        for problem in [*walk.finished_errors(), *walk.finished_warnings()]:
            inner = "" if problem.path in (None, "$") else f" (at {problem.path} in the default)"
            out.append(
                TemplateError(
                    "OR-E121",
                    f"the default does not satisfy its field: {problem.message}{inner}",
                    path=json_path((*where, "default")),
                )
            )
    if spec.items is not None:
        _check_default(spec.items, (*where, "items"), assets, out)
    for name, sub in (spec.fields or {}).items():
        _check_default(sub, (*where, "fields", name), assets, out)


def pii_paths(fields: Mapping[str, FieldSpec]) -> frozenset[str]:
    """Dotted paths of every personal-data field, marked ``pii`` itself or inside a pii parent.

    >>> from openreel.template import FieldSpec
    >>> sorted(pii_paths({"contact": FieldSpec(type="object", fields={
    ...     "email": FieldSpec(type="string", pii=True), "city": FieldSpec(type="string")})}))
    ['contact.email']
    """
    out: set[str] = set()
    for name, spec in fields.items():
        _collect_pii(spec, name, spec.pii, out)
    return frozenset(out)


def _collect_pii(spec: FieldSpec, path: str, pii: bool, out: set[str]) -> None:
    if pii:
        out.add(path)
    if spec.items is not None:
        _collect_pii(spec.items, path + "[]", pii or spec.items.pii, out)
    for name, sub in (spec.fields or {}).items():
        _collect_pii(sub, f"{path}.{name}", pii or sub.pii, out)


def json_size(value: object, limit: int) -> int:
    """About the size of ``value`` as compact UTF-8 JSON, counted until it passes ``limit``.

    Iterative, so arbitrarily deep (even cyclic) input costs at most ``limit`` steps.
    Strings count their UTF-8 bytes plus quotes (escapes are not counted), numbers their
    digits, and non-JSON values (dates) 32 bytes.
    """
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += 2 + (len(item) if item.isascii() else len(item.encode("utf-8", "replace")))
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += 1 + item.bit_length() * 3 // 10
        elif isinstance(item, float):
            total += len(repr(item))
        elif isinstance(item, Mapping):
            total += 1 + 2 * max(len(item), 1)  # braces, colons and commas
            if total > limit:
                break
            for key, child in item.items():
                stack.append(key)
                stack.append(child)
        elif isinstance(item, list | tuple):
            total += 1 + max(len(item), 1)  # brackets and commas
            if total > limit:
                break
            stack.extend(item)
        else:
            total += 32
    return total
