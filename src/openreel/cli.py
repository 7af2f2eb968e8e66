"""The ``openreel`` command line.

Exit codes: 0 success, 1 an internal failure, 2 a user error (printed once, readably, with its
code, location and hint; never a Python traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from openreel.errors import DataError, OpenReelError

app = typer.Typer(
    name="openreel",
    help="OpenReel: data-driven personalized video from one master template.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

TemplateArg = Annotated[Path, typer.Argument(help="Template folder (or its template.json/.yaml).")]
DataOpt = Annotated[
    Path | None, typer.Option("--data", "-d", help="Viewer data: a JSON file or a CSV file.")
]
RowOpt = Annotated[int, typer.Option("--row", help="Data row of a CSV file (0 = first).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _fail(error: OpenReelError, *, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({"ok": False, "errors": [e.to_dict() for e in error.errors]}))
    else:
        for e in error.errors:
            err.print(f"[bold red]error[/] {e.render()}", markup=True)
            err.print(f"  [dim]hint:[/] {e.hint}", markup=True)
    raise typer.Exit(2)


def _load(template: Path) -> Any:
    from openreel.resolve import compile_template
    from openreel.template import load_template

    return compile_template(load_template(template))


def _read_data(path: Path, row: int) -> dict[str, Any]:
    from openreel.data import read_csv_row, read_json_data

    if not path.is_file():
        raise DataError("OR-E300", "the data file does not exist", file=str(path))
    if path.suffix.lower() == ".csv":
        return read_csv_row(path, row=row)
    return read_json_data(path)


@app.command()
def validate(
    template: TemplateArg, data: DataOpt = None, row: RowOpt = 0, as_json: JsonOpt = False
) -> None:
    """Check a template (and optionally a viewer's data against it)."""
    from openreel.data import validate_data

    try:
        ct = _load(template)
        warnings: list[OpenReelError] = []
        if data is not None:
            raw = _read_data(data, row)
            validated = validate_data(
                ct.model.data, raw, asset_names=tuple(ct.model.assets), source=str(data)
            )
            warnings.extend(validated.warnings)
    except OpenReelError as exc:
        _fail(exc, as_json=as_json)
        return
    if as_json:
        out.print_json(
            json.dumps(
                {"ok": True, "template": ct.model.id, "warnings": [w.to_dict() for w in warnings]}
            )
        )
        return
    for w in warnings:
        err.print(f"[yellow]warning[/] {w.render()}", markup=True)
    extra = " and its data" if data is not None else ""
    out.print(
        f"[green]ok[/] {ct.model.id}{extra} are valid"
        if data
        else f"[green]ok[/] {ct.model.id} is valid",
        markup=True,
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the template format."""
    from openreel.template.schema import json_schema_text

    sys.stdout.write(json_schema_text())


@app.command()
def inspect(
    template: TemplateArg,
    data: DataOpt = None,
    row: RowOpt = 0,
    decisions: Annotated[
        Path | None, typer.Option(help="JSON object of decision name -> arm.")
    ] = None,
    locale: Annotated[str | None, typer.Option(help="The viewer's locale (view.locale).")] = None,
    now: Annotated[
        str | None, typer.Option(help="The moment of viewing, ISO 8601 (default: now).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Resolve a template for one viewer and summarise the timeline (or print it as JSON)."""
    from openreel.resolve import View, canonical_json, resolve

    try:
        ct = _load(template)
        raw = _read_data(data, row) if data is not None else {}
        chosen = _read_decisions(decisions) if decisions is not None else {}
        view = View(time=_parse_now(now), locale=locale)
        timeline = resolve(ct, raw, chosen, view)
    except OpenReelError as exc:
        _fail(exc, as_json=as_json)
        return
    if as_json:
        sys.stdout.write(canonical_json(timeline) + "\n")
        return
    _summary(ct, timeline)


def _read_decisions(path: Path) -> dict[str, str]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise DataError(
            "OR-E300", "the decisions file is not readable JSON", file=str(path)
        ) from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise DataError("OR-E300", "decisions must be a JSON object of name -> arm", file=str(path))
    return value


def _parse_now(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DataError("OR-E308", "--now must be an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _summary(ct: Any, timeline: dict[str, Any]) -> None:
    from fractions import Fraction

    fps = Fraction(timeline["fps"])
    seconds = float(timeline["frames"] / fps)
    w, h = timeline["size"]
    out.print(
        f"[bold]{timeline['template']}[/]  {w}x{h}  {timeline['fps']} fps  "
        f"{timeline['frames']} frames ({seconds:.2f} s)",
        markup=True,
    )
    table = Table("scene", "frames", "seconds", "transition", "layers", "dynamic layers")
    for sc in timeline["scenes"]:
        dynamic = [ly["id"] for ly in _all_layers(sc["layers"]) if not ly["static"]]
        tr = sc["transition"]
        name = sc["id"] + (f" #{sc['instance']}" if ct.model.scenes[sc["source"]].repeat else "")
        table.add_row(
            name,
            f"{sc['start']}-{sc['end']}",
            f"{float(sc['start'] / fps):.2f}-{float(sc['end'] / fps):.2f}",
            f"{tr['type']} {tr['frames']}f" if tr["frames"] else "cut",
            str(len(sc["layers"])),
            ", ".join(dynamic) or "-",
        )
    out.print(table)
    used = sorted(ct.fields_used)
    pii = ct.pii_fields_used()
    fields = ", ".join(f"{f} (pii)" if f in pii else f for f in used) or "-"
    out.print(f"data fields used: {fields}")
    if timeline["decisions"]:
        chosen = ", ".join(
            f"{k}={v['arm']} ({v['reason']})" for k, v in timeline["decisions"].items()
        )
        out.print(f"decisions: {chosen}")
    if timeline["audio"]:
        out.print("audio: " + ", ".join(a["src"] for a in timeline["audio"]))


def _all_layers(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for layer in layers:
        found.append(layer)
        found.extend(_all_layers(layer.get("layers", [])))
    return found


def _mount() -> None:
    """Commands of the other capabilities, each defined in its own package."""
    from openreel.analytics.cli import events_app, report_command
    from openreel.pipeline.cli import render, still
    from openreel.service.cli import keys_app, serve
    from openreel.web.cli import bundle, preview

    app.command("render")(render)
    app.command("still")(still)
    app.command("bundle")(bundle)
    app.command("preview")(preview)
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys", help="API keys and link signing keys of the server.")
    app.add_typer(events_app, name="events", help="Engagement events: simulate, export.")
    app.command("report")(report_command)


_mount()


def main() -> None:
    """Console entry point."""
    try:
        app()
    except OpenReelError as exc:  # an error escaping a command is still a user error
        for e in exc.errors:
            err.print(e.render())
        sys.exit(2)


if __name__ == "__main__":
    main()
