"""Server mode playback: the landing page of a ``server`` campaign renders the viewer's video.

Opening ``/v/{campaign}?l=<token>`` queues one render job per link (idempotent on the link's
``jti``), whose data the worker pulls from the campaign's ``data_endpoint``
(:mod:`.brand_data`). Until the job is done the page says the video is being prepared and
reloads itself every few seconds (``<meta http-equiv="refresh">``: no script is needed);
then it shows a ``<video>`` whose source is ``/m/{campaign}/{token}.mp4``. A failed job gets
the generic "cannot be played" page. The page holds no viewer data; the MP4 does, which is why
this is the mode where the server sees data (docs/security.md).
"""

from __future__ import annotations

import html
from typing import Any, Final
from urllib.parse import quote

from fastapi.responses import HTMLResponse

from openreel.service.brand_data import identifies_viewer
from openreel.service.jobs import Busy, JobSpec, idempotency_id
from openreel.service.landing import generic_page, page_headers
from openreel.service.links import LinkClaims
from openreel.service.state import AppState
from openreel.service.storage import CampaignRow, JobRow

REFRESH_S: Final = 3
_UNAVAILABLE: Final = ("Video unavailable", "This video cannot be played right now.")


def link_job_key(jti: str) -> str:
    """The idempotency id of a link's render job (one job per link)."""
    return idempotency_id("link", jti)


def _csp(row: CampaignRow) -> str:
    ancestors = " ".join(row.allowed_origins) if row.allowed_origins else "'none'"
    return (
        "default-src 'none'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


def _page(title: str, body: str, *, refresh: bool) -> str:
    meta = f'<meta http-equiv="refresh" content="{REFRESH_S}">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="referrer" content="no-referrer">{meta}<title>{html.escape(title)}</title>'
        "<style>body{margin:0;background:#000;color:#ddd;font:16px sans-serif}"
        "video{width:100vw;height:100vh;object-fit:contain}</style>"
        f"</head><body>{body}</body></html>"
    )


def _job(state: AppState, row: CampaignRow, claims: LinkClaims, token: str) -> JobRow:
    endpoint = row.data_endpoint or ""

    def load() -> dict[str, Any]:
        return state.brand.load(endpoint, view_id=claims.sub, campaign=row.id, link=token)

    spec = JobSpec(row.template_version, row.id, load)
    job, _ = state.renders.submit(spec, link_job_key(claims.jti))
    return job


def server_page(state: AppState, row: CampaignRow, claims: LinkClaims, token: str) -> HTMLResponse:
    """The page of a server-mode link (see the module docstring)."""
    headers = page_headers(_csp(row))
    if not row.data_endpoint or not identifies_viewer(row.data_endpoint):
        return HTMLResponse(generic_page(*_UNAVAILABLE), status_code=501, headers=headers)
    try:
        job = _job(state, row, claims, token)
    except Busy as busy:
        page = _page("Preparing your video", "<p>Preparing your video…</p>", refresh=True)
        retry = {"Retry-After": str(round(busy.retry_after_s))}
        return HTMLResponse(page, status_code=503, headers={**headers, **retry})
    if job.status == "failed":
        return HTMLResponse(generic_page(*_UNAVAILABLE), status_code=502, headers=headers)
    if job.status != "done":
        page = _page("Preparing your video", "<p>Preparing your video…</p>", refresh=True)
        return HTMLResponse(page, headers=headers)
    src = html.escape(f"/m/{quote(row.id)}/{quote(token)}.mp4")
    video = f'<video src="{src}" controls playsinline autoplay muted></video>'
    return HTMLResponse(_page("Video", video, refresh=False), headers=headers)
