"""The objects one app works with, built from its settings, and how routes reach them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast
from uuid import UUID

from fastapi import Request

from openreel.analytics import DuckDBEventStore, EventQueue, IngestLimits, IngestPipeline
from openreel.service.archive import ArchiveLimits
from openreel.service.brand_data import BrandData
from openreel.service.callbacks import CallbackPolicy, CallbackSender, pinned_poster
from openreel.service.jobs import RenderFn, RenderQueue
from openreel.service.keys import KeyStore
from openreel.service.landing import BundleInfo
from openreel.service.observe import Metrics
from openreel.service.ratelimit import RateLimiter
from openreel.service.settings import Settings
from openreel.service.storage import Storage
from openreel.service.templates import BundleBuilder, TemplateRegistry, web_bundle_builder
from openreel.service.thumbs import ThumbRenderer
from openreel.service.triggers import TriggerWorker


@dataclass
class AppState:
    """Everything a request handler may use; one per app, nothing global."""

    settings: Settings
    storage: Storage
    keys: KeyStore
    templates: TemplateRegistry
    ingest: IngestPipeline
    event_store: DuckDBEventStore
    limiter: RateLimiter
    metrics: Metrics
    thumbs: ThumbRenderer
    brand: BrandData
    renders: RenderQueue
    triggers: TriggerWorker
    log: logging.Logger
    clock: Callable[[], float]
    bundles: dict[str, BundleInfo] = field(default_factory=dict)
    report_lock: threading.Lock = field(default_factory=threading.Lock)

    closed: bool = False

    def close(self) -> None:
        """Finish running renders, flush the events, close the stores (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self.renders.close()
        self.triggers.close()
        self.ingest.stop()
        self.event_store.close()
        self.storage.close()


def wall_clock() -> float:
    """Seconds since the epoch, looked up at each call (so test clocks can patch ``time``)."""
    return time.time()


def build_state(
    settings: Settings,
    *,
    clock: Callable[[], float] | None = None,
    bundle_builder: BundleBuilder | None = None,
    render: RenderFn | None = None,
) -> AppState:
    """Open the storage and the event store of ``settings`` (creating folders as needed)."""
    clock = clock or wall_clock
    storage = Storage(settings.data_dir, clock=clock)
    keys = KeyStore(
        storage, overlap_s=settings.key_overlap_s, cache_s=settings.keyring_cache_s, clock=clock
    )
    templates = TemplateRegistry(
        storage,
        ArchiveLimits(
            max_unpacked_bytes=settings.max_unpacked_bytes, max_files=settings.max_archive_files
        ),
        bundle_builder or web_bundle_builder(f"{settings.origin}/api/events"),
    )
    event_store = DuckDBEventStore(settings.events_path)

    def known_view(view: UUID) -> bool:
        return storage.view_link(str(view)) is not None

    ingest = IngestPipeline(
        event_store,
        limits=IngestLimits(),
        queue=EventQueue(max_events=settings.events_max_queued),
        known_view=known_view,
        clock=clock,
    )
    log = logging.getLogger("openreel.service")
    limiter = RateLimiter(
        rate=settings.events_rate_per_s,
        burst=settings.events_burst,
        max_keys=settings.rate_limit_clients,
    )
    triggers = TriggerWorker(storage, callback_sender(settings, clock), log=log)
    return AppState(
        settings=settings,
        storage=storage,
        keys=keys,
        templates=templates,
        ingest=ingest,
        event_store=event_store,
        limiter=limiter,
        metrics=Metrics(),
        thumbs=ThumbRenderer(storage.folder("templates"), storage.folder("cache")),
        renders=RenderQueue(
            storage,
            workers=settings.render_workers,
            max_queued=settings.render_queue,
            render=render,
        ),
        brand=BrandData.create(
            allow_http=settings.fetch_allow_http,
            allowed_networks=settings.fetch_allowed_networks,
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
        ),
        triggers=triggers,
        log=log,
        clock=clock,
    )


def callback_policy(settings: Settings) -> CallbackPolicy:
    """Where trigger callbacks may go: the fetch rules of server mode (test-only loopback)."""
    return CallbackPolicy(
        timeout_s=settings.callback_timeout_s,
        allow_http=settings.fetch_allow_http,
        allowed_networks=settings.fetch_allowed_networks,
    )


def callback_sender(settings: Settings, clock: Callable[[], float]) -> CallbackSender | None:
    """The callback sender of ``settings`` (None without ``callback_secret``). Dead letters go
    to ``<data_dir>/dead-letters/callbacks.jsonl``."""
    if settings.callback_secret is None:
        return None
    return CallbackSender(
        settings.callback_secret.encode("utf-8"),
        settings.data_dir / "dead-letters" / "callbacks.jsonl",
        post=pinned_poster(callback_policy(settings)),
        max_attempts=settings.callback_attempts,
        base_delay_s=settings.callback_base_delay_s,
        clock=clock,
    )


def get_state(request: Request) -> AppState:
    """The app's state (a FastAPI dependency)."""
    return cast(AppState, request.app.state.openreel)
