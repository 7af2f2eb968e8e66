"""Queries against (1) the same figures computed independently with pandas from the raw
simulated events and (2) the simulator's ground truth (within sampling error)."""

from __future__ import annotations

from uuid import uuid4

import numpy as np
import pandas as pd
import pytest
from analytics_helpers import CONFIG, NOW_MS, batch_body, player_event, uuid_key

from openreel.analytics import breakdowns, queries
from openreel.analytics.bots import bot_flags
from openreel.analytics.duckdb_store import DuckDBEventStore
from openreel.analytics.schema import POSITION_TYPES, SEND_TYPES
from openreel.analytics.simulate import SimConfig, Simulation, simulate
from openreel.analytics.wire import parse_batch, to_columns
from openreel.errors import AnalyticsError


def _views_with(frame: pd.DataFrame, kind: str) -> set[str]:
    return set(frame.loc[frame["type"] == kind, "view"])


def _started(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["view"].isin(_views_with(frame, "play"))]


def _arm_of(frame: pd.DataFrame) -> pd.Series:
    return frame.dropna(subset=["arm"]).groupby("view")["arm"].first()


def test_retention_matches_pandas_and_truth(
    loaded: DuckDBEventStore, frame: pd.DataFrame, sim: Simulation
) -> None:
    curves = {c.group: c for c in queries.retention(loaded, "spring", by="arm", decision="offer")}
    started = _started(frame)
    progress = started[started["type"] == "progress"].drop_duplicates(["view", "media_time"])
    per_second = progress.groupby(["arm", "media_time"]).size()
    n_started = started[started["type"] == "play"].drop_duplicates("view").groupby("arm").size()
    assert set(curves) == {"a", "b"}
    for arm, curve in curves.items():
        mine = per_second.xs(arm, level="arm")
        expected = mine.reindex(range(len(curve.viewers)), fill_value=0).to_numpy()
        np.testing.assert_array_equal(curve.viewers, expected)
        assert curve.started == n_started[arm] == sim.truth.started[arm]
        truth = sim.truth.presence[arm]
        assert len(curve.share) == len(truth) == CONFIG.duration_s
        assert np.max(np.abs(curve.share - truth)) < 0.03
    # The skipped intro seconds show: fewer viewers at second 2 than at second 4.
    assert curves["a"].share[2] < curves["a"].share[4]


def test_retention_all_and_by_device(loaded: DuckDBEventStore, frame: pd.DataFrame) -> None:
    (overall,) = queries.retention(loaded, "spring")
    by_device = queries.retention(loaded, "spring", by="device")
    started = _started(frame)
    progress = started[started["type"] == "progress"].drop_duplicates(["view", "media_time"])
    assert overall.started == started["view"].nunique()
    assert overall.viewers[10] == (progress["media_time"] == 10).sum()
    assert sum(c.started for c in by_device) == overall.started
    assert sum(int(c.viewers[10]) for c in by_device) == overall.viewers[10]
    assert {c.group for c in by_device} == {"mobile", "desktop", "tablet", "tv"}


def test_scene_dropoff_finds_the_scene_that_loses_30_percent(
    loaded: DuckDBEventStore, frame: pd.DataFrame, sim: Simulation
) -> None:
    rows = queries.scene_dropoff(loaded, "spring", CONFIG.scenes)["all"]
    started = _started(frame)
    reach = started[started["type"].isin(POSITION_TYPES)].groupby("view")["media_time"].max()
    completed = reach.index.isin(list(_views_with(frame, "complete")))
    for row, span in zip(rows, CONFIG.scenes, strict=True):
        reached = reach >= span.start_s
        left = reached & (reach < span.end_s) & ~completed
        assert (row.reached, row.left) == (int(reached.sum()), int(left.sum()))
        assert row.dropoff == pytest.approx(sim.truth.scene_loss["all"][span.scene_id], abs=0.02)
    worst = max(rows, key=lambda r: r.dropoff)
    assert worst.scene_id == "offer"
    assert sim.truth.scene_loss["all"]["offer"] == pytest.approx(0.30)
    assert worst.dropoff == pytest.approx(0.30, abs=0.02)


