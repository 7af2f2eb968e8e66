"""POST /api/events at the HTTP layer: RELIABILITY rows 33-40 and 44 (ingest and privacy)."""

from __future__ import annotations

import gzip
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from service_helpers import Server, event_batch, running

from openreel.analytics.store import UNKNOWN_VIEW
from openreel.service.state import AppState

JSON = {"Content-Type": "application/json"}


def _state(server: Server) -> AppState:
    state: AppState = server.client.app.state.openreel  # type: ignore[attr-defined]
    return state


def _post(server: Server, body: bytes | dict[str, Any], **headers: str) -> Any:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    return server.client.post("/api/events", content=data, headers={**JSON, **headers})


def _stored(server: Server) -> int:
    state = _state(server)
    state.ingest.flush()
    return state.event_store.count_events()


# --- row 33: the same batch three times, concurrently -----------------------------------------
def test_same_batch_three_times_concurrently_is_stored_once(server: Server) -> None:
    body = json.dumps(event_batch(50)).encode()
    with ThreadPoolExecutor(3) as pool:
        statuses = list(pool.map(lambda _: _post(server, body).status_code, range(3)))
    assert statuses == [202, 202, 202]
    assert _stored(server) == 50
    assert _post(server, body).status_code == 202
    assert _stored(server) == 50


# --- row 34: sizes and gzip bombs -------------------------------------------------------------
def test_oversized_event_is_rejected_by_index(server: Server) -> None:
    batch = event_batch(3)
    batch["events"][1]["campaign"] = "x" * 40_000
    r = _post(server, batch)
    assert r.status_code == 202
    assert r.json()["accepted"] == 2
    assert [(x["index"], x["code"]) for x in r.json()["rejected"]] == [(1, "OR-E702")]


def test_every_event_invalid_is_400_with_indexes(server: Server) -> None:
    batch = event_batch(2)
    for ev in batch["events"]:
        ev["media_time"] = -1
    r = _post(server, batch)
    assert r.status_code == 400 and r.json()["code"] == "OR-E703"
    assert [x["index"] for x in r.json()["rejected"]] == [0, 1]


def test_batch_over_the_cap_is_413(server: Server) -> None:
    big = b'{"v":1,"events":[' + b" " * (600 * 1024) + b"]}"
    r = _post(server, big)
    assert r.status_code == 413 and r.json()["code"] == "OR-E701"


def test_declared_length_over_the_cap_is_413_before_reading(server: Server) -> None:
    def chunks() -> Any:
        yield b"{" + b" " * 1000

    r = server.client.post(
        "/api/events", content=chunks(), headers={**JSON, "Content-Length": str(10**9)}
    )
    assert r.status_code == 413


