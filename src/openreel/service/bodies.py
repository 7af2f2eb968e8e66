"""Reading request bodies with a size cap and checking their content type."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from openreel.errors import ServiceError


def media_type(request: Request) -> str:
    """The request's media type, lower case, without parameters (``""`` when absent)."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def require_media_type(request: Request, allowed: Iterable[str]) -> str:
    """The media type when it is one of ``allowed``, else ``OR-E604`` (415)."""
    kind = media_type(request)
    options = tuple(allowed)
    if kind not in options:
        raise ServiceError("OR-E604", f"send one of: {', '.join(options)}", path="content-type")
    return kind


def declared_length(request: Request) -> int | None:
    """``Content-Length`` as an int, None when absent; ``OR-E605`` when malformed."""
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ServiceError("OR-E605", "Content-Length is not a number", path="content-length")
    return int(raw)


async def read_capped(request: Request, cap: int) -> bytes:
    """The whole body, or ``OR-E603`` (413) as soon as it passes ``cap`` bytes (whatever
    ``Content-Length`` said; a declared length over the cap is refused before reading)."""
    declared = declared_length(request)
    if declared is not None and declared > cap:
        raise ServiceError("OR-E603", f"the body is over {cap} bytes")
    out = bytearray()
    async for chunk in request.stream():
        out += chunk
        if len(out) > cap:
            raise ServiceError("OR-E603", f"the body is over {cap} bytes")
    return bytes(out)
