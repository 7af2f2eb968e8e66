"""Helpers for the service tests: small template archives, apps, clients and events."""

from __future__ import annotations

import io
import json
import tarfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from openreel.service import Settings, create_api_key, create_app

TEMPLATE: dict[str, Any] = {
    "openreel": 1,
    "id": "hello",
    "size": [640, 360],
    "fps": 30,
    "source": {"url": "https://crm.brand.example/data?token={token}"},
    "data": {"name": {"type": "string", "pii": True, "default": "there"}},
    "scenes": [{"id": "a", "duration": 2, "layers": [{"type": "text", "text": "Hi {{ name }}"}]}],
}


def zip_bytes(files: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def tar_bytes(files: dict[str, bytes | str], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def template_zip(**changes: Any) -> bytes:
    doc = {**TEMPLATE, **changes}
    return zip_bytes({"hello/template.json": json.dumps(doc)})


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "public_url": "https://video.example",
        "events_store": ":memory:",
        "keyring_cache_s": 0,
        "events_flush_interval_s": 0.05,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@dataclass
class Server:
    """A running test app: its client, an API key header and a published campaign."""

    client: TestClient
    auth: dict[str, str]
    version: str
    campaign: str

    def link(self, view_id: str = "v-1", audience: str = "player") -> dict[str, Any]:
        r = self.client.post(
            f"/api/campaigns/{self.campaign}/links",
            json={"view_ids": [view_id], "audience": audience},
            headers=self.auth,
        )
        assert r.status_code == 200, r.text
        link: dict[str, Any] = r.json()["links"][0]
        return link


@contextmanager
def running(
    data_dir: Path,
    clock: Any = None,
    bundle_builder: Any = None,
    render: Any = None,
    **overrides: Any,
) -> Iterator[Server]:
    settings = make_settings(data_dir, **overrides)
    app = create_app(settings, clock=clock, bundle_builder=bundle_builder, render=render)
    try:
        with TestClient(app) as client:
            yield _publish(client, app)
    finally:
        app.state.openreel.close()


def _publish(client: TestClient, app: Any) -> Server:
    key = create_api_key(app.state.openreel.storage, "test")
    auth = {"Authorization": f"Bearer {key.token}"}
    r = client.post(
        "/api/templates",
        content=template_zip(),
        headers={**auth, "Content-Type": "application/zip"},
    )
    assert r.status_code == 201, r.text
    version = r.json()["id"]
    assert client.post(f"/api/templates/{version}/publish", headers=auth).status_code == 200
    r = client.post(
        "/api/campaigns", json={"id": "spring", "template_version": version}, headers=auth
    )
    assert r.status_code == 201, r.text
    return Server(client=client, auth=auth, version=version, campaign="spring")


def event_batch(
    n: int = 3, view_id: uuid.UUID | None = None, campaign: str = "spring"
) -> dict[str, Any]:
    view = view_id or uuid.uuid4()
    now = int(time.time() * 1000)
    events: list[dict[str, Any]] = []
    for seq in range(n):
        events.append(
            {
                "type": "progress",
                "event_id": str(uuid.uuid4()),
                "view_id": str(view),
                "seq": seq,
                "ts": now + seq,
                "campaign": campaign,
                "template_version": "hello.1",
                "device": "desktop",
                "media_time": float(seq),
            }
        )
    return {"v": 1, "sent_at": now, "events": events}
