"""``POST /api/events``: engagement batches from the player (``fetch`` or ``sendBeacon``).

Order of checks, each answered at once with a JSON error ``{code, message, path, hint}``:

1. rate limit per client address (token bucket): 429 ``OR-E609`` with ``Retry-After``;
2. ``Content-Type`` is ``application/json`` or ``text/plain`` (what ``sendBeacon`` sends for a
   string): else 415 ``OR-E604``;
3. ``Content-Encoding`` is absent, ``identity`` or ``gzip``: else 415 ``OR-E705``;
4. a declared ``Content-Length`` over the batch cap: 413 ``OR-E701`` before reading; the body
   is read in chunks and inflated with a hard output cap (a gzip bomb stops at the cap, see
   :class:`openreel.analytics.BodyDecoder`): 413 ``OR-E701``; corrupt gzip: 400 ``OR-E700``;
5. the analytics pipeline checks the batch: 400 ``OR-E700``/``OR-E704``, 413 ``OR-E701``;
   a full queue is 429 ``OR-E706`` with ``Retry-After`` (nothing of the batch is kept).

Answer: 202 ``{"accepted": n, "rejected": [{"index", "code", "message"}]}``; when the batch
had events and every one was rejected, 400 with the same body plus ``code`` ``OR-E703``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from openreel.analytics import BodyDecoder
from openreel.errors import CODES, AnalyticsError, ServiceError
from openreel.service.bodies import declared_length, require_media_type
from openreel.service.state import AppState, get_state

router = APIRouter(tags=["events"])
State = Annotated[AppState, Depends(get_state)]
EVENT_TYPES: Final = ("application/json", "text/plain")
_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "An event batch, docs/events.schema.json (optionally gzip-encoded).",
        "content": {t: {"schema": {"type": "string"}} for t in EVENT_TYPES},
    }
}


def client_key(request: Request, trust_proxy: bool) -> str:
    """The client address used for rate limiting (first ``X-Forwarded-For`` hop behind a
    trusted proxy). Never logged."""
    if trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",", 1)[0].strip()
        if first:
            return first[:64]
    return request.client.host if request.client else "unknown"


class RateLimited(ServiceError):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__("OR-E609", "too many event batches from this client")
        self.retry_after_s = retry_after_s


@router.post(
    "/api/events",
    status_code=202,
    openapi_extra=_BODY,
    responses={
        400: {"description": "Malformed batch, or every event rejected."},
        413: {"description": "Batch over the size or count limit."},
        415: {"description": "Unsupported content type or encoding."},
        429: {"description": "Rate limited or the queue is full; see Retry-After."},
    },
)
async def post_events(request: Request, state: State) -> JSONResponse:
    """Queue an event batch for the analytics store (see the module docstring)."""
    wait = state.limiter.take(client_key(request, state.settings.trust_proxy))
    if wait > 0:
        state.metrics.events.labels("rate_limited").inc()
        raise RateLimited(math.ceil(wait))
    require_media_type(request, EVENT_TYPES)
    limits = state.ingest.limits
    decoder = BodyDecoder(request.headers.get("content-encoding"), limits)
    declared = declared_length(request)
    if declared is not None and declared > limits.max_batch_bytes:
        raise AnalyticsError("OR-E701", f"the batch is over {limits.max_batch_bytes} bytes")
    async for chunk in request.stream():
        decoder.feed(chunk)
    result = state.ingest.submit(decoder.finish())
    rejected = [{"index": r.index, "code": r.code, "message": r.message} for r in result.rejected]
    state.metrics.events.labels("accepted").inc(result.accepted)
    state.metrics.events.labels("rejected").inc(len(rejected))
    body: dict[str, Any] = {"accepted": result.accepted, "rejected": rejected}
    if result.accepted == 0 and rejected:
        body.update(
            code="OR-E703",
            title=CODES["OR-E703"].title,
            message="every event of the batch was rejected",
            path="events",
            hint=CODES["OR-E703"].hint,
        )
        return JSONResponse(body, status_code=400)
    return JSONResponse(body, status_code=202)
