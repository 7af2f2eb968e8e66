"""The default event store: one embedded DuckDB file (or memory), de-duplicated, with retention.

De-duplication: an insert computes the ``(view, seq)`` keys of its events, drops repeats within
the batch, asks which keys are already stored and inserts the rest, all in one transaction
under a write lock shared by every store object on the same file in this process. So
concurrent inserts of the same batch store each event once; DuckDB's file lock keeps other
processes from writing at the same time. Reads use their own cursor and see the last committed
state.

Bulk inserts go through DuckDB's numpy scan: a batch's columns are registered as relations and
merged with ``INSERT ... SELECT``; no Python object is built per event.
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import numpy.typing as npt

from openreel.analytics import _duckdb_sql as sql
from openreel.analytics._duckdb_rows import (
    event_rows,
    milestones_of,
    presence_rows,
    string_column,
)
from openreel.analytics.columns import EventColumns
from openreel.analytics.store import InsertResult, ViewTable
from openreel.errors import AnalyticsError

DAY_MS: Final = 86_400_000
DEFAULT_RETENTION_DAYS: Final = 395


# One write lock per database file, shared by every store object of this process that opens
# it: the check-then-insert de-duplication must not interleave between two of them.
_FILE_LOCKS: dict[str, threading.Lock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: Path | None) -> threading.Lock:
    if path is None:
        return threading.Lock()  # an in-memory database belongs to one store object
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(str(path.resolve()), threading.Lock())


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEventStore:
    """An :class:`~openreel.analytics.store.EventStore` in a DuckDB file.

    ``path=None`` keeps everything in memory. ``retention_days`` (None keeps forever) is what
    :meth:`purge_expired` enforces. ``threads`` caps DuckDB's worker threads. ``read_only``
    opens an existing file for queries and export only (several readers may share it).
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        retention_days: int | None = DEFAULT_RETENTION_DAYS,
        threads: int | None = None,
        read_only: bool = False,
    ) -> None:
        if retention_days is not None and retention_days < 1:
            raise ValueError("retention_days must be at least 1 or None")
        self.path = path
        self.retention_days = retention_days
        config: dict[str, Any] = {}
        if threads is not None:
            config["threads"] = threads
        name = path.name if path else ":memory:"
        if read_only and (path is None or not path.is_file()):
            raise AnalyticsError("OR-E708", "there is no event store file to read", file=name)
        try:
            target = str(path) if path else ":memory:"
            self._con = duckdb.connect(target, read_only=read_only, config=config)
            _run(self._con, "SET TimeZone = 'UTC'")
            if not read_only:
                _run(self._con, sql.CREATE)
            self._check_format(read_only)
        except duckdb.Error as exc:
            raise AnalyticsError(
                "OR-E708", f"cannot open the event store ({type(exc).__name__})", file=name
            ) from exc
        self._write = _write_lock(path)
        self._closed = False

    def _check_format(self, read_only: bool) -> None:
        rows = _run(self._con, "SELECT value FROM meta WHERE key = 'format'")
        row = rows[0] if rows else None
        if row is None and read_only:
            raise AnalyticsError("OR-E708", "the file is not an OpenReel event store")
        if row is None:
            _run(self._con, "INSERT INTO meta VALUES ('format', ?)", [sql.STORE_FORMAT])
        elif row[0] != sql.STORE_FORMAT:
            raise AnalyticsError(
                "OR-E708",
                f"store format {row[0]} is not {sql.STORE_FORMAT}",
                hint="Export and re-import the events with the OpenReel version that wrote them.",
            )

    # --- writes ---------------------------------------------------------------------------------
    def insert(self, batch: EventColumns, *, milestones: bool = True) -> InsertResult:
        """Merge ``batch`` (see :class:`~openreel.analytics.store.EventStore.insert`)."""
        if batch.n_events == 0:
            return InsertResult(0, 0)
        with self._write:
            con = self._con
            self._register(con, batch)
            try:
                _run(con, "BEGIN TRANSACTION")
                _run(con, sql.STAGE_VIEWS)
                _run(con, sql.STAGE_NEW)
                if milestones:
                    _run(con, sql.STAGE_OLD)
                _run(con, sql.UPSERT_VIEWS)
                vkeys = self._view_keys(con, batch)
                inserted = self._insert_new(con, "events", event_rows(batch, vkeys))
                self._insert_new(con, "presence", presence_rows(batch, vkeys))
                if batch.arm_view.shape[0]:
                    _run(con, sql.FLAG_ARM_CONFLICTS)
                    _run(con, sql.INSERT_ARMS)
                found = _run(con, sql.MILESTONES) if milestones else []
                _run(con, "COMMIT")
            except BaseException:
                _run(con, "ROLLBACK")
                raise
            finally:
                for name in ("_bv", "_be", "_ba", "_map", "_new"):
                    con.unregister(name)
        return InsertResult(
            inserted=inserted,
            duplicates=batch.n_events - inserted,
            milestones=milestones_of(batch, found),
        )

    @staticmethod
    def _view_keys(con: duckdb.DuckDBPyConnection, batch: EventColumns) -> npt.NDArray[np.int64]:
        """The store's key of every view row of ``batch`` (after the views upsert)."""
        found = con.execute(sql.VIEW_KEYS).fetchnumpy()
        vkeys = np.full(batch.n_views, -1, dtype=np.int64)
        vkeys[np.asarray(found["vidx"], dtype=np.int64)] = np.asarray(found["vkey"], np.int64)
        con.register("_map", {"vidx": np.arange(batch.n_views, dtype=np.int32), "vkey": vkeys})
        return vkeys

    @staticmethod
    def _insert_new(con: duckdb.DuckDBPyConnection, table: str, rows: dict[str, Any]) -> int:
        """Insert the rows (unique keys, sorted) whose key is not stored yet; returns how many.
        Runs under the write lock, inside the insert's transaction."""
        keys = rows["key"]
        if keys.shape[0] == 0:
            return 0
        con.register("_new", {"key": keys})
        stored = con.execute(sql.EXISTING_KEYS.format(table=table)).fetchnumpy()["key"]
        if stored.shape[0]:
            keep = ~np.isin(keys, np.asarray(stored, dtype=np.int64))
            rows = {name: column[keep] for name, column in rows.items()}
        con.register("_new", rows)
        _run(con, sql.INSERT_NEW[table])
        return int(rows["key"].shape[0])

    @staticmethod
    def _register(con: duckdb.DuckDBPyConnection, b: EventColumns) -> None:
        con.register(
            "_bv",
            {
                "vidx": np.arange(b.n_views, dtype=np.int32),
                "hi": b.view_hi,
                "lo": b.view_lo,
                "campaign": b.campaign,
                "tv": b.template_version,
                "device": b.device,
                "flags": b.view_flags,
            },
        )
        con.register(
            "_be",
            {
                "view": b.event_view,
                "seq": b.seq,
                "hi": b.event_hi,
                "lo": b.event_lo,
                "type": b.type,
                "media_time": b.media_time,
                "from_time": b.from_time,
                "duration": b.duration,
                "ref": b.ref,
                "ts": b.ts,
                "received": b.received,
                "ts_flags": b.ts_flags,
            },
        )
        con.register("_ba", {"view": b.arm_view, "decision": b.arm_decision, "arm": b.arm_name})

    def purge_expired(self, now_ms: int) -> int:
        """Delete views whose latest event arrived more than ``retention_days`` ago."""
        if self.retention_days is None:
            return 0
        cutoff = now_ms - self.retention_days * DAY_MS
        with self._write:
            con = self._con
            _run(con, "BEGIN TRANSACTION")
            try:
                for statement in sql.PURGE.split(";"):
                    if statement.strip():
                        _run(con, statement, [cutoff] if "?" in statement else [])
                rows = _run(con, "SELECT count(*) FROM _gone")
                _run(con, "COMMIT")
            except BaseException:
                _run(con, "ROLLBACK")
                raise
        return int(rows[0][0]) if rows else 0

    # --- reads ----------------------------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    def view_table(self, campaign: str, *, player_only: bool = False) -> ViewTable:
        where = sql.PLAYER_ONLY.replace("ts_min", "v.ts_min") if player_only else ""
        cur = self._cursor()
        try:
            query = sql.VIEW_TABLE.format(player_only=sql.PLAYER_ONLY if player_only else "")
            cols = cur.execute(query, [campaign]).fetchnumpy()
            arm_rows = cur.execute(sql.VIEW_ARMS.format(player_only=where), [campaign]).fetchall()
        finally:
            cur.close()
        key = np.asarray(cols["key"], dtype=np.int64)
        arms: dict[str, npt.NDArray[np.object_]] = {}
        for decision, arm, keys in arm_rows:
            column = arms.setdefault(decision, np.full(key.shape[0], None, dtype=object))
            column[np.searchsorted(key, np.asarray(keys, dtype=np.int64))] = arm  # key is sorted
        return ViewTable(
            key=key,
            template_version=string_column(cols["template_version"]),
            device=string_column(cols["device"]),
            duration=np.asarray(cols["duration"], dtype=np.float64),
            ts_min=np.asarray(cols["ts_min"], dtype=np.int64),
            ts_max=np.asarray(cols["ts_max"], dtype=np.int64),
            max_seq=np.asarray(cols["max_seq"], dtype=np.int64),
            reach=np.asarray(cols["reach"], dtype=np.float64),
            max_media=np.asarray(cols["max_media"], dtype=np.float64),
            mask=np.asarray(cols["mask"], dtype=np.int64),
            flags=np.asarray(cols["flags"], dtype=np.int64),
            arms=arms,
        )

    def presence_counts(
        self, keys: npt.NDArray[np.int64], groups: npt.NDArray[np.int32], n_groups: int
    ) -> npt.NDArray[np.int64]:
        if keys.shape[0] == 0:
            return np.zeros((n_groups, 0), dtype=np.int64)
        cur = self._cursor()
        try:
            cur.register("_sel", {"vkey": keys.astype(np.int64), "g": groups.astype(np.int32)})
            rows = cur.execute(sql.PRESENCE).fetchnumpy()
        finally:
            cur.close()
        g = np.asarray(rows["g"], dtype=np.int64)
        sec = np.asarray(rows["sec"], dtype=np.int64)
        n = np.asarray(rows["n"], dtype=np.int64)
        width = int(sec.max()) + 1 if sec.shape[0] else 0
        out = np.zeros((n_groups, width), dtype=np.int64)
        out[g, sec] = n
        return out

    def seeks(
        self, keys: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        cur = self._cursor()
        try:
            cur.register("_sel", {"vkey": keys.astype(np.int64)})
            rows = cur.execute(sql.SEEKS).fetchnumpy()
        finally:
            cur.close()
        return (
            np.asarray(rows["from_time"], dtype=np.float64),
            np.asarray(rows["media_time"], dtype=np.float64),
        )

    def scene_starts(self, campaign: str) -> dict[str, tuple[float, int]]:
        cur = self._cursor()
        try:
            rows = cur.execute(sql.SCENE_STARTS, [campaign]).fetchall()
        finally:
            cur.close()
        return {str(r[0]): (float(r[1]), int(r[2])) for r in rows}

    def view_ids(self, keys: npt.NDArray[np.int64]) -> list[uuid.UUID]:
        cur = self._cursor()
        try:
            cur.register("_sel", {"i": np.arange(keys.shape[0], dtype=np.int64), "vkey": keys})
            rows = cur.execute(sql.VIEW_IDS).fetchall()
        finally:
            cur.close()
        if len(rows) != keys.shape[0]:
            raise KeyError("some view keys are not in this store")
        return [r[1] for r in rows]

    def campaigns(self) -> list[str]:
        cur = self._cursor()
        try:
            rows = cur.execute("SELECT DISTINCT campaign FROM views ORDER BY 1").fetchall()
        finally:
            cur.close()
        return [str(r[0]) for r in rows]

    def count_events(self, campaign: str | None = None) -> int:
        cur = self._cursor()
        try:
            if campaign is None:
                rows = _run(cur, sql.COUNT_EVENTS)
            else:
                rows = _run(cur, sql.COUNT_CAMPAIGN_EVENTS, [campaign])
        finally:
            cur.close()
        return int(rows[0][0]) if rows else 0

    def export_parquet(
        self,
        path: Path,
        *,
        campaign: str | None = None,
        bot_flags: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
    ) -> int:
        """Write the events to ``path`` (zstd Parquet) through a temporary file and a rename."""
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        query = sql.export_query(
            _sql_literal(campaign) if campaign else None, bot_flags is not None
        )
        cur = self._cursor()
        try:
            _run(cur, "SET TimeZone = 'UTC'")
            if bot_flags is not None:
                cur.register("_flags", {"vkey": bot_flags[0], "flags": bot_flags[1]})
            _run(
                cur,
                f"COPY ({query}) TO {_sql_literal(str(tmp))} (FORMAT parquet, COMPRESSION zstd)",
            )
            rows = _run(cur, f"SELECT count(*) FROM read_parquet({_sql_literal(str(tmp))})")
            os.replace(tmp, path)
        except duckdb.Error as exc:
            raise AnalyticsError(
                "OR-E708", f"cannot write Parquet ({type(exc).__name__})", file=path.name
            ) from exc
        finally:
            cur.close()
            tmp.unlink(missing_ok=True)
        return int(rows[0][0]) if rows else 0

    def close(self) -> None:
        with self._write:
            if not self._closed:
                self._con.close()
                self._closed = True

    def __enter__(self) -> DuckDBEventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> list[Any]:
    """Execute and fetch everything (DuckDB refuses new work while a result is pending)."""
    return con.execute(query, params or []).fetchall()
