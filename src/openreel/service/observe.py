"""Structured JSON logs without personal data, and Prometheus metrics, for one app.

Logs: :class:`JsonFormatter` writes one JSON object a line with ``ts``, ``level``,
``logger``, ``msg`` and only the extra fields named in :data:`LOG_FIELDS`; anything else a
caller passes is dropped, so a stray value cannot reach the log. Requests are logged by
:class:`ObserveMiddleware` with the *route template* (``/v/{campaign}``), never the raw path or
query (they hold link tokens), and never the client address or headers. ``openreel serve``
installs the formatter; :func:`openreel.service.create_app` configures no handler itself.

Metrics: each app owns a :class:`Metrics` with its own ``CollectorRegistry`` (no global
registry), served as the text exposition format at ``/metrics``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOG_FIELDS: Final = frozenset(
    {
        "method",
        "route",
        "status",
        "ms",
        "error_type",
        "reason",
        "code",
        "key_id",
        "campaign",
        "version",
        "kid",
        "count",
    }
)


_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with only the allowlisted extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in LOG_FIELDS:
            value = record.__dict__.get(name)
            if isinstance(value, str | int | float | bool):
                doc[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            doc["error_type"] = record.exc_info[0].__name__
        return json.dumps(doc, separators=(",", ":"))


class Metrics:
    """The metrics of one app, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "openreel_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "openreel_http_request_seconds",
            "Time to answer HTTP requests, by route template.",
            ["route"],
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=self.registry,
        )
        self.links_refused = Counter(
            "openreel_links_refused",
            "Link tokens refused, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.links_minted = Counter(
            "openreel_links_minted", "Link tokens signed.", registry=self.registry
        )
        self.brand_data_failed = Counter(
            "openreel_brand_data_failed",
            "Server-mode data pulls that failed, by error code.",
            ["code"],
            registry=self.registry,
        )
        self.events = Counter(
            "openreel_events",
            "Events by outcome at the HTTP layer.",
            ["outcome"],
            registry=self.registry,
        )
        self.events_queued = Gauge(
            "openreel_events_queued", "Events waiting for the store.", registry=self.registry
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def route_of(scope: Scope) -> str:
    """The route template that matched (``unmatched`` when none did)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class ObserveMiddleware:
    """Counts, times and logs every HTTP request by route template."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        logger: logging.Logger,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.logger = logger
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = self.clock()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = self.clock() - start
            route = route_of(scope)
            method = str(scope.get("method", ""))
            method = method if method in _METHODS else "OTHER"
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(route).observe(elapsed)
            if self.logger.isEnabledFor(logging.INFO):
                self.logger.info(
                    "request",
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    },
                )