def test_completion_rate_matches(
    loaded: DuckDBEventStore, frame: pd.DataFrame, sim: Simulation
) -> None:
    rates = queries.completion_rate(loaded, "spring", by="arm", decision="offer")
    arm = _arm_of(frame)
    started = _views_with(frame, "play")
    done = _views_with(frame, "complete") & started
    for name, rate in rates.items():
        mine = set(arm[arm == name].index)
        assert rate.n == len(mine & started)
        assert rate.successes == len(mine & done)
        assert rate.low < sim.truth.completion[name] < rate.high


def test_arm_with_higher_click_rate_wins(
    loaded: DuckDBEventStore, frame: pd.DataFrame, sim: Simulation
) -> None:
    arms = {a.arm: a for a in queries.arm_comparison(loaded, "spring", "offer", seed=3)}
    arm = _arm_of(frame)
    started = _views_with(frame, "play")
    clicked = _views_with(frame, "cta_click") & started
    for name, result in arms.items():
        mine = set(arm[arm == name].index)
        assert (result.views, result.successes) == (len(mine & started), len(mine & clicked))
        assert result.low < sim.truth.ctr[name] < result.high
    assert arms["b"].rate > arms["a"].rate
    assert arms["b"].p_best > 0.99
    assert arms["a"].p_best + arms["b"].p_best == pytest.approx(1.0)
    again = {a.arm: a for a in queries.arm_comparison(loaded, "spring", "offer", seed=3)}
    assert again == arms  # seeded Monte Carlo: same data, same seed, same figures


def test_bots_are_flagged_and_excluded(loaded: DuckDBEventStore, sim: Simulation) -> None:
    views = loaded.view_table("spring")
    flags = bot_flags(views)
    flagged = set(loaded.view_ids(views.key[flags != 0]))
    assert flagged == set(sim.truth.bot_view_ids)
    assert len(flagged) == round(CONFIG.views * CONFIG.bot_rate)
    # Bots sit in arm "a" and click: counted, they would make "a" look best.
    with_bots = {
        a.arm: a for a in queries.arm_comparison(loaded, "spring", "offer", include_bots=True)
    }
    assert with_bots["a"].p_best > 0.99
    clean = {a.arm: a for a in queries.arm_comparison(loaded, "spring", "offer")}
    assert clean["a"].views == with_bots["a"].views - len(flagged)


def test_funnel_matches_sample_counts(loaded: DuckDBEventStore, sim: Simulation) -> None:
    stages = {s.name: s for s in breakdowns.funnel(loaded, "spring")}
    truth = sim.truth.funnel
    assert [s for s in stages] == ["sent", "opened", "play", "complete", "cta_click"]
    assert stages["sent"].views == truth["sent"]
    assert stages["opened"].views == truth["opened"]
    assert stages["play"].views == truth["play"]
    assert stages["complete"].views == truth["complete"]
    assert stages["cta_click"].views == truth["click"]
    assert stages["play"].of_previous == pytest.approx(truth["play"] / truth["opened"])
    assert stages["cta_click"].of_first == pytest.approx(truth["click"] / truth["sent"])


