"""Webhook write-back: signature, retries with capped jittered backoff, dead letters."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from openreel.analytics.store import Milestone
from openreel.analytics.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    WebhookResponse,
    WebhookSender,
    WebhookSettings,
    payload,
    read_dead_letters,
    sign,
    verify_signature,
)

SECRET = b"s3cret-s3cret-s3cret"
NOW = 1_717_243_200.0


def _milestone(kind: str = "cta_click") -> Milestone:
    return Milestone(
        view_id=uuid4(),
        event_id=uuid4(),
        type=kind,
        campaign="spring",
        template_version="3",
        arms={"offer": "b", "headline": "x"},
        ts=1_717_243_200_123,
        media_time=27.5,
        cta="buy" if kind == "cta_click" else None,
    )


class _Receiver:
    """A scripted receiver: answers from ``script`` in turn, then 200."""

    def __init__(self, *script: int | type[Exception], retry_after: float | None = None) -> None:
        self.script = list(script)
        self.retry_after = retry_after
        self.requests: list[tuple[bytes, dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookResponse:
        self.requests.append((body, dict(headers)))
        step = self.script.pop(0) if self.script else 200
        if isinstance(step, type):
            raise step("connection refused to https://crm.example/hook?token=abc")
        return WebhookResponse(step, self.retry_after)


def _sender(tmp_path: Path, receiver: _Receiver, sleeps: list[float], **kw: float) -> WebhookSender:
    settings = WebhookSettings(
        "https://crm.example/hook",
        SECRET,
        tmp_path / "dead.jsonl",
        **kw,  # type: ignore[arg-type]
    )
    return WebhookSender(
        settings, transport=receiver, sleep=sleeps.append, clock=lambda: NOW, rng=random.Random(1)
    )


def test_payload_and_signature_verify(tmp_path: Path) -> None:
    receiver = _Receiver()
    milestone = _milestone()
    result = _sender(tmp_path, receiver, []).deliver(milestone)
    assert result.delivered and result.attempts == 1
    body, headers = receiver.requests[0]
    doc = json.loads(body)
    assert doc == payload(milestone)
    assert doc["occurred_at"] == "2024-06-01T12:00:00.123Z" and doc["cta"] == "buy"
    assert headers[DELIVERY_HEADER] == str(milestone.event_id)
    signature = headers[SIGNATURE_HEADER]
    assert verify_signature(SECRET, signature, body, now=NOW + 10)
    assert not verify_signature(SECRET, signature, body + b" ", now=NOW)
    assert not verify_signature(b"another-secret-here", signature, body, now=NOW)
    assert not verify_signature(SECRET, signature, body, now=NOW + 301)  # replayed too late
    assert not verify_signature(SECRET, "v1=abc", body, now=NOW)
    tampered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert not verify_signature(SECRET, tampered, body, now=NOW)
    assert sign(SECRET, int(NOW), body) == signature


def test_transient_failures_are_retried_with_capped_jittered_backoff(tmp_path: Path) -> None:
    receiver = _Receiver(503, httpx.ConnectError, 500, 429, 502)
    sleeps: list[float] = []
    sender = _sender(tmp_path, receiver, sleeps, base_delay_s=1.0, max_delay_s=5.0)
    result = sender.deliver(_milestone())
    assert result.delivered and result.attempts == 6
    caps = [1.0, 2.0, 4.0, 5.0, 5.0]  # base * 2**n, capped at max_delay_s
    assert len(sleeps) == 5
    assert all(0.0 <= s <= cap for s, cap in zip(sleeps, caps, strict=True))
    assert len(set(sleeps)) == 5  # jittered, not a fixed schedule
    assert not (tmp_path / "dead.jsonl").exists()


def test_retry_after_is_respected_but_capped(tmp_path: Path) -> None:
    sleeps: list[float] = []
    sender = _sender(tmp_path, _Receiver(429, 503, retry_after=30.0), sleeps, max_delay_s=10.0)
    assert sender.deliver(_milestone()).delivered
    assert sleeps == [10.0, 10.0]


def test_permanent_failure_goes_to_dead_letters_at_once(tmp_path: Path) -> None:
    receiver = _Receiver(400)
    sleeps: list[float] = []
    milestone = _milestone("complete")
    result = _sender(tmp_path, receiver, sleeps).deliver(milestone)
    assert not result.delivered and result.attempts == 1 and sleeps == []
    (record,) = read_dead_letters(tmp_path / "dead.jsonl")
    assert record["code"] == "OR-E711" and record["last_status"] == 400
    assert record["payload"] == payload(milestone)


def test_exhausted_retries_go_to_dead_letters_without_urls(tmp_path: Path) -> None:
    receiver = _Receiver(*([httpx.ConnectError] * 3))
    sleeps: list[float] = []
    sender = _sender(tmp_path, receiver, sleeps, max_attempts=3)
    results = sender.deliver_all([_milestone(), _milestone()])
    assert [r.delivered for r in results] == [False, True]
    assert len(sleeps) == 2
    text = (tmp_path / "dead.jsonl").read_text()
    (record,) = read_dead_letters(tmp_path / "dead.jsonl")
    assert record["reason"] == "ConnectError" and record["attempts"] == 3
    assert "token" not in text and "crm.example" not in text and SECRET.decode() not in text


def test_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookSettings("ftp://x", SECRET, tmp_path / "d")
    with pytest.raises(ValueError, match="16 bytes"):
        WebhookSettings("https://x", b"short", tmp_path / "d")
