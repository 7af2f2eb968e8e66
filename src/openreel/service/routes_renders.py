"""Render jobs over HTTP (API key): submit, inspect, download. See :mod:`.jobs`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from fastapi.responses import FileResponse

from openreel.data import validate_data
from openreel.errors import ServiceError
from openreel.service.brand_data import identifies_viewer
from openreel.service.jobs import JobSpec, idempotency_id
from openreel.service.links import LinkError, verify
from openreel.service.models import RenderIn, RenderOut
from openreel.service.routes_manage import api_key
from openreel.service.state import AppState, get_state
from openreel.service.storage import JobRow

router = APIRouter(prefix="/api", tags=["renders"])
State = Annotated[AppState, Depends(get_state)]
KeyId = Annotated[str, Depends(api_key)]
IdemKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Repeat a request safely: the same key returns the same job.",
    ),
]


def _size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    w, h = (int(x) for x in text.split("x"))
    if not (16 <= w <= 4096 and 16 <= h <= 4096) or w % 2 or h % 2:
        raise ServiceError("OR-E605", "size sides are even integers from 16 to 4096", path="size")
    return w, h


def _published(state: AppState, version: str) -> None:
    row = state.storage.template_version(version)
    if row is None:
        raise ServiceError("OR-E601", "no such template version", path="template_version")
    if row.status != "published":
        raise ServiceError("OR-E610", "publish the version first", path="template_version")


def _from_version(state: AppState, body: RenderIn) -> JobSpec:
    version = body.template_version or ""
    _published(state, version)
    model = state.templates.model(version)
    raw = body.data or {}
    validate_data(model.data, raw, asset_names=tuple(model.assets))  # 422 now, not a failed job
    return JobSpec(version, None, lambda: dict(raw))


def _from_link(state: AppState, body: RenderIn) -> JobSpec:
    row = state.storage.campaign(body.campaign or "")
    if row is None:
        raise ServiceError("OR-E601", "no campaign with this id", path="campaign")
    claims = None
    for audience in ("player", "hls"):
        try:
            claims = verify(
                body.link or "",
                audience=audience,
                keyring=state.keys.keyring(),
                now=state.clock(),
                is_revoked=state.storage.is_revoked,
            )
            break
        except LinkError:
            continue
    if claims is None or claims.cid != row.id:
        raise LinkError("render link")
    endpoint = row.data_endpoint
    if endpoint is None or not identifies_viewer(endpoint):
        raise ServiceError(
            "OR-E612", "this campaign has no data endpoint the server may call", path="campaign"
        )
    link, sub = body.link or "", claims.sub

    def load() -> dict[str, Any]:
        return state.brand.load(endpoint, view_id=sub, campaign=row.id, link=link)

    return JobSpec(row.template_version, row.id, load)


def _out(state: AppState, row: JobRow) -> RenderOut:
    progress = state.renders.progress(row.id)
    done = row.status == "done"
    return RenderOut(
        id=row.id,
        status=row.status,
        template_version=row.template_version,
        campaign=row.campaign,
        attempts=row.attempts,
        error_code=row.error_code,
        stage=progress.stage if progress else None,
        frames_done=progress.done if progress else None,
        frames_total=progress.total if progress else None,
        output_url=f"/api/renders/{row.id}/output" if done else None,
    )


@router.post(
    "/renders",
    response_model=RenderOut,
    status_code=202,
    responses={
        200: {"description": "The same Idempotency-Key was used before."},
        429: {"description": "The queue is full; see Retry-After."},
    },
)
def submit_render(
    body: RenderIn, response: Response, state: State, key_id: KeyId, idem: IdemKey = None
) -> RenderOut:
    """Queue a render job (202), or return the job of an earlier request with the same
    ``Idempotency-Key`` (200). 429 with ``Retry-After`` when the queue is full."""
    by_version = body.template_version is not None
    by_link = body.campaign is not None or body.link is not None
    if by_version == by_link or (by_link and not (body.campaign and body.link)):
        raise ServiceError(
            "OR-E605", "give template_version (and data), or campaign and link", path="body"
        )
    if by_link and body.data is not None:
        raise ServiceError("OR-E605", "data comes from the campaign's endpoint", path="data")
    size = _size(body.size)
    spec = _from_version(state, body) if by_version else _from_link(state, body)
    spec = JobSpec(
        spec.template_version, spec.campaign, spec.load_data, size, body.preset, body.audio
    )
    idem_id = idempotency_id(key_id, idem) if idem else None
    row, created = state.renders.submit(spec, idem_id)
    if not created:
        response.status_code = 200
    return _out(state, row)


def _job(state: AppState, job_id: str) -> JobRow:
    row = state.storage.job(job_id)
    if row is None:
        raise ServiceError("OR-E601", "no render job with this id", path="id")
    return row


@router.get("/renders/{job_id}", response_model=RenderOut)
def get_render(job_id: str, state: State, key_id: KeyId) -> RenderOut:
    """A job's status, attempts, error code and (while it runs here) progress."""
    return _out(state, _job(state, job_id))


@router.get(
    "/renders/{job_id}/output",
    response_class=FileResponse,
    responses={200: {"content": {"video/mp4": {}}}},
)
def render_output(job_id: str, state: State, key_id: KeyId) -> FileResponse:
    """The MP4 of a finished job (409 while it is not done)."""
    row = _job(state, job_id)
    path: Path = state.renders.output_path(row.id)
    if row.status != "done" or not path.is_file():
        raise ServiceError("OR-E602", f"the job is {row.status}, not done", path="id")
    return FileResponse(path, media_type="video/mp4", filename=f"{row.id}.mp4")
