"""Fuzzing every endpoint: schemathesis against the app's own OpenAPI (valid and malformed
inputs), then raw random bodies and headers. No answer may be a 5xx (501 for a documented
missing feature aside), and the server must stay healthy afterwards."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from service_helpers import make_settings, template_zip

from openreel.service import create_api_key, create_app


@dataclass
class Target:
    app: FastAPI
    client: TestClient
    auth: dict[str, str]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    data: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(make_settings(data, events_burst=100_000, events_rate_per_s=100_000))
    auth = {"Authorization": f"Bearer {create_api_key(app.state.openreel.storage, 'fuzz').token}"}
    client = TestClient(app)
    # a published version and a campaign, so that some fuzzed ids exist
    r = client.post(
        "/api/templates",
        content=template_zip(),
        headers={**auth, "Content-Type": "application/zip"},
    )
    version = r.json()["id"]
    client.post(f"/api/templates/{version}/publish", headers=auth)
    client.post("/api/campaigns", json={"id": "spring", "template_version": version}, headers=auth)
    yield Target(app, client, auth)
    app.state.openreel.close()


def _spec() -> dict[str, Any]:
    """The app's OpenAPI document (from a throwaway app, closed at once)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(make_settings(Path(tmp)))
        try:
            return app.openapi()
        finally:
            app.state.openreel.close()


schema = schemathesis.openapi.from_dict(_spec())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=20, deterministic=True
)


STATUSES: dict[int, int] = {}


def _ok(status: int) -> bool:
    return status < 500 or status == 501


# zip/tar media types have no schemathesis serializer (application/octet-stream is fuzzed);
# test_raw_bodies_and_headers_never_500 sends random bytes with those types.
@pytest.mark.filterwarnings("ignore:Skipped test cases with unsupported payload media types")
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_openapi_fuzz_never_500(case: Any, target: Target) -> None:
    kw = case.as_transport_kwargs(base_url="http://testserver")
    headers = dict(kw.get("headers") or {})
    if case.path.startswith("/api/") and case.path != "/api/events":
        headers["Authorization"] = target.auth["Authorization"]  # reach past the key check
    body: dict[str, Any] = {}
    if "json" in kw:
        body["json"] = kw["json"]
    elif isinstance(kw.get("data"), bytes | str):
        body["content"] = kw["data"]
    elif kw.get("data") is not None:
        body["data"] = kw["data"]
    response = target.client.request(
        kw["method"], kw["url"], headers=headers, params=kw.get("params"), **body
    )
    assert _ok(response.status_code), (case.method, case.path, response.status_code)
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        doc = response.json()
        if isinstance(doc, dict) and "code" in doc:
            assert str(doc["code"]).startswith("OR-E")
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1


ROUTES = [
    ("POST", "/api/templates"),
    ("POST", "/api/campaigns"),
    ("POST", "/api/campaigns/spring/links"),
    ("POST", "/api/links/revoke"),
    ("POST", "/api/events"),
    ("GET", "/v/spring"),
    ("GET", "/b/x/player.js"),
]
CONTENT_TYPES = [
    "application/json",
    "text/plain;charset=UTF-8",
    "application/zip",
    "application/gzip",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
    "\u00e9/\u00e9",
]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(ROUTES),
    st.binary(max_size=2048),
    st.sampled_from(CONTENT_TYPES),
    st.sampled_from([None, "gzip", "deflate", "gzip, gzip", "\x7f"]),
    st.text(max_size=40),
)
def test_raw_bodies_and_headers_never_500(
    target: Target,
    route: tuple[str, str],
    body: bytes,
    content_type: str,
    encoding: str | None,
    query: str,
) -> None:
    method, path = route
    headers: dict[bytes, bytes] = {
        b"authorization": target.auth["Authorization"].encode(),
        b"content-type": content_type.encode(),
    }
    if encoding is not None:
        headers[b"content-encoding"] = encoding.encode()
    response = target.client.request(
        method, path, content=body, headers=headers, params={"l": query}
    )
    assert _ok(response.status_code), (method, path, response.status_code, response.text[:300])


def test_server_is_healthy_after_fuzzing(target: Target) -> None:
    # the fuzz reached past validation: some requests succeeded, many were refused as 4xx
    assert sum(n for s, n in STATUSES.items() if s < 300) >= 20, STATUSES
    assert sum(n for s, n in STATUSES.items() if 400 <= s < 500 and s != 401) >= 50, STATUSES
    c = target.client
    assert c.get("/healthz").json()["status"] == "ok"
    r = c.post("/api/campaigns/spring/links", json={"count": 1}, headers=target.auth)
    assert r.status_code == 200
    token = r.json()["links"][0]["token"]
    assert c.get(f"/v/spring?l={token}").status_code == 200
