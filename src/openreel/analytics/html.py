"""The HTML summary of a report: plain-language findings, the charts and small tables.

Self-contained (inline CSS, charts linked by relative file name, no script). Every value is
escaped; ids come from the events' identifier fields, which cannot hold markup anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

#: P(best) at or above which the report names a winner.
CLEAR_WINNER = 0.95

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#1d1d1d;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.kpis{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.kpi{border:1px solid #ddd;border-radius:8px;padding:.7rem 1rem;min-width:10rem}
.kpi b{display:block;font-size:1.5rem}.muted{color:#666;font-size:.9rem}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .8rem;text-align:right;
border-bottom:1px solid #eee}td:first-child,th:first-child{text-align:left}
ul.findings li{margin:.3rem 0}
"""

_CHART_TITLES = {
    "retention.png": "Audience retention",
    "dropoff.png": "Drop-off per scene",
    "arms.png": "Arm comparison",
    "funnel.png": "Funnel",
    "seeks.png": "Skips and replays",
}


def _pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def probability(value: float) -> str:
    """A Monte Carlo probability as text, never claiming certainty: "> 99%", "< 1%", "73%"."""
    if value >= 0.995:
        return "> 99%"
    if value <= 0.005:
        return "< 1%"
    return f"{value:.0%}"


def _findings(data: Mapping[str, Any]) -> list[str]:
    s = data["summary"]
    out = []
    comp = s["completion"]
    if s["started"]:
        out.append(
            f"{s['started']:,} views started playing; {_pct(comp['rate'])} of them watched to "
            f"the end (95% interval {_pct(comp['low'])} to {_pct(comp['high'])})."
        )
    else:
        out.append("No view has started playing yet.")
    scenes = [r for r in data["dropoff"] if r["dropoff"] is not None]
    if scenes:
        worst = max(scenes, key=lambda r: r["dropoff"])
        out.append(
            f"The scene that loses most viewers is “{worst['scene_id']}”: "
            f"{_pct(worst['dropoff'], 0)} of the {worst['reached']:,} who reached it left there."
        )
    for decision, block in data["arms"].items():
        arms = [a for a in block["arms"] if a["rate"] is not None]
        if len(arms) < 2:
            continue
        best = max(arms, key=lambda a: a["p_best"])
        if best["p_best"] >= CLEAR_WINNER:
            out.append(
                f"For “{decision}”, arm “{best['arm']}” gets the most clicks "
                f"({_pct(best['rate'])}, 95% interval {_pct(best['low'])} to "
                f"{_pct(best['high'])}); the probability that it is the best arm is "
                f"{probability(best['p_best'])}."
            )
        else:
            out.append(
                f"For “{decision}”, no arm is clearly best yet: the leader “{best['arm']}” has "
                f"a {probability(best['p_best'])} probability of being best. Keep collecting views."
            )
    if s["bots_excluded"]:
        out.append(f"{s['bots_excluded']:,} bot-like views were flagged and left out.")
    return out


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(data: Mapping[str, Any], chart_files: Sequence[str]) -> str:
    """The page for a report's data (see :func:`openreel.analytics.report.build_report`)."""
    s = data["summary"]
    kpis = [
        ("Started views", f"{s['started']:,}"),
        ("Completion rate", _pct(s["completion"]["rate"])),
        ("Click-through", _pct(s["click_through"]["rate"])),
        ("Bots left out", f"{s['bots_excluded']:,}"),
    ]
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>Campaign {escape(data['campaign'])}: engagement report</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Campaign “{escape(data['campaign'])}”</h1>",
        '<p class="muted">Rates are per started view (a view that pressed play), '
        "bot-like views excluded. Definitions: docs/analytics.md.</p>",
        '<div class="kpis">',
        *(
            f'<div class="kpi"><span class="muted">{escape(k)}</span><b>{escape(v)}</b></div>'
            for k, v in kpis
        ),
        '</div><h2>What the data says</h2><ul class="findings">',
        *(f"<li>{escape(f)}</li>" for f in _findings(data)),
        "</ul>",
    ]
    for name in chart_files:
        title = _CHART_TITLES.get(name, name)
        parts.append(f'<h2>{escape(title)}</h2><img src="{escape(name)}" alt="{escape(title)}">')
    parts.append("<h2>Funnel</h2>")
    funnel_rows = [
        [
            f["name"].replace("_", " "),
            f"{f['views']:,}",
            _pct(f["of_previous"]),
            _pct(f["of_first"]),
        ]
        for f in data["funnel"]
    ]
    parts.append(_table(["Stage", "Views", "Of previous", "Of first"], funnel_rows))
    for key, title in (("devices", "By device class"), ("hours", "By hour of day (UTC)")):
        rows = [
            [r["key"], f"{r['started']:,}", _pct(r["completion_rate"]), _pct(r["click_rate"])]
            for r in data[key]
            if r["started"]
        ]
        parts.append(f"<h2>{escape(title)}</h2>")
        parts.append(_table(["", "Started", "Completion", "Click-through"], rows))
    parts.append(
        '<p class="muted">The same figures are in report.json. No personal data is stored: '
        "views are random ids, events carry no data values.</p></body></html>\n"
    )
    return "\n".join(parts)
