"""Regenerate the generated docs: docs/errors.md (from openreel.errors.CODES) and
docs/template.schema.json (from the template models). Tests fail when either is stale.

    .venv/bin/python scripts/gen_docs.py
"""

from __future__ import annotations

from pathlib import Path

from openreel.errors import CODES
from openreel.template.schema import json_schema_text

ROOT = Path(__file__).resolve().parent.parent

RANGES = [
    ("E1", "Template (E1xx)", "The template file, its models, paths and references."),
    ("E2", "Expressions (E2xx)", "CEL expressions: syntax, names, functions, limits, evaluation."),
    ("E3", "Viewer data (E3xx)", "A viewer's data checked against the template's data schema."),
    ("E4", "Media and fetching (E4xx)", "User media, probing and decoding, the SSRF-safe fetcher."),
    ("E5", "Rendering (E5xx)", "Drawing frames and encoding outputs."),
    ("E6", "Service and links (E6xx)", "The HTTP service, API keys and signed view links."),
    ("E7", "Analytics (E7xx)", "Engagement events, ingest limits and the event store."),
    ("E8", "Batch (E8xx)", "Batch renders, resume and dead letters."),
    ("E9", "Decisions (E9xx)", "Decisions supplied to the resolver and decision policies."),
]

HEADER = """# Error codes

Every error a user can cause has a stable code. The CLI prints it with the file, the JSON path,
what was expected and what was found (never the value of a `pii` field) and a one-line hint; the
Python API raises `openreel.errors.OpenReelError` (subclasses per range below) with `.code`,
`.message`, `.file`, `.path`, `.hint` and `.errors` (every problem found in one pass); the HTTP
API returns the same fields as JSON; the player logs the same codes to the console.

```
$ openreel validate tests/fixtures/invalid/bad-color
error OR-E105 invalid color at tests/fixtures/invalid/bad-color/template.json $.background:
  expected #RGB, #RRGGBB, #RRGGBBAA or a {{ expression }}, found 'blue'
  hint: Write colors as #RGB, #RRGGBB or #RRGGBBAA.
```

Exit codes of the CLI: `0` success, `2` a user error (one of the codes below), `1` an internal
failure (a bug: please report it).

This page is generated from `src/openreel/errors.py` by `scripts/gen_docs.py`; a test keeps it
current.
"""


def errors_markdown() -> str:
    parts = [HEADER]
    for prefix, title, blurb in RANGES:
        codes = sorted(c for c in CODES if c.startswith(f"OR-{prefix}"))
        parts.append(f"\n## {title}\n\n{blurb}\n")
        if not codes:
            parts.append("\nNo codes yet.\n")
            continue
        parts.append("\n| code | meaning | hint |\n|---|---|---|\n")
        for code in codes:
            info = CODES[code]
            hint = info.hint.replace("|", "\\|")
            parts.append(f"| `{code}` | {info.title} | {hint} |\n")
    return "".join(parts)


def main() -> None:
    (ROOT / "docs" / "errors.md").write_text(errors_markdown(), encoding="utf-8")
    (ROOT / "docs" / "template.schema.json").write_text(json_schema_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
