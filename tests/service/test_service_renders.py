"""Render jobs: idempotency, a bounded queue (429, no accepted job lost), transient-only
retries, atomic outputs, no viewer data at rest, and one real render."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import av
from service_helpers import Server, running

from openreel.errors import MediaError, RenderError

CANARY = "Canary Rq5w"


class FakeRender:
    """Writes a small file; can block on a gate and fail the first attempts."""

    def __init__(self, fail_with: list[Exception] | None = None) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[dict[str, Any]] = []
        self.fail_with = list(fail_with or [])

    def __call__(
        self, folder: Path, data: dict[str, Any], out: Path, options: Any, progress: Any
    ) -> None:
        self.calls.append(dict(data))
        assert self.gate.wait(10)
        if self.fail_with:
            raise self.fail_with.pop(0)
        progress(type("P", (), {"stage": "frames", "done": 1, "total": 1})())
        out.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 64)


def _wait(server: Server, job_id: str, timeout: float = 20.0) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        body: dict[str, Any] = server.client.get(
            f"/api/renders/{job_id}", headers=server.auth
        ).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish")


def _submit(server: Server, body: dict[str, Any], key: str | None = None) -> Any:
    headers = dict(server.auth)
    if key:
        headers["Idempotency-Key"] = key
    return server.client.post("/api/renders", json=body, headers=headers)


def test_idempotency_key_returns_the_same_job(tmp_path: Path) -> None:
    fake = FakeRender()
    with running(tmp_path / "d", render=fake) as srv:
        body = {"template_version": srv.version, "data": {"name": "Ada"}}
        first = _submit(srv, body, "order-1")
        again = _submit(srv, body, "order-1")
        other = _submit(srv, body, "order-2")
        assert (first.status_code, again.status_code, other.status_code) == (202, 200, 202)
        assert first.json()["id"] == again.json()["id"] != other.json()["id"]
        assert _wait(srv, first.json()["id"])["status"] == "done"
        _wait(srv, other.json()["id"])
        assert len(fake.calls) == 2


def test_full_queue_answers_429_and_loses_no_accepted_job(tmp_path: Path) -> None:
    fake = FakeRender()
    fake.gate.clear()
    with running(tmp_path / "d", render=fake, render_workers=1, render_queue=2) as srv:
        body = {"template_version": srv.version}
        accepted = [_submit(srv, body) for _ in range(3)]
        assert [r.status_code for r in accepted] == [202, 202, 202]
        refused = _submit(srv, body)
        assert refused.status_code == 429 and refused.json()["code"] == "OR-E609"
        assert int(refused.headers["Retry-After"]) >= 1
        fake.gate.set()
        results = [_wait(srv, r.json()["id"]) for r in accepted]
        assert [r["status"] for r in results] == ["done"] * 3
        for r in results:
            out = srv.client.get(r["output_url"], headers=srv.auth)
            assert out.status_code == 200 and out.headers["content-type"] == "video/mp4"
        assert _submit(srv, body).status_code == 202  # room again


def test_transient_errors_are_retried_deterministic_ones_not(tmp_path: Path) -> None:
    fake = FakeRender(fail_with=[MediaError("OR-E423", "slow brand")])
    with running(tmp_path / "d", render=fake) as srv:
        job = _wait(srv, _submit(srv, {"template_version": srv.version}).json()["id"])
        assert (job["status"], job["attempts"]) == ("done", 2)
        fake.fail_with = [RenderError("OR-E506", "asset unreadable")]
        job = _wait(srv, _submit(srv, {"template_version": srv.version}).json()["id"])
        assert (job["status"], job["attempts"], job["error_code"]) == ("failed", 1, "OR-E506")
        fake.fail_with = [OSError(28, "No space left")] * 2
        job = _wait(srv, _submit(srv, {"template_version": srv.version}).json()["id"])
        assert (job["status"], job["attempts"], job["error_code"]) == ("failed", 2, "OR-E507")
        out = srv.client.get(f"/api/renders/{job['id']}/output", headers=srv.auth)
        assert out.status_code == 409
        renders = Path(srv.client.app.state.openreel.settings.data_dir) / "renders"  # type: ignore[attr-defined]
        tmp = renders.parent / "tmp"
        assert len(list(renders.iterdir())) == 1 and not list(tmp.glob("*.mp4"))


def test_bad_requests_are_refused_before_queueing(server: Server) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"template_version": server.version, "data": {"name": 5}}, 422, "OR-E302"),
        ({"template_version": "nope.1"}, 404, "OR-E601"),
        ({}, 422, "OR-E605"),
        ({"template_version": server.version, "campaign": "spring"}, 422, "OR-E605"),
        ({"campaign": "spring", "link": "x.y.z"}, 401, "OR-E607"),
        ({"template_version": server.version, "size": "641x360"}, 422, "OR-E605"),
        ({"template_version": server.version, "email": "a@b.c"}, 422, "OR-E605"),
    ]
    for body, status, code in cases:
        r = _submit(server, body)
        assert (r.status_code, r.json()["code"]) == (status, code), body
        assert "a@b.c" not in r.text
    link = server.link()["token"]
    r = _submit(server, {"campaign": "spring", "link": link})
    assert (r.status_code, r.json()["code"]) == (501, "OR-E612")  # device campaign: no data pull
    assert server.client.get("/api/renders/r-nope", headers=server.auth).status_code == 404


def test_no_viewer_data_at_rest(tmp_path: Path) -> None:
    fake = FakeRender()
    with running(tmp_path / "d", render=fake) as srv:
        job = _submit(srv, {"template_version": srv.version, "data": {"name": CANARY}})
        _wait(srv, job.json()["id"])
        assert fake.calls == [{"name": CANARY}]
        data_dir = Path(srv.client.app.state.openreel.settings.data_dir)  # type: ignore[attr-defined]
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


def test_a_real_render(tmp_path: Path) -> None:
    with running(tmp_path / "d") as srv:
        body = {"template_version": srv.version, "data": {"name": "Ada"}, "size": "160x90"}
        job = _wait(srv, _submit(srv, body).json()["id"], timeout=60)
        assert job["status"] == "done", job
        out = srv.client.get(job["output_url"], headers=srv.auth)
        path = tmp_path / "out.mp4"
        path.write_bytes(out.content)
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            assert (stream.width, stream.height) == (160, 90)
            assert stream.frames == 60
