"""A cap on request bodies for every route that does not read its body itself.

FastAPI reads a JSON body whole before validating it, so without a cap one request could make
the process allocate any amount of memory. :class:`BodyLimit` answers 413 (``OR-E603``) when
``Content-Length`` is over ``max_bytes``, and stops a body without a length (chunked) as soon as
it passes the cap (by raising a 413 ``HTTPException`` from ``receive``, which FastAPI passes
on to the error handlers). Paths in ``exempt`` (uploads and events, which stream with their
own caps) are passed through untouched.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openreel.service.http_errors import error_body, error_response


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes`` outside ``exempt`` paths."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name != b"content-length":
                continue
            if not value.isdigit():
                bad = error_body("OR-E605", "Content-Length is not a number", "content-length")
                await JSONResponse(bad, status_code=400)(scope, receive, send)
                return
            if int(value) > self.max_bytes:
                response = error_response("OR-E603", f"the body is over {self.max_bytes} bytes")
                await response(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413)
            return message

        await self.app(scope, limited, send)
