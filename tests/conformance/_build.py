"""Record the ``expected`` timeline of conformance vectors, never silently.

Usage (from the repository root)::

    .venv/bin/python tests/conformance/_build.py [--accept] [FILE ...]

For each vector file (default: every ``NN-*.json`` here):

- an ``expected_error`` vector is run and reported (nothing is written);
- otherwise its hand-derived ``checks`` must pass first: a vector whose checks fail is
  reported and left unchanged (fix the derivation or report the resolver bug);
- a vector without ``expected`` gets it written, with ``canonical_sha256``;
- a vector whose ``expected`` differs from what the resolver now gives is reported with a diff
  and rewritten only with ``--accept``;
- an ``xfail`` vector whose checks now pass is reported; with ``--accept`` its ``xfail`` mark is
  dropped and its ``expected`` recorded.

Files are written 2-space indented UTF-8, with invisible or combining characters (controls,
format characters such as ZWJ, combining marks, special spaces) written as ``\\uXXXX`` escapes
so that a reader can see them. Exit status 1 when anything needs attention.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
KEY_ORDER = (
    "name",
    "description",
    "xfail",
    "template",
    "data",
    "decisions",
    "view",
    "checks",
    "expected_error",
    "expected",
    "canonical_sha256",
)
WIDTH = 100
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp", "Zs"})


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "conformance_runner", HERE / "test_conformance.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError("cannot load test_conformance.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _layout(value: Any, indent: int, room: int) -> str:
    """JSON with 2-space indentation; an array or object that fits in ``room`` characters
    stays on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or len(flat) <= room or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, list):
        items = [pad + _layout(v, indent + 2, WIDTH - len(pad) - 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    lines = []
    for key, item in value.items():
        head = pad + json.dumps(key, ensure_ascii=False) + ": "
        lines.append(head + _layout(item, indent + 2, WIDTH - len(head) - 1))
    return "{\n" + ",\n".join(lines) + "\n" + " " * indent + "}"


def dump_vector(vector: dict[str, Any]) -> str:
    """The file text of a vector: known keys in a fixed order, visible escapes."""
    ordered = {k: vector[k] for k in KEY_ORDER if k in vector}
    ordered.update((k, v) for k, v in vector.items() if k not in ordered)
    text = _layout(ordered, 0, 0)
    if json.loads(text) != ordered:  # pragma: no cover - a bug in _layout
        raise RuntimeError("the laid-out JSON does not read back as the vector")
    # Outside strings JSON text is ASCII, so every character escaped here is inside a string.
    return (
        "".join(
            _escape(ch)
            if ch not in " \n" and unicodedata.category(ch) in _ESCAPED_CATEGORIES
            else ch
            for ch in text
        )
        + "\n"
    )


def _write(path: Path, vector: dict[str, Any], what: str = "written") -> None:
    """Write the vector when its text changes (content or layout)."""
    text = dump_vector(vector)
    if path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        print(f"{what:7} {path.name}")


def build(path: Path, accept: bool, runner: ModuleType) -> bool:
    """Process one file; True when it needs no attention."""
    vector = runner.load_vector(path)
    _write(path, vector, "laid out")  # the same content, in this script's layout
    name = path.name
    if "expected_error" in vector:
        problem = runner.error_failure(vector)
        if problem is None:
            print(f"ok      {name}: fails with {vector['expected_error']['code']} as stated")
            return True
        tag = "xfail  " if "xfail" in vector else "FAIL   "
        print(f"{tag} {name}: {problem}")
        return "xfail" in vector
    try:
        timeline = runner.run_vector(vector)
    except Exception as exc:
        tag = "xfail  " if "xfail" in vector else "FAIL   "
        print(f"{tag} {name}: resolving failed: {type(exc).__name__}: {exc}")
        return "xfail" in vector
    failures = runner.check_failures(timeline, vector.get("checks") or {})
    if failures:
        tag = "xfail  " if "xfail" in vector else "CHECKS "
        print(f"{tag} {name}:\n    " + "\n    ".join(failures))
        return "xfail" in vector
    if "xfail" in vector:
        if not accept:
            print(f"XPASS   {name}: the checks pass now; rerun with --accept to drop xfail")
            return False
        del vector["xfail"]
    old = vector.get("expected")
    if old is not None and runner.canonical_json(old) != runner.canonical_json(timeline):
        print(f"DIFF    {name}:\n{runner.short_diff(old, timeline)}")
        if not accept:
            print("        (not written: rerun with --accept after reviewing the diff)")
            return False
    # Stored as its canonical JSON reads back: whole numbers as integers, as JavaScript has them.
    vector["expected"] = json.loads(runner.canonical_json(timeline))
    vector["canonical_sha256"] = runner.sha256_of(timeline)
    _write(path, vector)
    print(f"ok      {name}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accept", action="store_true", help="write reviewed differences")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    runner = _runner()
    files = args.files or runner.vector_files()
    results = [build(Path(f).resolve(), args.accept, runner) for f in files]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
