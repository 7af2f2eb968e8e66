"""The HTTP parts of the ``events`` and ``still`` benchmarks (../shared/BENCHMARKS.md).

Run: ``python benchmarks/bench_server.py [--batches 2000] [--seconds 20] [--thumbs 100]``.
This process runs ``openreel serve`` (uvicorn, in a thread) with a temporary data folder and a
loopback brand endpoint answering ``examples/loyalty-welcome/viewers/dana.json``; a **second
process** (this script with ``--load``) produces the load on loopback and measures it:

* ``events``: batches of 50 events posted to ``/api/events`` by 2 client threads, keep-alive,
  until ``--batches`` batches or ``--seconds`` seconds; accepted events per second (target
  >= 20k/s). "Accepted" is the 202 answer: the events are queued and written to DuckDB by the
  ingest thread in the background (its bulk rate is ``bench_events.py``'s). The per-address
  rate limit is raised for the run (all load comes from one loopback address).
* ``still``: ``--thumbs`` sequential ``GET /thumb/...jpg?w=1280`` of a server-mode campaign
  on the loyalty example (1280x720, personal: the data is pulled from the brand and the JPEG
  rendered on every request, nothing cached), after one warm-up; p50 / p99 (target p50 <= 30
  ms); again with ``at=1``, where the viewer's name is on screen (at 0 it is still fading
  in). For reference: the same still rendered in-process (with a warm static-prefix cache,
  as the server uses it, and without), and the cached data-free thumbnail of a device
  campaign over HTTP.

Prints a table and writes ``benchmarks/results/server.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "server.json"
EXAMPLE = ROOT / "examples" / "loyalty-welcome"
TARGET_EVENTS_PER_S = 20_000
TARGET_HTTP_P50_MS = 30.0
BATCH = 50


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the load generator (second process) ------------------------------------------------------
def _batch(view: uuid.UUID, start: int) -> bytes:
    now = int(time.time() * 1000)
    events = [
        {
            "type": "progress",
            "event_id": str(uuid.uuid4()),
            "view_id": str(view),
            "seq": start + i,
            "ts": now + i,
            "campaign": "bench",
            "template_version": "bench.1",
            "device": "desktop",
            "media_time": float(i % 30),
        }
        for i in range(BATCH)
    ]
    return json.dumps({"v": 1, "sent_at": now, "events": events}).encode()


def load_events(base: str, batches: int, seconds: float) -> dict[str, Any]:
    """Post up to ``batches`` batches within ``seconds`` from 2 threads; statuses and rate."""
    bodies = [_batch(uuid.uuid4(), 0) for _ in range(batches)]  # built before the clock runs
    counts: dict[int, int] = {}
    accepted = [0]
    lock = threading.Lock()
    next_index = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            while time.monotonic() < deadline:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= len(bodies):
                    return
                r = client.post(
                    "/api/events", content=bodies[i], headers={"Content-Type": "text/plain"}
                )
                with lock:
                    counts[r.status_code] = counts.get(r.status_code, 0) + 1
                    if r.status_code == 202:
                        accepted[0] += int(r.json()["accepted"])

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {
        "batches_sent": sum(counts.values()),
        "statuses": {str(k): v for k, v in sorted(counts.items())},
        "accepted_events": accepted[0],
        "wall_s": round(wall, 3),
        "events_per_s": round(accepted[0] / wall),
    }


def load_thumbs(base: str, path: str, count: int) -> dict[str, Any]:
    """``count`` sequential GETs of ``path`` after one warm-up; latency percentiles (ms)."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get(path)
        for _ in range(count):
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    return {
        "count": count,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(_pct(times, 0.99), 2),
        "mean_ms": round(statistics.fmean(times), 2),
    }


# --- the server side (this process) -----------------------------------------------------------
def _brand(doc: dict[str, Any]) -> int:
    body = json.dumps(doc).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return int(httpd.server_address[1])


def _zip(folder: Path) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and not rel.startswith("viewers/"):
                zf.write(path, rel)
    return buf.getvalue()


