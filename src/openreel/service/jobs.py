"""Render jobs: a bounded queue in front of a small worker pool, with idempotency and retries.

* **Bounded.** At most ``workers`` jobs run and ``max_queued`` wait; one more is refused with
  :class:`Busy` (HTTP 429 + ``Retry-After``) and nothing is recorded for it. A job that was
  accepted is never dropped: it ends ``done`` or ``failed`` (with a code).
* **Idempotent.** A client key (``Idempotency-Key``) names a job: the same key from the same
  API key returns the first job, whatever the body. Outputs have the job's random id as name
  and are published atomically (temporary file, fsync, rename, fsync folder).
* **Retries only for transient errors** (:data:`TRANSIENT`: fetch timeouts and failures,
  write failures), at most ``max_attempts`` attempts with a short capped backoff; a
  deterministic error (bad data, bad template, unsupported option) fails at once.
* **No data at rest.** The viewer's data lives only in memory for the job's run; the
  database row holds ids, status, attempts and an error code. A process that stops marks its
  unfinished jobs failed (``OR-E611``); a job lost in a crash stays ``running``.

Progress (stage, frames done, frames total) is kept in memory by the process that runs the job.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from openreel.errors import OpenReelError, ServiceError
from openreel.media.atomic import publish
from openreel.service.storage import JobRow, Storage

#: Error codes worth another attempt: fetch timeouts/failures and write failures.
TRANSIENT: Final = frozenset({"OR-E423", "OR-E426", "OR-E507"})

DataLoader = Callable[[], dict[str, Any]]
RenderFn = Callable[..., Any]


class Busy(ServiceError):
    """The render queue is full (``OR-E609``); retry after ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__("OR-E609", "the render queue is full")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class JobSpec:
    """What to render. ``load_data`` is called in the worker (it may fetch from the brand)."""

    template_version: str
    campaign: str | None
    load_data: DataLoader
    size: tuple[int, int] | None = None
    preset: str = "fast"
    audio: bool = True


@dataclass(frozen=True, slots=True)
class JobProgress:
    stage: str
    done: int
    total: int


def idempotency_id(key_id: str, client_key: str) -> str:
    """The stored form of an idempotency key: scoped to the API key, hashed."""
    return hashlib.sha256(f"{key_id}\x00{client_key}".encode()).hexdigest()


def _default_render() -> RenderFn:
    from openreel.pipeline import render_video

    return render_video


class RenderQueue:
    """The jobs of one process. ``render`` defaults to :func:`openreel.pipeline.render_video`."""

    def __init__(
        self,
        storage: Storage,
        *,
        workers: int,
        max_queued: int,
        max_attempts: int = 2,
        backoff_s: float = 0.5,
        render: RenderFn | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.storage = storage
        self.workers = workers
        self.max_queued = max_queued
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.render = render
        self.log = log or logging.getLogger("openreel.service")
        self.owner = secrets.token_hex(8)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="openreel-render")
        self._lock = threading.Lock()
        self._pending = 0
        self._progress: dict[str, JobProgress] = {}
        self._closed = False

    def __len__(self) -> int:
        """Jobs accepted and not finished (running or waiting)."""
        return self._pending

    def output_path(self, job_id: str) -> Path:
        return self.storage.folder("renders") / f"{job_id}.mp4"

    def progress(self, job_id: str) -> JobProgress | None:
        return self._progress.get(job_id)

    def submit(self, spec: JobSpec, idem: str | None = None) -> tuple[JobRow, bool]:
        """Queue ``spec``; returns the job and whether it is new (False: same ``idem``)."""
        if idem is not None:
            existing = self.storage.job_by_idem(idem)
            if existing is not None:
                return existing, False
        with self._lock:
            if self._closed or self._pending >= self.workers + self.max_queued:
                raise Busy(retry_after_s=5.0)
            job_id = f"r-{secrets.token_hex(8)}"
            if not self.storage.add_job(
                job_id, idem, spec.template_version, spec.campaign, self.owner
            ):
                existing = self.storage.job_by_idem(idem) if idem else None
                if existing is None:  # pragma: no cover - ids are random
                    raise ServiceError("OR-E611", "the job could not be recorded")
                return existing, False
            self._pending += 1
        self._progress[job_id] = JobProgress("queued", 0, 0)
        self._pool.submit(self._run, job_id, spec)
        row = self.storage.job(job_id)
        if row is None:  # pragma: no cover - inserted above
            raise ServiceError("OR-E611", "the job could not be recorded")
        return row, True

    def _attempt(self, job_id: str, spec: JobSpec, final: Path) -> None:
        from openreel.pipeline import RenderOptions

        data = spec.load_data()
        temp = self.storage.folder("tmp") / f".{job_id}-{secrets.token_hex(4)}.mp4"
        folder = self.storage.folder("templates") / spec.template_version
        render = self.render or _default_render()
        options = RenderOptions(size=spec.size, preset=spec.preset, audio=spec.audio)  # type: ignore[arg-type]

        def report(event: Any) -> None:
            self._progress[job_id] = JobProgress(
                str(event.stage), int(event.done), int(event.total)
            )

        try:
            render(folder, data, temp, options, report)
            publish(temp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

    def _run(self, job_id: str, spec: JobSpec) -> None:
        final = self.output_path(job_id)
        status, code = "failed", "OR-E611"
        attempts = 0
        try:
            self.storage.update_job(job_id, "running")
            while attempts < self.max_attempts and not self._closed:
                attempts += 1
                try:
                    self._attempt(job_id, spec, final)
                    status, code = "done", ""
                    break
                except OpenReelError as exc:
                    code = exc.code
                except OSError:  # a write failed (disk full, I/O error)
                    code = "OR-E507"
                except Exception as exc:  # a bug: logged by type only, never retried
                    self.log.error("render failed", extra={"error_type": type(exc).__name__})
                    code = "OR-E611"
                if code not in TRANSIENT:
                    break
                if attempts < self.max_attempts:
                    time.sleep(min(self.backoff_s * 2 ** (attempts - 1), 5.0))
        finally:
            with contextlib.suppress(Exception):
                self.storage.update_job(
                    job_id,
                    status,
                    attempts=attempts,
                    error_code=code or None,
                    output=final.name if status == "done" else None,
                )
            with self._lock:
                self._pending -= 1
            self._progress.pop(job_id, None)
            self.log.info("render finished", extra={"code": code or "ok", "count": attempts})

    def close(self) -> None:
        """Stop taking jobs, finish the running ones, fail the waiting ones (``OR-E611``)."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.storage.fail_unfinished_jobs(self.owner, "OR-E611")
