"""The ingest pipeline: request body -> validated columns -> bounded queue -> store.

:meth:`IngestPipeline.submit` does the checks of :mod:`.wire` and puts the accepted events on an
:class:`EventQueue` that holds at most ``max_events`` events; when a batch does not fit it
raises ``OR-E706`` (:class:`QueueFull`) and nothing of the batch is kept, so the client can
retry later (HTTP 429 or 503 with ``Retry-After``); nothing is accepted and then dropped.

:meth:`IngestPipeline.flush` moves everything queued into the store in one insert (duplicates
dropped there); :meth:`start` runs it on a background thread every ``flush_interval_s``. New
``complete`` and ``cta_click`` milestones go to ``on_milestones`` (the webhook write-back).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from openreel.analytics.columns import EventColumns, concat
from openreel.analytics.store import EventStore, InsertResult, Milestone
from openreel.analytics.wire import (
    DEFAULT_LIMITS,
    TS_FUTURE,
    TS_PAST,
    IngestLimits,
    Rejection,
    decode_body,
    parse_batch,
    to_columns,
)
from openreel.errors import AnalyticsError


class QueueFull(AnalyticsError):
    """The ingest queue cannot take the batch now (``OR-E706``); retry after ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__("OR-E706", "the ingest queue is full")
        self.retry_after_s = retry_after_s


class EventQueue:
    """A thread-safe FIFO of batches bounded by the total number of events it holds."""

    def __init__(self, max_events: int = 200_000, retry_after_s: float = 1.0) -> None:
        if max_events < 1:
            raise ValueError("max_events must be positive")
        self.max_events = max_events
        self.retry_after_s = retry_after_s
        self._items: deque[EventColumns] = deque()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Events currently queued."""
        return self._size

    def put(self, batch: EventColumns) -> None:
        """Queue the whole batch, or raise :class:`QueueFull` and queue nothing."""
        with self._lock:
            if self._size + batch.n_events > self.max_events:
                raise QueueFull(self.retry_after_s)
            self._items.append(batch)
            self._size += batch.n_events

    def requeue(self, batch: EventColumns) -> None:
        """Put a drained batch back at the front (after a failed write), even over the bound:
        new batches are then refused until the store catches up."""
        with self._lock:
            self._items.appendleft(batch)
            self._size += batch.n_events

    def drain(self) -> EventColumns | None:
        """Everything queued, as one batch (None when empty)."""
        with self._lock:
            if not self._items:
                return None
            parts = list(self._items)
            self._items.clear()
            self._size = 0
        return parts[0] if len(parts) == 1 else concat(parts)


@dataclass
class IngestStats:
    """Counters since start (read them; the pipeline updates them under its lock)."""

    batches: int = 0
    batches_refused: int = 0
    events_accepted: int = 0
    events_rejected: int = 0
    events_stored: int = 0
    events_duplicate: int = 0
    ts_clamped_future: int = 0
    ts_clamped_past: int = 0
    queue_full: int = 0
    store_errors: int = 0
    refused_by_code: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """Events queued and events rejected (with index and code) for one batch."""

    accepted: int
    rejected: tuple[Rejection, ...]


class IngestPipeline:
    """Validates batches, queues them with back-pressure and writes them to ``store``.

    ``known_view`` says whether the platform issued a view id (None: every id is known).
    ``clock`` returns seconds since the epoch (injectable for tests).
    """

    def __init__(
        self,
        store: EventStore,
        *,
        limits: IngestLimits = DEFAULT_LIMITS,
        queue: EventQueue | None = None,
        known_view: Callable[[UUID], bool] | None = None,
        on_milestones: Callable[[Sequence[Milestone]], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.limits = limits
        self.queue = queue if queue is not None else EventQueue()
        self.known_view = known_view
        self.on_milestones = on_milestones
        self.clock = clock
        self.stats = IngestStats()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _refuse(self, code: str) -> None:
        with self._lock:
            self.stats.batches_refused += 1
            self.stats.refused_by_code[code] = self.stats.refused_by_code.get(code, 0) + 1

    def submit(self, body: bytes, content_encoding: str | None = None) -> SubmitResult:
        """Check ``body`` and queue its valid events. Raises ``AnalyticsError`` (whole batch
        refused: E700, E701, E704, E705) or :class:`QueueFull` (E706)."""
        try:
            raw = decode_body(body, content_encoding, self.limits)
            parsed = parse_batch(raw, self.limits)
        except AnalyticsError as exc:
            self._refuse(exc.code)
            raise
        received = int(self.clock() * 1000)
        cols = to_columns(
            parsed.events,
            received_ms=received,
            sent_at=parsed.sent_at,
            limits=self.limits,
            known_view=self.known_view,
        )
        if cols.n_events:
            try:
                self.queue.put(cols)
            except QueueFull:
                with self._lock:
                    self.stats.queue_full += 1
                self._refuse("OR-E706")
                raise
        with self._lock:
            s = self.stats
            s.batches += 1
            s.events_accepted += cols.n_events
            s.events_rejected += len(parsed.rejected)
            s.ts_clamped_future += int((cols.ts_flags == TS_FUTURE).sum())
            s.ts_clamped_past += int((cols.ts_flags == TS_PAST).sum())
        return SubmitResult(accepted=cols.n_events, rejected=tuple(parsed.rejected))

    def flush(self) -> InsertResult:
        """Write everything queued to the store now (one insert). If the store fails, the
        events go back to the front of the queue and the error propagates."""
        with self._flush_lock:
            batch = self.queue.drain()
            if batch is None:
                return InsertResult(0, 0)
            try:
                result = self.store.insert(batch, milestones=self.on_milestones is not None)
            except Exception:
                self.queue.requeue(batch)
                with self._lock:
                    self.stats.store_errors += 1
                raise
        with self._lock:
            self.stats.events_stored += result.inserted
            self.stats.events_duplicate += result.duplicates
        if result.milestones and self.on_milestones is not None:
            self.on_milestones(result.milestones)
        return result

    def start(self, flush_interval_s: float = 0.25, purge_interval_s: float = 3600.0) -> None:
        """Flush on a background thread every ``flush_interval_s`` and apply the store's
        retention every ``purge_interval_s``, until :meth:`stop`. A failing store is retried
        at the next interval (the events stay queued; see :meth:`flush`)."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            next_purge = self.clock()
            while not self._stop.wait(flush_interval_s):
                with contextlib.suppress(Exception):
                    self.flush()
                    if self.clock() >= next_purge:
                        self.store.purge_expired(int(self.clock() * 1000))
                        next_purge = self.clock() + purge_interval_s
            with contextlib.suppress(Exception):
                self.flush()

        self._thread = threading.Thread(target=loop, name="openreel-ingest", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread after a last flush."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
