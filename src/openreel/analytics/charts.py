"""PNG charts of a report, drawn with matplotlib's Agg canvas (no pyplot, no global state).

Every function takes the chart data (the same dicts the report writes to JSON) and a path,
and writes one PNG. Colours are the Okabe-Ito palette, readable with colour-vision deficiency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from openreel.analytics.html import CLEAR_WINNER, probability

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GREY = "#6b6b6b"
DPI = 110


def _figure(width: float = 10.0, height: float = 5.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> None:
    fig.savefig(path, format="png", metadata={"Software": None})


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=10)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def retention_chart(data: Mapping[str, Any], path: Path, title: str) -> None:
    """Retention curves (share of started views per second) with scene boundaries marked."""
    fig = _figure()
    ax = fig.add_subplot()
    _style(ax)
    curves: Sequence[Mapping[str, Any]] = data["curves"]
    drawn = 0
    for i, curve in enumerate(curves):
        share = [s if s is not None else float("nan") for s in curve["share"]]
        if not share:  # no second watched (e.g. every view was flagged as a bot)
            continue
        drawn += 1
        label = f"{curve['group']} (n={curve['started']:,})"
        # Second k is drawn over [k, k + 1): repeat the last value to close the last second.
        ax.step(
            range(len(share) + 1),
            [*share, share[-1]],
            where="post",
            color=PALETTE[i % len(PALETTE)],
            linewidth=2.2,
            label=label,
        )
    ax.set_ylim(0, 1.08)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Second of the video", fontsize=11)
    ax.set_ylabel("Started views still watching", fontsize=11)
    ax.set_title(title, fontsize=13, loc="left")
    scenes: Sequence[Mapping[str, Any]] = data.get("scenes", [])
    for j, scene in enumerate(scenes):
        if j:
            ax.axvline(scene["start_s"], color=GREY, linestyle="--", linewidth=1)
        if j % 2:
            ax.axvspan(scene["start_s"], scene["end_s"], color="#f2f2f2", zorder=0)
        middle = (scene["start_s"] + scene["end_s"]) / 2
        ax.text(middle, 1.04, scene["scene_id"], ha="center", va="center", fontsize=10, color=GREY)
    if scenes:
        ax.set_xlim(0, max(scenes[-1]["end_s"], ax.get_xlim()[1]))
    else:
        ax.set_xlim(0, None)
    if drawn:
        ax.legend(loc="lower left", fontsize=10, frameon=False)
    else:
        ax.text(
            0.5,
            0.5,
            "No watched seconds yet",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color=GREY,
        )
    _save(fig, path)


def dropoff_chart(rows: Sequence[Mapping[str, Any]], path: Path, title: str) -> None:
    """One bar per scene: the share of viewers who got to the scene and left in it."""
    fig = _figure(10.0, 4.8)
    ax = fig.add_subplot()
    _style(ax)
    names = [r["scene_id"] for r in rows]
    values = [r["dropoff"] if r["dropoff"] is not None else 0.0 for r in rows]
    worst = max(range(len(values)), key=values.__getitem__) if values else -1
    colors = [PALETTE[5] if i == worst else PALETTE[0] for i in range(len(values))]
    bars = ax.bar(names, values, color=colors, width=0.6)
    for bar, row in zip(bars, rows, strict=True):
        value = row["dropoff"]
        text = f"{value:.0%}\nof {row['reached']:,}" if value is not None else "no viewers"
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=10,
        )
    top = max(values, default=0.0)
    ax.set_ylim(0, max(0.1, top * 1.3))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("Left during the scene", fontsize=11)
    ax.set_title(title, fontsize=13, loc="left")
    _save(fig, path)


def arms_chart(decisions: Mapping[str, Any], path: Path, title: str) -> None:
    """Per decision, each arm's click-through with its 95% interval and P(best)."""
    items = list(decisions.items())
    height = 1.2 + sum(0.55 * max(1, len(v["arms"])) + 0.6 for _, v in items)
    fig = _figure(10.0, max(3.0, height))
    axes = fig.subplots(len(items), 1, squeeze=False)[:, 0]
    for ax, (decision, data) in zip(axes, items, strict=True):
        _style(ax)
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.grid(axis="y", visible=False)
        arms: Sequence[Mapping[str, Any]] = data["arms"]
        labels = [a["arm"] for a in arms]
        rates = [a["rate"] or 0.0 for a in arms]
        lows = [max(0.0, (a["rate"] or 0.0) - (a["low"] or 0.0)) for a in arms]
        highs = [max(0.0, (a["high"] or 0.0) - (a["rate"] or 0.0)) for a in arms]
        best = max(range(len(arms)), key=lambda i: arms[i]["p_best"]) if arms else -1
        if best >= 0 and arms[best]["p_best"] < CLEAR_WINNER:
            best = -1  # colour a winner only when the report would name one
        colors = [PALETTE[2] if i == best else PALETTE[0] for i in range(len(arms))]
        y = list(range(len(arms)))
        ax.barh(
            y,
            rates,
            xerr=[lows, highs],
            color=colors,
            height=0.55,
            error_kw={"ecolor": "#333333", "capsize": 5, "linewidth": 1.4},
        )
        ax.set_yticks(y, labels, fontsize=11)
        ax.invert_yaxis()
        right = max((a["high"] or 0.0) for a in arms) if arms else 0.1
        ax.set_xlim(0, max(0.02, right) * 1.45)
        for i, arm in enumerate(arms):
            text = (
                f"{arm['rate']:.1%} of {arm['views']:,}   P(best) {probability(arm['p_best'])}"
                if arm["rate"] is not None
                else "no started views"
            )
            ax.text((arm["high"] or 0.0) + right * 0.03, i, text, va="center", fontsize=10)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(
            f"{data['metric_label']} by arm of “{decision}” (bars: 95% interval)",
            fontsize=12,
            loc="left",
        )
    fig.suptitle(title, fontsize=13, x=0.01, ha="left")
    _save(fig, path)


