"""Typer command functions ``render`` and ``still`` (mounted by :mod:`openreel.cli`).

Mount with ``app.command()(render)`` and ``app.command()(still)``. Exit codes: 0 done, 2 a
user error (printed once with its code and hint, no traceback).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from openreel.errors import DataError, OpenReelError

from .options import Preset, RenderOptions, parse_size
from .options import Progress as ProgressEvent

_err = Console(stderr=True, highlight=False, soft_wrap=True)
_out = Console(highlight=False, soft_wrap=True)

TemplateArg = Annotated[Path, typer.Argument(help="Template folder (or its template.json/.yaml).")]
DataOpt = Annotated[
    Path | None, typer.Option("--data", "-d", help="Viewer data: a JSON file or a CSV file.")
]
RowOpt = Annotated[int, typer.Option("--row", help="Data row of a CSV file (0 = first).")]
SizeOpt = Annotated[
    str | None, typer.Option("--size", help="Output size WxH (default: the template's).")
]
NowOpt = Annotated[
    str | None, typer.Option("--now", help="The moment of viewing, ISO 8601 (default: now).")
]


def _fail(error: OpenReelError) -> None:
    for e in error.errors:
        _err.print(f"[bold red]error[/] {e.render()}", markup=True)
        _err.print(f"  [dim]hint:[/] {e.hint}", markup=True)
    raise typer.Exit(2)


def _read_data(path: Path | None, row: int) -> dict[str, Any]:
    from openreel.data import read_csv_row, read_json_data

    if path is None:
        return {}
    if not path.is_file():
        raise DataError("OR-E300", "the data file does not exist", file=str(path))
    if path.suffix.lower() == ".csv":
        return read_csv_row(path, row=row)
    return read_json_data(path)


def _now(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DataError("OR-E308", "--now must be an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class _FpsColumn(ProgressColumn):
    """Frames per second, from rich's smoothed speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- fps" if speed is None else f"{speed:5.1f} fps")


class _Bar:
    """A rich progress bar fed by pipeline progress events (frames, fps, ETA)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def __call__(self, event: ProgressEvent) -> None:
        if event.stage != "frames":
            if self.task is None:
                self.progress.console.print(f"[dim]{event.stage}...[/]", markup=True)
            return
        if self.task is None:
            self.task = self.progress.add_task("frames", total=event.total)
        self.progress.update(self.task, completed=event.done)


def render(
    template: TemplateArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output video (.mp4; .mov/.webm)")],
    data: DataOpt = None,
    row: RowOpt = 0,
    size: SizeOpt = None,
    preset: Annotated[str, typer.Option(help="fast | balanced | small")] = "fast",
    start: Annotated[float | None, typer.Option("--from", help="Start time, seconds.")] = None,
    end: Annotated[float | None, typer.Option("--to", help="End time, seconds.")] = None,
    gif: Annotated[Path | None, typer.Option(help="Also write a GIF preview.")] = None,
    webp: Annotated[Path | None, typer.Option(help="Also write an animated WebP.")] = None,
    captions: Annotated[Path | None, typer.Option(help="Also write WebVTT captions.")] = None,
    burn_captions: Annotated[
        bool, typer.Option("--burn-captions", help="Draw the captions into the picture.")
    ] = False,
    now: NowOpt = None,
) -> None:
    """Render one viewer's video to MP4 (with optional previews and captions)."""
    from .render import render_video

    try:
        if preset not in ("fast", "balanced", "small"):
            raise DataError("OR-E104", f"--preset must be fast, balanced or small, not {preset!r}")
        chosen: Preset = preset  # type: ignore[assignment]
        options = RenderOptions(
            size=parse_size(size) if size else None, preset=chosen, start_s=start, end_s=end,
            gif=gif, webp=webp, captions=captions, burn_captions=burn_captions, now=_now(now),
        )  # fmt: skip
        raw = _read_data(data, row)
        columns = (
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TaskProgressColumn(), _FpsColumn(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        )  # fmt: skip
        with Progress(*columns, console=_err, transient=False) as bar:
            result = render_video(template, raw, out, options, progress=_Bar(bar))
    except OpenReelError as exc:
        _fail(exc)
        return
    for code, message in result.warnings:
        _err.print(f"[yellow]warning[/] {code} {message}", markup=True)
    fps = result.frames / max(result.stages["wall"] / 1000, 1e-9)
    for path in result.outputs:
        _out.print(f"[green]wrote[/] {path}", markup=True)
    _out.print(
        f"{result.frames} frames, {result.size[0]}x{result.size[1]} @ {result.fps} fps in "
        f"{result.stages['wall'] / 1000:.2f} s ({fps:.1f} fps)"
    )


def still(
    template: TemplateArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output image (.jpg, .png, .webp)")],
    at: Annotated[float, typer.Option("--at", help="Time of the frame, seconds.")] = 0.0,
    data: DataOpt = None,
    row: RowOpt = 0,
    size: SizeOpt = None,
    now: NowOpt = None,
) -> None:
    """Render one frame of a viewer's video as a JPEG, PNG or WebP still."""
    from .still import render_still_file

    try:
        raw = _read_data(data, row)
        path = render_still_file(
            template, raw, at, out, parse_size(size) if size else None, now=_now(now)
        )
    except OpenReelError as exc:
        _fail(exc)
        return
    _out.print(f"[green]wrote[/] {path}", markup=True)
