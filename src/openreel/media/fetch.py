"""The one SSRF-safe fetcher for data-bound media URLs (RELIABILITY.md rule 7, rows 22-27).

``fetch(url, settings)`` performs at most ``1 + max_redirects`` GET requests. For each hop:

1. the URL is checked (:func:`openreel.media.netpolicy.parse_url`): scheme, no user info,
   no ambiguous numeric host; then the optional host allowlist (``OR-E427``) and port
   allowlist (``OR-E420``);
2. the host is resolved once (A and AAAA, through ``settings.resolver``) and *every* address
   must be public (or inside the test-only ``allowed_networks``), else ``OR-E420``;
3. the connection goes to one of those checked addresses (the address is pinned: no second
   lookup can happen, which defeats DNS rebinding), with the ``Host`` header, TLS SNI and
   certificate verification all using the URL's host name;
4. a 301/302/303/307/308 answer is followed by starting again at 1 with the ``Location``
   (``OR-E424`` after ``max_redirects``); any other status but 200 is ``OR-E426``.

One deadline covers the whole fetch, DNS and redirects included (``OR-E423``): a watchdog
timer shuts the socket down when it passes, so a server sending a byte per second (in the
headers or the body) cannot hold the worker. The body is read in pieces and refused once it
exceeds ``max_bytes`` (``OR-E422``), whatever ``Content-Length`` claimed; a declared length
over the cap is refused before reading. The body's type is sniffed from its bytes (the
``Content-Type`` header is ignored) and must be in ``allowed_types`` (``OR-E425``).
Requests ask for ``identity`` encoding; compressed bodies are never inflated. Proxy variables
from the environment are not used.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from openreel.errors import MediaError
from openreel.media.netpolicy import (
    Target,
    check_address,
    host_allowed,
    parse_networks,
    parse_url,
)
from openreel.media.sniff import sniff

Resolver = Callable[[str], Sequence[str]]
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


def system_resolver(host: str) -> list[str]:
    """Every A and AAAA address of ``host`` from the operating system's resolver."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How :func:`fetch` behaves. ``allowed_networks`` is for tests only (loopback canaries).

    ``allowed_hosts``: None allows every public host, else exact names or ``*.suffix``.
    ``allowed_ports``: None allows any port. ``resolver`` and ``ssl_context`` default to the
    system resolver and :func:`ssl.create_default_context` (verification on).
    """

    allow_http: bool = False
    max_bytes: int = 20 * 1024 * 1024
    total_timeout_s: float = 10.0
    connect_timeout_s: float = 5.0
    max_redirects: int = 3
    allowed_types: frozenset[str] = IMAGE_TYPES
    allowed_hosts: frozenset[str] | None = None
    allowed_ports: frozenset[int] | None = frozenset({80, 443})
    allowed_networks: tuple[str, ...] = ()
    resolver: Resolver | None = field(default=None, compare=False)
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)
    user_agent: str = "OpenReel-fetch/0.1"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The fetched bytes, their sniffed media type, the final URL and the redirects taken."""

    data: bytes
    content_type: str
    url: str
    redirects: int


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise MediaError("OR-E423", "the fetch took longer than its time limit")
        return remaining

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end


