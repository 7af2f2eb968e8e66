"""/dashboard: the analytics report behind an API key (Bearer or Basic password)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

from service_helpers import Server


def _view_events(view: uuid.UUID, complete: bool) -> list[dict[str, Any]]:
    now = int(time.time() * 1000)
    common = {
        "view_id": str(view),
        "campaign": "spring",
        "template_version": "hello.1",
        "device": "mobile",
    }
    kinds: list[dict[str, Any]] = [
        {"type": "load", "media_time": 0.0, "duration": 2.0},
        {"type": "play", "media_time": 0.0},
        {"type": "progress", "media_time": 0.0},
        {"type": "progress", "media_time": 1.0},
    ]
    if complete:
        kinds.append({"type": "complete", "media_time": 2.0})
    return [
        {**common, **k, "event_id": str(uuid.uuid4()), "seq": i, "ts": now + i * 1000}
        for i, k in enumerate(kinds)
    ]


def _issued_view(server: Server) -> uuid.UUID:
    """A view id issued by a landing page (ids the server never issued are left out)."""
    page = server.client.get(f"/v/spring?l={server.link()['token']}").text
    config = json.loads(page.split('id="openreel-config">')[1].split("</script>")[0])
    return uuid.UUID(config["view_id"])


def _basic(server: Server, user: str = "me") -> dict[str, str]:
    key = server.auth["Authorization"].split()[1]
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()}


def test_dashboard_needs_a_key_and_challenges_browsers(server: Server) -> None:
    r = server.client.get("/dashboard/")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    bad = {"Authorization": "Basic " + base64.b64encode(b"me:ork_wrong").decode()}
    assert server.client.get("/dashboard/", headers=bad).status_code == 401
    assert (
        server.client.get("/dashboard/", headers={"Authorization": "Basic %%%"}).status_code == 401
    )
    page = server.client.get("/dashboard/", headers=_basic(server))
    assert page.status_code == 200 and 'href="spring/"' in page.text
    assert server.client.get("/dashboard/", headers=server.auth).status_code == 200


def test_campaign_report_and_charts(server: Server) -> None:
    assert server.client.get("/dashboard/spring/", headers=server.auth).status_code == 404
    events = [e for i in range(6) for e in _view_events(_issued_view(server), i % 2 == 0)]
    body = json.dumps({"v": 1, "events": events})
    r = server.client.post(
        "/api/events", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 202 and r.json()["accepted"] == len(events)
    page = server.client.get("/dashboard/spring/", headers=_basic(server))
    assert page.status_code == 200, page.text
    assert "Campaign" in page.text and page.headers["cache-control"] == "no-store"
    assert "img-src 'self'" in page.headers["content-security-policy"]
    chart = server.client.get("/dashboard/spring/retention.png", headers=_basic(server))
    assert chart.status_code == 200 and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert server.client.get("/dashboard/spring/x.png", headers=server.auth).status_code == 404
    assert server.client.get("/dashboard/nope/", headers=server.auth).status_code == 404
