"""The engagement event schema (version 1): what the player and the brand send, and nothing more.

A batch on the wire is ``{"v": 1, "sent_at": <ms>, "events": [...]}``. Every event names its
view (a random, pseudonymous UUID issued per page load), a per-view sequence number, the
campaign, template version and decision arms, and one ``type`` from :data:`EVENT_TYPES`.

Privacy by construction: every string is an identifier matching :data:`ID_PATTERN` (at most 64
characters of ``[A-Za-z0-9._:-]``, no spaces, no ``@``), an enum value, a UUID, or a stable error
code (``OR-Exxx``). There is no free-text field, so no field can carry a viewer's data values,
and unknown fields are rejected (``additionalProperties: false``).

Times: ``ts`` is the client clock in milliseconds since the Unix epoch (UTC); ``media_time``,
``from_time`` and ``duration`` are seconds on the video's timeline. A ``progress`` event is sent
each time playback enters a whole second ``k`` (``media_time == k``), including ``k == 0`` when
playback starts; any jump (seek forward, replay) is a ``seek`` event, never a silent jump.

Brand events (``sent``, ``delivered``, ``opened``) carry no ``seq``: each happens at most once
per view and is de-duplicated on its type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

SCHEMA_VERSION: Final = 1
SCHEMA_ID: Final = "https://openreel.dev/schemas/events-v1.json"

#: Every event type, in the order of their numeric codes in the store (code = index).
EVENT_TYPES: Final[tuple[str, ...]] = (
    "load",
    "first_frame",
    "play",
    "pause",
    "seek",
    "progress",
    "scene_enter",
    "complete",
    "cta_click",
    "share",
    "error",
    "sent",
    "delivered",
    "opened",
)
TYPE_CODE: Final[dict[str, int]] = {name: i for i, name in enumerate(EVENT_TYPES)}
#: Brand-recorded types; they have no ``seq`` on the wire (the store gives each a fixed one).
SEND_TYPES: Final[frozenset[str]] = frozenset({"sent", "delivered", "opened"})
#: Types whose ``media_time`` is a position the viewer actually played (used for "reach").
POSITION_TYPES: Final[frozenset[str]] = frozenset(
    {"pause", "progress", "scene_enter", "complete", "cta_click", "share"}
)

ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
ERROR_CODE_PATTERN: Final = r"^OR-E[0-9]{3}$"
MAX_SEQ: Final = 2**31 - 1
MAX_MEDIA_TIME: Final = 86_400.0  # one day of media; anything longer is not a video we render
MAX_TS: Final = 4_102_444_800_000  # 2100-01-01T00:00:00Z in ms
MAX_ARMS: Final = 16
MAX_EVENTS_PER_BATCH: Final = 1000

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
ErrorCode = Annotated[str, StringConstraints(pattern=ERROR_CODE_PATTERN)]
MediaTime = Annotated[float, Field(ge=0.0, le=MAX_MEDIA_TIME, allow_inf_nan=False)]
Device = Literal["desktop", "mobile", "tablet", "tv", "other"]
ShareChannel = Literal["link", "email", "sms", "whatsapp", "social", "other"]
SendChannel = Literal["email", "sms", "push", "whatsapp", "other"]

# Keys outside the id pattern are rejected, in the JSON Schema as in validation.
_CLOSED_MAP: Final[dict[str, Any]] = {"additionalProperties": False}

DEVICES: Final[tuple[str, ...]] = ("desktop", "mobile", "tablet", "tv", "other")


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)

    event_id: UUID = Field(description="Random id of this event (UUID), unique per event.")
    view_id: UUID = Field(
        description="Random, pseudonymous id of one view (page load), issued by the platform."
    )
    ts: int = Field(ge=0, le=MAX_TS, description="Client clock, ms since the Unix epoch (UTC).")
    campaign: Id = Field(description="Campaign id.")


class _Player(_Common):
    seq: int = Field(
        ge=0, le=MAX_SEQ, description="Per-view sequence number; (view_id, seq) is unique."
    )
    template_version: Id = Field(description="Version of the template that was played.")
    arms: dict[Id, Id] = Field(
        default_factory=dict,
        max_length=MAX_ARMS,
        description="Decision name -> chosen arm, for every decision taken for this view.",
        json_schema_extra=_CLOSED_MAP,
    )
    device: Device = Field(description="Coarse device class.")
    media_time: MediaTime = Field(description="Position on the video timeline, seconds.")


class LoadEvent(_Player):
    """The player loaded and resolved the video; ``duration`` is its length in seconds."""

    type: Literal["load"]
    duration: float = Field(gt=0.0, le=MAX_MEDIA_TIME, allow_inf_nan=False)


class PlaybackEvent(_Player):
    """``first_frame``, ``play``, ``pause``, ``progress`` (entered second ``media_time``),
    ``complete`` (playback reached the end)."""

    type: Literal["first_frame", "play", "pause", "progress", "complete"]


class SeekEvent(_Player):
    """A jump from ``from_time`` to ``media_time`` (backwards: a replay; forwards: a skip)."""

    type: Literal["seek"]
    from_time: MediaTime


class SceneEnterEvent(_Player):
    """Playback entered scene ``scene`` at ``media_time``."""

    type: Literal["scene_enter"]
    scene: Id


class CtaClickEvent(_Player):
    """The viewer clicked call-to-action ``cta``."""

    type: Literal["cta_click"]
    cta: Id


class ShareEvent(_Player):
    """The viewer used the share action through ``channel``."""

    type: Literal["share"]
    channel: ShareChannel


class ErrorEvent(_Player):
    """Playback failed; only the stable error code is sent, never a message."""

    type: Literal["error"]
    code: ErrorCode


class SendEvent(_Common):
    """Recorded by the brand for the view id it put in a message: ``sent``, ``delivered``,
    ``opened``. Each is stored at most once per view."""

    type: Literal["sent", "delivered", "opened"]
    channel: SendChannel
    template_version: Id | None = None
    arms: dict[Id, Id] = Field(
        default_factory=dict, max_length=MAX_ARMS, json_schema_extra=_CLOSED_MAP
    )


Event = Annotated[
    LoadEvent
    | PlaybackEvent
    | SeekEvent
    | SceneEnterEvent
    | CtaClickEvent
    | ShareEvent
    | ErrorEvent
    | SendEvent,
    Field(discriminator="type"),
]


class Batch(BaseModel):
    """One upload: the schema version, the client's send time and up to 1000 events."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = Field(description="Schema version.")
    sent_at: int | None = Field(
        default=None,
        ge=0,
        le=MAX_TS,
        description=(
            "Client clock when this send attempt started (ms; a retry sends its own time); "
            "lets the server undo the client's clock skew."
        ),
    )
    events: list[Event] = Field(max_length=MAX_EVENTS_PER_BATCH)


EVENT_ADAPTER: Final[TypeAdapter[Event]] = TypeAdapter(Event)
EVENT_MODELS: Final[tuple[type[BaseModel], ...]] = (
    LoadEvent,
    PlaybackEvent,
    SeekEvent,
    SceneEnterEvent,
    CtaClickEvent,
    ShareEvent,
    ErrorEvent,
    SendEvent,
)


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a batch, as published in ``docs/events.schema.json``."""
    schema = Batch.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "OpenReel engagement event batch, version 1",
        **schema,
    }


def schema_text() -> str:
    """The exact text of ``docs/events.schema.json`` (stable key order, trailing newline)."""
    return json.dumps(event_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path) -> None:
    """Write :func:`schema_text` to ``path``."""
    path.write_text(schema_text(), encoding="utf-8")
