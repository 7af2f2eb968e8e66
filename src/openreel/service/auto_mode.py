"""How a landing page picks its mode: link-preview crawlers, the on-device page and its fallback.

* **Link-preview crawlers** (:func:`is_preview_crawler`): a request whose ``User-Agent``
  contains one of :data:`CRAWLER_MARKERS` (case-insensitive) gets :func:`crawler_page`, a
  data-free page with the campaign's generic ``og:image``, no player, no config block, no
  view recorded and no call to the brand's data endpoint, in every campaign mode. The list
  is deliberately small and documented (docs/server.md); a crawler that is not on it is
  treated as a browser, which in on-device mode still reveals nothing to the server.
* **``auto`` campaigns, browsers**: the on-device page, plus two ways back to the
  server-mode page of the *same* signed link (:func:`server_url`, ``?l=<token>&mode=server``):
  a ``<noscript><meta http-equiv="refresh"></noscript>`` for browsers without script, and
  :data:`FALLBACK_JS`, a small ES5 script served by this server (``/_openreel/fallback.js``,
  with SRI; the CSP forbids inline scripts) that runs before the player and navigates there
  when the browser lacks what the player needs (canvas 2D, ``fetch``, ``Promise``, ``URL``,
  ``TextDecoder``, ``requestAnimationFrame``). It reads the URL from the page's
  ``openreel-config`` block (``server_url``).
"""

from __future__ import annotations

import html
from typing import Final
from urllib.parse import quote

from openreel.service.landing import sri

#: Substrings of the ``User-Agent`` of link-preview crawlers and search bots (lower case).
CRAWLER_MARKERS: Final = (
    "facebookexternalhit",
    "facebot",
    "twitterbot",
    "slackbot",
    "linkedinbot",
    "whatsapp",
    "telegrambot",
    "discordbot",
    "googlebot",
    "bingbot",
    "applebot",
    "pinterest",
    "embedly",
    "skypeuripreview",
    "redditbot",
    "vkshare",
    "iframely",
    "mastodon",
)

FALLBACK_PATH: Final = "/_openreel/fallback.js"

FALLBACK_JS: Final = (
    "(function(){"
    "var b=document.getElementById('openreel-config');if(!b)return;"
    "var c;try{c=JSON.parse(b.textContent||'{}')}catch(e){return}"
    "if(!c||typeof c.server_url!=='string')return;"
    "var ok=false;try{var k=document.createElement('canvas');"
    "ok=!!(k.getContext&&k.getContext('2d'))&&typeof window.fetch==='function'"
    "&&typeof window.Promise==='function'&&typeof window.URL==='function'"
    "&&typeof window.TextDecoder==='function'"
    "&&typeof window.requestAnimationFrame==='function'}catch(e){ok=false}"
    "if(!ok)window.location.replace(c.server_url);"
    "})();\n"
).encode("ascii")

FALLBACK_SRI: Final = sri(FALLBACK_JS)


def is_preview_crawler(user_agent: str | None) -> bool:
    """Whether ``user_agent`` names a link-preview crawler or search bot (see the module)."""
    if not user_agent:
        return False
    ua = user_agent.lower()
    return any(marker in ua for marker in CRAWLER_MARKERS)


def server_url(base: str, campaign: str, token: str) -> str:
    """The server-mode page of the same signed link."""
    return f"{base}/v/{quote(campaign, safe='')}?l={quote(token, safe='')}&mode=server"


def crawler_page(preview_url: str) -> str:
    """The data-free page for crawlers: a title, the generic ``og:image``, nothing else."""
    image = html.escape(preview_url)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer"><title>Video</title>'
        '<meta property="og:type" content="video.other"><meta property="og:title" content="Video">'
        f'<meta property="og:image" content="{image}">'
        '<meta name="twitter:card" content="summary_large_image">'
        f'<meta name="twitter:image" content="{image}">'
        "</head><body><p>A personal video.</p></body></html>"
    )


def fallback_head(server: str) -> str:
    """The ``<head>`` tags of an ``auto`` page: the no-script refresh and the check script."""
    url = html.escape(server)
    return (
        f'<noscript><meta http-equiv="refresh" content="0;url={url}"></noscript>'
        f'<script src="{FALLBACK_PATH}" integrity="{FALLBACK_SRI}" crossorigin="anonymous">'
        "</script>"
    )
