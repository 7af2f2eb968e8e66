"""Options and results of the server render pipeline (plain immutable values, no globals)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from openreel.errors import RenderError

Preset = Literal["fast", "balanced", "small"]
MIN_SIDE, MAX_SIDE = 16, 4096
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX]\s*(\d{1,5})\s*$")


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``; even integers in 16..4096, else ``OR-E503``.

    >>> parse_size("1080x1920")
    (1080, 1920)
    """
    match = _SIZE.match(text)
    if match is None:
        raise RenderError("OR-E503", f"expected WxH such as 1280x720, found {text!r}")
    size = (int(match.group(1)), int(match.group(2)))
    check_size(size)
    return size


def check_size(size: tuple[int, int]) -> None:
    """Raise ``OR-E503`` unless both sides are even integers in 16..4096."""
    for side in size:
        if not MIN_SIDE <= side <= MAX_SIDE or side % 2:
            raise RenderError(
                "OR-E503", f"expected even sides from {MIN_SIDE} to {MAX_SIDE}, found {size}"
            )


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report: ``done`` of ``total`` frames, ``stage`` (``build``, ``audio``,
    ``frames``, ``previews``, ``done``)."""

    stage: str
    done: int
    total: int


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render a video.

    ``size`` (output pixels; default the template's), ``preset`` (x264 speed/size trade-off),
    ``start_s`` / ``end_s`` (the time range, seconds; default the whole timeline; frames
    ``[round(start * fps), round(end * fps))``), ``gif`` / ``webp`` (preview files of the
    range at ``preview_width`` pixels wide and ``preview_fps``, at most ``preview_max_s``
    seconds), ``captions`` (a WebVTT file), ``burn_captions``, ``audio`` (mix and encode the
    timeline's audio), ``now`` / ``locale`` / ``decisions`` (the viewing moment and choices
    passed to the resolver), ``queue_frames`` (frames buffered between the render and encode
    threads).
    """

    size: tuple[int, int] | None = None
    preset: Preset = "fast"
    start_s: float | None = None
    end_s: float | None = None
    gif: Path | None = None
    webp: Path | None = None
    captions: Path | None = None
    burn_captions: bool = False
    audio: bool = True
    now: dt.datetime | None = None
    locale: str | None = None
    decisions: Mapping[str, str] = field(default_factory=dict)
    preview_width: int = 480
    preview_fps: int = 15
    preview_max_s: float = 15.0
    queue_frames: int = 4


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What a render produced.

    ``stages`` holds milliseconds per stage: ``resolve``, ``build``, ``audio`` (totals) and
    ``render_per_frame``, ``encode_per_frame`` (means over the frames), ``wall`` (total).
    ``warnings`` are ``(code, message)`` pairs (never personal data); ``frames_reused`` counts
    frames identical to the previous one (not drawn again).
    """

    path: Path
    frames: int
    fps: str
    size: tuple[int, int]
    seconds: float
    outputs: tuple[Path, ...]
    warnings: tuple[tuple[str, str], ...]
    stages: Mapping[str, float]
    frames_reused: int = 0
    #: Mean milliseconds per draw, per layer kind (``cached``: a blit of a cached run).
    layer_ms: Mapping[str, float] = field(default_factory=dict)
