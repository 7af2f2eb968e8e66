"""The ``bundle`` and ``preview`` command functions, through a Typer app as the CLI mounts them."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from openreel.web import PreviewServer, build_bundle
from openreel.web.cli import bundle, preview

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "loyalty-welcome"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(bundle)
    app.command()(preview)
    return app


def test_bundle_command_writes_the_folder(tmp_path: Path, example_assets: Any) -> None:
    result = CliRunner().invoke(_app(), ["bundle", str(EXAMPLE), "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "index.html").is_file()
    assert "KB gzip" in result.output


def test_bundle_command_reports_template_errors_with_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "template.json").write_text('{"openreel": 1, "id": "x"}')
    result = CliRunner().invoke(_app(), ["bundle", str(folder), "-o", str(tmp_path / "b")])
    assert result.exit_code == 2


def test_preview_server_serves_the_bundle_on_loopback(tmp_path: Path, example_assets: Any) -> None:
    build_bundle(EXAMPLE, tmp_path / "b")
    with PreviewServer(tmp_path / "b") as server:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url + "bundle.json", timeout=5) as r:
            manifest = json.loads(r.read())
        wasm = next(u for u in manifest["lottie"].values() if u["url"].endswith(".wasm"))["url"]
        with urllib.request.urlopen(server.url + wasm, timeout=5) as r:
            assert r.headers["Content-Type"] == "application/wasm"


def test_preview_command_prints_a_url_with_the_data_in_the_fragment(
    tmp_path: Path, example_assets: Any, monkeypatch: Any
) -> None:
    data = tmp_path / "viewer.json"
    data.write_text(json.dumps({"first_name": "Ana"}))

    def stop_soon(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", stop_soon)
    result = CliRunner().invoke(_app(), ["preview", str(EXAMPLE), "--data", str(data)])
    assert result.exit_code == 0, result.output
    url = result.output.splitlines()[0]
    assert url.startswith("http://127.0.0.1:") and "/#d=" in url
    assert "Ana" not in url  # base64url, and never in the path or query
    assert threading.active_count() >= 1
