"""Write-back: a signed webhook per view on its first ``complete`` and first ``cta_click``.

Payload (JSON, UTF-8), one per milestone::

    {"v": 1, "id": "<event id>", "type": "complete" | "cta_click", "view_id": "<uuid>",
     "campaign": "...", "template_version": "...", "arms": {"decision": "arm"},
     "occurred_at": "2024-06-01T12:00:00.123Z", "media_time": 29.9, "cta": "buy" | null}

Headers: ``Content-Type: application/json``, ``OpenReel-Delivery: <id>`` (the idempotency key:
a receiver may see a delivery twice) and ``OpenReel-Signature: t=<unix seconds>,v1=<hex>``
where ``v1 = HMAC-SHA256(secret, "<t>." + body)``. :func:`verify_signature` is the receiver's
check (constant-time compare, timestamp tolerance against replays).

Retries: network errors and HTTP 408, 425, 429, 500, 502, 503, 504 are retried up to
``max_attempts`` in all, waiting ``uniform(0, min(max_delay_s, base_delay_s * 2 ** n))``
("full jitter") or the ``Retry-After`` seconds when larger (capped at ``max_delay_s``). Other
answers, or running out of attempts, append one JSON line to the dead-letter file (code
``OR-E711``) with the payload, so nothing is lost silently. ``sleep``, ``clock``, ``rng`` and
the transport are injectable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from openreel.analytics.store import Milestone

RETRY_STATUSES: Final = frozenset({408, 425, 429, 500, 502, 503, 504})
SIGNATURE_HEADER: Final = "OpenReel-Signature"
DELIVERY_HEADER: Final = "OpenReel-Delivery"


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """What the transport saw: the HTTP status and the ``Retry-After`` seconds, if any."""

    status: int
    retry_after_s: float | None = None


Transport = Callable[[str, bytes, Mapping[str, str]], WebhookResponse]


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Where and how to deliver. ``url`` is the operator's receiver (http or https)."""

    url: str
    secret: bytes
    dead_letter_path: Path
    max_attempts: int = 6
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise ValueError("the webhook URL must be http or https")
        if len(self.secret) < 16:
            raise ValueError("the webhook secret must have at least 16 bytes")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


@dataclass(frozen=True, slots=True)
class Delivery:
    """Outcome of one milestone: delivered or dead-lettered, after how many attempts."""

    id: str
    delivered: bool
    attempts: int
    last_status: int | None


def payload(m: Milestone) -> dict[str, Any]:
    """The JSON payload of a milestone (see the module docstring)."""
    when = dt.datetime.fromtimestamp(m.ts / 1000, tz=dt.UTC)
    return {
        "v": 1,
        "id": str(m.event_id),
        "type": m.type,
        "view_id": str(m.view_id),
        "campaign": m.campaign,
        "template_version": m.template_version,
        "arms": dict(sorted(m.arms.items())),
        "occurred_at": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "media_time": m.media_time,
        "cta": m.cta,
    }


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The ``OpenReel-Signature`` header value for ``body`` sent at ``timestamp`` (seconds)."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: bytes, header: str, body: bytes, *, now: float, tolerance_s: float = 300.0
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance_s`` of ``now``."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


def httpx_transport(timeout_s: float = 10.0) -> Transport:
    """A transport posting with httpx (no redirects followed)."""
    client = httpx.Client(timeout=timeout_s, follow_redirects=False)

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> WebhookResponse:
        response = client.post(url, content=body, headers=dict(headers))
        return WebhookResponse(
            response.status_code, _retry_after(response.headers.get("retry-after"))
        )

    return post


class WebhookSender:
    """Delivers milestones one by one with retries; failures go to the dead-letter file."""

    def __init__(
        self,
        settings: WebhookSettings,
        *,
        transport: Transport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.transport = transport or httpx_transport(settings.timeout_s)
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self._dead_lock = threading.Lock()

    def backoff(self, attempt: int, retry_after_s: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        s = self.settings
        jitter = self.rng.uniform(0.0, min(s.max_delay_s, s.base_delay_s * 2 ** (attempt - 1)))
        if retry_after_s is not None:
            return min(s.max_delay_s, max(jitter, retry_after_s))
        return jitter

    def deliver(self, milestone: Milestone) -> Delivery:
        """Deliver one milestone (blocking; retries included)."""
        doc = payload(milestone)
        body = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
        status: int | None = None
        reason = ""
        for attempt in range(1, self.settings.max_attempts + 1):
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "openreel-webhook/1",
                DELIVERY_HEADER: doc["id"],
                SIGNATURE_HEADER: sign(self.settings.secret, int(self.clock()), body),
            }
            retry_after: float | None = None
            try:
                answer = self.transport(self.settings.url, body, headers)
                status, retry_after = answer.status, answer.retry_after_s
                if 200 <= status < 300:
                    return Delivery(doc["id"], True, attempt, status)
                reason = f"http {status}"
                if status not in RETRY_STATUSES:
                    return self._dead(doc, attempt, status, reason)
            except (httpx.TransportError, OSError) as exc:
                status, reason = None, type(exc).__name__  # the class only: messages hold URLs
            if attempt < self.settings.max_attempts:
                self.sleep(self.backoff(attempt, retry_after))
        return self._dead(doc, self.settings.max_attempts, status, reason)

    def deliver_all(self, milestones: list[Milestone] | tuple[Milestone, ...]) -> list[Delivery]:
        """Deliver each milestone in turn (a pipeline's ``on_milestones`` callback)."""
        return [self.deliver(m) for m in milestones]

    def _dead(
        self, doc: dict[str, Any], attempts: int, status: int | None, reason: str
    ) -> Delivery:
        when = dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)
        record = {
            "at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "code": "OR-E711",
            "id": doc["id"],
            "attempts": attempts,
            "last_status": status,
            "reason": reason,
            "payload": doc,
        }
        line = json.dumps(record, separators=(",", ":"), sort_keys=True) + "\n"
        path = self.settings.dead_letter_path
        with self._dead_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
        return Delivery(doc["id"], False, attempts, status)


def read_dead_letters(path: Path) -> list[dict[str, Any]]:
    """The records of a dead-letter file (for replay tools and tests)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
