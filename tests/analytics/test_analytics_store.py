"""The DuckDB store: de-duplication (also under concurrency), milestones, view summaries,
retention, Parquet export, opening errors."""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import UUID, uuid4

import duckdb
import numpy as np
import pytest
from analytics_helpers import NOW_MS, batch_body, player_event

from openreel.analytics.columns import EventColumns, concat
from openreel.analytics.duckdb_store import DAY_MS, DuckDBEventStore
from openreel.analytics.export import export_events
from openreel.analytics.simulate import SimConfig, simulate
from openreel.analytics.store import INCONSISTENT, TS_CLAMPED
from openreel.analytics.wire import parse_batch, to_columns
from openreel.errors import AnalyticsError


def _columns(events: list[dict[str, object]], received: int = NOW_MS) -> EventColumns:
    return to_columns(parse_batch(batch_body(events)).events, received_ms=received)


def _view(view: UUID, n: int, *, complete: bool = False) -> list[dict[str, object]]:
    events = [player_event(view, 0, kind="load", duration=30.0), player_event(view, 1, "play")]
    events += [player_event(view, 2 + k, media_time=float(k)) for k in range(n)]
    if complete:
        events.append(player_event(view, 2 + n, kind="complete", media_time=30.0))
        events.append(player_event(view, 3 + n, kind="cta_click", cta="buy", media_time=29.0))
    return events


def test_same_batch_three_times_concurrently_is_stored_once() -> None:
    store = DuckDBEventStore(None)
    views = [uuid4() for _ in range(25)]
    batch = _columns([e for v in views for e in _view(v, 30, complete=True)])
    results = []
    barrier = threading.Barrier(3)

    def send() -> None:
        barrier.wait()
        results.append(store.insert(batch))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_events() == batch.n_events
    assert sorted(r.inserted for r in results) == [0, 0, batch.n_events]
    assert sum(r.duplicates for r in results) == 2 * batch.n_events
    milestones = [m for r in results for m in r.milestones]
    assert len(milestones) == 2 * len(views)  # one complete and one click per view, once
    assert {(m.view_id, m.type) for m in milestones} == {
        (v, t) for v in views for t in ("complete", "cta_click")
    }
    click = next(m for m in milestones if m.type == "cta_click")
    assert click.cta == "buy" and click.arms == {"offer": "b"} and click.template_version == "3"
    (curve_len,) = {
        store.presence_counts(store.view_table("spring").key, np.zeros(25, np.int32), 1).shape[1]
    }
    assert curve_len == 30
    store.close()


