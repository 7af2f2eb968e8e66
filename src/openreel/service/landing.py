"""The landing page of a view link: an HTML shell, its security headers and the bundle's SRI.

The page carries no viewer data: only the campaign id, template version, a fresh event view
id and where to send events (in a JSON data block the player reads; an ``auto`` campaign's
page adds ``server_url``, the server-mode URL of the same link, see
:mod:`openreel.service.auto_mode`). The brand's data token
stays in the URL fragment (``#t=...``), which browsers never send to a server; the player
reads it from ``location.hash`` and calls the brand's endpoint directly.

Headers (:func:`page_headers`):

* ``Content-Security-Policy``: ``connect-src`` lists only the brand's data origin (the
  template's ``source.url``, which the player calls), this server's events endpoint and the
  version's immutable bundle folder; scripts, styles and fonts only from this server
  (``'self'``, plus ``'wasm-unsafe-eval'`` when the bundle has the Lottie runtime); images from
  this server, ``data:``, ``blob:`` and https (data-bound images, as in the bundle's own
  page); media from this server, ``blob:`` and the campaign's allowed origins; no plugins, no
  base URL changes, no form posts; ``frame-ancestors`` is the campaign's allowed origins
  (``'none'`` without any).
* ``Referrer-Policy: no-referrer`` (the page URL holds the link token),
  ``Cache-Control: no-store``, ``X-Content-Type-Options: nosniff``,
  ``Cross-Origin-Opener-Policy: same-origin``.

Every script and stylesheet of the bundle is included with ``integrity="sha384-..."``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from openreel.service.storage import CampaignRow

_GENERIC: Final = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    '<meta name="referrer" content="no-referrer"><title>{title}</title></head>'
    "<body><p>{text}</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class BundleFile:
    """A script or stylesheet of a bundle: URL path and its SRI value."""

    url: str
    integrity: str
    kind: str  # "script" or "style"


def sri(data: bytes) -> str:
    """The Subresource Integrity value (SHA-384) of ``data``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """What the landing page needs from a built bundle (see :mod:`openreel.web.bundle`)."""

    files: tuple[BundleFile, ...]
    lottie: bool


def read_bundle(folder: Path, url_prefix: str) -> BundleInfo | None:
    """The top-level ``*.js`` and ``*.css`` files of a built bundle (sorted, with SRI) and
    whether its ``bundle.json`` lists the Lottie runtime; None when there is no bundle."""
    manifest = folder / "bundle.json"
    if not manifest.is_file():
        return None
    try:
        lottie = json.loads(manifest.read_text(encoding="utf-8")).get("lottie") is not None
    except (ValueError, AttributeError):
        return None
    out = []
    for path in sorted(folder.iterdir()):
        kind = {".js": "script", ".mjs": "script", ".css": "style"}.get(path.suffix)
        if kind and path.is_file():
            out.append(BundleFile(f"{url_prefix}{path.name}", sri(path.read_bytes()), kind))
    return BundleInfo(tuple(out), lottie)


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def content_security_policy(
    *,
    brand_origin: str | None,
    events_url: str,
    bundle_url: str,
    allowed: Sequence[str],
    lottie: bool = False,
) -> str:
    """The page's CSP (see the module docstring)."""
    connect = " ".join(x for x in (brand_origin, events_url, bundle_url) if x)
    media = " ".join(("'self'", "blob:", *allowed))
    ancestors = " ".join(allowed) if allowed else "'none'"
    script = "'self' 'wasm-unsafe-eval'" if lottie else "'self'"
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {script}",
            "style-src 'self'",
            "font-src 'self'",
            "img-src 'self' data: blob: https:",
            f"media-src {media}",
            f"connect-src {connect}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        )
    )


def page_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def _json_block(config: dict[str, Any]) -> str:
    text = json.dumps(config, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(
    config: dict[str, Any],
    files: Sequence[BundleFile],
    preview_url: str | None = None,
    extra_head: str = "",
) -> str:
    """The landing page HTML: the config data block, ``extra_head`` (trusted markup placed
    after the config block and before the bundle's files), the bundle's files with SRI and a
    data-free ``og:image``."""
    tags = []
    cors = 'crossorigin="anonymous"'
    for f in files:
        url, integrity = html.escape(f.url), html.escape(f.integrity)
        if f.kind == "style":
            tags.append(f'<link rel="stylesheet" href="{url}" integrity="{integrity}" {cors}>')
        else:
            tags.append(f'<script src="{url}" integrity="{integrity}" {cors} defer></script>')
    fallback = "" if files else "<p>This video is being prepared.</p>"
    og = ""
    if preview_url:
        og = f'<meta property="og:image" content="{html.escape(preview_url)}">'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><title>Video</title>'
        f"{og}"
        f'<script type="application/json" id="openreel-config">{_json_block(config)}</script>'
        f'{extra_head}{"".join(tags)}</head><body><main id="openreel"></main>{fallback}'
        "<noscript>This video needs JavaScript.</noscript></body></html>"
    )


def generic_page(title: str, text: str) -> str:
    """A data-free page for refused or unavailable links (the same for every reason)."""
    return _GENERIC.format(title=html.escape(title), text=html.escape(text))


def page_config(
    campaign: CampaignRow, *, view_id: str, events_url: str, bundle_url: str
) -> dict[str, Any]:
    """What the player reads (``openreel-config``): ids and URLs, never viewer data. The
    player takes the brand's data URL from the bundle's template (``source.url``)."""
    return {
        "v": 1,
        "campaign": campaign.id,
        "template_version": campaign.template_version,
        "view_id": view_id,
        "events_url": events_url,
        "bundle_url": bundle_url,
    }
