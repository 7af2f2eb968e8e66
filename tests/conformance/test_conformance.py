"""The shared conformance vectors: template + data + decisions + view -> the resolved timeline.

Each ``NN-topic.json`` file in this folder is one self-contained vector (the format is in
``README.md``). The browser player's tests read the same files. For every vector this runner
checks, in order:

1. for an ``expected_error`` vector: validating, compiling, validating the data or resolving
   fails with an :class:`~openreel.errors.OpenReelError` of that ``code`` and ``path``;
2. otherwise every hand-derived ``checks`` entry (a dotted path into the timeline and the value
   found there, compared as canonical JSON);
3. ``canonical_json(resolve(...)) == canonical_json(expected)``, printing a unified diff of the
   two (pretty-printed) texts when they differ;
4. the SHA-256 of that canonical text equals ``canonical_sha256``, which pins the byte form
   (key order, number and string writing) for the other implementation.

A vector with ``"xfail": "reason"`` states documented behaviour the resolver does not have yet;
it is a strict xfail, so it fails loudly once the resolver is fixed (then run ``_build.py
--accept`` to record its ``expected`` and drop the mark).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from openreel.errors import OpenReelError
from openreel.resolve import View, canonical_json, compile_template, resolve
from openreel.template import validate_document

HERE = Path(__file__).resolve().parent
MIN_VECTORS = 45
FILE_NAME = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.json$")
REQUIRED_KEYS = frozenset({"name", "description", "template", "data", "decisions", "view"})
OPTIONAL_KEYS = frozenset({"xfail", "checks", "expected", "expected_error", "canonical_sha256"})
EPOCH = "1970-01-01T00:00:00Z"
DIFF_LINES = 80


def vector_files() -> list[Path]:
    """Every vector file, in file-name order."""
    return sorted(HERE.glob("[0-9][0-9]-*.json"))


def load_vector(path: Path) -> dict[str, Any]:
    value = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(value, dict):
        raise ValueError(f"{path.name}: a vector is a JSON object")
    return value


def view_of(vector: Mapping[str, Any]) -> View:
    """The :class:`View` of a vector; ``view.time`` must carry a UTC offset or ``Z``."""
    raw = vector.get("view") or {}
    time = dt.datetime.fromisoformat(raw.get("time", EPOCH))
    if time.tzinfo is None:
        raise ValueError("view.time needs an offset, e.g. 2026-03-01T12:00:00Z")
    return View(time=time, locale=raw.get("locale"), tz=raw.get("tz", "UTC"))


def run_vector(vector: Mapping[str, Any]) -> dict[str, Any]:
    """Validate, compile and resolve a vector's template for its data, decisions and view."""
    compiled = compile_template(validate_document(vector["template"]))
    return resolve(
        compiled, vector.get("data") or {}, vector.get("decisions") or {}, view_of(vector)
    )


def lookup(value: Any, dotted: str) -> Any:
    """The value at a dotted path: object keys, and decimal indexes into lists."""
    for part in dotted.split("."):
        if isinstance(value, list):
            if not part.isdigit() or int(part) >= len(value):
                raise LookupError(f"no item {part!r} in a list of {len(value)}")
            value = value[int(part)]
        elif isinstance(value, dict):
            if part not in value:
                raise LookupError(f"no key {part!r}")
            value = value[part]
        else:
            raise LookupError(f"cannot step into a {type(value).__name__} with {part!r}")
    return value


def check_failures(timeline: Any, checks: Mapping[str, Any]) -> list[str]:
    """One line per check whose value differs from the timeline's (as canonical JSON)."""
    failures = []
    for dotted, want in checks.items():
        try:
            got = canonical_json(lookup(timeline, dotted))
        except LookupError as exc:
            failures.append(f"{dotted}: {exc}")
            continue
        if got != canonical_json(want):
            failures.append(f"{dotted}: expected {canonical_json(want)}, found {got}")
    return failures


def pretty(value: Any) -> list[str]:
    """Canonical JSON, one value per line, for diffs."""
    text = json.dumps(json.loads(canonical_json(value)), indent=1, ensure_ascii=False)
    return text.splitlines()


