"""The ``bundle`` and ``preview`` commands (the top-level CLI mounts these functions).

``openreel bundle TEMPLATE -o DIR [--events URL]`` writes the static bundle and prints its
folder, template version, file count and the gzip size of the player. ``openreel preview
TEMPLATE --data FILE [--port N]`` builds a bundle in a temporary folder, serves it on
127.0.0.1 and prints the URL with the data in its fragment (``#d=...``), then serves until
interrupted.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from openreel.errors import OpenReelError

from .bundle import build_bundle
from .serve import PreviewServer, fragment_for

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

TemplateArg = Annotated[Path, typer.Argument(help="Template folder (or its template.json/.yaml).")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced).")]
EventsOpt = Annotated[
    str | None, typer.Option("--events", help="Events endpoint URL (http or https).")
]
DataOpt = Annotated[Path | None, typer.Option("--data", "-d", help="Viewer data (a JSON file).")]
PortOpt = Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port).")]


def _report(error: OpenReelError) -> None:
    for e in error.errors:
        err.print(f"[bold red]error[/] {e.render()}", markup=True)
        err.print(f"  [dim]hint:[/] {e.hint}", markup=True)
    raise typer.Exit(2)


def bundle(template: TemplateArg, output: OutOpt, events: EventsOpt = None) -> None:
    """Compile TEMPLATE into a static, content-addressed bundle folder."""
    try:
        manifest = build_bundle(template, output, events_url=events)
    except OpenReelError as exc:
        _report(exc)
        return
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--events") from None
    player = next(
        name for name in manifest.files if name.startswith("player.") and name.endswith(".js")
    )
    size = len(gzip.compress((manifest.out_dir / player).read_bytes(), 9))
    out.print(
        f"bundle {manifest.out_dir} (template {manifest.template_id}, version {manifest.version})"
    )
    out.print(
        f"{len(manifest.files)} files; player {size / 1024:.1f} KB gzip; lottie: {manifest.lottie}"
    )


def preview(template: TemplateArg, data: DataOpt = None, port: PortOpt = 0) -> None:
    """Serve TEMPLATE on loopback with the viewer's data in the URL fragment."""
    payload = {}
    if data is not None:
        try:
            payload = json.loads(data.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise typer.BadParameter("expected a readable JSON file", param_hint="--data") from exc
    with tempfile.TemporaryDirectory(prefix="openreel-preview-") as tmp:
        try:
            build_bundle(template, Path(tmp) / "bundle")
        except OpenReelError as exc:
            _report(exc)
            return
        with PreviewServer(Path(tmp) / "bundle", port) as server:
            fragment = f"#{fragment_for(payload)}" if data is not None else ""
            out.print(f"{server.url}{fragment}")
            out.print("[dim]serving on loopback; Ctrl+C to stop[/]", markup=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
