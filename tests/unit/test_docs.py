"""The docs match the code: examples in docs/template-format.md run, every error code is
documented, generated docs are current, every CLI command is documented."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from openreel.errors import CODES
from openreel.resolve import View, compile_template, resolve
from openreel.template import validate_document

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"```json (example(?:-expect)?)\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    text = (DOCS / "template-format.md").read_text(encoding="utf-8")
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for kind, body in BLOCK.findall(text):
        if kind == "example":
            pairs.append((json.loads(body), {}))
        else:
            pairs[-1] = (pairs[-1][0], json.loads(body))
    return pairs


def _get(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


EXAMPLES = _examples()


def test_the_format_doc_has_runnable_examples() -> None:
    assert len(EXAMPLES) >= 4
    assert all(expect for _, expect in EXAMPLES)


@pytest.mark.parametrize(("doc", "expect"), EXAMPLES, ids=[d["id"] for d, _ in EXAMPLES])
def test_format_doc_example_resolves_as_documented(
    doc: dict[str, Any], expect: dict[str, Any]
) -> None:
    timeline = resolve(compile_template(validate_document(doc)), {}, {}, View())
    for dotted, value in expect.items():
        assert _get(timeline, dotted) == value, dotted


def test_every_error_code_is_documented_and_the_page_is_current() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from gen_docs import errors_markdown
    finally:
        sys.path.pop(0)
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in page, code
    assert page == errors_markdown(), "run `make docs` and commit docs/errors.md"


def test_every_code_used_in_the_source_is_registered() -> None:
    used = set()
    for path in (ROOT / "src").rglob("*.py"):
        used.update(re.findall(r"\"(OR-E\d{3})\"", path.read_text(encoding="utf-8")))
    assert used <= set(CODES), sorted(used - set(CODES))


def test_every_cli_command_is_documented() -> None:
    from openreel.cli import app

    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"openreel {name}" in page, name
    for group in app.registered_groups:
        assert f"openreel {group.name}" in page, group.name