def test_gzip_bomb_is_refused_fast(server: Server) -> None:
    bomb = gzip.compress(b"\0" * (100 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200 * 1024
    start = time.perf_counter()
    r = _post(server, bomb, **{"Content-Encoding": "gzip"})
    elapsed = time.perf_counter() - start
    assert r.status_code == 413 and r.json()["code"] == "OR-E701"
    assert elapsed < 1.0


def test_gzip_batch_accepted(server: Server) -> None:
    body = gzip.compress(json.dumps(event_batch(5)).encode())
    r = _post(server, body, **{"Content-Encoding": "gzip"})
    assert r.status_code == 202 and r.json()["accepted"] == 5
    assert _stored(server) == 5


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"\x1f\x8b\x08\x00garbage", {"Content-Encoding": "gzip"}, 400, "OR-E700"),
        (b"{}", {"Content-Encoding": "br"}, 415, "OR-E705"),
        (b"{}", {"Content-Type": "application/xml"}, 415, "OR-E604"),
        (b"{}", {"Content-Type": ""}, 415, "OR-E604"),
        (b"{not json", {}, 400, "OR-E700"),
        (b"\xff\xfe\x00bad", {}, 400, "OR-E700"),
        (b'{"v": 2, "events": []}', {}, 400, "OR-E704"),
        (b'{"v": 1, "events": [], "user": "x"}', {}, 400, "OR-E700"),
        (b"[]", {}, 400, "OR-E700"),
    ],
)
def test_malformed_bodies(
    server: Server, body: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    r = _post(server, body, **headers)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert "message" in r.json() and "hint" in r.json()


# --- row 35: flood from one client ------------------------------------------------------------
def test_flood_from_one_address_is_limited_others_unaffected(tmp_path: Path) -> None:
    with running(tmp_path / "d", trust_proxy=True, events_rate_per_s=1, events_burst=5) as srv:
        body = json.dumps({"v": 1, "events": []}).encode()
        flood = [_post(srv, body, **{"X-Forwarded-For": "203.0.113.9"}) for _ in range(20)]
        assert [r.status_code for r in flood[:5]] == [202] * 5
        limited = [r for r in flood[5:] if r.status_code == 429]
        assert len(limited) >= 14
        assert all(int(r.headers["Retry-After"]) >= 1 for r in limited)
        assert limited[0].json()["code"] == "OR-E609"
        others = [_post(srv, body, **{"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(30)]
        assert all(r.status_code == 202 for r in others)


def test_rate_limiter_memory_is_bounded(tmp_path: Path) -> None:
    with running(tmp_path / "d", trust_proxy=True, rate_limit_clients=16) as srv:
        body = json.dumps({"v": 1, "events": []}).encode()
        for i in range(100):
            _post(srv, body, **{"X-Forwarded-For": f"10.0.{i // 256}.{i % 256}"})
        assert len(_state(srv).limiter) == 16


# --- row 36: store behind: bounded queue, 429, nothing accepted then dropped ------------------
def test_full_queue_answers_429_and_keeps_what_it_accepted(tmp_path: Path) -> None:
    with running(tmp_path / "d", events_max_queued=1000, events_burst=1000) as srv:
        state = _state(srv)
        state.ingest.stop()  # the store stops draining the queue
        accepted = 0
        statuses = []
        for _ in range(25):
            r = _post(srv, event_batch(50))
            statuses.append(r.status_code)
            if r.status_code == 202:
                accepted += r.json()["accepted"]
            else:
                assert r.json()["code"] == "OR-E706" and int(r.headers["Retry-After"]) >= 1
        assert statuses.count(202) == 20 and statuses.count(429) == 5
        assert accepted == 1000
        state.ingest.flush()
        assert state.event_store.count_events() == 1000


# --- row 37: timestamps far in the future are clamped and counted -----------------------------
def test_future_timestamps_clamped_and_counted(server: Server) -> None:
    batch = event_batch(4)
    for ev in batch["events"]:
        ev["ts"] += 23 * 3600 * 1000
    del batch["sent_at"]
    assert _post(server, batch).status_code == 202
    assert _state(server).ingest.stats.ts_clamped_future == 4


# --- row 38: events of views this server never issued are flagged -----------------------------
def test_views_not_issued_by_a_landing_page_are_flagged(server: Server) -> None:
    link = server.link()
    page = server.client.get(f"/v/{server.campaign}?l={link['token']}")
    config = json.loads(page.text.split('id="openreel-config">')[1].split("</script>")[0])
    issued = uuid.UUID(config["view_id"])
    forged = uuid.uuid4()
    assert _post(server, event_batch(2, view_id=issued)).status_code == 202
    assert _post(server, event_batch(2, view_id=forged)).status_code == 202
    state = _state(server)
    state.ingest.flush()
    table = state.event_store.view_table("spring")
    ids = state.event_store.view_ids(table.key)
    flags = dict(zip(ids, table.flags.tolist(), strict=True))
    assert flags[issued] & UNKNOWN_VIEW == 0
    assert flags[forged] & UNKNOWN_VIEW


# --- row 39: sendBeacon's text/plain ----------------------------------------------------------
def test_text_plain_beacon_accepted_once(server: Server) -> None:
    body = json.dumps(event_batch(3)).encode()
    headers = {"Content-Type": "text/plain;charset=UTF-8"}
    for _ in range(2):  # the beacon and a retry
        r = server.client.post("/api/events", content=body, headers=headers)
        assert r.status_code == 202
    assert _stored(server) == 3


# --- row 44 and privacy: error bodies and logs never echo values ------------------------------
def test_errors_never_echo_event_values(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    canary = "canary-dana-7f3a"
    batch = event_batch(1)
    batch["events"][0]["first_name"] = canary
    batch["events"][0][canary] = 1
    with caplog.at_level("DEBUG"):
        r = _post(server, batch)
    assert r.status_code == 400
    assert canary not in r.text
    assert canary not in caplog.text


def test_metrics_count_events(server: Server) -> None:
    _post(server, event_batch(3))
    text = server.client.get("/metrics").text
    assert 'openreel_events_total{outcome="accepted"} 3.0' in text
    assert 'openreel_http_requests_total{method="POST",route="/api/events",status="202"}' in text
