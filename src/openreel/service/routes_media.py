"""Media of links: thumbnails (``/thumb/{campaign}/{token}.jpg``; data-free in on-device mode,
see :mod:`openreel.service.thumbs`), social previews (``/og/{campaign}.jpg``, always
data-free) and the rendered video of a server-mode link (``/m/{campaign}/{token}.mp4``)."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response

from openreel.errors import DataError, MediaError, ServiceError
from openreel.service.links import LinkError, verify
from openreel.service.server_page import link_job_key
from openreel.service.state import AppState, get_state
from openreel.service.storage import CampaignRow

router = APIRouter(tags=["media"])
State = Annotated[AppState, Depends(get_state)]
At = Annotated[float, Query(ge=0, le=86_400, description="Seconds into the video.")]
Width = Annotated[int, Query(ge=16, le=1920, description="Width in pixels (height follows).")]
GifWidth = Annotated[int, Query(ge=16, le=480, description="Width in pixels (at most 480).")]
_JPEG: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {"image/jpeg": {}}, "description": "A JPEG still."}
}


def _jpeg(data: bytes, *, private: bool = False) -> Response:
    return _image(data, "image/jpeg", private)


def _image(data: bytes, media_type: str, private: bool) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Cache-Control": "private, max-age=300" if private else "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _thumb_campaign(state: AppState, campaign: str, token: str) -> CampaignRow:
    row = state.storage.campaign(campaign)
    if row is None:
        raise ServiceError("OR-E601", "no campaign with this id", path="campaign")
    return row


def _thumb_claims(state: AppState, row: CampaignRow, token: str) -> str:
    """The view id of a valid thumbnail link of campaign ``row`` (``OR-E607`` otherwise)."""
    try:
        claims = verify(
            token,
            audience="thumb",
            keyring=state.keys.keyring(),
            now=state.clock(),
            is_revoked=state.storage.is_revoked,
        )
    except LinkError as exc:
        state.metrics.links_refused.labels(exc.reason).inc()
        raise
    if claims.cid != row.id:
        state.metrics.links_refused.labels("campaign").inc()
        raise LinkError("campaign")
    return claims.sub


@router.get("/thumb/{campaign}/{token}.jpg", response_class=Response, responses=_JPEG)
def thumbnail(campaign: str, token: str, state: State, at: At = 0.0, w: Width = 640) -> Response:
    """The still of a link (audience ``thumb``) at ``at`` seconds, ``w`` pixels wide.

    On-device campaigns: rendered with the template's defaults (no viewer data exists here),
    so it is the same image for every link and is cached. Server and auto campaigns: the
    viewer's data is pulled from the campaign's ``data_endpoint`` and the still is personal
    (``Cache-Control: private``); if that fails, the generic still is sent.
    """
    row = _thumb_campaign(state, campaign, token)
    sub = _thumb_claims(state, row, token)
    if row.mode != "device" and row.data_endpoint:
        personal = _personal(state, row.data_endpoint, row, sub, token, at, w)
        if personal is not None:
            return _jpeg(personal, private=True)
    return _jpeg(state.thumbs.jpeg(row.template_version, at, w))


def _personal(
    state: AppState,
    endpoint: str,
    row: CampaignRow,
    view_id: str,
    token: str,
    at: float,
    w: int,
) -> bytes | None:
    """Server mode: the viewer's still, or None (after counting why) when the brand's data
    cannot be had or is refused; the caller then sends the generic still."""
    try:
        data = state.brand.load(endpoint, view_id=view_id, campaign=row.id, link=token)
        return state.thumbs.personal_jpeg(row.template_version, data, at, w)
    except (MediaError, DataError) as exc:
        state.metrics.brand_data_failed.labels(exc.code).inc()
        state.log.info("brand data unavailable", extra={"code": exc.code, "campaign": row.id})
        return None


@router.get(
    "/thumb/{campaign}/{token}.gif",
    response_class=Response,
    responses={200: {"content": {"image/gif": {}}, "description": "An animated preview."}},
)
def thumbnail_gif(campaign: str, token: str, state: State, w: GifWidth = 480) -> Response:
    """A short animated preview of a link (audience ``thumb``): the first 2.5 s at 10 fps,
    at most 480 px wide. Cached and shared in on-device mode; personal (not cached) in server
    mode, falling back to the generic preview when the brand's data cannot be had."""
    row = _thumb_campaign(state, campaign, token)
    claims_sub = _thumb_claims(state, row, token)
    if row.mode != "device" and row.data_endpoint:
        try:
            data = state.brand.load(
                row.data_endpoint, view_id=claims_sub, campaign=row.id, link=token
            )
            return _image(state.thumbs.gif(row.template_version, w, data), "image/gif", True)
        except (MediaError, DataError) as exc:
            state.metrics.brand_data_failed.labels(exc.code).inc()
            state.log.info("brand data unavailable", extra={"code": exc.code, "campaign": row.id})
    return _image(state.thumbs.gif(row.template_version, w), "image/gif", False)


@router.get("/og/{campaign}.jpg", response_class=Response, responses=_JPEG)
def social_preview(campaign: str, state: State, at: At = 0.0, w: Width = 1200) -> Response:
    """A generic, data-free preview image of a campaign for link-preview crawlers."""
    row = state.storage.campaign(campaign)
    if row is None:
        raise ServiceError("OR-E601", "no campaign with this id", path="campaign")
    return _jpeg(state.thumbs.jpeg(row.template_version, at, w))


@router.get(
    "/m/{campaign}/{token}.mp4",
    response_class=FileResponse,
    responses={200: {"content": {"video/mp4": {}}, "description": "The viewer's video."}},
)
def server_video(campaign: str, token: str, state: State) -> FileResponse:
    """The rendered video of a server-mode player link, once its job is done (404 before)."""
    row = state.storage.campaign(campaign)
    if row is None:
        raise ServiceError("OR-E601", "no campaign with this id", path="campaign")
    claims = verify(
        token,
        audience="player",
        keyring=state.keys.keyring(),
        now=state.clock(),
        is_revoked=state.storage.is_revoked,
    )
    if claims.cid != row.id:
        raise LinkError("campaign")
    job = state.storage.job_by_idem(link_job_key(claims.jti))
    path = state.renders.output_path(job.id) if job is not None else None
    if job is None or job.status != "done" or path is None or not path.is_file():
        raise ServiceError("OR-E601", "the video is not ready", path="token")
    return FileResponse(
        path,
        media_type="video/mp4",
        headers={"Cache-Control": "private, max-age=3600", "Referrer-Policy": "no-referrer"},
    )
