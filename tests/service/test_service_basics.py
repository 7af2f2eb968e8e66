"""Settings, storage layout, health, metrics, OpenAPI, logs, the CLI and the landing page."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import Server, make_settings, running
from typer import Typer
from typer.testing import CliRunner

from openreel.errors import ServiceError
from openreel.service import create_app, load_settings
from openreel.service.cli import keys_app, serve
from openreel.service.observe import JsonFormatter


# --- settings ---------------------------------------------------------------------------------
def test_settings_from_toml_then_env(tmp_path: Path) -> None:
    toml = tmp_path / "openreel.toml"
    toml.write_text(
        '[serve]\nport = 9001\npublic_url = "https://v.example/"\nlog_level = "DEBUG"\n'
    )
    s = load_settings(toml, env={"OPENREEL_PORT": "9002", "OPENREEL_TRUST_PROXY": "true"})
    assert (s.port, s.public_url, s.log_level, s.trust_proxy) == (
        9002,
        "https://v.example",
        "DEBUG",
        True,
    )
    assert load_settings(env={}).port == 8000


@pytest.mark.parametrize(
    ("env", "field"),
    [
        ({"OPENREEL_PORT": "http"}, "port"),
        ({"OPENREEL_PUBLIC_URL": "ftp://x"}, "public_url"),
        ({"OPENREEL_EVENTS_RATE_PER_S": "-1"}, "events_rate_per_s"),
    ],
)
def test_bad_settings_name_the_field(env: dict[str, str], field: str) -> None:
    with pytest.raises(ServiceError) as err:
        load_settings(env=env)
    assert err.value.code == "OR-E605" and err.value.path == field


def test_unknown_toml_key_refused(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text("prot = 1\n")
    with pytest.raises(ServiceError, match="prot"):
        load_settings(toml, env={})
    toml.write_text("not toml [")
    with pytest.raises(ServiceError, match="TOMLDecodeError"):
        load_settings(toml, env={})


def test_data_dir_layout_is_private(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "data"))
    with TestClient(app):
        pass
    app.state.openreel.close()
    root = tmp_path / "data"
    assert {p.name for p in root.iterdir()} >= {
        "templates",
        "bundles",
        "renders",
        "cache",
        "tmp",
        "openreel.sqlite3",
    }
    assert stat.S_IMODE((root / "openreel.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def test_two_apps_share_nothing(tmp_path: Path) -> None:
    a = create_app(make_settings(tmp_path / "a"))
    b = create_app(make_settings(tmp_path / "b"))
    assert a.state.openreel.metrics.registry is not b.state.openreel.metrics.registry
    a.state.openreel.close()
    b.state.openreel.close()


# --- operations -------------------------------------------------------------------------------
def test_healthz_metrics_openapi(server: Server) -> None:
    c = server.client
    assert c.get("/healthz").json() == {"status": "ok", "events_queued": 0}
    metrics = c.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert (
        'openreel_http_requests_total{method="GET",route="/healthz",status="200"} 1.0'
        in metrics.text
    )
    spec = c.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/templates",
        "/api/campaigns/{campaign}/links",
        "/api/events",
        "/v/{campaign}",
    } <= paths
    assert c.get("/docs").status_code == 200


def test_docs_can_be_disabled(tmp_path: Path) -> None:
    with running(tmp_path / "d", docs_enabled=False) as srv:
        assert srv.client.get("/openapi.json").status_code == 404
        assert srv.client.get("/docs").status_code == 404


def test_unknown_routes_and_methods_are_json(server: Server) -> None:
    r = server.client.get("/nope")
    assert r.status_code == 404 and r.json()["code"] == "OR-E601"
    r = server.client.put("/healthz")
    assert r.status_code == 405 and r.json()["code"] == "OR-E605"


def test_logs_are_json_and_carry_no_tokens_or_addresses(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    link = server.link()
    with caplog.at_level(logging.INFO, logger="openreel.service"):
        server.client.get(f"/v/{server.campaign}?l={link['token']}")
        server.client.get(f"/v/{server.campaign}?l=forged.token.here")
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records]
    docs = [json.loads(line) for line in lines]
    assert {"msg": "request", "route": "/v/{campaign}", "status": 200} in [
        {k: d.get(k) for k in ("msg", "route", "status")} for d in docs
    ]
    assert any(d.get("reason") == "malformed" for d in docs)
    text = "\n".join(lines)
    assert link["token"] not in text and "forged" not in text and "testclient" not in text
    assert "?l=" not in text


def test_formatter_drops_unknown_extras() -> None:
    record = logging.LogRecord("openreel.service", logging.INFO, __file__, 1, "x", None, None)
    record.email = "dana@example.com"
    record.route = "/v/{campaign}"
    doc = json.loads(JsonFormatter().format(record))
    assert doc["route"] == "/v/{campaign}" and "email" not in doc


# --- landing page -----------------------------------------------------------------------------
def test_landing_headers_csp_and_config(tmp_path: Path) -> None:
    def builder(template: Path, out: Path) -> None:
        assert (template / "template.json").is_file()
        (out / "player.js").write_text("console.log('player')")
        (out / "player.css").write_text("body{}")
        (out / "bundle.json").write_text('{"lottie": null}')

    with running(tmp_path / "d", bundle_builder=builder) as srv:
        client = srv.client
        link = srv.link()
        r = client.get(f"/v/spring?l={link['token']}")
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        connect = next(p for p in csp.split("; ") if p.startswith("connect-src"))
        assert connect.split()[1:] == [
            "https://crm.brand.example",
            "https://video.example/api/events",
            f"https://video.example/b/{srv.version}/",
        ]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"
        assert 'integrity="sha384-' in r.text and f'src="/b/{srv.version}/player.js"' in r.text
        js = client.get(f"/b/{srv.version}/player.js")
        assert js.status_code == 200 and "immutable" in js.headers["cache-control"]
        digest = base64.b64encode(hashlib.sha384(js.content).digest()).decode()
        assert f'integrity="sha384-{digest}"' in r.text
        assert client.get(f"/b/{srv.version}/../../openreel.sqlite3").status_code == 404
        assert client.get(f"/b/{srv.version}/%2e%2e/%2e%2e/openreel.sqlite3").status_code == 404
        assert link["token"] not in r.text.split("openreel-config")[1]


def test_landing_without_token_or_campaign_is_generic(server: Server) -> None:
    a = server.client.get(f"/v/{server.campaign}")
    b = server.client.get("/v/nope?l=x.y.z")
    assert (a.status_code, b.status_code) == (401, 404)
    assert a.text == b.text and "openreel-config" not in a.text


def test_server_mode_needs_an_endpoint_naming_the_viewer(server: Server) -> None:
    body = {"id": "srv", "template_version": server.version, "mode": "server"}
    r = server.client.post("/api/campaigns", json=body, headers=server.auth)
    assert (r.status_code, r.json()["path"]) == (422, "data_endpoint")
    body["data_endpoint"] = "https://crm.brand.example/v?token={token}"
    r = server.client.post("/api/campaigns", json=body, headers=server.auth)
    assert (r.status_code, r.json()["path"]) == (422, "data_endpoint")
    body["data_endpoint"] = "https://crm.brand.example/v?view={view_id}"
    assert server.client.post("/api/campaigns", json=body, headers=server.auth).status_code == 201


def test_auto_campaign_page_uses_the_templates_source_for_the_browser(server: Server) -> None:
    body = {
        "id": "auto",
        "template_version": server.version,
        "mode": "auto",
        "data_endpoint": "https://s2s.brand.example/v?view={view_id}",
    }
    assert server.client.post("/api/campaigns", json=body, headers=server.auth).status_code == 201
    r = server.client.post("/api/campaigns/auto/links", json={}, headers=server.auth)
    page = server.client.get(f"/v/auto?l={r.json()['links'][0]['token']}")
    assert page.status_code == 200
    assert "https://crm.brand.example" in page.headers["content-security-policy"]
    assert "s2s.brand.example" not in page.headers["content-security-policy"] + page.text


# --- CLI --------------------------------------------------------------------------------------
def test_keys_create_prints_a_working_key(tmp_path: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "data"
    result = runner.invoke(keys_app, ["create", "--name", "ci", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("ork_")
    rotated = runner.invoke(keys_app, ["rotate", "--data-dir", str(data)])
    assert rotated.exit_code == 0
    settings = make_settings(data)
    app = create_app(settings)
    with TestClient(app) as client:
        r = client.get("/api/campaigns", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        kids = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
        assert kids == [rotated.stdout.strip()]
    app.state.openreel.close()


def test_serve_is_a_typer_command() -> None:
    app = Typer()
    app.command()(serve)
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "--config" in result.stdout


def test_landing_serves_the_web_bundle(server: Server) -> None:
    link = server.link()
    page = server.client.get(f"/v/spring?l={link['token']}")
    assert page.status_code == 200
    prefix = f"/b/{server.version}/"
    scripts = re.findall(r'<script src="([^"]+)" integrity="(sha384-[^"]+)"', page.text)
    assert len(scripts) == 1 and scripts[0][0].startswith(prefix + "player.")
    js = server.client.get(scripts[0][0])
    digest = base64.b64encode(hashlib.sha384(js.content).digest()).decode()
    assert scripts[0][1] == f"sha384-{digest}"
    assert js.headers["content-type"].startswith("text/javascript")
    manifest = server.client.get(prefix + "bundle.json").json()
    assert manifest["events"] == "https://video.example/api/events"
    font = next(iter(manifest["fonts"].values()))["url"]
    assert server.client.get(prefix + font).status_code == 200
    assert server.client.get(prefix + "index.html").status_code == 404
    for bad in ("%00.js", "..%2F..%2Fopenreel.sqlite3", "fonts/..%2F..%2F..%2Fx.json", "a\\b.js"):
        assert server.client.get(prefix + bad).status_code == 404, bad
    ranged = server.client.get(prefix + font, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    assert "This video is being prepared" not in page.text


def test_storage_purges_old_views_and_expired_denylist_rows(tmp_path: Path) -> None:
    from openreel.service.storage import Storage

    now = [1_000_000.0]
    storage = Storage(tmp_path / "s", clock=lambda: now[0])
    storage.add_view("old", "c", "v-1", "j1")
    storage.revoke_link("jti-old", expires=1_000_100)
    now[0] += 1000
    storage.add_view("new", "c", "v-2", "j2")
    storage.revoke_link("jti-new", expires=2_000_000)
    assert storage.purge_views(before=1_000_500) == 1
    assert storage.view_link("old") is None and storage.view_link("new") == ("c", "v-2")
    assert storage.purge_revoked(before=1_001_000) == 1
    assert not storage.is_revoked("jti-old") and storage.is_revoked("jti-new")
    storage.close()