def funnel_chart(stages: Sequence[Mapping[str, Any]], path: Path, title: str) -> None:
    """Horizontal bars of distinct views per funnel stage, with the step conversion."""
    fig = _figure(10.0, 1.4 + 0.6 * len(stages))
    ax = fig.add_subplot()
    _style(ax)
    ax.grid(axis="y", visible=False)
    names = [s["name"].replace("_", " ") for s in stages]
    values = [s["views"] for s in stages]
    y = list(range(len(stages)))
    ax.barh(y, values, color=PALETTE[0], height=0.6)
    ax.set_yticks(y, names, fontsize=11)
    ax.invert_yaxis()
    top = max(values, default=1)
    ax.set_xlim(0, top * 1.35)
    for i, stage in enumerate(stages):
        step = f"  ({stage['of_previous']:.0%} of previous)" if i else ""
        ax.text(
            stage["views"] + top * 0.01, i, f"{stage['views']:,}{step}", va="center", fontsize=10
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("Views", fontsize=11)
    ax.set_title(title, fontsize=13, loc="left")
    _save(fig, path)


def seeks_chart(data: Mapping[str, Any], path: Path, title: str) -> None:
    """Heat map of seeks: where viewers jumped from (y) and to (x), on a log colour scale.
    Below the diagonal are skips forward, above it replays."""
    counts = np.ma.masked_equal(np.asarray(data["counts"], dtype=float), 0.0)
    fig = _figure(8.0, 6.6)
    ax = fig.add_subplot()
    size = counts.shape[0]
    extent = (0.0, size * data["bin_s"], 0.0, size * data["bin_s"])
    vmax = max(float(counts.max()) if counts.count() else 1.0, 2.0)
    image = ax.imshow(
        counts,
        origin="lower",
        cmap="viridis",
        extent=extent,
        aspect="equal",
        norm=LogNorm(vmin=1, vmax=vmax),
        interpolation="nearest",
    )
    ax.set_facecolor("#f4f4f4")
    ax.plot([0, extent[1]], [0, extent[1]], color=GREY, linewidth=0.8, linestyle=":")
    ax.text(
        extent[1] * 0.97, extent[1] * 0.04, "skips forward", ha="right", fontsize=10, color=GREY
    )
    ax.text(extent[1] * 0.03, extent[1] * 0.94, "replays", ha="left", fontsize=10, color=GREY)
    fig.colorbar(image, ax=ax, label="Seeks (log scale)", shrink=0.85)
    ax.set_xlabel("Jumped to (second)", fontsize=11)
    ax.set_ylabel("Jumped from (second)", fontsize=11)
    ax.set_title(
        f"{title}: {data['skips']:,} skips forward, {data['replays']:,} replays",
        fontsize=12,
        loc="left",
    )
    _save(fig, path)