def short_diff(expected: Any, actual: Any, limit: int = DIFF_LINES) -> str:
    lines = list(
        difflib.unified_diff(
            pretty(expected), pretty(actual), "expected", "resolved", n=2, lineterm=""
        )
    )
    more = f"\n... {len(lines) - limit} more diff lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def error_failure(vector: Mapping[str, Any]) -> str | None:
    """Why an ``expected_error`` vector does not fail as stated, or None when it does."""
    want = vector["expected_error"]
    try:
        run_vector(vector)
    except OpenReelError as exc:
        if (exc.code, exc.path) == (want["code"], want["path"]):
            return None
        return f"expected {want['code']} at {want['path']}, got {exc.code} at {exc.path}: {exc}"
    except Exception as exc:  # a crash instead of a coded error is itself the failure to report
        return f"expected {want['code']} at {want['path']}, got {type(exc).__name__}: {exc}"
    return f"expected {want['code']} at {want['path']}, but it resolved"


def timeline_failure(vector: Mapping[str, Any], timeline: Any) -> str | None:
    """Why a resolved timeline does not match the vector, or None when it does."""
    failures = check_failures(timeline, vector.get("checks") or {})
    if failures:
        return "checks failed:\n  " + "\n  ".join(failures)
    if "expected" not in vector:
        return None
    if canonical_json(timeline) != canonical_json(vector["expected"]):
        return "timeline differs from expected:\n" + short_diff(vector["expected"], timeline)
    if sha256_of(timeline) != vector.get("canonical_sha256"):
        return "canonical_sha256 does not match the canonical text of expected"
    return None


def _params() -> list[Any]:
    params = []
    for path in vector_files():
        vector = load_vector(path)
        marks = []
        if "xfail" in vector:
            marks.append(pytest.mark.xfail(reason=str(vector["xfail"]), strict=True))
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


# --- the files ---------------------------------------------------------------------------------


def test_there_are_enough_well_named_vectors() -> None:
    files = vector_files()
    assert len(files) >= MIN_VECTORS, f"{len(files)} vectors, want at least {MIN_VECTORS}"
    numbers = []
    for path in files:
        match = FILE_NAME.match(path.name)
        assert match, f"{path.name}: name files NN-topic.json (lower-case, hyphens)"
        numbers.append(int(match.group(1)))
        assert load_vector(path)["name"] == match.group(2), f"{path.name}: name != topic"
    assert numbers == list(range(1, len(files) + 1)), "vector numbers run 01, 02, ... in order"


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.stem)
def test_vector_file_is_well_formed(path: Path) -> None:
    vector = load_vector(path)
    keys = set(vector)
    assert keys >= REQUIRED_KEYS, f"missing {sorted(REQUIRED_KEYS - keys)}"
    assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, (
        f"unknown {sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)}"
    )
    assert isinstance(vector["description"], str) and len(vector["description"]) > 20
    view_of(vector)  # view.time parses and carries an offset
    if "expected_error" in vector:
        assert "expected" not in vector and "checks" not in vector
        assert set(vector["expected_error"]) == {"code", "path"}
        return
    assert vector.get("checks"), "every resolving vector states hand-derived checks"
    if "xfail" not in vector:
        assert "expected" in vector, "run _build.py to record expected"
        assert re.fullmatch(r"[0-9a-f]{64}", vector.get("canonical_sha256", ""))
        for dotted in vector["checks"]:
            lookup(vector["expected"], dotted)  # every check names a path that exists


# --- the resolver ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", _params())
def test_vector(path: Path) -> None:
    vector = load_vector(path)
    if "expected_error" in vector:
        problem = error_failure(vector)
    else:
        problem = timeline_failure(vector, run_vector(vector))
    if problem is not None:
        pytest.fail(f"{path.name}: {problem}", pytrace=False)


# --- the canonical form, checked against JavaScript ---------------------------------------------

_NODE_CANONICAL = r"""
const fs = require("fs");
function canon(v) {
  if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
  if (v !== null && typeof v === "object") {
    return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon(v[k]))
      .join(",") + "}";
  }
  return JSON.stringify(v);
}
const out = process.argv.slice(1).map((f) => {
  const v = JSON.parse(fs.readFileSync(f, "utf8"));
  return "expected" in v ? canon(v.expected) : null;
});
process.stdout.write(JSON.stringify(out));
"""


def test_canonical_text_matches_javascript() -> None:
    """JavaScript's JSON.parse + JSON.stringify, keys sorted by UTF-16 code units, writes the
    same canonical text as :func:`canonical_json` for every expected timeline."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    files = vector_files()
    done = subprocess.run(
        [node, "-e", _NODE_CANONICAL, *map(str, files)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    texts = json.loads(done.stdout.decode("utf-8"))
    compared = 0
    for path, text in zip(files, texts, strict=True):
        vector = load_vector(path)
        if text is None:
            continue
        compared += 1
        assert text == canonical_json(vector["expected"]), path.name
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == vector["canonical_sha256"]
    assert compared > 0
