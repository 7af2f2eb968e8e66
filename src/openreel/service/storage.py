"""Embedded storage of a server: one SQLite metadata file and folders under the data dir.

Layout of ``data_dir``::

    openreel.sqlite3   keys, template versions, campaigns, signing keys, revoked link ids,
                       page loads (view UUID -> campaign and link view id)
    templates/<version id>/   the unpacked, validated template folder (never changed once published)
    bundles/<version id>/     the built player bundle, when the bundle compiler is available
    renders/ cache/ tmp/      render outputs, caches, temporary work (same file system, so
                              renames are atomic)

Several processes may share one data dir: SQLite runs in WAL mode with a busy timeout, every
write is one short transaction, and nothing is cached longer than the keyring's few seconds.
The database file and the folders are created with owner-only permissions (the signing keys'
private halves live in the database).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    created INTEGER NOT NULL, revoked INTEGER
);
CREATE TABLE IF NOT EXISTS template_versions (
    id TEXT PRIMARY KEY, template_id TEXT NOT NULL, digest TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    size INTEGER NOT NULL, files INTEGER NOT NULL,
    created INTEGER NOT NULL, published INTEGER
);
CREATE TABLE IF NOT EXISTS campaigns (
    id TEXT PRIMARY KEY, template_version TEXT NOT NULL REFERENCES template_versions(id),
    mode TEXT NOT NULL, data_endpoint TEXT, allowed_origins TEXT NOT NULL,
    link_lifetime_s INTEGER NOT NULL, created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS signing_keys (
    kid TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
    private_pem BLOB NOT NULL, created INTEGER NOT NULL, retire_at INTEGER
);
CREATE TABLE IF NOT EXISTS revoked_links (
    jti TEXT PRIMARY KEY, revoked INTEGER NOT NULL, expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS render_jobs (
    id TEXT PRIMARY KEY, idem TEXT UNIQUE, status TEXT NOT NULL
        CHECK (status IN ('queued', 'running', 'done', 'failed')),
    template_version TEXT NOT NULL, campaign TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    error_code TEXT, output TEXT, created INTEGER NOT NULL, finished INTEGER,
    owner TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS triggers (
    idem TEXT PRIMARY KEY, body TEXT NOT NULL, created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS views (
    view TEXT PRIMARY KEY, campaign TEXT NOT NULL, sub TEXT NOT NULL, jti TEXT NOT NULL,
    created INTEGER NOT NULL
);
"""

SUBDIRS: Final = ("templates", "bundles", "renders", "cache", "tmp")
_JOB_COLUMNS: Final = (
    "id, idem, status, template_version, campaign, attempts, error_code, output, created, finished"
)


@dataclass(frozen=True, slots=True)
class TemplateVersionRow:
    """A stored template version."""

    id: str
    template_id: str
    digest: str
    status: str
    size: int
    files: int
    created: int
    published: int | None


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """A stored campaign."""

    id: str
    template_version: str
    mode: str
    data_endpoint: str | None
    allowed_origins: tuple[str, ...]
    link_lifetime_s: int
    created: int


@dataclass(frozen=True, slots=True)
class JobRow:
    """A stored render job (no viewer data)."""

    id: str
    idem: str | None
    status: str
    template_version: str
    campaign: str | None
    attempts: int
    error_code: str | None
    output: str | None
    created: int
    finished: int | None


@dataclass(frozen=True, slots=True)
class SigningKeyRow:
    """A stored signing key (the private half as PKCS#8 PEM)."""

    kid: str
    state: str
    private_pem: bytes
    created: int
    retire_at: int | None


