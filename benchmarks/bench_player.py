"""The ``player`` benchmark (``../shared/BENCHMARKS.md``), printed as a Markdown table.

Measures, in one run:

* bytes of the player (``openreel/web/static/player.js``, with the CEL parser) gzipped at
  level 9; the lazily loaded Lottie runtime is reported separately (not in the figure);
* peers installed from npm in a temporary folder and measured the same way: lottie-web's
  ``lottie_light.min.js``, and ``@remotion/player`` bundled with React and ReactDOM by esbuild
  (minified);
* in headless Chromium on loopback: time from navigation start to the first frame drawn with
  the viewer's data, fetched with a fragment token from a brand endpoint (HTTPS on 127.0.0.2,
  self-signed) for ``examples/loyalty-welcome`` (median of 7 loads, cold cache each);
* mean and p95 draw time of a 1920x1080 frame while that example plays through (clips
  playing, every frame drawn by the player's own loop).

Run: ``.venv/bin/python benchmarks/bench_player.py`` (needs Chromium at /usr/bin/chromium,
node/npm with network access to the npm registry for the peers, and openssl).
"""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from player_servers import BrandHandler, Server, self_signed  # noqa: E402

from openreel.web import PreviewServer, build_bundle, static_dir  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
EXAMPLE = ROOT / "examples" / "loyalty-welcome"
BRAND = "crm.brand.example"
PEERS = {
    "lottie-web": "5.13.0",
    "@remotion/player": "4.0.530",
    "react": "19.3.1",
    "react-dom": "19.3.1",
}
TARGETS = {"gzip_kb": 50.0, "first_frame_ms": 250.0, "p95_draw_ms": 8.0}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def peer_sizes(work: Path) -> dict[str, int]:
    """gzip bytes of lottie-web light and of @remotion/player + React, from npm."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "package.json").write_text('{"private": true}')
    specs = [f"{name}@{version}" for name, version in PEERS.items()]
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", *specs],
                   cwd=work, check=True, capture_output=True, timeout=600)  # fmt: skip
    light = (work / "node_modules/lottie-web/build/player/lottie_light.min.js").read_bytes()
    entry = work / "remotion.mjs"
    entry.write_text(
        "import {Player} from '@remotion/player'\nimport React from 'react'\n"
        "import {createRoot} from 'react-dom/client'\nwindow.__peer = [Player, React, createRoot]\n"
    )
    esbuild = ROOT / "player/node_modules/.bin/esbuild"
    subprocess.run([str(esbuild), str(entry), "--bundle", "--minify", "--format=iife",
                    "--define:process.env.NODE_ENV=\"production\"", f"--outfile={work / 'r.js'}"],
                   cwd=work, check=True, capture_output=True, timeout=300)  # fmt: skip
    return {
        "lottie-web light": gz(light),
        "@remotion/player + React": gz((work / "r.js").read_bytes()),
    }


def browser_figures(bundle: Path, tls: Any) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    viewer = json.loads((EXAMPLE / "viewers" / "dana.json").read_text())
    brand = Server(BrandHandler, "127.0.0.2", tls=tls)
    brand.httpd.viewer = viewer  # type: ignore[attr-defined]
    firsts: list[float] = []
    draws: list[float] = []
    try:
        with PreviewServer(bundle) as server, sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[*ARGS, f"--host-resolver-rules=MAP {BRAND}:443 127.0.0.2:{brand.port}"],
            )
            player = "document.querySelector('#openreel').__openreel"
            for _ in range(7):
                context = chromium.new_context(
                    ignore_https_errors=True, viewport={"width": 1920, "height": 1080},
                    device_scale_factor=1,
                )  # fmt: skip
                page = context.new_page()
                page.goto(f"{server.url}#t=good")
                page.wait_for_function(f"() => {player}?.firstFrameAt != null", timeout=20_000)
                origin, first = page.evaluate(f"() => [{player}.dataOrigin, {player}.firstFrameAt]")
                assert origin == "source", origin
                firsts.append(first)
                context.close()
            context = chromium.new_context(
                ignore_https_errors=True,
                viewport={"width": 1920, "height": 1080},
                device_scale_factor=1,
            )
            page = context.new_page()
            page.goto(f"{server.url}#t=good")
            page.wait_for_function(f"() => {player}?.firstFrameAt != null", timeout=20_000)
            # the played timeline is the viewer's (data from the brand endpoint), not the defaults
            origin = page.evaluate(f"() => {player}.dataOrigin")
            assert origin == "source", origin
            page.evaluate(f"() => {player}.idle()")
            # draw times during real playback (clips playing, audio off), every frame drawn
            page.evaluate(f"() => {{ {player}.drawTimes.length = 0; {player}.requestPlay() }}")
            page.wait_for_function(f"() => {player}.completed", timeout=60_000, polling=250)
            draws = page.evaluate(f"() => {player}.drawTimes")
            marks = page.evaluate(
                "() => Object.fromEntries(performance.getEntriesByType('mark')"
                ".map(m => [m.name, Math.round(m.startTime)]))"
            )
            size = page.evaluate(
                "() => { const c = document.querySelector('#openreel canvas');"
                " return [c.width, c.height] }"
            )
            assert size == [1920, 1080], size
            chromium.close()
    finally:
        brand.stop()
    ordered = sorted(draws)
    return {
        "first_frame_ms": statistics.median(firsts),
        "first_frame_all": [round(x, 1) for x in firsts],
        "mean_draw_ms": statistics.fmean(draws),
        "p95_draw_ms": ordered[int(0.95 * (len(ordered) - 1))],
        "frames": len(draws),
        "marks": marks,
    }


def main() -> None:
    static = static_dir()
    ours = gz((static / "player.js").read_bytes())
    lottie = gz((static / "lottie.js").read_bytes()) + gz(
        (static / "dotlottie-player.wasm").read_bytes()
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        peers = peer_sizes(work / "peers")
        build_bundle(EXAMPLE, work / "bundle")
        figures = browser_figures(work / "bundle", self_signed(work))
        elapsed = time.perf_counter() - t0
    rows = [
        ("OpenReel player + CEL (gzip)", f"{ours / 1024:.1f} KB",
         f"<= {TARGETS['gzip_kb']:.0f} KB"),
        *[(f"{name} (gzip)", f"{size / 1024:.1f} KB", f"{ours / size:.2f}x ours/peer")
          for name, size in peers.items()],
        ("Lottie runtime, lazy (js + wasm, gzip)", f"{lottie / 1024:.1f} KB", "only with Lottie"),
        ("first frame with data (median of 7)", f"{figures['first_frame_ms']:.0f} ms",
         f"<= {TARGETS['first_frame_ms']:.0f} ms"),
        ("1080p draw, mean", f"{figures['mean_draw_ms']:.2f} ms", ""),
        ("1080p draw, p95", f"{figures['p95_draw_ms']:.2f} ms",
         f"<= {TARGETS['p95_draw_ms']:.0f} ms"),
    ]  # fmt: skip
    print("| figure | value | target / ratio |\n|---|---|---|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")
    print(f"\nfirst frames (ms): {figures['first_frame_all']}; marks of the last load: "
          f"{figures['marks']}; {figures['frames']} draws during playback; "
          f"run took {elapsed:.0f} s")  # fmt: skip
    results = {
        "player_gzip_bytes": ours,
        "peers_gzip_bytes": peers,
        "lottie_runtime_gzip_bytes": lottie,
        "first_frame_ms_median": figures["first_frame_ms"],
        "first_frame_ms_all": figures["first_frame_all"],
        "draw_ms_mean": figures["mean_draw_ms"],
        "draw_ms_p95": figures["p95_draw_ms"],
        "targets": TARGETS,
    }
    out = ROOT / "benchmarks" / "results" / "player.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
