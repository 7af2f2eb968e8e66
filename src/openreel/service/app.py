"""The app factory: ``create_app(settings)`` builds one FastAPI app with its own state.

Nothing is global: two apps built from two settings values share nothing (tests build many).
The storage and the event store are opened here and closed by ``app_state(app).close()``
(``openreel serve`` does it on exit). The event ingest thread runs during the app's lifespan
(``with TestClient(app)`` or uvicorn) and stops after a last flush when it ends; a lifespan
may run several times. Each start also drops expired denylist rows and page loads older than
:data:`VIEW_RETENTION_S`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from openreel.service import (
    http_errors,
    routes_dashboard,
    routes_events,
    routes_manage,
    routes_media,
    routes_pages,
    routes_renders,
    routes_triggers,
)
from openreel.service.bodylimit import BodyLimit
from openreel.service.jobs import RenderFn
from openreel.service.observe import ObserveMiddleware
from openreel.service.settings import LINK_LEEWAY_S, Settings
from openreel.service.state import AppState, build_state
from openreel.service.templates import BundleBuilder

#: Page loads (event view id -> link) are kept as long as the analytics store keeps events.
VIEW_RETENTION_S = 395 * 86400

DESCRIPTION = """Publish templates, create campaigns, mint signed view links, serve the
landing pages and collect engagement events. Management endpoints need an API key
(`Authorization: Bearer ork_...`, made with `openreel keys create`). Errors are JSON
`{code, title, message, path, hint}`; codes are listed in docs/errors.md."""


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], float] | None = None,
    bundle_builder: BundleBuilder | None = None,
    render: RenderFn | None = None,
) -> FastAPI:
    """A new app serving ``settings`` (see docs/server.md for every endpoint).

    ``clock`` (seconds since the epoch) is used for link times and records; tests inject it.
    ``bundle_builder(template_folder, out_folder)`` builds a version's player bundle when it
    is published (default: :func:`openreel.web.build_bundle` with this server's events URL).
    ``render`` replaces :func:`openreel.pipeline.render_video` for render jobs (tests).
    """
    state = build_state(settings, clock=clock, bundle_builder=bundle_builder, render=render)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        now = int(state.clock())
        state.storage.purge_revoked(now - LINK_LEEWAY_S)
        state.storage.purge_views(now - VIEW_RETENTION_S)
        state.ingest.start(flush_interval_s=settings.events_flush_interval_s)
        try:
            yield
        finally:
            state.ingest.stop()  # a last flush; the stores stay open until state.close()

    docs = settings.docs_enabled
    app = FastAPI(
        title="OpenReel",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.openreel = state
    http_errors.install(app)
    app.include_router(routes_pages.router)
    app.include_router(routes_manage.router)
    app.include_router(routes_events.router)
    app.include_router(routes_media.router)
    app.include_router(routes_renders.router)
    app.include_router(routes_triggers.router)
    app.include_router(routes_dashboard.router)
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_json_bytes, exempt=("/api/templates", "/api/events")
    )
    app.add_middleware(ObserveMiddleware, metrics=state.metrics, logger=state.log)
    return app


def app_state(app: FastAPI) -> AppState:
    """The state of an app made by :func:`create_app` (for tests and the CLI)."""
    state = app.state.openreel
    if not isinstance(state, AppState):
        raise TypeError("not an OpenReel app")
    return state
