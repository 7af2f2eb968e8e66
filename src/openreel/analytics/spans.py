"""Scene spans on a video's timeline, given by the caller (or inferred from ``scene_enter``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openreel.errors import AnalyticsError


@dataclass(frozen=True, slots=True)
class SceneSpan:
    """Scene ``scene_id`` covers media time ``[start_s, end_s)``."""

    scene_id: str
    start_s: float
    end_s: float


def check_spans(spans: Iterable[SceneSpan | tuple[str, float, float]]) -> tuple[SceneSpan, ...]:
    """The spans as :class:`SceneSpan`, checked: finite, ``start < end``, in order, no overlap.

    >>> check_spans([("intro", 0, 4), ("offer", 4, 10)])[1]
    SceneSpan(scene_id='offer', start_s=4.0, end_s=10.0)
    """
    out: list[SceneSpan] = []
    for i, item in enumerate(spans):
        span = item if isinstance(item, SceneSpan) else SceneSpan(*item)
        start, end = float(span.start_s), float(span.end_s)
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start < end):
            raise AnalyticsError("OR-E709", "each scene needs 0 <= start < end", path=f"$[{i}]")
        if out and start < out[-1].end_s:
            raise AnalyticsError("OR-E709", "scenes overlap or are out of order", path=f"$[{i}]")
        out.append(SceneSpan(str(span.scene_id), start, end))
    return tuple(out)


def spans_from_starts(starts: Mapping[str, float], end_s: float) -> tuple[SceneSpan, ...]:
    """Spans from scene start times: each scene ends where the next one starts, the last at
    ``end_s``. Scenes starting at or after ``end_s`` are dropped.

    >>> [(s.scene_id, s.start_s, s.end_s) for s in spans_from_starts({"b": 4, "a": 0}, 10)]
    [('a', 0.0, 4.0), ('b', 4.0, 10.0)]
    """
    ordered = sorted(((t, s) for s, t in starts.items() if t < end_s), key=lambda p: (p[0], p[1]))
    spans = []
    for i, (start, scene) in enumerate(ordered):
        end = ordered[i + 1][0] if i + 1 < len(ordered) else end_s
        if end > start:
            spans.append(SceneSpan(scene, float(start), float(end)))
    return tuple(spans)
