"""The JSON Schema of the template format, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from .model import Template

SCHEMA_ID = "https://openreel.dev/schema/template-1.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``template.json``."""
    schema = Template.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def json_schema_text() -> str:
    """The schema as stable, indented JSON text (what ``openreel schema`` prints)."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
