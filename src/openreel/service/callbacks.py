"""Signed trigger callbacks: one JSON POST per ready trigger, SSRF-safe, retried, dead-lettered.

**Signature.** As the analytics webhooks (:func:`openreel.analytics.webhook.sign`): header
``OpenReel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`` and
``OpenReel-Delivery: <trigger id>`` (a receiver may see a delivery twice). Receivers check it
with :func:`openreel.analytics.webhook.verify_signature`.

**Where it may go.** The URL passes :func:`openreel.media.netpolicy.parse_url` (https only,
unless ``allow_http``; no user info; no ambiguous numeric host); the host is resolved once and
*every* address must pass :func:`openreel.media.netpolicy.check_address` (public unicast, or
inside the test-only ``allowed_networks``); the POST then goes to one of those checked
addresses over a socket connected here (pinned: no second lookup, so DNS rebinding cannot
redirect it), with TLS SNI and certificate checks on the URL's host name. Redirects are not
followed (a 3xx is a final failure). Each attempt has ``timeout_s``.

**Retries.** Network errors and HTTP 408, 425, 429, 500, 502, 503, 504 are retried up to
``max_attempts`` in all, waiting ``base_delay_s * 2 ** (n - 1)`` (capped at ``max_delay_s``).
Any other answer but 2xx, a refused destination, or running out of attempts appends one JSON
line to the dead-letter file: ``{"at", "code": "OR-E613", "id", "attempts", "last_status",
"reason", "payload"}``; the reason is a status or an error class, never a URL.

The payload holds ids, links and statuses only; this module never sees viewer data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from openreel.analytics.webhook import (
    DELIVERY_HEADER,
    RETRY_STATUSES,
    SIGNATURE_HEADER,
    WebhookResponse,
    sign,
)
from openreel.errors import MediaError
from openreel.media.netpolicy import Target, check_address, parse_networks, parse_url

DEAD_CODE: Final = "OR-E613"
Resolver = Callable[[str], Sequence[str]]
Poster = Callable[[str, bytes, Mapping[str, str]], WebhookResponse]


def system_resolver(host: str) -> list[str]:
    """Every address of ``host`` (A and AAAA) from the system resolver."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """Where callbacks may go (see the module docstring); the two last fields are test-only."""

    timeout_s: float = 10.0
    allow_http: bool = False
    allowed_networks: tuple[str, ...] = ()
    resolver: Resolver | None = field(default=None, compare=False)
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)

    def check_url(self, url: str) -> Target:
        """The parsed URL, or ``MediaError`` (``OR-E421``/``OR-E420``) for a URL that can never
        be called (scheme, user info, a literal address that is not public)."""
        target = parse_url(url, allow_http=self.allow_http)
        if target.literal is not None:
            check_address(str(target.literal), parse_networks(self.allowed_networks))
        return target

    def addresses(self, target: Target) -> list[str]:
        """The checked addresses to connect to (``OR-E420`` if any is not allowed)."""
        networks = parse_networks(self.allowed_networks)
        if target.literal is not None:
            found = [str(target.literal)]
        else:
            try:
                found = list((self.resolver or system_resolver)(target.host))
            except (OSError, UnicodeError):
                raise MediaError("OR-E426", "the host name could not be resolved") from None
        if not found:
            raise MediaError("OR-E426", "the host name could not be resolved")
        return [str(check_address(a, networks)) for a in found]


class _Pinned(http.client.HTTPConnection):
    """An HTTP/1.1 connection over a socket already connected to a checked address."""

    def __init__(self, sock: socket.socket, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.sock = sock

    def connect(self) -> None:  # connected already; never resolve again
        return


def _connect(policy: CallbackPolicy, target: Target, addresses: list[str]) -> socket.socket:
    last: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, target.port), timeout=policy.timeout_s)
        except OSError as exc:
            last = exc
            continue
        if target.scheme != "https":
            return sock
        context = policy.ssl_context or ssl.create_default_context()
        try:
            return context.wrap_socket(sock, server_hostname=target.host)
        except (ssl.SSLError, OSError):
            sock.close()
            raise
    raise last or OSError("no address accepted a connection")


def pinned_poster(policy: CallbackPolicy) -> Poster:
    """A transport that POSTs under ``policy`` (raises ``MediaError`` for refused targets)."""

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> WebhookResponse:
        target = policy.check_url(url)
        sock = _connect(policy, target, policy.addresses(target))
        conn = _Pinned(sock, target, policy.timeout_s)
        try:
            conn.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", target.host_header)
            conn.putheader("Content-Length", str(len(body)))
            conn.putheader("Connection", "close")
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders(body)
            response = conn.getresponse()
            response.read(64 * 1024)
            retry = response.getheader("Retry-After")
            retry_s = float(retry) if retry and retry.strip().isdigit() else None
            return WebhookResponse(response.status, retry_s)
        finally:
            conn.close()
            sock.close()

    return post


@dataclass(frozen=True, slots=True)
class CallbackResult:
    """Delivered or dead-lettered, after how many attempts, and the last HTTP status."""

    delivered: bool
    attempts: int
    last_status: int | None


class CallbackSender:
    """Delivers callback payloads with retries; failures go to ``dead_letter_path``."""

    def __init__(
        self,
        secret: bytes,
        dead_letter_path: Path,
        *,
        post: Poster,
        max_attempts: int = 5,
        base_delay_s: float = 1.0,
        max_delay_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the callback secret must have at least 16 bytes")
        self.secret = secret
        self.dead_letter_path = dead_letter_path
        self.post = post
        self.max_attempts = max(1, max_attempts)
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.sleep = sleep
        self.clock = clock
        self._lock = threading.Lock()

    def deliver(self, url: str, doc: dict[str, Any]) -> CallbackResult:
        """POST ``doc`` (which has an ``id``) to ``url``; blocking, retries included."""
        body = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
        status: int | None = None
        reason = ""
        for attempt in range(1, self.max_attempts + 1):
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "openreel-callback/1",
                DELIVERY_HEADER: str(doc["id"]),
                SIGNATURE_HEADER: sign(self.secret, int(self.clock()), body),
            }
            retry_after: float | None = None
            try:
                answer = self.post(url, body, headers)
                status, retry_after = answer.status, answer.retry_after_s
                if 200 <= status < 300:
                    return CallbackResult(True, attempt, status)
                reason = f"http {status}"
                if status not in RETRY_STATUSES:
                    return self._dead(doc, attempt, status, reason)
            except MediaError as exc:  # a refused destination: retrying cannot help
                return self._dead(doc, attempt, None, exc.code)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                status, reason = None, type(exc).__name__  # the class only: messages hold URLs
            if attempt < self.max_attempts:
                wait = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
                self.sleep(min(self.max_delay_s, max(wait, retry_after or 0.0)))
        return self._dead(doc, self.max_attempts, status, reason)

    def _dead(
        self, doc: dict[str, Any], attempts: int, status: int | None, reason: str
    ) -> CallbackResult:
        when = dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)
        record = {
            "at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "code": DEAD_CODE,
            "id": doc["id"],
            "attempts": attempts,
            "last_status": status,
            "reason": reason,
            "payload": doc,
        }
        line = json.dumps(record, separators=(",", ":"), sort_keys=True) + "\n"
        with self._lock:
            self.dead_letter_path.parent.mkdir(parents=True, exist_ok=True)
            with self.dead_letter_path.open("a", encoding="utf-8") as fh:
                fh.write(line)
        return CallbackResult(False, attempts, status)


def read_dead_letters(path: Path) -> list[dict[str, Any]]:
    """The records of a dead-letter file."""
    with contextlib.suppress(FileNotFoundError):
        text = path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line]
    return []
