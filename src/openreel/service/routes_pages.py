"""Public endpoints: health, metrics, the JWKS, landing pages and bundle files."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from openreel.service.auto_mode import (
    FALLBACK_JS,
    FALLBACK_PATH,
    crawler_page,
    fallback_head,
    is_preview_crawler,
    server_url,
)
from openreel.service.http_errors import error_response
from openreel.service.landing import (
    BundleInfo,
    content_security_policy,
    generic_page,
    origin_of,
    page_config,
    page_headers,
    read_bundle,
    render_page,
)
from openreel.service.links import LinkError, verify
from openreel.service.server_page import server_page
from openreel.service.state import AppState, get_state

router = APIRouter()
State = Annotated[AppState, Depends(get_state)]
_BUNDLE_TYPES: Final = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
}
_INVALID: Final = ("Link not valid", "This link is not valid or has expired.")


@router.get("/healthz", tags=["operations"])
def healthz(state: State) -> dict[str, object]:
    """Liveness and readiness: the metadata database answers and the event queue has room."""
    state.storage.campaign("")  # a query: raises if the database is gone
    queued = len(state.ingest.queue)
    return {"status": "ok", "events_queued": queued}


@router.get("/metrics", tags=["operations"], response_class=Response)
def metrics(state: State) -> Response:
    """Prometheus metrics (text exposition format 0.0.4)."""
    state.metrics.events_queued.set(len(state.ingest.queue))
    return Response(
        state.metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )


@router.get("/.well-known/jwks.json", tags=["links"])
def jwks(state: State) -> JSONResponse:
    """The public keys that verify link tokens now (active and retiring)."""
    body = state.keys.keyring().jwks(state.clock())
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})


def _bundle(state: AppState, version: str) -> BundleInfo | None:
    """The version's built bundle (built now if publishing could not), cached once built."""
    info = state.bundles.get(version)
    if info is None:
        state.templates.ensure_bundle(version)
        info = read_bundle(state.templates.bundle_folder(version), f"/b/{version}/")
        if info is not None:  # a built bundle never changes; an absent one may appear later
            state.bundles[version] = info
    return info


def _refused(state: AppState, status: int, reason: str) -> HTMLResponse:
    state.metrics.links_refused.labels(reason).inc()
    state.log.info("link refused", extra={"reason": reason, "status": status})
    return HTMLResponse(
        generic_page(*_INVALID),
        status_code=status,
        headers=page_headers("default-src 'none'; frame-ancestors 'none'"),
    )


@router.get(FALLBACK_PATH, tags=["pages"], response_class=Response)
def fallback_script() -> Response:
    """The capability check of ``auto`` pages (:mod:`openreel.service.auto_mode`)."""
    return Response(
        FALLBACK_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/v/{campaign}", response_class=HTMLResponse, tags=["pages"])
def landing(
    campaign: str,
    state: State,
    l: Annotated[str, Query(max_length=2048, description="The signed link token.")] = "",  # noqa: E741
    mode: Annotated[
        str, Query(max_length=16, description="`server`: the server-mode page (auto campaigns).")
    ] = "",
    user_agent: Annotated[str | None, Header(max_length=1024)] = None,
) -> HTMLResponse:
    """The page of a view link ``/v/{campaign}?l=<token>#t=<brand token>``: verifies the token
    (audience ``player``, this campaign) and serves the player shell; the fragment stays in the
    browser. Link-preview crawlers get a data-free page (every mode); ``server`` campaigns,
    and ``auto`` ones asked with ``mode=server``, the server-mode page; ``auto`` pages fall
    back to it when the browser cannot render (:mod:`openreel.service.auto_mode`)."""
    row = state.storage.campaign(campaign)
    if row is None:
        return _refused(state, 404, "campaign")
    try:
        claims = verify(
            l,
            audience="player",
            keyring=state.keys.keyring(),
            now=state.clock(),
            is_revoked=state.storage.is_revoked,
        )
    except LinkError as exc:
        return _refused(state, 401, exc.reason)
    if claims.cid != row.id:
        return _refused(state, 401, "campaign")
    base = state.settings.origin
    preview = f"{base}/og/{quote(row.id)}.jpg"
    if is_preview_crawler(user_agent):
        csp = "default-src 'none'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"
        return HTMLResponse(crawler_page(preview), headers=page_headers(csp))
    if row.mode == "server" or (row.mode == "auto" and mode == "server"):
        return server_page(state, row, claims, l)
    view_id = str(uuid.uuid4())
    state.storage.add_view(view_id, row.id, claims.sub, claims.jti)
    bundle_url = f"{base}/b/{row.template_version}/"
    events_url = f"{base}/api/events"
    bundle = _bundle(state, row.template_version)
    csp = content_security_policy(
        brand_origin=origin_of(state.templates.source_url(row.template_version)),
        events_url=events_url,
        bundle_url=bundle_url,
        allowed=row.allowed_origins,
        lottie=bundle is not None and bundle.lottie,
    )
    files = bundle.files if bundle is not None else ()
    config = page_config(row, view_id=view_id, events_url=events_url, bundle_url=bundle_url)
    head = ""
    if row.mode == "auto":
        config["server_url"] = server_url(base, row.id, l)
        head = fallback_head(config["server_url"])
    page = render_page(config, files, preview, extra_head=head)
    return HTMLResponse(page, headers=page_headers(csp))


@router.get("/b/{version}/{path:path}", tags=["pages"], response_class=FileResponse)
def bundle_file(version: str, path: str, state: State) -> Response:
    """A file of a published version's bundle (immutable, cached for a year; byte ranges are
    answered, as browsers seek in clips with them)."""
    row = state.storage.template_version(version)
    kind = _BUNDLE_TYPES.get(PurePosixPath(path).suffix.lower())
    parts = PurePosixPath(path).parts
    safe = bool(parts) and all(p not in ("", ".", "..") and "\x00" not in p for p in parts)
    if row is None or row.status != "published" or kind is None or not safe:
        return error_response("OR-E601", "no such file")
    root = state.templates.bundle_folder(version).resolve()
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return error_response("OR-E601", "no such file")
    return FileResponse(
        target,
        media_type=kind,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
