"""Command-line parts of the service, mounted by ``openreel.cli``:

* ``openreel serve [--config openreel.toml] [--host H] [--port P] [--data-dir DIR]``
* ``openreel keys create [--name NAME]`` prints a new API key once (only its hash is stored)
* ``openreel keys rotate`` makes a new link-signing key (the old one verifies during the overlap)

Settings come from the TOML file and ``OPENREEL_*`` environment variables
(:func:`openreel.service.load_settings`); command-line options win.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from openreel.service.auth import create_api_key
from openreel.service.keys import KeyStore
from openreel.service.observe import JsonFormatter
from openreel.service.settings import Settings, load_settings
from openreel.service.storage import Storage

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="TOML settings file (keys as in docs/server.md).", dir_okay=False
    ),
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Data folder (overrides OPENREEL_DATA_DIR).")
]


def _settings(config: Path | None, **overrides: Any) -> Settings:
    settings = load_settings(config)
    changes = {k: v for k, v in overrides.items() if v is not None}
    if not changes:
        return settings
    return Settings.model_validate({**settings.model_dump(), **changes})


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the ``openreel`` loggers (called by ``serve`` only)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("openreel")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def serve(
    config: ConfigOpt = None,
    host: Annotated[str | None, typer.Option("--host", help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to bind.")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run the OpenReel server (API, landing pages, events) with uvicorn."""
    import uvicorn

    from openreel.service.app import create_app

    settings = _settings(config, host=host, port=port, data_dir=data_dir)
    configure_logging(settings.log_level)
    app = create_app(settings)
    storage = app.state.openreel.storage
    if not storage.has_api_keys():
        typer.echo(
            "No API key yet: create one with `openreel keys create"
            f" --data-dir {settings.data_dir}`.",
            err=True,
        )
    typer.echo(
        f"OpenReel serving {settings.origin} (bound to {settings.host}:{settings.port})",
        err=True,
    )
    # access_log=False: uvicorn's access log prints raw paths (link tokens) and client addresses.
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            access_log=False,
            log_config=None,
            proxy_headers=settings.trust_proxy,
            server_header=False,
        )
    finally:
        app.state.openreel.close()


keys_app = typer.Typer(
    name="keys", help="API keys and link-signing keys of a server.", no_args_is_help=True
)


@keys_app.command("create")
def keys_create(
    name: Annotated[
        str, typer.Option("--name", help="A label for the key (no personal data).")
    ] = "default",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create an API key and print it once; only its SHA-256 is stored."""
    settings = _settings(config, data_dir=data_dir)
    storage = Storage(settings.data_dir)
    try:
        key = create_api_key(storage, name)
    finally:
        storage.close()
    typer.echo(key.token)
    typer.echo(f"Key {key.id} created; send it as `Authorization: Bearer <key>`.", err=True)


@keys_app.command("rotate")
def keys_rotate(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Make a new link-signing key; links signed with the previous key keep working for
    ``key_overlap_s`` seconds."""
    import time

    settings = _settings(config, data_dir=data_dir)
    storage = Storage(settings.data_dir)
    try:
        store = KeyStore(storage, overlap_s=settings.key_overlap_s, cache_s=0, clock=time.time)
        kid = store.rotate()
    finally:
        storage.close()
    typer.echo(kid)
