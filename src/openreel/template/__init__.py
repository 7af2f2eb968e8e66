"""The template format: pydantic models, loading from a folder, and the JSON Schema.

>>> from openreel.template import validate_document
>>> t = validate_document({"openreel": 1, "id": "hello", "size": [640, 360],
...                        "scenes": [{"id": "s", "duration": 2, "layers": []}]})
>>> t.fps, t.scenes[0].duration
(30, 2)
"""

from .data_schema import FieldSpec
from .layers import (
    ButtonLayer,
    GroupLayer,
    ImageLayer,
    Layer,
    LottieLayer,
    ShapeLayer,
    TextLayer,
    VideoLayer,
)
from .loader import LoadedTemplate, check_relative_path, load_template, validate_document
from .model import (
    AudioTrack,
    Caption,
    Decision,
    Hotspot,
    Scene,
    Source,
    Template,
    Theme,
    Transition,
)
from .schema import json_schema

__all__ = [
    "AudioTrack",
    "ButtonLayer",
    "Caption",
    "Decision",
    "FieldSpec",
    "GroupLayer",
    "Hotspot",
    "ImageLayer",
    "Layer",
    "LoadedTemplate",
    "LottieLayer",
    "Scene",
    "ShapeLayer",
    "Source",
    "Template",
    "TextLayer",
    "Theme",
    "Transition",
    "VideoLayer",
    "check_relative_path",
    "json_schema",
    "load_template",
    "validate_document",
]