def _second_process(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--load", *args], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def run(batches: int, seconds: float, thumbs: int) -> dict[str, Any]:
    import uvicorn

    from openreel.pipeline import prepare, render_still
    from openreel.pipeline.still import StillCache
    from openreel.service import Settings, app_state, create_api_key, create_app

    viewer = json.loads((EXAMPLE / "viewers" / "dana.json").read_text(encoding="utf-8"))
    brand_port = _brand(viewer)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="openreel-bench-") as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            port=port,
            events_rate_per_s=1e9,
            events_burst=1_000_000,
            fetch_allow_http=True,
            fetch_allowed_networks=("127.0.0.1/32",),
            log_level="WARNING",
        )
        app = create_app(settings)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        key = create_api_key(app_state(app).storage, "bench").token
        try:
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120
            ) as c:
                r = c.post(
                    "/api/templates",
                    content=_zip(EXAMPLE),
                    headers={"Content-Type": "application/zip"},
                )
                version = r.json()["id"]
                c.post(f"/api/templates/{version}/publish").raise_for_status()
                endpoint = f"http://127.0.0.1:{brand_port}/d?view={{view_id}}"
                c.post(
                    "/api/campaigns",
                    json={"id": "srv", "template_version": version, "mode": "server",
                          "data_endpoint": endpoint},
                ).raise_for_status()  # fmt: skip
                c.post(
                    "/api/campaigns", json={"id": "dev", "template_version": version}
                ).raise_for_status()
                paths = {}
                for cid in ("srv", "dev"):
                    link = c.post(f"/api/campaigns/{cid}/links", json={"audience": "thumb"})
                    paths[cid] = link.json()["links"][0]["url"].removeprefix(base) + "?w=1280"
            events = _second_process(["events", base, str(batches), str(seconds)])
            thumb = _second_process(["thumbs", base, paths["srv"], str(thumbs)])
            named = _second_process(["thumbs", base, paths["srv"] + "&at=1", str(thumbs)])
            cached = _second_process(["thumbs", base, paths["dev"], str(thumbs)])
        finally:
            server.should_exit = True
            time.sleep(0.3)
            app_state(app).close()
    prepared = prepare(EXAMPLE)
    local: dict[str, list[float]] = {"cache": [], "direct": []}
    for kind, times in local.items():
        cache = StillCache() if kind == "cache" else None
        render_still(prepared, viewer, 0.0, (1280, 720), "jpeg", quality=85, cache=cache)
        for _ in range(max(10, thumbs // 2)):
            t0 = time.perf_counter()
            render_still(prepared, viewer, 0.0, (1280, 720), "jpeg", quality=85, cache=cache)
            times.append((time.perf_counter() - t0) * 1000)
    return {
        "benchmark": "server",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
        "events_http": {**events, "batch_size": BATCH, "target_events_per_s": TARGET_EVENTS_PER_S},
        "thumb_http_personal_1280x720": {**thumb, "target_p50_ms": TARGET_HTTP_P50_MS},
        "thumb_http_personal_1280x720_at_1s": {**named, "target_p50_ms": TARGET_HTTP_P50_MS},
        "thumb_http_cached_device_1280x720": cached,
        "still_in_process_1280x720": _stats(local["cache"]),
        "still_in_process_1280x720_no_prefix_cache": _stats(local["direct"]),
    }


def _stats(times: list[float]) -> dict[str, Any]:
    return {
        "count": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(_pct(times, 0.99), 2),
    }


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="openreel serve on loopback (load from a second process)")
    for col in ("measure", "figure", "target"):
        table.add_column(col)
    ev = result["events_http"]
    table.add_row(
        "/api/events, batches of 50",
        f"{ev['events_per_s']:,} events/s ({ev['statuses']})",
        f">= {TARGET_EVENTS_PER_S:,}",
    )
    for name, label in (
        ("thumb_http_personal_1280x720", "/thumb personal 1280x720 (server mode)"),
        ("thumb_http_personal_1280x720_at_1s", "/thumb personal, at=1 (name drawn)"),
        ("thumb_http_cached_device_1280x720", "/thumb cached data-free 1280x720"),
        ("still_in_process_1280x720", "render_still in-process 1280x720 (prefix cache)"),
        ("still_in_process_1280x720_no_prefix_cache", "render_still in-process, no cache"),
    ):
        r = result[name]
        target = f"p50 <= {TARGET_HTTP_P50_MS:g} ms" if "personal" in name else ""
        table.add_row(label, f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms", target)
    Console().print(table)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        kind, base = sys.argv[2], sys.argv[3]
        if kind == "events":
            out = load_events(base, int(sys.argv[4]), float(sys.argv[5]))
        else:
            out = load_thumbs(base, sys.argv[4], int(sys.argv[5]))
        print(json.dumps(out))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--thumbs", type=int, default=100)
    ns = parser.parse_args()
    result = run(ns.batches, ns.seconds, ns.thumbs)
    _print(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
