"""``POST /api/triggers`` (API key): an event becomes a link, pre-renders and a callback.

See :mod:`.triggers` for the semantics; this module checks the request, mints the links,
stores the answer under the idempotency key and hands the follow-up to the trigger worker.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from openreel.data import validate_data
from openreel.errors import MediaError, ServiceError
from openreel.service.brand_data import identifies_viewer
from openreel.service.jobs import JobSpec, idempotency_id
from openreel.service.links import ID_PATTERN, build_claims, mint
from openreel.service.routes_manage import api_key, campaign_or_404
from openreel.service.server_page import link_job_key
from openreel.service.state import AppState, callback_policy, get_state
from openreel.service.storage import CampaignRow
from openreel.service.triggers import FollowUp, ThumbFn, trigger_id

router = APIRouter(prefix="/api", tags=["triggers"])
State = Annotated[AppState, Depends(get_state)]
KeyId = Annotated[str, Depends(api_key)]
Ident = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
IdemKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Repeat a trigger safely: the same key returns the first answer.",
    ),
]
THUMB_AT = 0.0
THUMB_WIDTH = 640


class TriggerIn(BaseModel):
    """A milestone or event of one viewer (ids only; ``data`` is never stored)."""

    model_config = ConfigDict(extra="forbid")

    campaign: Ident
    event: Ident = Field(description="The brand's name for the milestone, e.g. 'tier-gold'.")
    view_id: Annotated[str, StringConstraints(max_length=256)] | None = Field(
        None, description="Pseudonymous view id (never an email, phone or name); generated."
    )
    data: dict[str, Any] | None = Field(
        None, description="Data for the pre-rendered MP4 (server mode); used once, not stored."
    )
    prerender: list[Literal["thumb", "mp4"]] = Field(default_factory=list, max_length=2)
    callback_url: Annotated[str, StringConstraints(max_length=2048)] | None = Field(
        None, description="Receives one signed POST when the pre-renders are ready."
    )


class TriggerOut(BaseModel):
    id: str
    event: str
    campaign: str
    view_id: str
    link: str
    jti: str
    expires: int
    thumb_url: str | None
    mp4_job: str | None
    callback: bool


def _check_callback(state: AppState, url: str) -> None:
    if state.triggers.sender is None:
        raise ServiceError(
            "OR-E612", "callbacks need the callback_secret setting", path="callback_url"
        )
    try:
        callback_policy(state.settings).check_url(url)
    except MediaError as exc:
        raise MediaError(exc.code, exc.message, path="callback_url") from None


def _mp4_spec(state: AppState, row: CampaignRow, body: TriggerIn, token: str, sub: str) -> JobSpec:
    if body.data is not None:
        model = state.templates.model(row.template_version)
        validate_data(model.data, body.data, asset_names=tuple(model.assets))
        raw = dict(body.data)
        return JobSpec(row.template_version, row.id, lambda: dict(raw))
    endpoint = row.data_endpoint
    if endpoint is None or not identifies_viewer(endpoint):
        raise ServiceError(
            "OR-E605", "an mp4 pre-render needs data or a campaign data endpoint", path="data"
        )

    def load() -> dict[str, Any]:
        return state.brand.load(endpoint, view_id=sub, campaign=row.id, link=token)

    return JobSpec(row.template_version, row.id, load)


def _thumb_fn(state: AppState, row: CampaignRow, body: TriggerIn, sub: str, token: str) -> ThumbFn:
    version = row.template_version
    device = row.mode == "device"
    data = dict(body.data) if body.data is not None and not device else None
    endpoint = None if device else row.data_endpoint

    def render() -> None:
        if data is not None:
            state.thumbs.personal_jpeg(version, data, THUMB_AT, THUMB_WIDTH)
        elif endpoint:
            loaded = state.brand.load(endpoint, view_id=sub, campaign=row.id, link=token)
            state.thumbs.personal_jpeg(version, loaded, THUMB_AT, THUMB_WIDTH)
        else:
            state.thumbs.jpeg(version, THUMB_AT, THUMB_WIDTH)

    return render


@router.post(
    "/triggers",
    response_model=TriggerOut,
    status_code=201,
    responses={200: {"description": "The same Idempotency-Key was used before."}},
)
def create_trigger(
    body: TriggerIn, response: Response, state: State, key_id: KeyId, idem: IdemKey = None
) -> TriggerOut:
    """Mint a link for ``view_id`` and queue what ``prerender`` asks; 201, or 200 with the
    first answer for a repeated ``Idempotency-Key``. A ``callback_url`` gets one signed POST
    when everything asked is finished (see docs/server.md)."""
    idem_id = idempotency_id(key_id, f"trigger\x00{idem}") if idem else None
    if idem_id is not None:
        stored = state.storage.trigger_by_idem(idem_id)
        if stored is not None:
            response.status_code = 200
            return TriggerOut.model_validate_json(stored)
    row = campaign_or_404(state, body.campaign)
    if body.callback_url is not None:
        _check_callback(state, body.callback_url)
    now = state.clock()
    view_id = body.view_id or f"v-{secrets.token_hex(8)}"
    ring = state.keys.keyring()
    player = mint(
        ring,
        build_claims(
            campaign=row.id,
            view_id=view_id,
            audience="player",
            lifetime_s=row.link_lifetime_s,
            now=now,
        ),
    )
    base, cid = state.settings.origin, quote(row.id)
    thumb_url = None
    if "thumb" in body.prerender:
        thumb = mint(
            ring,
            build_claims(
                campaign=row.id,
                view_id=view_id,
                audience="thumb",
                lifetime_s=row.link_lifetime_s,
                now=now,
            ),
        )
        thumb_url = f"{base}/thumb/{cid}/{thumb.token}.jpg"
    spec = None
    if "mp4" in body.prerender:
        spec = _mp4_spec(state, row, body, player.token, view_id)
    out = TriggerOut(
        id=trigger_id(),
        event=body.event,
        campaign=row.id,
        view_id=view_id,
        link=f"{base}/v/{cid}?l={player.token}",
        jti=player.claims.jti,
        expires=player.claims.exp,
        thumb_url=thumb_url,
        mp4_job=None,
        callback=body.callback_url is not None,
    )
    if spec is not None:  # queued before the answer is stored: a 429 stores nothing
        job, _ = state.renders.submit(spec, link_job_key(player.claims.jti))
        out = out.model_copy(update={"mp4_job": job.id})
    if idem_id is not None:
        first = state.storage.add_trigger(idem_id, out.model_dump_json())
        if json.loads(first)["id"] != out.id:  # a concurrent twin won; use its answer
            response.status_code = 200
            return TriggerOut.model_validate_json(first)
    state.metrics.links_minted.inc(2 if thumb_url else 1)
    doc: dict[str, Any] = {
        "v": 1,
        "id": out.id,
        "type": "trigger.ready",
        "event": out.event,
        "campaign": out.campaign,
        "view_id": out.view_id,
        "link": out.link,
        "thumb_url": out.thumb_url,
        "mp4": None,
        "thumb": None,
    }
    state.triggers.submit(
        FollowUp(
            doc=doc,
            job_id=out.mp4_job,
            thumb=_thumb_fn(state, row, body, view_id, player.token) if thumb_url else None,
            callback_url=body.callback_url,
        )
    )
    state.log.info("trigger", extra={"campaign": row.id, "count": len(body.prerender)})
    return out