def _resolve(resolver: Resolver, host: str, deadline: _Deadline) -> list[str]:
    """Run ``resolver`` in a helper thread so a hanging lookup cannot outlive the deadline."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["ok"] = list(resolver(host))
        except (OSError, UnicodeError) as exc:
            box["error"] = exc

    worker = threading.Thread(target=run, name="openreel-resolve", daemon=True)
    worker.start()
    worker.join(deadline.left())
    if worker.is_alive():
        raise MediaError("OR-E423", "resolving the host took longer than the time limit")
    if "ok" not in box or not box["ok"]:
        raise MediaError("OR-E426", "the host name could not be resolved")
    addresses: list[str] = box["ok"]
    return addresses


def _checked_target(url: str, cfg: FetchSettings, deadline: _Deadline) -> tuple[Target, list[str]]:
    target = parse_url(url, allow_http=cfg.allow_http)
    if cfg.allowed_hosts is not None and not host_allowed(target.host, cfg.allowed_hosts):
        raise MediaError("OR-E427", "the host is not on the allowlist")
    if cfg.allowed_ports is not None and target.port not in cfg.allowed_ports:
        raise MediaError("OR-E420", f"port {target.port} is not allowed")
    networks = parse_networks(cfg.allowed_networks)
    if target.literal is not None:
        addresses = [str(target.literal)]
    else:
        addresses = _resolve(cfg.resolver or system_resolver, target.host, deadline)
    checked = [str(check_address(a, networks)) for a in addresses]
    return target, checked


def _connect(
    target: Target, addresses: list[str], cfg: FetchSettings, deadline: _Deadline
) -> socket.socket:
    last: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection(
                (address, target.port), timeout=min(cfg.connect_timeout_s, deadline.left())
            )
        except OSError as exc:
            last = exc
            continue
        sock.settimeout(deadline.left())
        if target.scheme != "https":
            return sock
        context = cfg.ssl_context or ssl.create_default_context()
        try:
            return context.wrap_socket(sock, server_hostname=target.host)
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            if deadline.passed:
                break
            raise MediaError("OR-E426", "the TLS handshake or certificate check failed") from exc
    if deadline.passed:
        raise MediaError("OR-E423", "connecting took longer than the time limit")
    raise MediaError("OR-E426", "no address of the host accepted a connection") from last


class _Connection(http.client.HTTPConnection):
    """An HTTP/1.1 connection over an already connected (and checked) socket."""

    def __init__(self, sock: socket.socket, target: Target) -> None:
        super().__init__(target.host, target.port)
        self.sock = sock

    def connect(self) -> None:  # the socket is connected already; never resolve again
        return


@dataclass(slots=True)
class _Hop:
    status: int
    location: str | None
    body: bytes


def _read_body(
    response: http.client.HTTPResponse, cfg: FetchSettings, deadline: _Deadline
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > cfg.max_bytes:
        raise MediaError("OR-E422", f"the server announces more than {cfg.max_bytes} bytes")
    body = bytearray()
    while True:
        deadline.left()
        piece = response.read1(_CHUNK)
        if not piece:
            break
        body += piece
        if len(body) > cfg.max_bytes:
            raise MediaError("OR-E422", f"the body exceeds {cfg.max_bytes} bytes")
    if deadline.passed:  # the watchdog closed the socket: an end, but not the body's
        raise MediaError("OR-E423", "the fetch took longer than its time limit")
    if response.length:  # the connection closed before the declared length arrived
        raise MediaError("OR-E426", "the body ended before its declared length")
    return bytes(body)


def _request(target: Target, addresses: list[str], cfg: FetchSettings, deadline: _Deadline) -> _Hop:
    sock = _connect(target, addresses, cfg, deadline)
    watchdog = threading.Timer(deadline.left(), _shutdown, args=(sock,))
    watchdog.daemon = True
    watchdog.start()
    conn = _Connection(sock, target)
    response: http.client.HTTPResponse | None = None
    try:
        conn.putrequest("GET", target.path, skip_host=True, skip_accept_encoding=True)
        for name, value in (
            ("Host", target.host_header),
            ("User-Agent", cfg.user_agent),
            ("Accept", ", ".join(sorted(cfg.allowed_types))),
            ("Accept-Encoding", "identity"),
            ("Connection", "close"),
        ):
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        if response.status in REDIRECTS:
            return _Hop(response.status, response.getheader("Location"), b"")
        if response.status != 200:
            return _Hop(response.status, None, b"")
        return _Hop(200, None, _read_body(response, cfg, deadline))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.passed:
            raise MediaError("OR-E423", "the fetch took longer than its time limit") from None
        raise MediaError("OR-E426", "the server's answer was broken or cut short") from exc
    finally:
        watchdog.cancel()
        if response is not None:
            response.close()
        conn.close()
        sock.close()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def fetch(url: str, settings: FetchSettings | None = None) -> FetchResult:
    """Fetch ``url`` under the rules of the module docstring.

    Every failure is a :class:`~openreel.errors.MediaError`: ``OR-E420`` blocked destination,
    ``OR-E421`` URL or scheme not allowed, ``OR-E422`` too large, ``OR-E423`` time limit,
    ``OR-E424`` too many redirects, ``OR-E425`` content type not allowed, ``OR-E426`` the
    server failed, ``OR-E427`` host not on the allowlist. Error messages never contain the URL.
    """
    cfg = settings or FetchSettings()
    deadline = _Deadline(cfg.total_timeout_s)
    current = url
    for hop in range(cfg.max_redirects + 1):
        target, addresses = _checked_target(current, cfg, deadline)
        answer = _request(target, addresses, cfg, deadline)
        if answer.status in REDIRECTS:
            if not answer.location:
                raise MediaError("OR-E426", "a redirect without a Location header")
            current = urljoin(current, answer.location)
            continue
        if answer.status != 200:
            raise MediaError("OR-E426", f"the server answered HTTP {answer.status}")
        found = sniff(answer.body)
        if found.mime not in cfg.allowed_types:
            raise MediaError(
                "OR-E425",
                f"the content is {found.name}; allowed: {', '.join(sorted(cfg.allowed_types))}",
            )
        return FetchResult(answer.body, found.mime, current, hop)
    raise MediaError("OR-E424", f"more than {cfg.max_redirects} redirects")