def test_device_and_hour_breakdowns_match(loaded: DuckDBEventStore, frame: pd.DataFrame) -> None:
    started = _started(frame)
    players = started[~started["type"].isin(SEND_TYPES)]
    per_view = players.groupby("view").agg(device=("device", "first"), ts=("ts", "min"))
    per_view["hour"] = (per_view["ts"] // 3_600_000) % 24
    done = _views_with(frame, "complete")
    for row in breakdowns.breakdown(loaded, "spring", "device"):
        mine = per_view[per_view["device"] == row.key]
        assert row.started == len(mine)
        assert row.completed == mine.index.isin(list(done)).sum()
    hours = breakdowns.breakdown(loaded, "spring", "hour")
    assert [r.key for r in hours] == [f"{h:02d}" for h in range(24)]
    for row in hours:
        assert row.started == (per_view["hour"] == int(row.key)).sum()
    busiest = max(hours, key=lambda r: r.started)
    assert 17 <= int(busiest.key) <= 21  # the simulator's evening peak


def test_seek_heatmap_matches(loaded: DuckDBEventStore, frame: pd.DataFrame) -> None:
    heat = breakdowns.seek_heatmap(loaded, "spring")
    seeks = _started(frame)
    seeks = seeks[seeks["type"] == "seek"]
    assert heat.counts.sum() == len(seeks)
    skips = seeks[(seeks["from_time"] == CONFIG.skip_from_s + 0.49)]
    assert heat.counts[CONFIG.skip_from_s, CONFIG.skip_to_s] == len(skips)
    assert heat.skips == int((seeks["media_time"] > seeks["from_time"]).sum())
    assert heat.replays == int((seeks["media_time"] < seeks["from_time"]).sum())
    assert heat.replays > 0 and heat.skips > 0
    coarse = breakdowns.seek_heatmap(loaded, "spring", bin_s=5.0)
    assert coarse.counts.sum() == heat.counts.sum() and coarse.counts.shape[0] <= 7


def test_template_version_filter_and_unknown_campaign(loaded: DuckDBEventStore) -> None:
    (curve,) = queries.retention(loaded, "spring", template_version="no-such-version")
    assert curve.started == 0
    with pytest.raises(AnalyticsError) as err:
        queries.retention(loaded, "nope")
    assert err.value.code == "OR-E707"
    with pytest.raises(AnalyticsError) as err:
        queries.arm_comparison(loaded, "spring", "headline")
    assert err.value.code == "OR-E710"


def test_wilson_and_p_best() -> None:
    p = queries.wilson(10, 100)
    assert (round(p.low, 4), round(p.high, 4)) == (0.0552, 0.1744)
    assert queries.wilson(0, 0).rate != queries.wilson(0, 0).rate  # NaN
    assert queries.wilson(0, 50).low == 0.0 and queries.wilson(50, 50).high == 1.0
    even = queries.p_best(np.array([50, 50]), np.array([1000, 1000]), seed=1)
    assert even.sum() == pytest.approx(1.0) and abs(even[0] - 0.5) < 0.03
    clear = queries.p_best(np.array([50, 90]), np.array([1000, 1000]), seed=1)
    assert clear[1] > 0.99
    assert np.array_equal(clear, queries.p_best(np.array([50, 90]), np.array([1000, 1000]), seed=1))


def test_replay_loop_bot_is_beyond_duration() -> None:
    store = DuckDBEventStore(None)
    loop, fan = uuid4(), uuid4()
    for view, plays in ((loop, 30), (fan, 5)):
        events = [player_event(view, 0, "load", duration=30.0), player_event(view, 1, "play")]
        for _ in range(plays):
            base = len(events)
            events.append(player_event(view, base, "seek", media_time=0.0, from_time=29.9))
            events += [player_event(view, base + 1 + k, media_time=float(k)) for k in range(30)]
        for i, e in enumerate(events):
            e["ts"] = NOW_MS + i * 1000  # one event a second: no rate flag
        for start in range(0, len(events), 500):
            parsed = parse_batch(batch_body(events[start : start + 500]))
            store.insert(to_columns(parsed.events, received_ms=NOW_MS + 3_600_000))
    views = store.view_table("spring")
    flags = dict(zip(store.view_ids(views.key), bot_flags(views).tolist(), strict=True))
    assert flags == {loop: 4, fan: 0}


def test_bot_rules_unit() -> None:
    store = DuckDBEventStore(None)
    small = simulate(SimConfig(views=200, bot_rate=0.1, seed=2))
    store.insert(small.columns, milestones=False)
    views = store.view_table("demo")
    flags = bot_flags(views)
    ids = store.view_ids(views.key[flags != 0])
    assert {uuid_key(i) for i in ids} == {uuid_key(b) for b in small.truth.bot_view_ids}
    kinds = set(flags[flags != 0].tolist())
    assert kinds == {4, 8 | 16}  # overrun bots: beyond duration; blasters: rate and speed
    store.close()
