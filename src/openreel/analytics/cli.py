"""Command-line parts of analytics, mounted by ``openreel.cli``:

* ``openreel events export -o events.parquet [--campaign ID] [--store FILE]``
* ``openreel events simulate --campaign demo --views 5000 [--seed 0] [--store FILE]``
* ``openreel report --campaign ID -o DIR [--store FILE] [--scenes scenes.json]``

Errors are :class:`~openreel.errors.OpenReelError` and propagate to the main CLI, which prints
them with their code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openreel.analytics.duckdb_store import DuckDBEventStore
from openreel.analytics.export import export_events
from openreel.analytics.report import write_report
from openreel.analytics.simulate import ArmSpec, SimConfig, iter_columns
from openreel.analytics.spans import SceneSpan, check_spans
from openreel.errors import AnalyticsError

DEFAULT_STORE: Final = Path("openreel-events.duckdb")
_CHUNK_VIEWS: Final = 20_000

events_app = typer.Typer(
    name="events",
    help="Engagement events: export them to Parquet, or simulate viewer traffic.",
    no_args_is_help=True,
)

StoreOption = Annotated[
    Path, typer.Option("--store", help="The DuckDB event store file.", dir_okay=False)
]


def _console() -> Console:
    return Console(stderr=True)


@events_app.command("export")
def export_command(
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Parquet file to write.", dir_okay=False)
    ],
    store: StoreOption = DEFAULT_STORE,
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Only this campaign (default: all).")
    ] = None,
) -> None:
    """Write the stored events to a Parquet file (one row per event, bot flags included)."""
    with DuckDBEventStore(store, read_only=True) as db, _console().status("Exporting events"):
        rows = export_events(db, out, campaign=campaign)
    _console().print(f"Wrote {rows:,} events to {out}")


@events_app.command("simulate")
def simulate_command(
    store: StoreOption = DEFAULT_STORE,
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign id.")] = "demo",
    views: Annotated[int, typer.Option("--views", min=1, help="Page loads to simulate.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 0,
    bots: Annotated[
        float, typer.Option("--bots", min=0.0, max=1.0, help="Bot views per real view.")
    ] = 0.04,
    template_version: Annotated[
        str, typer.Option("--template-version", help="Template version recorded.")
    ] = "1",
) -> None:
    """Simulate viewer traffic (drop-off differing per arm, seeks, replays, bots, sends) into
    the store. The model is described in docs/analytics.md."""
    config = SimConfig(
        campaign=campaign,
        template_version=template_version,
        views=views,
        seed=seed,
        bot_rate=bots,
        arms=(ArmSpec("a", click_rate=0.10), ArmSpec("b", click_rate=0.17, hazard_scale=0.8)),
    )
    config.validate()
    total = stored = 0
    chunks = -(-views // _CHUNK_VIEWS)
    with (
        DuckDBEventStore(store) as db,
        Progress(
            TextColumn("Simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console(),
        ) as progress,
    ):
        task = progress.add_task("views", total=chunks)
        for columns in iter_columns(config, _CHUNK_VIEWS):
            result = db.insert(columns, milestones=False)
            total += columns.n_events
            stored += result.inserted
            progress.advance(task)
    _console().print(f"Stored {stored:,} of {total:,} simulated events in {store}")


def _load_scenes(path: Path) -> tuple[SceneSpan, ...]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        items = [(str(s[0]), float(s[1]), float(s[2])) for s in doc]
    except (OSError, ValueError, TypeError, IndexError, KeyError) as exc:
        raise AnalyticsError(
            "OR-E709", "expected a JSON list of [scene_id, start_s, end_s]", file=path.name
        ) from exc
    return check_spans(items)


def report_command(
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign id to report on.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the charts, JSON and HTML.")],
    store: StoreOption = DEFAULT_STORE,
    scenes: Annotated[
        Path | None,
        typer.Option(
            "--scenes",
            help="JSON file: a list of (scene_id, start_s, end_s) triples; default: inferred"
            " from scene_enter events.",
        ),
    ] = None,
    decision: Annotated[
        str | None,
        typer.Option("--decision", help="Decision whose arms split the retention chart."),
    ] = None,
) -> None:
    """Write a campaign's engagement report: retention, drop-off per scene, arm comparison
    (PNG), the same data as report.json, and an index.html summary."""
    spans = _load_scenes(scenes) if scenes is not None else None
    with DuckDBEventStore(store, read_only=True) as db, _console().status("Building the report"):
        files = write_report(db, campaign, out, scenes=spans, decision=decision)
    _console().print(f"Wrote {len(files.charts)} charts and {files.html}")
