"""Benchmark: compile and resolve the loyalty example for one viewer.

Baseline in the same run: a trivial resolve (a one-layer template), so that the ratio says how
much the example's content costs over the fixed overhead. Prints a table and writes
benchmarks/results/resolve.json.

    .venv/bin/python benchmarks/bench_resolve.py
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openreel.resolve import View, canonical_json, compile_template, resolve
from openreel.template import load_template, validate_document

ROOT = Path(__file__).resolve().parent.parent
RUNS = 300


def timed(fn: Callable[[], Any], runs: int = RUNS) -> dict[str, float]:
    for _ in range(10):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }


def main() -> None:
    folder = ROOT / "examples" / "loyalty-welcome"
    start = time.perf_counter()
    ct = compile_template(load_template(folder))
    compile_ms = (time.perf_counter() - start) * 1000
    data = json.loads((folder / "viewers" / "dana.json").read_text(encoding="utf-8"))
    view = View()
    trivial = compile_template(
        validate_document(
            {
                "openreel": 1,
                "id": "trivial",
                "size": [640, 360],
                "scenes": [{"id": "a", "duration": 1, "layers": [{"type": "text", "text": "hi"}]}],
            }
        )
    )
    results = {
        "compile_loyalty_ms": round(compile_ms, 1),
        "resolve_loyalty": timed(lambda: resolve(ct, data, {}, view)),
        "resolve_loyalty_canonical_json": timed(
            lambda: canonical_json(resolve(ct, data, {}, view))
        ),
        "resolve_trivial": timed(lambda: resolve(trivial, {}, {}, view)),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
    }
    ratio = results["resolve_loyalty"]["p50_ms"] / results["resolve_trivial"]["p50_ms"]
    results["loyalty_over_trivial_p50"] = round(ratio, 1)
    print(f"{'case':34} {'p50 ms':>8} {'p95 ms':>8}")
    for key in ("resolve_loyalty", "resolve_loyalty_canonical_json", "resolve_trivial"):
        row = results[key]
        assert isinstance(row, dict)
        print(f"{key:34} {row['p50_ms']:8.3f} {row['p95_ms']:8.3f}")
    print(
        f"compile (once per template version): {compile_ms:.1f} ms; "
        f"loyalty / trivial p50 = {ratio:.1f}x"
    )
    out = ROOT / "benchmarks" / "results" / "resolve.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
