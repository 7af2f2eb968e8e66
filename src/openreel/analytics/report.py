"""``write_report``: a campaign's charts (PNG), their data (JSON) and an HTML summary.

Files written to ``out_dir`` (each atomically: temporary file, then rename):

* ``retention.png``: retention curves per arm of the main decision (or overall), scene
  boundaries marked; ``dropoff.png``: drop-off per scene; ``arms.png``: click-through per arm
  of every decision, with 95% intervals and P(best); ``funnel.png``; ``seeks.png`` (when
  viewers seeked);
* ``report.json``: the data of every chart and table (NaN written as null), for the
  dashboard; ``index.html``: the summary a marketer reads, linking the charts.

Scene boundaries come from the caller; without them they are inferred from the campaign's
``scene_enter`` events (median start per scene; the last scene ends at the video's duration).
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from openreel.analytics import breakdowns, queries
from openreel.analytics.bots import DEFAULT_RULES, BotRules, bot_flags
from openreel.analytics.html import render_html
from openreel.analytics.spans import SceneSpan, check_spans, spans_from_starts
from openreel.analytics.store import EventStore, ViewTable
from openreel.errors import AnalyticsError


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Paths of what :func:`write_report` wrote."""

    html: Path
    json: Path
    charts: tuple[Path, ...]


def _clean(value: Any) -> Any:
    """JSON-ready: numpy to Python, NaN to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_clean(v) for v in value.tolist()]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else round(float(value), 6)
    return value


def infer_scenes(store: EventStore, campaign: str) -> tuple[SceneSpan, ...]:
    """Scene spans from ``scene_enter`` events (see the module docstring); may be empty."""
    starts = {scene: start for scene, (start, _) in store.scene_starts(campaign).items()}
    views = store.view_table(campaign, player_only=True)
    durations = views.duration[~np.isnan(views.duration)]
    if not starts or durations.shape[0] == 0:
        return ()
    return spans_from_starts(starts, float(np.median(durations)))


class _ViewTableCache:
    """A store whose ``view_table`` answers are kept for the duration of one report (every
    query of the report would otherwise fetch the same summaries again)."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._tables: dict[tuple[str, bool], ViewTable] = {}

    def view_table(self, campaign: str, *, player_only: bool = False) -> ViewTable:
        key = (campaign, player_only)
        if key not in self._tables:
            self._tables[key] = self._store.view_table(campaign, player_only=player_only)
        return self._tables[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def build_report(
    store: EventStore,
    campaign: str,
    *,
    scenes: Sequence[SceneSpan | tuple[str, float, float]] | None = None,
    decision: str | None = None,
    seed: int = 0,
    rules: BotRules = DEFAULT_RULES,
) -> dict[str, Any]:
    """The report's data (what ``report.json`` holds)."""
    store = cast(EventStore, _ViewTableCache(store))
    all_views = store.view_table(campaign, player_only=True)
    if len(all_views) == 0:
        raise AnalyticsError("OR-E707", "the store has no views for this campaign")
    flags = bot_flags(all_views, rules)
    spans = check_spans(scenes) if scenes is not None else infer_scenes(store, campaign)
    views = all_views.take(flags == 0)
    decisions = sorted(views.arms)
    if decision is not None and decision not in all_views.arms:
        raise AnalyticsError("OR-E710", "no view of this campaign carries that decision")
    main = decision if decision is not None else (decisions[0] if decisions else None)
    by: queries.GroupBy = "arm" if main is not None else "all"
    curves = queries.retention(store, campaign, by=by, decision=main, rules=rules)
    if main is not None:
        curves = queries.retention(store, campaign, rules=rules) + curves
    completion = queries.completion_rate(store, campaign, rules=rules)["all"]
    started = int(views.has(queries.PLAY).sum())
    clicked = int((views.has(queries.PLAY) & views.has(queries.CLICK)).sum())
    data: dict[str, Any] = {
        "campaign": campaign,
        "summary": {
            "views": len(views),
            "started": started,
            "completion": asdict(completion),
            "click_through": asdict(queries.wilson(clicked, started)),
            "bots_excluded": int(np.count_nonzero(flags)),
            "events": store.count_events(campaign),
            "main_decision": main,
        },
        "retention": {
            "by": by,
            "scenes": [asdict(s) for s in spans],
            "curves": [asdict(c) for c in curves],
        },
        "dropoff": [
            asdict(r) for r in queries.scene_dropoff(store, campaign, spans, rules=rules)["all"]
        ]
        if spans
        else [],
        "arms": {},
        "funnel": [asdict(s) for s in breakdowns.funnel(store, campaign, rules=rules)],
        "devices": [
            asdict(r) for r in breakdowns.breakdown(store, campaign, "device", rules=rules)
        ],
        "hours": [asdict(r) for r in breakdowns.breakdown(store, campaign, "hour", rules=rules)],
        "seeks": asdict(breakdowns.seek_heatmap(store, campaign, rules=rules)),
    }
    for name in decisions:
        arms = queries.arm_comparison(store, campaign, name, seed=seed, rules=rules)
        data["arms"][name] = {
            "metric": "cta_click",
            "metric_label": "Click-through",
            "arms": [asdict(a) for a in arms],
        }
    return _clean(data)  # type: ignore[no-any-return]


def _atomic_write(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_report(
    store: EventStore,
    campaign: str,
    out_dir: Path,
    *,
    scenes: Sequence[SceneSpan | tuple[str, float, float]] | None = None,
    decision: str | None = None,
    seed: int = 0,
    rules: BotRules = DEFAULT_RULES,
) -> ReportFiles:
    """Write the report of ``campaign`` into ``out_dir`` (created if missing)."""
    from openreel.analytics import charts  # matplotlib loads only when a report is drawn

    data = build_report(store, campaign, scenes=scenes, decision=decision, seed=seed, rules=rules)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def chart(name: str, draw: Any, *args: Any) -> None:
        path = out_dir / name
        _atomic_write(path, lambda tmp: draw(*args, tmp))
        written.append(path)

    main = data["summary"]["main_decision"]
    title = "Audience retention" + (f" by arm of “{main}”" if main else "")
    chart("retention.png", lambda d, p: charts.retention_chart(d, p, title), data["retention"])
    if data["dropoff"]:
        chart(
            "dropoff.png",
            lambda d, p: charts.dropoff_chart(
                d, p, "Drop-off per scene: share of viewers who reached the scene and left in it"
            ),
            data["dropoff"],
        )
    if data["arms"]:
        chart(
            "arms.png",
            lambda d, p: charts.arms_chart(d, p, "Which arm gets clicked?"),
            data["arms"],
        )
    chart(
        "funnel.png", lambda d, p: charts.funnel_chart(d, p, "From send to click"), data["funnel"]
    )
    if data["seeks"]["views_with_seeks"]:
        chart(
            "seeks.png", lambda d, p: charts.seeks_chart(d, p, "Skips and replays"), data["seeks"]
        )
    json_path = out_dir / "report.json"
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
    _atomic_write(json_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    html_path = out_dir / "index.html"
    page = render_html(data, [p.name for p in written])
    _atomic_write(html_path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return ReportFiles(html=html_path, json=json_path, charts=tuple(written))