class Storage:
    """The metadata database and folders of one data dir. Thread-safe (one lock per process).

    ``clock`` returns seconds since the epoch; it stamps ``created``/``published`` times.
    """

    def __init__(self, data_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.data_dir = data_dir
        self.clock = clock
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for sub in SUBDIRS:
            (data_dir / sub).mkdir(exist_ok=True, mode=0o700)
        db = data_dir / "openreel.sqlite3"
        fd = os.open(db, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        self._con = sqlite3.connect(db, timeout=10.0, check_same_thread=False, isolation_level=None)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA foreign_keys=ON")
        self._con.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def now(self) -> int:
        return int(self.clock())

    def folder(self, name: str) -> Path:
        """One of :data:`SUBDIRS` under the data dir."""
        if name not in SUBDIRS:
            raise KeyError(name)
        return self.data_dir / name

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                yield self._con
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._con.execute(sql, args).fetchall())

    # --- API keys ---------------------------------------------------------------------------
    def add_api_key(self, key_id: str, key_hash: str, name: str) -> None:
        with self._tx() as con:
            con.execute(
                "INSERT INTO api_keys (id, hash, name, created) VALUES (?, ?, ?, ?)",
                (key_id, key_hash, name, self.now()),
            )

    def api_key_by_hash(self, key_hash: str) -> str | None:
        """The id of the unrevoked key with this hash, or None."""
        rows = self._all("SELECT id FROM api_keys WHERE hash = ? AND revoked IS NULL", (key_hash,))
        return str(rows[0][0]) if rows else None

    def has_api_keys(self) -> bool:
        """Whether any unrevoked API key exists."""
        return bool(self._all("SELECT 1 FROM api_keys WHERE revoked IS NULL LIMIT 1"))

    def revoke_api_key(self, key_id: str) -> bool:
        with self._tx() as con:
            cur = con.execute(
                "UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (self.now(), key_id),
            )
            return cur.rowcount > 0

    # --- template versions ------------------------------------------------------------------
    def add_template_version(
        self, version_id: str, template_id: str, digest: str, size: int, files: int
    ) -> bool:
        """Insert a draft; False when the id exists already (content-addressed: same bytes)."""
        with self._tx() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO template_versions "
                "(id, template_id, digest, status, size, files, created) "
                "VALUES (?, ?, ?, 'draft', ?, ?, ?)",
                (version_id, template_id, digest, size, files, self.now()),
            )
            return cur.rowcount > 0

    def template_version(self, version_id: str) -> TemplateVersionRow | None:
        rows = self._all("SELECT * FROM template_versions WHERE id = ?", (version_id,))
        return TemplateVersionRow(*rows[0]) if rows else None

    def template_versions(self, template_id: str | None = None) -> list[TemplateVersionRow]:
        if template_id is None:
            rows = self._all("SELECT * FROM template_versions ORDER BY created, id")
        else:
            rows = self._all(
                "SELECT * FROM template_versions WHERE template_id = ? ORDER BY created, id",
                (template_id,),
            )
        return [TemplateVersionRow(*r) for r in rows]

    def publish_template_version(self, version_id: str) -> bool:
        """Mark a draft published; False when it is not a draft (missing or published)."""
        with self._tx() as con:
            cur = con.execute(
                "UPDATE template_versions SET status = 'published', published = ? "
                "WHERE id = ? AND status = 'draft'",
                (self.now(), version_id),
            )
            return cur.rowcount > 0

    def delete_draft(self, version_id: str) -> bool:
        with self._tx() as con:
            cur = con.execute(
                "DELETE FROM template_versions WHERE id = ? AND status = 'draft'", (version_id,)
            )
            return cur.rowcount > 0

    # --- campaigns --------------------------------------------------------------------------
    def add_campaign(self, row: CampaignRow) -> bool:
        """Insert a campaign; False when the id is taken."""
        with self._tx() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.template_version,
                    row.mode,
                    row.data_endpoint,
                    json.dumps(list(row.allowed_origins)),
                    row.link_lifetime_s,
                    row.created,
                ),
            )
            return cur.rowcount > 0

    @staticmethod
    def _campaign(row: tuple[Any, ...]) -> CampaignRow:
        origins = tuple(json.loads(row[4]))
        return CampaignRow(row[0], row[1], row[2], row[3], origins, row[5], row[6])

    def campaign(self, campaign_id: str) -> CampaignRow | None:
        rows = self._all("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
        return self._campaign(rows[0]) if rows else None

    def campaigns(self) -> list[CampaignRow]:
        return [
            self._campaign(r) for r in self._all("SELECT * FROM campaigns ORDER BY created, id")
        ]

    # --- signing keys -----------------------------------------------------------------------
    def signing_keys(self) -> list[SigningKeyRow]:
        rows = self._all("SELECT * FROM signing_keys ORDER BY created, kid")
        return [SigningKeyRow(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows]

    def rotate_signing_key(self, kid: str, private_pem: bytes, overlap_s: int) -> None:
        """Make ``kid`` the active key; the previous active key verifies for ``overlap_s``
        more seconds (state ``retiring``) and is then ignored."""
        now = self.now()
        with self._tx() as con:
            con.execute(
                "UPDATE signing_keys SET state = 'retiring', retire_at = ? WHERE state = 'active'",
                (now + overlap_s,),
            )
            con.execute(
                "INSERT INTO signing_keys VALUES (?, 'active', ?, ?, NULL)",
                (kid, private_pem, now),
            )

    def retire_signing_key(self, kid: str) -> bool:
        """Stop accepting ``kid`` now (it must not be the active key)."""
        with self._tx() as con:
            cur = con.execute(
                "UPDATE signing_keys SET state = 'retired', retire_at = ? "
                "WHERE kid = ? AND state = 'retiring'",
                (self.now(), kid),
            )
            return cur.rowcount > 0

    # --- revoked links ----------------------------------------------------------------------
    def revoke_link(self, jti: str, expires: int) -> None:
        """Deny ``jti`` until ``expires`` (then :meth:`purge_revoked` may drop the row)."""
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO revoked_links VALUES (?, ?, ?)",
                (jti, self.now(), expires),
            )

    def is_revoked(self, jti: str) -> bool:
        return bool(self._all("SELECT 1 FROM revoked_links WHERE jti = ?", (jti,)))

    def purge_revoked(self, before: int) -> int:
        """Drop denylist rows of links that expired before ``before``; returns the count."""
        with self._tx() as con:
            return con.execute("DELETE FROM revoked_links WHERE expires < ?", (before,)).rowcount

    # --- page loads ---------------------------------------------------------------------------
    def add_view(self, view: str, campaign: str, sub: str, jti: str) -> None:
        """Record that a landing page issued the event view id ``view`` for a link."""
        with self._tx() as con:
            con.execute(
                "INSERT INTO views VALUES (?, ?, ?, ?, ?)", (view, campaign, sub, jti, self.now())
            )

    def purge_views(self, before: int) -> int:
        """Drop page loads recorded before ``before`` (seconds); returns the count."""
        with self._tx() as con:
            return con.execute("DELETE FROM views WHERE created < ?", (before,)).rowcount

    def view_link(self, view: str) -> tuple[str, str] | None:
        """``(campaign, link view id)`` of an issued event view id, or None."""
        rows = self._all("SELECT campaign, sub FROM views WHERE view = ?", (view,))
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    # --- render jobs (never the viewer's data: that stays in memory) ------------------------
    def add_job(
        self, job_id: str, idem: str | None, version: str, campaign: str | None, owner: str
    ) -> bool:
        """Insert a queued job run by the process ``owner``; False when ``idem`` is taken."""
        with self._tx() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO render_jobs (id, idem, status, template_version, campaign,"
                " created, owner) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                (job_id, idem, version, campaign, self.now(), owner),
            )
            return cur.rowcount > 0

    def job(self, job_id: str) -> JobRow | None:
        rows = self._all(f"SELECT {_JOB_COLUMNS} FROM render_jobs WHERE id = ?", (job_id,))
        return JobRow(*rows[0]) if rows else None

    def job_by_idem(self, idem: str) -> JobRow | None:
        rows = self._all(f"SELECT {_JOB_COLUMNS} FROM render_jobs WHERE idem = ?", (idem,))
        return JobRow(*rows[0]) if rows else None

    def update_job(
        self,
        job_id: str,
        status: str,
        *,
        attempts: int | None = None,
        error_code: str | None = None,
        output: str | None = None,
    ) -> None:
        finished = self.now() if status in ("done", "failed") else None
        with self._tx() as con:
            con.execute(
                "UPDATE render_jobs SET status = ?, attempts = COALESCE(?, attempts),"
                " error_code = ?, output = ?, finished = ? WHERE id = ?",
                (status, attempts, error_code, output, finished, job_id),
            )

    def fail_unfinished_jobs(self, owner: str, code: str) -> int:
        """Mark the queued and running jobs of process ``owner`` failed (their data lived
        only in that process's memory)."""
        with self._tx() as con:
            return con.execute(
                "UPDATE render_jobs SET status = 'failed', error_code = ?, finished = ?"
                " WHERE status IN ('queued', 'running') AND owner = ?",
                (code, self.now(), owner),
            ).rowcount

    # --- triggers: the answer of a trigger, by idempotency id (ids and links only) ---------
    def add_trigger(self, idem: str, body: str) -> str:
        """Store ``body`` under ``idem`` unless one is stored; return the stored body."""
        with self._tx() as con:
            con.execute(
                "INSERT OR IGNORE INTO triggers (idem, body, created) VALUES (?, ?, ?)",
                (idem, body, self.now()),
            )
            row = con.execute("SELECT body FROM triggers WHERE idem = ?", (idem,)).fetchone()
        return str(row[0])

    def trigger_by_idem(self, idem: str) -> str | None:
        rows = self._all("SELECT body FROM triggers WHERE idem = ?", (idem,))
        return str(rows[0][0]) if rows else None
