"""Errors as HTTP answers: ``{"code", "title", "message", "path", "hint"}`` with a fitting status.

The status comes from the code (:data:`STATUS` first, then the code's range in
:data:`RANGE_STATUS`). Request validation errors become ``OR-E605`` (422) whose ``path`` names
the field and whose message names the rule; the value received is never echoed (it could be
personal data). Starlette's own 404/405 become ``OR-E601``/``OR-E605``. Anything unexpected is
``OR-E611`` (500); the log names only the exception type.
"""

from __future__ import annotations

import logging
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openreel.errors import CODES, OpenReelError

STATUS: Final[dict[str, int]] = {
    "OR-E600": 401,
    "OR-E601": 404,
    "OR-E602": 409,
    "OR-E603": 413,
    "OR-E604": 415,
    "OR-E605": 422,
    "OR-E606": 400,
    "OR-E607": 401,
    "OR-E608": 422,
    "OR-E609": 429,
    "OR-E610": 409,
    "OR-E611": 500,
    "OR-E612": 501,
    "OR-E503": 422,
    "OR-E504": 422,
    "OR-E700": 400,
    "OR-E701": 413,
    "OR-E702": 400,
    "OR-E703": 400,
    "OR-E704": 400,
    "OR-E705": 415,
    "OR-E706": 429,
    "OR-E707": 404,
    "OR-E708": 503,
}
#: Status by the code's hundreds digit when the code has no entry in :data:`STATUS`.
RANGE_STATUS: Final[dict[str, int]] = {
    "1": 422,
    "2": 422,
    "3": 422,
    "4": 422,
    "5": 500,  # a render failure of a validated template is the server's fault
    "9": 422,
}

_log = logging.getLogger("openreel.service")


def status_of(code: str) -> int:
    """The HTTP status for an error code (400 for anything unlisted)."""
    return STATUS.get(code) or RANGE_STATUS.get(code[4:5], 400)


def error_body(
    code: str, message: str, path: str | None = None, hint: str | None = None
) -> dict[str, object]:
    info = CODES[code]
    return {
        "code": code,
        "title": info.title,
        "message": message,
        "path": path,
        "hint": hint if hint is not None else info.hint,
    }


def error_response(
    code: str,
    message: str,
    *,
    path: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(code, message, path), status_code=status_of(code), headers=headers
    )


def _openreel(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, OpenReelError):  # pragma: no cover - registered for this type only
        raise exc
    body: dict[str, object] = dict(exc.to_dict())
    if exc.related:
        body["errors"] = [e.to_dict() for e in exc.errors]
    headers = {}
    retry = getattr(exc, "retry_after_s", None)
    if isinstance(retry, int | float):
        headers["Retry-After"] = str(max(1, round(retry)))
    challenge = getattr(exc, "challenge", None)
    if isinstance(challenge, str):
        headers["WWW-Authenticate"] = challenge
    return JSONResponse(body, status_code=status_of(exc.code), headers=headers)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body",)]
    message = str(first.get("msg", "the request is invalid"))[:200]
    return error_response("OR-E605", message, path=".".join(loc) or None)


def _http(request: Request, exc: Exception) -> JSONResponse:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 400
    if status == 404:
        return error_response("OR-E601", "no such resource")
    if status == 413:
        return error_response("OR-E603", "the body is over the size limit")
    if status == 405:
        return JSONResponse(
            error_body("OR-E605", "method not allowed for this resource"), status_code=405
        )
    code = "OR-E605" if status < 500 else "OR-E611"
    return JSONResponse(error_body(code, "the request was refused"), status_code=status)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.error("unhandled error", extra={"error_type": type(exc).__name__})
    return error_response("OR-E611", "the server failed to answer")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(OpenReelError, _openreel)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
