"""``POST /api/triggers``: a link per event, idempotent, pre-renders and one signed callback
(SSRF-safe, retried, dead-lettered, without viewer data)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import Receiver, serving
from service_helpers import Server, running
from test_service_renders import FakeRender

from openreel.analytics.webhook import verify_signature
from openreel.service.callbacks import (
    CallbackPolicy,
    CallbackSender,
    pinned_poster,
    read_dead_letters,
)

SECRET = "s3cret-for-callbacks-0123456789"
CANARY = "Canary Tw8k"
LOOPBACK = {"fetch_allow_http": True, "fetch_allowed_networks": ("127.0.0.1/32",)}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(Receiver()) as rec:
        yield rec


def _post(srv: Server, body: dict[str, Any], key: str | None = None) -> Any:
    headers = dict(srv.auth)
    if key:
        headers["Idempotency-Key"] = key
    return srv.client.post("/api/triggers", json=body, headers=headers)


def _dead(srv: Server) -> list[dict[str, Any]]:
    data_dir = Path(srv.client.app.state.openreel.settings.data_dir)  # type: ignore[attr-defined]
    return read_dead_letters(data_dir / "dead-letters" / "callbacks.jsonl")


def test_trigger_mints_a_working_link_and_is_idempotent(server: Server) -> None:
    body = {"campaign": "spring", "event": "tier-gold", "view_id": "v-77"}
    r = _post(server, body, key="k1")
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["view_id"] == "v-77" and out["event"] == "tier-gold"
    assert out["link"].startswith("https://video.example/v/spring?l=")
    assert out["thumb_url"] is None and out["mp4_job"] is None and out["callback"] is False
    page = server.client.get(out["link"].removeprefix("https://video.example"))
    assert page.status_code == 200
    again = _post(server, {**body, "event": "other"}, key="k1")
    assert again.status_code == 200 and again.json() == out
    fresh = _post(server, body, key="k2")
    assert fresh.status_code == 201 and fresh.json()["jti"] != out["jti"]
    generated = _post(server, {"campaign": "spring", "event": "signup"}).json()
    assert generated["view_id"].startswith("v-")


def test_trigger_refusals(server: Server) -> None:
    assert server.client.post("/api/triggers", json={}).status_code == 401
    r = _post(server, {"campaign": "nope", "event": "e"})
    assert r.status_code == 404
    r = _post(server, {"campaign": "spring", "event": "e", "view_id": "dana@example.com"})
    assert (r.status_code, r.json()["code"]) == (422, "OR-E608")
    assert "dana" not in r.text
    r = _post(server, {"campaign": "spring", "event": "e", "prerender": ["gif"]})
    assert r.status_code == 422
    r = _post(server, {"campaign": "spring", "event": "e", "prerender": ["mp4"]})
    assert (r.status_code, r.json()["path"]) == (422, "data")  # device campaign, no data
    r = _post(server, {"campaign": "spring", "event": "e", "callback_url": "https://b.example/"})
    assert (r.status_code, r.json()["code"]) == (501, "OR-E612")  # no callback_secret


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/cb",
        "https://10.0.0.8/cb",
        "https://[::1]/cb",
        "https://2130706433/cb",
        "http://b.example/cb",
        "https://user:pw@b.example/cb",
        "ftp://b.example/cb",
    ],
)
def test_private_or_odd_callback_urls_are_refused(tmp_path: Path, url: str) -> None:
    with running(tmp_path / "d", callback_secret=SECRET) as srv:
        r = _post(srv, {"campaign": "spring", "event": "e", "callback_url": url})
        assert r.status_code == 422, r.text
        assert r.json()["code"] in ("OR-E420", "OR-E421") and r.json()["path"] == "callback_url"


def test_callback_to_a_name_resolving_to_loopback_is_dead_lettered(tmp_path: Path) -> None:
    with running(tmp_path / "d", callback_secret=SECRET) as srv:
        r = _post(
            srv, {"campaign": "spring", "event": "e", "callback_url": "https://localhost:9/cb"}
        )
        assert r.status_code == 201
        tid = r.json()["id"]
        for _ in range(200):
            if _dead(srv):
                break
            time.sleep(0.05)
        (record,) = _dead(srv)
        assert record["code"] == "OR-E613" and record["reason"] == "OR-E420"
        assert record["id"] == tid and record["attempts"] == 1


def test_prerendered_mp4_then_signed_callback_without_data(
    tmp_path: Path, receiver: Receiver
) -> None:
    fake = FakeRender()
    with running(tmp_path / "d", render=fake, callback_secret=SECRET, **LOOPBACK) as srv:
        body = {
            "campaign": "spring",
            "event": "anniversary",
            "view_id": "v-9",
            "data": {"name": CANARY},
            "prerender": ["mp4", "thumb"],
            "callback_url": receiver.origin + "/hook?x=1",
        }
        r = _post(srv, body, key="once")
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["mp4_job"].startswith("r-") and out["thumb_url"].endswith(".jpg")
        (post,) = receiver.wait(1)
        assert post.path == "/hook?x=1"
        assert verify_signature(
            SECRET.encode(), post.headers["OpenReel-Signature"], post.body, now=time.time()
        )
        assert not verify_signature(
            b"another-secret-0123456789", post.headers["OpenReel-Signature"], post.body,
            now=time.time(),
        )  # fmt: skip
        doc = json.loads(post.body)
        assert post.headers["OpenReel-Delivery"] == doc["id"] == out["id"]
        assert doc["type"] == "trigger.ready" and doc["event"] == "anniversary"
        assert doc["mp4"] == {"job": out["mp4_job"], "status": "done", "error_code": None}
        assert doc["thumb"] == {"status": "done", "error_code": None}
        assert doc["link"] == out["link"] and doc["view_id"] == "v-9"
        assert CANARY not in post.body.decode() and "name" not in doc
        assert fake.calls == [{"name": CANARY}]
        # the pre-rendered MP4 is the one the link's server-mode video URL serves
        token = out["link"].split("?l=", 1)[1]
        video = srv.client.get(f"/m/spring/{token}.mp4")
        assert video.status_code == 200 and video.content.startswith(b"\0\0\0\x18ftyp")
        # the same Idempotency-Key queues nothing more and sends no second callback
        assert _post(srv, body, key="once").status_code == 200
        time.sleep(0.3)
        assert len(receiver.posts) == 1 and len(fake.calls) == 1
        data_dir = Path(srv.client.app.state.openreel.settings.data_dir)  # type: ignore[attr-defined]
        for path in data_dir.rglob("*"):
            if path.is_file() and path.suffix != ".mp4":
                assert CANARY.encode() not in path.read_bytes(), path.name


def test_callback_retries_transient_answers(tmp_path: Path, receiver: Receiver) -> None:
    receiver.statuses = [503, 500]
    with running(
        tmp_path / "d", callback_secret=SECRET, callback_base_delay_s=0.01, **LOOPBACK
    ) as srv:
        body = {"campaign": "spring", "event": "e", "callback_url": receiver.origin + "/cb"}
        assert _post(srv, body).status_code == 201
        posts = receiver.wait(3)
        assert len(posts) == 3
        assert len({p.headers["OpenReel-Delivery"] for p in posts}) == 1  # one delivery id
        assert _dead(srv) == []


def test_callback_gives_up_into_the_dead_letter_file(tmp_path: Path, receiver: Receiver) -> None:
    receiver.statuses = [503] * 3 + [410]
    with running(
        tmp_path / "d",
        callback_secret=SECRET,
        callback_base_delay_s=0.01,
        callback_attempts=3,
        **LOOPBACK,
    ) as srv:
        for event in ("first", "second"):
            body = {"campaign": "spring", "event": event, "callback_url": receiver.origin}
            assert _post(srv, body).status_code == 201
            for _ in range(200):
                if len(_dead(srv)) == (1 if event == "first" else 2):
                    break
                time.sleep(0.05)
        first, second = _dead(srv)
        assert (first["attempts"], first["last_status"], first["reason"]) == (3, 503, "http 503")
        assert (second["attempts"], second["last_status"]) == (1, 410)  # not retried
        assert first["payload"]["event"] == "first" and first["code"] == "OR-E613"
        assert len(receiver.posts) == 4


def test_failed_prerender_is_reported_in_the_callback(tmp_path: Path, receiver: Receiver) -> None:
    fake = FakeRender(fail_with=[ValueError("boom")])
    with running(tmp_path / "d", render=fake, callback_secret=SECRET, **LOOPBACK) as srv:
        body = {
            "campaign": "spring",
            "event": "e",
            "data": {"name": "x"},
            "prerender": ["mp4"],
            "callback_url": receiver.origin,
        }
        assert _post(srv, body).status_code == 201
        (post,) = receiver.wait(1)
        assert json.loads(post.body)["mp4"]["status"] == "failed"
        assert json.loads(post.body)["mp4"]["error_code"] == "OR-E611"


def test_sender_refuses_short_secrets_and_pins_checked_addresses(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        CallbackSender(b"short", tmp_path / "dl", post=pinned_poster(CallbackPolicy()))
    seen: list[str] = []

    def resolver(host: str) -> list[str]:
        seen.append(host)
        return ["93.184.216.34", "192.168.1.5"]  # one private address spoils the answer

    policy = CallbackPolicy(resolver=resolver, timeout_s=1)
    sender = CallbackSender(
        SECRET.encode(), tmp_path / "dl.jsonl", post=pinned_poster(policy), sleep=lambda s: None
    )
    result = sender.deliver("https://hooks.brand.example/x", {"id": "t-1"})
    assert not result.delivered and seen == ["hooks.brand.example"]
    (record,) = read_dead_letters(tmp_path / "dl.jsonl")
    assert record["reason"] == "OR-E420" and "brand.example" not in json.dumps(record["reason"])


def test_full_queue_answers_429_and_stores_nothing(tmp_path: Path) -> None:
    fake = FakeRender()
    fake.gate.clear()
    with running(tmp_path / "d", render=fake, render_queue=0) as srv:
        body = {"campaign": "spring", "event": "e", "data": {"name": "x"}, "prerender": ["mp4"]}
        assert _post(srv, body).status_code == 201  # takes the only worker
        r = _post(srv, body, key="later")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        fake.gate.set()
        for _ in range(200):
            r = _post(srv, body, key="later")
            if r.status_code != 429:
                break
            time.sleep(0.05)
        assert r.status_code == 201  # the refused attempt had not claimed the key


def test_server_mode_gif_is_personal_and_not_cached(tmp_path: Path, receiver: Receiver) -> None:
    receiver.doc = {"name": CANARY}
    with running(tmp_path / "d", **LOOPBACK) as srv:
        endpoint = receiver.origin + "/data?view={view_id}"
        body = {"id": "srv", "template_version": srv.version, "mode": "server",
                "data_endpoint": endpoint}  # fmt: skip
        assert srv.client.post("/api/campaigns", json=body, headers=srv.auth).status_code == 201
        srv.campaign = "srv"
        url = srv.link("v-5", audience="thumb")["url"].removeprefix("https://video.example")
        gif = url.removesuffix(".jpg") + ".gif?w=160"
        r = srv.client.get(gif)
        assert r.status_code == 200 and r.headers["cache-control"].startswith("private")
        generic = srv.client.get("/og/srv.jpg")  # warms nothing of the GIF cache
        assert generic.status_code == 200
        assert receiver.gets == ["/data?view=v-5"]
        data_dir = Path(srv.client.app.state.openreel.settings.data_dir)  # type: ignore[attr-defined]
        assert not list(data_dir.rglob("anim-*.gif"))
        receiver.doc = {"unexpected": 1, "name": 5}  # refused by the template: generic GIF
        fallback = srv.client.get(gif)
        assert fallback.status_code == 200 and fallback.headers["cache-control"].startswith(
            "public"
        )
        assert fallback.content != r.content
