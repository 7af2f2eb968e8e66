"""Server mode: a viewer's data pulled from the brand's endpoint. Here the server sees data.

A campaign in ``server`` or ``auto`` mode names a ``data_endpoint`` with placeholders the server
fills from the signed link: ``{view_id}`` (the link's pseudonymous ``sub``), ``{campaign}`` and
``{link}`` (the link token itself, which the brand can verify with ``/.well-known/jwks.json``
before answering). Example: ``https://crm.brand.example/video-data?view={view_id}&link={link}``.
Values are percent-encoded. The brand's own fragment token is never involved: it never
reaches the server.

The request goes through :func:`openreel.media.fetch.fetch` only (RELIABILITY rows 22-27:
public addresses only, the address pinned, redirects re-checked, size and time caps) and the
answer must sniff as JSON and decode to an object, else ``OR-E300``. The data is returned to
the caller and never logged or stored by this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from openreel.errors import DataError
from openreel.media.fetch import FetchSettings, fetch

PLACEHOLDERS: Final = ("{view_id}", "{campaign}", "{link}")


def identifies_viewer(endpoint: str) -> bool:
    """Whether ``endpoint`` has a placeholder that names the viewer (``{view_id}``/``{link}``)."""
    return "{view_id}" in endpoint or "{link}" in endpoint


def endpoint_url(endpoint: str, *, view_id: str, campaign: str, link: str) -> str:
    """``endpoint`` with its placeholders filled (percent-encoded).

    >>> endpoint_url("https://b.example/d?v={view_id}", view_id="v 1", campaign="c", link="t")
    'https://b.example/d?v=v%201'
    """
    values = {"{view_id}": view_id, "{campaign}": campaign, "{link}": link}
    out = endpoint
    for key, value in values.items():
        out = out.replace(key, quote(value, safe=""))
    return out


@dataclass(frozen=True, slots=True)
class BrandData:
    """Pulls viewer data with fixed fetch settings (JSON only, small, fast)."""

    settings: FetchSettings

    @classmethod
    def create(
        cls,
        *,
        allow_http: bool = False,
        allowed_networks: tuple[str, ...] = (),
        timeout_s: float = 3.0,
        max_bytes: int = 256 * 1024,
    ) -> BrandData:
        """``allowed_networks`` and ``allow_http`` are for tests against loopback only."""
        return cls(
            FetchSettings(
                allow_http=allow_http,
                max_bytes=max_bytes,
                total_timeout_s=timeout_s,
                connect_timeout_s=min(timeout_s, 2.0),
                max_redirects=2,
                allowed_types=frozenset({"application/json"}),
                allowed_ports=None if allowed_networks else frozenset({80, 443}),
                allowed_networks=allowed_networks,
            )
        )

    def load(self, endpoint: str, *, view_id: str, campaign: str, link: str) -> dict[str, Any]:
        """The viewer's data object. Raises ``MediaError`` (``OR-E42x``) or ``DataError``."""
        url = endpoint_url(endpoint, view_id=view_id, campaign=campaign, link=link)
        answer = fetch(url, self.settings)
        try:
            doc = json.loads(answer.data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DataError("OR-E300", "the brand's endpoint did not answer JSON") from None
        if not isinstance(doc, dict):
            raise DataError("OR-E300", "the brand's endpoint did not answer a JSON object")
        return doc
