"""The ``events`` benchmark (docs: ../shared/BENCHMARKS.md): bulk insert rate into the DuckDB
store and the time of the per-second retention query over 10 M events.

Run: ``python benchmarks/bench_events.py [--events 10000000] [--repeat 5]``. Prints a table
and writes ``benchmarks/results/events.json``. The HTTP part (``/api/events``) comes with the
service. As a reference (not a target), the same retention is computed with pandas from the
in-memory columns, and the in-process validation rate of JSON batches of 50 events is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from rich.console import Console
from rich.table import Table

from openreel.analytics import queries
from openreel.analytics.columns import EventColumns
from openreel.analytics.duckdb_store import DuckDBEventStore
from openreel.analytics.ingest import EventQueue, IngestPipeline
from openreel.analytics.simulate import DEFAULT_SCENES, SimConfig, iter_columns, simulate

RESULTS = Path(__file__).resolve().parent / "results" / "events.json"
EVENTS_PER_VIEW = 35.9  # measured on the default simulation (sends and bots included)
TARGET_BULK = 500_000
TARGET_QUERY_S = 1.0


def _timed(repeat: int, call: Any) -> tuple[float, float, list[float]]:
    """Median wall time, median CPU time (all threads of this process), the wall times."""
    call()  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), walls


def _pandas_retention(chunks: list[EventColumns]) -> float:
    import pandas as pd

    start = time.perf_counter()
    frames, offset = [], 0
    for c in chunks:
        arm_of = np.full(c.n_views, -1, dtype=np.int64)
        arm_of[c.arm_view] = (c.arm_name == "b").astype(np.int64)
        progress = c.type == 5
        frames.append(
            pd.DataFrame(
                {
                    "view": c.event_view[progress].astype(np.int64) + offset,
                    "sec": c.media_time[progress].astype(np.int64),
                    "arm": arm_of[c.event_view[progress]],
                }
            )
        )
        offset += c.n_views
    df = pd.concat(frames, ignore_index=True)
    df.drop_duplicates(["view", "sec"]).groupby(["arm", "sec"]).size()
    return time.perf_counter() - start


def _validation_rate(n_batches: int = 200) -> float:
    sim = simulate(SimConfig(views=400, seed=9))
    events = sim.columns.event_dicts()
    bodies = [
        json.dumps({"v": 1, "events": events[i : i + 50]}).encode()
        for i in range(0, min(len(events), 50 * n_batches), 50)
    ]
    pipeline = IngestPipeline(DuckDBEventStore(None), queue=EventQueue(max_events=10**7))
    start = time.perf_counter()
    accepted = sum(pipeline.submit(b).accepted for b in bodies)
    return accepted / (time.perf_counter() - start)


def run(n_events: int, repeat: int) -> dict[str, Any]:
    console = Console(stderr=True)
    views = int(n_events / EVENTS_PER_VIEW) + 1
    config = SimConfig(campaign="bench", views=views, seed=1)
    with console.status("Simulating events"):
        start = time.perf_counter()
        chunks = list(iter_columns(config, chunk_views=28_000))
        gen_s = time.perf_counter() - start
    total = sum(c.n_events for c in chunks)
    tmp = Path(tempfile.mkdtemp(prefix="openreel-bench-"))
    path = tmp / "events.duckdb"
    load_before = os.getloadavg()[0]
    with console.status(f"Inserting {total:,} events"):
        store = DuckDBEventStore(path)
        start, cpu_start = time.perf_counter(), time.process_time()
        for chunk in chunks:
            store.insert(chunk, milestones=False)
        insert_s = time.perf_counter() - start
        insert_cpu_s = time.process_time() - cpu_start
    again_start = time.perf_counter()
    dup = store.insert(chunks[0], milestones=False)
    dup_s = time.perf_counter() - again_start
    with console.status("Querying"):
        retention_s, retention_cpu, retention_all = _timed(
            repeat, lambda: queries.retention(store, "bench")
        )
        by_arm_s, by_arm_cpu, _ = _timed(
            repeat, lambda: queries.retention(store, "bench", by="arm", decision="offer")
        )
        dropoff_s, _, _ = _timed(
            repeat, lambda: queries.scene_dropoff(store, "bench", DEFAULT_SCENES)
        )
        arms_s, _, _ = _timed(repeat, lambda: queries.arm_comparison(store, "bench", "offer"))
    load_after = os.getloadavg()[0]
    pandas_s = _pandas_retention(chunks)
    validate_rate = _validation_rate()
    size_mb = path.stat().st_size / 1e6
    store.close()
    for leftover in tmp.iterdir():
        leftover.unlink()
    tmp.rmdir()
    return {
        "benchmark": "events",
        "events": total,
        "views": views,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "platform": platform.platform(),
            "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        },
        "simulate_s": round(gen_s, 3),
        "bulk_insert_s": round(insert_s, 3),
        "bulk_insert_events_per_s": round(total / insert_s),
        "bulk_insert_cpu_s": round(insert_cpu_s, 3),
        "bulk_insert_events_per_cpu_s": round(total / insert_cpu_s),
        "duplicate_chunk_insert_events_per_s": round(chunks[0].n_events / dup_s),
        "duplicate_chunk_stored": dup.inserted,
        "store_file_mb": round(size_mb, 1),
        "retention_query_s": round(retention_s, 4),
        "retention_query_runs_s": [round(t, 4) for t in retention_all],
        "retention_query_cpu_s": round(retention_cpu, 4),
        "retention_by_arm_query_s": round(by_arm_s, 4),
        "retention_by_arm_query_cpu_s": round(by_arm_cpu, 4),
        "scene_dropoff_query_s": round(dropoff_s, 4),
        "arm_comparison_s": round(arms_s, 4),
        "reference_pandas_retention_s": round(pandas_s, 3),
        "ratio_pandas_over_store_retention": round(pandas_s / by_arm_s, 2),
        "ingest_validation_events_per_s": round(validate_rate),
        "targets": {
            "bulk_insert_events_per_s": TARGET_BULK,
            "retention_query_s": TARGET_QUERY_S,
            "bulk_met": total / insert_s >= TARGET_BULK,
            "query_met": max(retention_s, by_arm_s) <= TARGET_QUERY_S,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=10_000_000, help="events to store")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--no-write", action="store_true", help="do not write the JSON file")
    args = parser.parse_args(argv)
    result = run(args.events, args.repeat)
    table = Table(title=f"events benchmark: {result['events']:,} events, {result['views']:,} views")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    rows = [
        ("bulk insert (events/s)", f"{result['bulk_insert_events_per_s']:,}", ">= 500,000"),
        ("bulk insert total (s)", f"{result['bulk_insert_s']:.1f}", ""),
        ("bulk insert per CPU-second (events)", f"{result['bulk_insert_events_per_cpu_s']:,}", ""),
        (
            "re-insert of a stored chunk (events/s)",
            f"{result['duplicate_chunk_insert_events_per_s']:,}",
            "",
        ),
        ("retention query, all views (s, median)", f"{result['retention_query_s']:.3f}", "<= 1"),
        (
            "retention query, by arm (s, median)",
            f"{result['retention_by_arm_query_s']:.3f}",
            "<= 1",
        ),
        ("retention query, all views (CPU s)", f"{result['retention_query_cpu_s']:.3f}", ""),
        ("scene drop-off (s)", f"{result['scene_dropoff_query_s']:.3f}", ""),
        ("arm comparison with P(best) (s)", f"{result['arm_comparison_s']:.3f}", ""),
        (
            "reference: pandas retention in memory (s)",
            f"{result['reference_pandas_retention_s']:.2f}",
            "",
        ),
        (
            "validation of JSON batches of 50 (events/s)",
            f"{result['ingest_validation_events_per_s']:,}",
            "",
        ),
        ("store file (MB)", f"{result['store_file_mb']:.0f}", ""),
        ("simulating the events (s)", f"{result['simulate_s']:.1f}", ""),
    ]
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    loads = result["machine"]["load_average_1min"]
    Console().print(
        f"1-minute load average before/after: {loads[0]} / {loads[1]} "
        f"on {result['machine']['cpus']} CPUs (figures are wall-clock)"
    )
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        tmp = RESULTS.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
