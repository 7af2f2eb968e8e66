"""The settings of one ``openreel serve`` process: a plain, frozen pydantic model.

Sources, later ones winning: the defaults below, an optional TOML file (keys are the field
names, at the top level or under a ``[serve]`` table), then environment variables named
``OPENREEL_<FIELD>`` in upper case (``OPENREEL_DATA_DIR=/srv/openreel``). Nothing is read at
import time and nothing is global: :func:`load_settings` builds a value that is passed to
:func:`openreel.service.create_app`.

>>> s = load_settings(env={"OPENREEL_PORT": "9000"})
>>> s.port, s.origin
(9000, 'http://127.0.0.1:9000')
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from openreel.errors import ServiceError

ENV_PREFIX: Final = "OPENREEL_"
#: Clock skew tolerated on ``exp``/``nbf``/``iat`` of link tokens (RELIABILITY row 1); fixed.
LINK_LEEWAY_S: Final = 60

MB: Final = 1024 * 1024


class Settings(BaseModel):
    """Everything a server process needs to know; every field has a safe default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(
        Path("openreel-data"),
        description="Folder for the metadata database, templates, bundles, renders and caches.",
    )
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    public_url: str | None = Field(
        None,
        description="The origin viewers reach this server at (links and CSP use it); "
        "default http://<host>:<port>.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    docs_enabled: bool = Field(True, description="Serve /docs and /openapi.json.")
    trust_proxy: bool = Field(
        False, description="Take the client address from X-Forwarded-For (behind a proxy only)."
    )
    # --- templates ---
    max_upload_bytes: Annotated[int, Field(ge=1024)] = 50 * MB
    max_unpacked_bytes: Annotated[int, Field(ge=1024)] = 200 * MB
    max_archive_files: Annotated[int, Field(ge=1)] = 2000
    # --- links ---
    default_link_lifetime_s: Annotated[int, Field(ge=60, le=400 * 86400)] = 30 * 86400
    key_overlap_s: Annotated[int, Field(ge=0)] = Field(
        31 * 86400,
        description="How long a retired signing key still verifies links after a rotation.",
    )
    keyring_cache_s: Annotated[float, Field(ge=0, le=300)] = 5.0
    # --- events ---
    events_store: str = Field(
        "events.duckdb",
        description='Event store file, relative to data_dir; ":memory:" keeps events in memory.',
    )
    events_max_queued: Annotated[int, Field(ge=1000)] = 200_000
    events_flush_interval_s: Annotated[float, Field(gt=0, le=60)] = 0.25
    events_rate_per_s: Annotated[float, Field(gt=0)] = Field(
        50.0, description="Event batches a second one client address may post (token bucket)."
    )
    events_burst: Annotated[int, Field(ge=1)] = 200
    rate_limit_clients: Annotated[int, Field(ge=16)] = Field(
        100_000, description="Client addresses the rate limiter remembers (least recent dropped)."
    )

    # --- render jobs ---
    render_workers: Annotated[int, Field(ge=1, le=64)] = 1
    render_queue: Annotated[int, Field(ge=0, le=10_000)] = Field(
        8, description="Render jobs that may wait; one more is answered 429."
    )
    max_json_bytes: Annotated[int, Field(ge=1024)] = Field(
        1 * MB, description="Largest JSON request body of the management API."
    )
    # --- server mode: the brand's data endpoint ---
    fetch_timeout_s: Annotated[float, Field(gt=0, le=30)] = 3.0
    fetch_max_bytes: Annotated[int, Field(ge=1024, le=16 * MB)] = 256 * 1024
    fetch_allow_http: bool = Field(False, description="Test only: allow http:// data endpoints.")
    fetch_allowed_networks: tuple[str, ...] = Field(
        (), description="Test only: private networks the data fetch may reach (e.g. 127.0.0.0/8)."
    )

    # --- triggers: signed callbacks (same fetch_allow_http / fetch_allowed_networks rules) ---
    callback_secret: str | None = Field(
        None,
        min_length=16,
        description="HMAC secret signing trigger callbacks; callbacks are refused without it.",
    )
    callback_attempts: Annotated[int, Field(ge=1, le=20)] = 5
    callback_base_delay_s: Annotated[float, Field(ge=0, le=60)] = 2.0
    callback_timeout_s: Annotated[float, Field(gt=0, le=30)] = 10.0

    @field_validator("public_url")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.rstrip("/")
        if not (value.startswith(("http://", "https://"))) or " " in value:
            raise ValueError("public_url must be an http(s) origin such as https://video.example")
        return value

    @property
    def origin(self) -> str:
        """``public_url``, or ``http://<host>:<port>`` when it is not set."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def db_path(self) -> Path:
        """The SQLite metadata file."""
        return self.data_dir / "openreel.sqlite3"

    @property
    def events_path(self) -> Path | None:
        """The DuckDB event store file, or None for an in-memory store."""
        if self.events_store == ":memory:":
            return None
        return self.data_dir / self.events_store


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ServiceError(
            "OR-E605", f"cannot read the settings file ({type(exc).__name__})", file=str(path)
        ) from None
    table = doc.get("serve", doc)
    if not isinstance(table, dict):
        raise ServiceError("OR-E605", "[serve] must be a table", file=str(path))
    return dict(table)


def load_settings(toml_path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from defaults, then ``toml_path`` (if given), then ``env`` (default:
    ``os.environ``). Raises ``OR-E605`` naming the offending field (never its value)."""
    values: dict[str, Any] = _read_toml(toml_path) if toml_path is not None else {}
    environ = os.environ if env is None else env
    for name in Settings.model_fields:
        key = ENV_PREFIX + name.upper()
        if key in environ:
            values[name] = environ[key]
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ServiceError(
            "OR-E605",
            f"setting {field!r}: {first['msg']}",
            path=field,
            file=str(toml_path) if toml_path else None,
        ) from None