def test_two_store_objects_on_one_file_share_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    first, second = DuckDBEventStore(path), DuckDBEventStore(path)
    batch = _columns([e for _ in range(20) for e in _view(uuid4(), 30)])
    barrier = threading.Barrier(4)

    def send(store: DuckDBEventStore) -> None:
        barrier.wait()
        store.insert(batch)

    threads = [threading.Thread(target=send, args=(s,)) for s in (first, second) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert first.count_events() == second.count_events() == batch.n_events
    first.close()
    second.close()


def test_reads_during_writes_see_whole_batches_only() -> None:
    store = DuckDBEventStore(None)
    batches = [_columns([e for _ in range(10) for e in _view(uuid4(), 30)]) for _ in range(6)]
    committed = {0}
    total = 0
    for b in batches:
        total += b.n_events
        committed.add(total)
    seen: list[int] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            seen.append(store.count_events("spring"))

    thread = threading.Thread(target=reader)
    thread.start()
    for b in batches:
        store.insert(b)
    done.set()
    thread.join()
    assert seen and set(seen) <= committed
    assert store.count_events() == total


def test_duplicates_within_one_batch_and_across_batches() -> None:
    store = DuckDBEventStore(None)
    view = uuid4()
    events = _view(view, 5)
    once = _columns(events)
    twice = concat([once, once])
    result = store.insert(twice)
    assert (result.inserted, result.duplicates) == (once.n_events, once.n_events)
    retry = _columns(events + [player_event(view, 7, media_time=5.0)])
    assert store.insert(retry).inserted == 1
    table = store.view_table("spring")
    assert len(table) == 1 and table.max_seq[0] == 7 and table.reach[0] == 5.0
    store.close()


def test_view_summary_merges_and_flags_inconsistency() -> None:
    store = DuckDBEventStore(None)
    view = uuid4()
    store.insert(_columns(_view(view, 3)))
    store.insert(_columns([player_event(view, 9, device="tv", arms={"offer": "a"})]))
    table = store.view_table("spring")
    assert table.flags[0] & INCONSISTENT
    assert table.device[0] == "mobile" and table.arms["offer"][0] == "b"  # first seen wins
    late = uuid4()
    store.insert(_columns([player_event(late, 0, ts=NOW_MS + 10 * DAY_MS)]))
    flagged = store.view_table("spring")
    ids = store.view_ids(flagged.key)
    assert int(flagged.flags[ids.index(late)]) == TS_CLAMPED  # informational, not a bot flag
    assert int(flagged.ts_min[ids.index(late)]) == NOW_MS
    store.close()


def test_retention_purges_old_views_only() -> None:
    store = DuckDBEventStore(None, retention_days=30)
    old, recent = uuid4(), uuid4()
    store.insert(_columns(_view(old, 3), received=NOW_MS - 31 * DAY_MS))
    store.insert(_columns(_view(recent, 3), received=NOW_MS - 29 * DAY_MS))
    assert store.purge_expired(NOW_MS) == 1
    assert store.view_ids(store.view_table("spring").key) == [recent]
    assert store.count_events() == 5
    keep_all = DuckDBEventStore(None, retention_days=None)
    keep_all.insert(_columns(_view(old, 3), received=0))
    assert keep_all.purge_expired(NOW_MS) == 0 and keep_all.count_events() == 5
    with pytest.raises(ValueError, match="retention_days"):
        DuckDBEventStore(None, retention_days=0)


def test_parquet_export_round_trip(tmp_path: Path) -> None:
    sim = simulate(SimConfig(views=300, seed=4))
    path = tmp_path / "store.duckdb"
    with DuckDBEventStore(path) as store:
        store.insert(sim.columns, milestones=False)
    with DuckDBEventStore(path, read_only=True) as store:
        out = tmp_path / "events.parquet"
        rows = export_events(store, out, campaign="demo")
    assert rows == sim.columns.n_events
    con = duckdb.connect()
    schema = dict(
        con.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall()[i][:2] for i in range(21)
    )
    assert schema["ts"] == "TIMESTAMP WITH TIME ZONE" and schema["view_id"] == "UUID"
    assert schema["arms"] == "MAP(VARCHAR, VARCHAR)"
    bots = con.execute(f"SELECT count(DISTINCT view_id) FROM '{out}' WHERE bot_flags <> 0")
    assert bots.fetchone() == (len(sim.truth.bot_view_ids),)
    kinds = dict(con.execute(f"SELECT type, count(*) FROM '{out}' GROUP BY 1").fetchall())
    assert kinds["sent"] == sim.truth.funnel["sent"]
    seqs = con.execute(f"SELECT min(seq), count(seq) FROM '{out}' WHERE type = 'load'").fetchone()
    assert seqs is not None and seqs[0] == 0
    scene = con.execute(f"SELECT DISTINCT scene FROM '{out}' WHERE type = 'scene_enter'")
    assert {r[0] for r in scene.fetchall()} == {"intro", "hook", "offer", "proof", "cta"}
    assert not list(tmp_path.glob("*.tmp"))


def test_open_errors(tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError) as err:
        DuckDBEventStore(tmp_path / "missing.duckdb", read_only=True)
    assert err.value.code == "OR-E708"
    not_a_store = tmp_path / "other.duckdb"
    duckdb.connect(str(not_a_store)).execute("CREATE TABLE x(a INT)").close()
    with pytest.raises(AnalyticsError) as err:
        DuckDBEventStore(not_a_store, read_only=True)
    assert err.value.code == "OR-E708"
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"definitely not duckdb" * 100)
    with pytest.raises(AnalyticsError) as err:
        DuckDBEventStore(junk)
    assert err.value.code == "OR-E708" and "junk" not in err.value.message
    path = tmp_path / "store.duckdb"
    with DuckDBEventStore(path) as store:
        store._con.execute("UPDATE meta SET value = '99' WHERE key = 'format'")
    with pytest.raises(AnalyticsError) as err:
        DuckDBEventStore(path)
    assert err.value.code == "OR-E708"
