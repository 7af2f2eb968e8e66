"""``/dashboard``: the analytics report of each campaign, for a browser, behind an API key.

A browser cannot send a bearer header by itself, so the dashboard also takes HTTP Basic
credentials whose password is the API key (the user name is ignored): without a key it answers
401 with ``WWW-Authenticate: Basic``, and the browser asks for it. Pages:

* ``/dashboard/`` lists the campaigns;
* ``/dashboard/{campaign}/`` is :func:`openreel.analytics.write_report`'s ``index.html``
  (regenerated when older than ``REFRESH_S``; queued events are flushed first);
* ``/dashboard/{campaign}/{chart}.png`` its charts.

Reports are written under ``cache/reports/<campaign>/`` (counts and rates only, no viewer
data). Pages are sent with ``Cache-Control: no-store`` and a CSP that allows only this
server's images and the report's inline styles.
"""

from __future__ import annotations

import base64
import binascii
import html
import time
from pathlib import Path
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from openreel.errors import ServiceError
from openreel.service.auth import check_authorization
from openreel.service.state import AppState, get_state

REFRESH_S: Final = 60.0
CHARTS: Final = frozenset({"retention", "dropoff", "arms", "funnel", "seeks"})
_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}
State = Annotated[AppState, Depends(get_state)]


class DashboardAuth(ServiceError):
    """``OR-E600`` with a Basic challenge, so that browsers ask for the key."""

    def __init__(self) -> None:
        super().__init__("OR-E600", "a valid API key is required (as the Basic password)")
        self.challenge = 'Basic realm="OpenReel dashboard", charset="UTF-8"'


def dashboard_key(request: Request, state: State) -> str:
    """The key id from ``Authorization: Bearer <key>`` or ``Basic <user:key>``."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise DashboardAuth() from None
        header = "Bearer " + decoded.partition(":")[2]
    try:
        return check_authorization(state.storage, header or None)
    except ServiceError:
        raise DashboardAuth() from None


router = APIRouter(prefix="/dashboard", tags=["dashboard"], dependencies=[Depends(dashboard_key)])


@router.get("/", response_class=HTMLResponse)
def dashboard_index(state: State) -> HTMLResponse:
    """The list of campaigns, each linking to its report."""
    items = "".join(
        f'<li><a href="{quote(c.id)}/">{html.escape(c.id)}</a> '
        f"({html.escape(c.mode)}, template {html.escape(c.template_version)})</li>"
        for c in state.storage.campaigns()
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>OpenReel dashboard</title></head><body><h1>Campaigns</h1>"
        f"<ul>{items or '<li>No campaign yet.</li>'}</ul></body></html>"
    )
    return HTMLResponse(page, headers=_HEADERS)


def _report(state: AppState, campaign: str) -> Path:
    if state.storage.campaign(campaign) is None:
        raise ServiceError("OR-E601", "no campaign with this id", path="campaign")
    from openreel.analytics import write_report

    folder = state.storage.folder("cache") / "reports" / campaign
    index = folder / "index.html"
    with state.report_lock:  # one report at a time per process (matplotlib)
        fresh = index.is_file() and time.time() - index.stat().st_mtime < REFRESH_S
        if not fresh:
            state.ingest.flush()
            write_report(state.event_store, campaign, folder)
    return folder


@router.get("/{campaign}/", response_class=HTMLResponse)
def dashboard_campaign(campaign: str, state: State) -> FileResponse:
    """The campaign's report (404 ``OR-E707`` while it has no views)."""
    folder = _report(state, campaign)
    return FileResponse(folder / "index.html", media_type="text/html", headers=_HEADERS)


@router.get("/{campaign}/{chart}.png", response_class=Response)
def dashboard_chart(campaign: str, chart: str, state: State) -> FileResponse:
    """A chart of the campaign's report."""
    path = state.storage.folder("cache") / "reports" / campaign / f"{chart}.png"
    if chart not in CHARTS or state.storage.campaign(campaign) is None or not path.is_file():
        raise ServiceError("OR-E601", "no such chart", path="chart")
    return FileResponse(path, media_type="image/png", headers=_HEADERS)
