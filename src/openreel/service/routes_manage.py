"""The management API (API key required): template versions, campaigns, links, signing keys."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from openreel.errors import ServiceError
from openreel.service.auth import check_authorization
from openreel.service.bodies import read_capped, require_media_type
from openreel.service.brand_data import identifies_viewer
from openreel.service.links import MAX_LIFETIME_S, build_claims, mint
from openreel.service.models import (
    CampaignIn,
    CampaignOut,
    KeyOut,
    LinkOut,
    LinksIn,
    LinksOut,
    RevokeIn,
    TemplateVersionOut,
)
from openreel.service.settings import LINK_LEEWAY_S
from openreel.service.state import AppState, get_state
from openreel.service.storage import CampaignRow

ARCHIVE_TYPES: Final = (
    "application/zip",
    "application/x-zip-compressed",
    "application/x-tar",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
)
_bearer = HTTPBearer(auto_error=False, description="An API key: `openreel keys create`.")
State = Annotated[AppState, Depends(get_state)]


def api_key(
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The calling key's id (``OR-E600`` without a valid key)."""
    header = f"Bearer {credentials.credentials}" if credentials else None
    return check_authorization(state.storage, header)


router = APIRouter(prefix="/api", dependencies=[Depends(api_key)], tags=["management"])
_ARCHIVE_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "A zip, tar or tar.gz of the template folder.",
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ARCHIVE_TYPES},
    }
}


@router.post(
    "/templates",
    response_model=TemplateVersionOut,
    status_code=201,
    openapi_extra=_ARCHIVE_BODY,
    responses={200: {"description": "The same content was uploaded before."}},
)
async def upload_template(request: Request, response: Response, state: State) -> TemplateVersionOut:
    """Upload a template folder as a draft version (validated; same content, same version)."""
    require_media_type(request, ARCHIVE_TYPES)
    data = await read_capped(request, state.settings.max_upload_bytes)
    row, created = await run_in_threadpool(state.templates.upload, data)
    if not created:
        response.status_code = 200
    state.log.info("template uploaded", extra={"version": row.id, "count": row.files})
    return TemplateVersionOut.of(row)


@router.get("/templates", response_model=list[TemplateVersionOut])
def list_templates(state: State) -> list[TemplateVersionOut]:
    """Every template version, oldest first."""
    return [TemplateVersionOut.of(r) for r in state.storage.template_versions()]


@router.get("/templates/{version}", response_model=TemplateVersionOut)
def get_template(version: str, state: State) -> TemplateVersionOut:
    return TemplateVersionOut.of(state.templates.get(version))


@router.post("/templates/{version}/publish", response_model=TemplateVersionOut)
def publish_template(version: str, state: State) -> TemplateVersionOut:
    """Publish a draft: it becomes usable by campaigns and can no longer be deleted."""
    return TemplateVersionOut.of(state.templates.publish(version))


@router.delete("/templates/{version}", status_code=204)
def delete_template(version: str, state: State) -> Response:
    """Delete a draft (a published version is immutable: 409)."""
    state.templates.delete_draft(version)
    return Response(status_code=204)


@router.post("/campaigns", response_model=CampaignOut, status_code=201)
def create_campaign(body: CampaignIn, state: State) -> CampaignOut:
    """Create a campaign on a published template version."""
    version = state.storage.template_version(body.template_version)
    if version is None:
        raise ServiceError("OR-E601", "no such template version", path="template_version")
    if version.status != "published":
        raise ServiceError("OR-E610", "publish the version first", path="template_version")
    if body.mode != "device" and not identifies_viewer(body.data_endpoint or ""):
        raise ServiceError(
            "OR-E605",
            "server and auto modes need a data_endpoint with {view_id} or {link}",
            path="data_endpoint",
        )
    row = CampaignRow(
        id=body.id or f"c-{secrets.token_hex(6)}",
        template_version=body.template_version,
        mode=body.mode,
        data_endpoint=body.data_endpoint,
        allowed_origins=tuple(body.allowed_origins),
        link_lifetime_s=body.link_lifetime_s or state.settings.default_link_lifetime_s,
        created=state.storage.now(),
    )
    if not state.storage.add_campaign(row):
        raise ServiceError("OR-E602", "a campaign with this id exists", path="id")
    state.log.info("campaign created", extra={"campaign": row.id, "version": row.template_version})
    return CampaignOut.of(row)


@router.get("/campaigns", response_model=list[CampaignOut])
def list_campaigns(state: State) -> list[CampaignOut]:
    return [CampaignOut.of(r) for r in state.storage.campaigns()]


def campaign_or_404(state: AppState, campaign: str) -> CampaignRow:
    row = state.storage.campaign(campaign)
    if row is None:
        raise ServiceError("OR-E601", "no campaign with this id", path="campaign")
    return row


@router.get("/campaigns/{campaign}", response_model=CampaignOut)
def get_campaign(campaign: str, state: State) -> CampaignOut:
    return CampaignOut.of(campaign_or_404(state, campaign))


_URLS: Final = {
    "player": "{base}/v/{campaign}?l={token}",
    "thumb": "{base}/thumb/{campaign}/{token}.jpg",
    "hls": "{base}/hls/{campaign}/{token}/index.m3u8",
}


@router.post("/campaigns/{campaign}/links", response_model=LinksOut)
def create_links(campaign: str, body: LinksIn, state: State) -> LinksOut:
    """Signed links for the given (or generated) view ids. A player link's fragment is left
    for the brand: append ``#t=<the brand's data token>``; it never reaches this server."""
    row = campaign_or_404(state, campaign)
    lifetime = min(body.lifetime_s or row.link_lifetime_s, row.link_lifetime_s)
    ids = body.view_ids or [f"v-{secrets.token_hex(8)}" for _ in range(body.count)]
    ring = state.keys.keyring()
    now = state.clock()
    claims = [
        build_claims(
            campaign=row.id, view_id=v, audience=body.audience, lifetime_s=lifetime, now=now
        )
        for v in ids
    ]
    out = []
    base = state.settings.origin
    for c in claims:
        minted = mint(ring, c)
        url = _URLS[c.aud].format(base=base, campaign=quote(row.id), token=minted.token)
        out.append(LinkOut(view_id=c.sub, jti=c.jti, url=url, token=minted.token, expires=c.exp))
    state.metrics.links_minted.inc(len(out))
    return LinksOut(links=out)


@router.post("/links/revoke", status_code=204)
def revoke_link(body: RevokeIn, state: State) -> Response:
    """Refuse the link with this ``jti`` from now on (kept until it would have expired)."""
    expires = state.storage.now() + MAX_LIFETIME_S + LINK_LEEWAY_S
    state.storage.revoke_link(body.jti, expires)
    return Response(status_code=204)


@router.post("/keys/rotate", response_model=KeyOut)
def rotate_key(state: State) -> KeyOut:
    """A new signing key signs from now on; the previous one verifies for ``key_overlap_s``."""
    kid = state.keys.rotate()
    state.log.info("signing key rotated", extra={"kid": kid})
    return KeyOut(kid=kid)


@router.delete("/keys/{kid}", status_code=204)
def retire_key(kid: str, state: State) -> Response:
    """Stop verifying a retiring key now (links signed with it are refused)."""
    state.keys.retire(kid)
    return Response(status_code=204)
