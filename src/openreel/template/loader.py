"""Load a template folder: parse JSON or YAML, validate the model, check asset and font paths.

Validation errors from pydantic become :class:`~openreel.errors.TemplateError` values with stable
codes and JSON paths into the template file; all of them are reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import ValidationError

from openreel.errors import TemplateError, combine, json_path

from .model import Template

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
TEMPLATE_FILES = ("template.json", "template.yaml", "template.yml")

# pydantic error types -> our codes (custom ``or_eNNN`` types map themselves)
_PYDANTIC_CODES: dict[str, str] = {
    "extra_forbidden": "OR-E101",
    "missing": "OR-E103",
    "literal_error": "OR-E104",
    "enum": "OR-E104",
    "union_tag_invalid": "OR-E104",
    "union_tag_not_found": "OR-E103",
    "greater_than": "OR-E104",
    "greater_than_equal": "OR-E104",
    "less_than": "OR-E104",
    "less_than_equal": "OR-E104",
    "too_short": "OR-E104",
    "too_long": "OR-E104",
    "string_too_long": "OR-E104",
}


@dataclass(frozen=True)
class LoadedTemplate:
    """A validated template and the folder it came from."""

    model: Template
    root: Path
    file: str

    def asset_path(self, name: str) -> Path:
        return self.root / self.model.assets[name]

    def font_path(self, family: str) -> Path:
        return self.root / self.model.fonts[family]


def find_template_file(path: Path) -> Path:
    """The template file of a folder (or the file itself)."""
    if path.is_file():
        return path
    if path.is_dir():
        for name in TEMPLATE_FILES:
            candidate = path / name
            if candidate.is_file():
                return candidate
    raise TemplateError(
        "OR-E100",
        f"no template.json or template.yaml in {path.name or str(path)!r}",
        file=str(path),
    )


def parse_document(text: str, *, yaml_syntax: bool, file: str) -> Any:
    """Parse JSON (duplicate keys refused) or YAML (safe loader)."""
    if yaml_syntax:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise TemplateError("OR-E113", f"invalid YAML{where}", file=file) from None

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise TemplateError("OR-E113", f"duplicate key {key[:40]!r}", file=file)
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise TemplateError(
            "OR-E113",
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=file,
        ) from None


def read_template_document(path: Path) -> tuple[Any, Path]:
    """The parsed document of a template folder and the file it came from."""
    file = find_template_file(path)
    size = file.stat().st_size
    if size > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            "OR-E122", f"{size} bytes, more than the limit of {MAX_TEMPLATE_BYTES}", file=str(file)
        )
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateError("OR-E113", "the file is not UTF-8 text", file=str(file)) from None
    return parse_document(text, yaml_syntax=file.suffix != ".json", file=str(file)), file


def load_template(path: str | Path) -> LoadedTemplate:
    """Load and validate the template in ``path`` (a folder or a template file).

    Raises :class:`TemplateError` carrying every problem found (``.errors``).
    """
    folder = Path(path)
    document, file = read_template_document(folder)
    model = validate_document(document, file=str(file))
    root = file.parent
    problems = list(check_paths(model, root, file=str(file)))
    error = combine(problems)
    if error is not None:
        raise error
    return LoadedTemplate(model=model, root=root, file=str(file))


def validate_document(document: Any, *, file: str | None = None) -> Template:
    """The template model of a parsed document, or a TemplateError with every problem."""
    if not isinstance(document, dict):
        raise TemplateError("OR-E102", "the template must be a JSON object", file=file, path="$")
    if "openreel" in document and document["openreel"] != 1:
        raise TemplateError(
            "OR-E114", "this OpenReel reads format version 1", file=file, path="$.openreel"
        )
    try:
        return Template.model_validate(document)
    except ValidationError as exc:
        errors = [_convert(err, document, file) for err in exc.errors(include_url=False)]
        combined = combine(_dedupe(errors))
        if combined is None:  # pragma: no cover - pydantic always reports at least one error
            raise TemplateError("OR-E102", "invalid template", file=file) from None
        raise combined from None


def _dedupe(errors: Iterable[TemplateError]) -> list[TemplateError]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for e in errors:
        key = (e.code, e.path)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _convert(err: Any, document: Any, file: str | None) -> TemplateError:
    kind: str = err["type"]
    if kind.startswith("or_e"):
        code = "OR-E" + kind[4:]
    else:
        code = _PYDANTIC_CODES.get(kind, "OR-E102")
    path = data_path(err["loc"], document)
    message = str(err["msg"])
    if kind == "extra_forbidden":
        message = f"unknown key {path.rsplit('.', 1)[-1]!r}"
    elif kind == "missing":
        message = "required property is missing"
    elif kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        message = (
            f"unknown type {str(ctx.get('tag', ''))[:40]!r}; expected {ctx.get('expected_tags')}"
        )
    elif not kind.startswith("or_e"):
        found = _type_of(err.get("input"))
        message = f"{message} (found {found})"
    return TemplateError(code, message, file=file, path=path)


def _type_of(value: Any) -> str:
    from ._types import type_name

    return type_name(value)


def data_path(loc: Sequence[Any], document: Any) -> str:
    """The JSON path of a pydantic location, skipping union tags and validator names.

    pydantic inserts the tag of a discriminated union (``'text'``) and names of function
    validators into ``loc``; walking the document tells real keys from those.
    """
    parts: list[str | int] = []
    node = document
    tagged: object = None  # the node whose union tag was skipped already
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and 0 <= item < len(node):
            parts.append(item)
            node = node[item]
        elif (
            isinstance(item, str)
            and isinstance(node, dict)
            and node.get("type") == item
            and tagged is not node
        ):
            tagged = node  # the tag of a discriminated union (the layer type)
        elif isinstance(item, str) and isinstance(node, dict):
            key = "as" if item == "as_" else "from" if item == "from_" else item
            if key in node:
                parts.append(key)
                node = node[key]
            elif _is_tag(item):
                continue
            else:  # a missing or extra key: name it, then stop walking
                parts.append(key)
                node = None
        elif _is_tag(item):
            continue
        else:
            parts.append(item)
            node = None
    return json_path(parts)


def _is_tag(item: Any) -> bool:
    return isinstance(item, str) and (
        item.startswith(("tag:", "function-", "tuple[", "list[", "dict["))
    )


# --- paths -------------------------------------------------------------------------------------


def check_relative_path(value: str) -> str | None:
    """Why ``value`` is not a safe path inside a template folder, or None when it is."""
    if not value or "\x00" in value:
        return "an empty path"
    if "://" in value or value.lower().startswith(("data:", "file:", "http:", "https:")):
        return "a URL (assets are files inside the template folder)"
    if "\\" in value:
        return "a path with backslashes (use '/')"
    pure = PurePosixPath(value)
    if pure.is_absolute() or value.startswith("~"):
        return "an absolute path"
    if ".." in pure.parts:
        return "a path that leaves the folder ('..')"
    return None


def check_paths(model: Template, root: Path, *, file: str) -> Iterable[TemplateError]:
    """Every asset and font path must be a relative path to an existing file inside ``root``."""
    real_root = root.resolve()
    for section, mapping in (("assets", model.assets), ("fonts", model.fonts)):
        for name, value in mapping.items():
            where = json_path([section, name])
            why = check_relative_path(value)
            if why is not None:
                yield TemplateError("OR-E109", f"{value[:80]!r} is {why}", file=file, path=where)
                continue
            target = (root / value).resolve()
            if not target.is_relative_to(real_root):
                yield TemplateError(
                    "OR-E109",
                    f"{value[:80]!r} resolves outside the template folder (a symbolic link?)",
                    file=file,
                    path=where,
                )
            elif not target.is_file():
                yield TemplateError(
                    "OR-E110", f"{value[:80]!r} does not exist", file=file, path=where
                )
