"""The event schema: the published JSON Schema is current, and no field can carry free text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from analytics_helpers import NOW_MS, player_event
from pydantic import ValidationError

from openreel.analytics.columns import REF_FIELD
from openreel.analytics.schema import (
    EVENT_ADAPTER,
    EVENT_TYPES,
    SEND_TYPES,
    Batch,
    event_json_schema,
    schema_text,
)

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "events.schema.json"


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/events.schema.json is stale: regenerate it with "
        "python -c 'from openreel.analytics.schema import write_schema; from pathlib import Path; "
        'write_schema(Path("docs/events.schema.json"))\''
    )


def _walk(node: Any, path: str = "$") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            found.extend(_walk(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_walk(value, f"{path}[{i}]"))
    return found


def test_no_field_can_hold_free_text() -> None:
    schema = event_json_schema()
    strings = 0
    for path, node in _walk(schema):
        if node.get("type") == "string" and not path.endswith(".discriminator"):
            strings += 1
            constrained = "pattern" in node or "enum" in node or "const" in node
            assert constrained or node.get("format") == "uuid", f"free text at {path}"
            assert ".+" not in node.get("pattern", "") and ".*" not in node.get("pattern", "")
        if node.get("type") == "object" and "properties" in node:
            assert node.get("additionalProperties") is False, f"open object at {path}"
        if node.get("type") == "object" and "patternProperties" in node:
            assert node.get("additionalProperties") is False, f"open map at {path}"
    assert strings > 40  # the walk did reach every string field


def test_every_type_has_a_model_and_round_trips() -> None:
    view = uuid4()
    extras: dict[str, dict[str, Any]] = {
        "load": {"duration": 30.0},
        "seek": {"from_time": 12.5},
        "scene_enter": {"scene": "offer"},
        "cta_click": {"cta": "buy"},
        "share": {"channel": "whatsapp"},
        "error": {"code": "OR-E402"},
    }
    for i, kind in enumerate(EVENT_TYPES):
        if kind in SEND_TYPES:
            raw: dict[str, Any] = {
                "event_id": str(uuid4()),
                "view_id": str(view),
                "ts": NOW_MS,
                "campaign": "spring",
                "type": kind,
                "channel": "sms",
            }
        else:
            raw = player_event(view, i, kind, **extras.get(kind, {}))
        event = EVENT_ADAPTER.validate_python(raw)
        assert event.type == kind
        dumped = json.loads(EVENT_ADAPTER.dump_json(event, exclude_defaults=True))
        assert EVENT_ADAPTER.validate_python(dumped) == event
        if kind in REF_FIELD:
            assert getattr(event, REF_FIELD[kind])


@pytest.mark.parametrize(
    "change",
    [
        {"view_id": "not-a-uuid"},
        {"seq": -1},
        {"ts": -5},
        {"media_time": float("nan")},
        {"device": "smart fridge"},
        {"campaign": "a" * 65},
        {"campaign": "with space"},
        {"arms": {f"d{i}": "a" for i in range(17)}},
        {"template_version": None},
        {"email": "x@y.z"},
    ],
)
def test_invalid_events(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_python({**player_event(uuid4(), 0), **change})


def test_batch_model_limits() -> None:
    Batch.model_validate({"v": 1, "events": []})
    with pytest.raises(ValidationError):
        Batch.model_validate({"v": 1, "events": [], "note": "hi"})
    with pytest.raises(ValidationError):
        Batch.model_validate({"v": 1, "events": [player_event(uuid4(), i) for i in range(1001)]})
