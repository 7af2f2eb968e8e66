"""Reports on simulated traffic: charts that decode, JSON equal to the data, an HTML summary
that names the findings; and the CLI commands around them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analytics_helpers import CONFIG
from PIL import Image
from typer.main import get_command
from typer.testing import CliRunner

from openreel.analytics.cli import events_app, report_command
from openreel.analytics.duckdb_store import DuckDBEventStore
from openreel.analytics.report import build_report, infer_scenes, write_report
from openreel.analytics.simulate import Simulation
from openreel.errors import AnalyticsError


def test_report_files_and_content(
    loaded: DuckDBEventStore, sim: Simulation, tmp_path: Path
) -> None:
    files = write_report(loaded, "spring", tmp_path / "out", scenes=CONFIG.scenes, seed=1)
    names = sorted(p.name for p in files.charts)
    assert names == ["arms.png", "dropoff.png", "funnel.png", "retention.png", "seeks.png"]
    for path in files.charts:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width >= 800 and image.height >= 300
            colors = image.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colors is not None and len(colors) > 50  # drawn, not blank
    data = json.loads(files.json.read_text())
    assert data == build_report(loaded, "spring", scenes=CONFIG.scenes, seed=1)
    assert data["summary"]["bots_excluded"] == len(sim.truth.bot_view_ids)
    assert [c["group"] for c in data["retention"]["curves"]] == ["all", "a", "b"]
    worst = max(data["dropoff"], key=lambda r: r["dropoff"])
    assert worst["scene_id"] == "offer"
    html = files.html.read_text()
    assert "“offer”" in html and "arm “b” gets the most clicks" in html
    assert "best arm is &gt; 99%" in html
    for chart in names:
        assert f'src="{chart}"' in html
    assert "NaN" not in files.json.read_text() and "nan%" not in html
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_scenes_are_inferred_from_scene_enter(loaded: DuckDBEventStore) -> None:
    spans = infer_scenes(loaded, "spring")
    assert [(s.scene_id, s.start_s, s.end_s) for s in spans] == [
        (s.scene_id, s.start_s, s.end_s) for s in CONFIG.scenes
    ]
    data = build_report(loaded, "spring")
    assert [r["scene_id"] for r in data["dropoff"]] == [s.scene_id for s in CONFIG.scenes]


def test_report_errors(loaded: DuckDBEventStore, tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError) as err:
        write_report(loaded, "nope", tmp_path)
    assert err.value.code == "OR-E707"
    with pytest.raises(AnalyticsError) as err:
        build_report(loaded, "spring", scenes=[("a", 5.0, 2.0)])
    assert err.value.code == "OR-E709"
    with pytest.raises(AnalyticsError) as err:
        build_report(loaded, "spring", decision="headline")
    assert err.value.code == "OR-E710"


def test_cli_simulate_export_report(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "events.duckdb"
    result = runner.invoke(
        events_app, ["simulate", "--store", str(store), "--views", "400", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        events_app, ["simulate", "--store", str(store), "--views", "400", "--seed", "3"]
    )
    assert again.exit_code == 0 and "Stored 0 of" in again.output  # same seed: all duplicates
    out = tmp_path / "events.parquet"
    result = runner.invoke(events_app, ["export", "--store", str(store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 10_000
    report_command("demo", tmp_path / "report", store)
    assert (tmp_path / "report" / "index.html").exists()
    scenes = tmp_path / "scenes.json"
    scenes.write_text(json.dumps([["intro", 0, 10], ["rest", 10, 30]]))
    report_command("demo", tmp_path / "report2", store, scenes=scenes)
    data = json.loads((tmp_path / "report2" / "report.json").read_text())
    assert [r["scene_id"] for r in data["dropoff"]] == ["intro", "rest"]
    scenes.write_text("{broken")
    with pytest.raises(AnalyticsError) as err:
        report_command("demo", tmp_path / "report3", store, scenes=scenes)
    assert err.value.code == "OR-E709"


def test_cli_help_texts() -> None:
    runner = CliRunner()
    for args in (["--help"], ["export", "--help"], ["simulate", "--help"]):
        result = runner.invoke(events_app, args)
        assert result.exit_code == 0 and "Usage" in result.output
    import typer

    app = typer.Typer()
    app.command("report")(report_command)
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "--campaign" in result.output and "--out" in result.output
    assert get_command(events_app).name == "events"


def test_retention_chart_with_no_watched_seconds_still_draws(tmp_path: Path) -> None:
    """Every view flagged as a bot leaves empty curves: the chart says so instead of failing."""
    from openreel.analytics.charts import retention_chart

    data = {"curves": [{"group": "all", "started": 0, "share": []}], "scenes": []}
    out = tmp_path / "retention.png"
    retention_chart(data, out, "Audience retention")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
