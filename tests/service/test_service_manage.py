"""The management API: API keys, template upload (safe unpacking), publish, campaigns."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import TEMPLATE, Server, tar_bytes, template_zip, zip_bytes

from openreel.errors import ServiceError
from openreel.service.archive import ArchiveLimits, safe_member_path, unpack

ZIP = {"Content-Type": "application/zip"}


def _upload(
    server: Server, data: bytes, content_type: str = "application/zip"
) -> tuple[int, dict[str, object]]:
    r = server.client.post(
        "/api/templates", content=data, headers={**server.auth, "Content-Type": content_type}
    )
    return r.status_code, r.json()


# --- API keys ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ork_nope", "Basic b3JrXzE6Mg==", "Bearer " + "x" * 5000],
)
def test_management_needs_a_valid_key(server: Server, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for method, path in (("GET", "/api/campaigns"), ("POST", "/api/keys/rotate")):
        r = server.client.request(method, path, headers=headers)
        assert r.status_code == 401
        assert r.json()["code"] == "OR-E600"


def test_keys_are_stored_hashed(server: Server) -> None:
    token = server.auth["Authorization"].split()[1]
    rows = server.client.app.state.openreel.storage._all("SELECT hash FROM api_keys")  # type: ignore[attr-defined]
    assert all(token not in str(r) for r in rows)
    db = Path(server.client.app.state.openreel.settings.db_path).read_bytes()  # type: ignore[attr-defined]
    assert token.encode() not in db


def test_revoked_key_is_refused(server: Server) -> None:
    storage = server.client.app.state.openreel.storage  # type: ignore[attr-defined]
    key_id = server.auth["Authorization"].split()[1].split("_")[1]
    assert storage.revoke_api_key(key_id)
    assert server.client.get("/api/campaigns", headers=server.auth).status_code == 401


# --- template upload --------------------------------------------------------------------------
def test_same_content_gives_the_same_version(server: Server) -> None:
    status, body = _upload(server, template_zip())
    assert status == 200 and body["id"] == server.version and body["status"] == "published"
    doc = json.dumps(TEMPLATE)
    status, body = _upload(server, tar_bytes({"template.json": doc}), "application/gzip")
    assert status == 200 and body["id"] == server.version  # same files, other packing


def test_upload_tar_and_list(server: Server) -> None:
    doc = json.dumps({**TEMPLATE, "id": "other"})
    status, body = _upload(server, tar_bytes({"t/template.json": doc}, "w"), "application/x-tar")
    assert status == 201 and body["status"] == "draft" and str(body["id"]).startswith("other.")
    listed = server.client.get("/api/templates", headers=server.auth).json()
    assert {v["id"] for v in listed} == {server.version, body["id"]}
    one = server.client.get(f"/api/templates/{body['id']}", headers=server.auth)
    assert one.json()["files"] == 1


def test_invalid_template_is_422_with_relative_file(server: Server) -> None:
    status, body = _upload(server, template_zip(fps="fast", scenes="nope"))
    assert status == 422
    assert str(body["code"]).startswith("OR-E1")
    assert body["file"] == "template.json"
    assert "/tmp" not in json.dumps(body)


def test_bad_expression_is_422(server: Server) -> None:
    scenes = [{"id": "a", "duration": 2, "layers": [{"type": "text", "text": "{{ nope( }}"}]}]
    status, body = _upload(server, template_zip(scenes=scenes))
    assert status == 422 and str(body["code"]).startswith("OR-E2")


@pytest.mark.parametrize(
    ("content_type", "data", "status", "code"),
    [
        ("text/html", template_zip(), 415, "OR-E604"),
        ("application/zip", b"not an archive", 400, "OR-E606"),
        ("application/zip", b"PK\x03\x04garbage", 400, "OR-E606"),
        ("application/zip", zip_bytes({"readme.txt": "hi"}), 400, "OR-E606"),
    ],
)
def test_upload_refusals(
    server: Server, content_type: str, data: bytes, status: int, code: str
) -> None:
    got, body = _upload(server, data, content_type)
    assert (got, body["code"]) == (status, code)


def test_upload_over_the_cap_is_413(tmp_path: Path) -> None:
    from service_helpers import running

    with running(tmp_path / "d", max_upload_bytes=2048) as srv:
        got, body = _upload(srv, b"PK\x03\x04" + b"\0" * 4096)
        assert (got, body["code"]) == (413, "OR-E603")


def test_publish_is_final(server: Server) -> None:
    c, auth = server.client, server.auth
    r = c.post(f"/api/templates/{server.version}/publish", headers=auth)
    assert r.status_code == 409 and r.json()["code"] == "OR-E602"
    assert c.delete(f"/api/templates/{server.version}", headers=auth).status_code == 409
    _, draft = _upload(server, template_zip(id="draft"))
    assert c.delete(f"/api/templates/{draft['id']}", headers=auth).status_code == 204
    assert c.get(f"/api/templates/{draft['id']}", headers=auth).status_code == 404
    assert c.post("/api/templates/nope/publish", headers=auth).status_code == 404


# --- safe unpacking ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "../up.txt", "a/../../up.txt", "C:/x", "a\\b", "a\x00b", "x/" * 20 + "f"],
)
def test_unsafe_member_paths(name: str) -> None:
    with pytest.raises(ServiceError) as err:
        safe_member_path(name)
    assert err.value.code == "OR-E606"


def _tar_with(member: tarfile.TarInfo, data: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("template.json")
        doc = json.dumps(TEMPLATE).encode()
        info.size = len(doc)
        tf.addfile(info, io.BytesIO(doc))
        tf.addfile(member, io.BytesIO(data) if data else None)
    return buf.getvalue()


@pytest.mark.parametrize(
    "kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE]
)
def test_tar_links_and_devices_refused(tmp_path: Path, kind: bytes) -> None:
    info = tarfile.TarInfo("assets/evil")
    info.type = kind
    info.linkname = "/etc/passwd"
    with pytest.raises(ServiceError, match="link or a special file"):
        unpack(_tar_with(info), tmp_path)
    assert not (tmp_path / "assets" / "evil").exists()


def test_zip_symlink_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("template.json", json.dumps(TEMPLATE))
        link = zipfile.ZipInfo("assets/link")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(ServiceError, match="link"):
        unpack(buf.getvalue(), tmp_path)


def test_zip_traversal_writes_nothing_outside(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    data = zip_bytes({"template.json": json.dumps(TEMPLATE), "../escape.txt": "x"})
    with pytest.raises(ServiceError):
        unpack(data, dest)
    assert not (tmp_path / "escape.txt").exists()


def test_zip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    data = zip_bytes({"template.json": json.dumps(TEMPLATE), "big.bin": b"\0" * (8 * 1024 * 1024)})
    assert len(data) < 64 * 1024
    with pytest.raises(ServiceError, match="size limit"):
        unpack(data, tmp_path, ArchiveLimits(max_unpacked_bytes=1024 * 1024))


def test_lying_zip_size_stops_at_the_cap(tmp_path: Path) -> None:
    big = zip_bytes({"template.json": json.dumps(TEMPLATE), "big.bin": b"\0" * 200_000})
    # rewrite the declared sizes of big.bin to 10 bytes in both headers
    raw = bytearray(big)
    with zipfile.ZipFile(io.BytesIO(big)) as zf:
        info = zf.getinfo("big.bin")
    for offset in (info.header_offset + 22, raw.rfind(b"PK\x01\x02") + 24):
        raw[offset : offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(ServiceError):
        unpack(bytes(raw), tmp_path, ArchiveLimits(max_unpacked_bytes=50_000))


def test_too_many_files(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {f"a/{i}.txt": "x" for i in range(20)}
    files["template.json"] = json.dumps(TEMPLATE)
    with pytest.raises(ServiceError, match="more than 10 files"):
        unpack(zip_bytes(files), tmp_path, ArchiveLimits(max_files=10))


def test_duplicate_member_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("template.json", json.dumps(TEMPLATE))
        with pytest.warns(UserWarning):
            zf.writestr("template.json", "{}")
    with pytest.raises(ServiceError, match="twice"):
        unpack(buf.getvalue(), tmp_path)


def test_digest_ignores_packing_and_macos_junk(tmp_path: Path) -> None:
    doc = json.dumps(TEMPLATE)
    a = unpack(zip_bytes({"template.json": doc}), tmp_path / "a")
    b = unpack(
        tar_bytes({"x/template.json": doc, "x/.DS_Store": "junk", "__MACOSX/x/._t": "j"}),
        tmp_path / "b",
    )
    assert a.digest == b.digest and a.files == b.files == 1


# --- campaigns --------------------------------------------------------------------------------
def test_campaign_lifecycle(server: Server) -> None:
    c, auth = server.client, server.auth
    body = {
        "id": "summer",
        "template_version": server.version,
        "mode": "auto",
        "data_endpoint": "https://crm.brand.example/v?view={view_id}",
        "allowed_origins": ["https://Shop.Brand.example"],
        "link_lifetime_s": 3600,
    }
    r = c.post("/api/campaigns", json=body, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["allowed_origins"] == ["https://shop.brand.example"]
    assert c.post("/api/campaigns", json=body, headers=auth).status_code == 409
    got = c.get("/api/campaigns/summer", headers=auth).json()
    assert got["mode"] == "auto" and got["link_lifetime_s"] == 3600
    ids = [x["id"] for x in c.get("/api/campaigns", headers=auth).json()]
    assert ids == ["spring", "summer"]
    assert c.get("/api/campaigns/nope", headers=auth).status_code == 404
    gen = c.post("/api/campaigns", json={"template_version": server.version}, headers=auth)
    assert gen.status_code == 201 and gen.json()["id"].startswith("c-")


def test_link_lifetime_is_capped_by_the_campaign(server: Server) -> None:
    c, auth = server.client, server.auth
    c.post(
        "/api/campaigns",
        json={"id": "short", "template_version": server.version, "link_lifetime_s": 120},
        headers=auth,
    )
    r = c.post("/api/campaigns/short/links", json={"lifetime_s": 86400}, headers=auth)
    (link,) = r.json()["links"]
    assert link["url"].startswith("https://video.example/v/short?l=")
    import jwt

    claims = jwt.decode(link["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 120


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"template_version": "nope.123"}, 404, "OR-E601"),
        ({"template_version": "x", "mode": "cloud"}, 422, "OR-E605"),
        ({"template_version": "x", "allowed_origins": ["https://a.example/path"]}, 422, "OR-E605"),
        ({"template_version": "x", "data_endpoint": "ftp://a.example/"}, 422, "OR-E605"),
        ({"template_version": "x", "owner_email": "a@b.c"}, 422, "OR-E605"),
        ({"template_version": "bad id!"}, 422, "OR-E605"),
    ],
)
def test_campaign_refusals(server: Server, body: dict[str, object], status: int, code: str) -> None:
    r = server.client.post("/api/campaigns", json=body, headers=server.auth)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert "a@b.c" not in r.text


def test_campaign_needs_a_published_version(server: Server) -> None:
    _, draft = _upload(server, template_zip(id="draft2"))
    r = server.client.post(
        "/api/campaigns", json={"template_version": draft["id"]}, headers=server.auth
    )
    assert (r.status_code, r.json()["code"]) == (409, "OR-E610")


def test_malformed_json_is_422_not_500(server: Server) -> None:
    r = server.client.post(
        "/api/campaigns",
        content=b"{not json",
        headers={**server.auth, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["code"] == "OR-E605"


def test_json_bodies_are_capped(server: Server) -> None:
    big = b'{"template_version": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    headers = {**server.auth, "Content-Type": "application/json"}
    r = server.client.post("/api/campaigns", content=big, headers=headers)
    assert (r.status_code, r.json()["code"]) == (413, "OR-E603")

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 65536

    r = server.client.post("/api/campaigns", content=chunks(), headers=headers)
    assert (r.status_code, r.json()["code"]) == (413, "OR-E603")
