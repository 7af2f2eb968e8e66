"""RELIABILITY rows 1-6: link tokens (expiry, tampering, audience, rotation, revocation, PII)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from service_helpers import Server, running

from openreel.errors import ServiceError
from openreel.service.links import (
    Keyring,
    LinkClaims,
    LinkError,
    SigningKey,
    build_claims,
    looks_personal,
    mint,
    new_private_key,
    verify,
)

T0 = 1_800_000_000


def _key(kid: str, state: str = "active", retire_at: int | None = None) -> SigningKey:
    _, private, _ = new_private_key()
    return SigningKey(kid, private, state, retire_at)  # type: ignore[arg-type]


KEY_A = _key("key-a")
RING = Keyring([KEY_A])


def _claims(**changes: Any) -> dict[str, Any]:
    base = {
        "sub": "v-1",
        "cid": "spring",
        "aud": "player",
        "iat": T0,
        "nbf": T0,
        "exp": T0 + 3600,
        "jti": "jti-0123456789abcdef",
    }
    base.update(changes)
    return base


def _sign(claims: dict[str, Any], key: SigningKey = KEY_A, kid: str | None = None) -> str:
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": kid or key.kid})


def _verify(
    token: str, now: float = T0 + 10, audience: str = "player", ring: Keyring = RING
) -> LinkClaims:
    return verify(token, audience=audience, keyring=ring, now=now, is_revoked=lambda _: False)  # type: ignore[arg-type]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- row 1: expiry and not-before, 60 s leeway only -------------------------------------------
@pytest.mark.parametrize(("offset", "ok"), [(-3600, False), (-61, False), (-59, True), (59, True)])
def test_expiry_has_exactly_60s_leeway(offset: int, ok: bool) -> None:
    now = T0 + 1000
    token = _sign(_claims(exp=now + offset, nbf=now - 7200, iat=now - 7200))
    if ok:
        assert _verify(token, now=now).sub == "v-1"
    else:
        with pytest.raises(LinkError) as err:
            _verify(token, now=now)
        assert err.value.reason == "expired"


@pytest.mark.parametrize(("offset", "ok"), [(59, True), (61, False), (3600, False)])
def test_not_before_has_exactly_60s_leeway(offset: int, ok: bool) -> None:
    now = T0
    token = _sign(_claims(nbf=now + offset, iat=now, exp=now + 7200))
    if ok:
        assert _verify(token, now=now).jti
    else:
        with pytest.raises(LinkError) as err:
            _verify(token, now=now)
        assert err.value.reason == "not yet valid"


def test_expired_link_gets_a_generic_page_and_no_view(tmp_path: Path) -> None:
    # The app's clock is injected: freezegun ignores calls made from worker threads.
    now = [float(T0)]
    with running(tmp_path / "d", clock=lambda: now[0]) as srv:
        link = srv.link()
        path = link["url"].removeprefix("https://video.example")
        now[0] = link["expires"] + 59
        assert srv.client.get(path).status_code == 200
        now[0] = link["expires"] + 61
        r = srv.client.get(path)
        assert r.status_code == 401
        assert "not valid" in r.text and "openreel-config" not in r.text
        assert r.headers["referrer-policy"] == "no-referrer"
        views = srv.client.app.state.openreel.storage._all("SELECT count(*) FROM views")  # type: ignore[attr-defined]
        assert views == [(1,)]  # only the valid open issued a view id


def test_minted_lifetime_under_freezegun() -> None:
    with freeze_time("2027-03-01 12:00:00") as frozen:
        claims = build_claims(
            campaign="c1", view_id="v-7", audience="player", lifetime_s=600, now=time.time()
        )
        token = mint(RING, claims).token
        frozen.tick(600 + 59)
        assert _verify(token, now=time.time()).sub == "v-7"
        frozen.tick(2)
        with pytest.raises(LinkError) as err:
            _verify(token, now=time.time())
        assert err.value.reason == "expired"


# --- row 2: tampering, alg none, HS256 with the public key, unknown kid, edited payload ------
def test_signature_tampered() -> None:
    token = _sign(_claims())
    head, body, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
    raw[0] ^= 1
    with pytest.raises(LinkError) as err:
        _verify(f"{head}.{body}.{_b64(bytes(raw))}")
    assert err.value.reason == "signature"


def test_alg_none_refused() -> None:
    head = _b64(json.dumps({"alg": "none", "kid": "key-a", "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    for token in (f"{head}.{body}.", f"{head}.{body}.{_b64(b'x' * 64)}"):
        with pytest.raises(LinkError) as err:
            _verify(token)
        assert err.value.reason in ("algorithm", "malformed")


def test_hs256_signed_with_the_public_key_refused() -> None:
    public = KEY_A.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raw = KEY_A.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    head = _b64(json.dumps({"alg": "HS256", "kid": "key-a", "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    for secret in (public, raw):
        sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        with pytest.raises(LinkError) as err:
            _verify(f"{head}.{body}.{_b64(sig)}")
        assert err.value.reason == "algorithm"


def test_unknown_kid_refused() -> None:
    other = _key("key-x")
    for token in (_sign(_claims(), other), _sign(_claims(), KEY_A, kid="key-x")):
        with pytest.raises(LinkError) as err:
            _verify(token)
        assert err.value.reason == "kid"


def test_edited_payload_refused() -> None:
    head, _, sig = _sign(_claims()).split(".")
    body = _b64(json.dumps(_claims(sub="v-2")).encode())
    with pytest.raises(LinkError) as err:
        _verify(f"{head}.{body}.{sig}")
    assert err.value.reason == "signature"


def test_unknown_claim_refused_even_when_signed() -> None:
    with pytest.raises(LinkError) as err:
        _verify(_sign(_claims(email="dana@example.com")))
    assert err.value.reason == "claims"


VALID = _sign(_claims())


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(VALID) - 1), st.integers(0, 255))
def test_any_single_byte_change_is_rejected(pos: int, value: int) -> None:
    raw = bytearray(VALID.encode())
    if raw[pos] == value:
        value = (value + 1) % 256
    raw[pos] = value
    with pytest.raises(LinkError):
        _verify(raw.decode("latin-1"))


def test_the_untouched_token_verifies() -> None:
    assert _verify(VALID).cid == "spring"


# --- row 3: audience --------------------------------------------------------------------------
def test_audience_is_enforced_in_verify() -> None:
    thumb = _sign(_claims(aud="thumb"))
    for audience in ("player", "hls"):
        with pytest.raises(LinkError) as err:
            _verify(thumb, audience=audience)
        assert err.value.reason == "audience"
    assert _verify(thumb, audience="thumb").aud == "thumb"


def test_thumb_token_refused_on_the_player_page(server: Server) -> None:
    link = server.link(audience="thumb")
    r = server.client.get(f"/v/{server.campaign}?l={link['token']}")
    assert r.status_code == 401
    ok = server.link(audience="player")
    assert server.client.get(f"/v/{server.campaign}?l={ok['token']}").status_code == 200


def test_token_for_another_campaign_refused(server: Server) -> None:
    link = server.link()
    r = server.client.post(
        "/api/campaigns",
        json={"id": "autumn", "template_version": server.version},
        headers=server.auth,
    )
    assert r.status_code == 201
    assert server.client.get(f"/v/autumn?l={link['token']}").status_code == 401


# --- row 4: rotation with overlap -------------------------------------------------------------
def test_rotation_overlap_then_removal(server: Server) -> None:
    c = server.client
    old = server.link()
    kid_old = jwt.get_unverified_header(old["token"])["kid"]
    r = c.post("/api/keys/rotate", headers=server.auth)
    kid_new = r.json()["kid"]
    new = server.link()
    assert jwt.get_unverified_header(new["token"])["kid"] == kid_new != kid_old
    kids = {k["kid"] for k in c.get("/.well-known/jwks.json").json()["keys"]}
    assert kids == {kid_old, kid_new}
    for link in (old, new):
        assert c.get(f"/v/{server.campaign}?l={link['token']}").status_code == 200
    assert c.delete(f"/api/keys/{kid_old}", headers=server.auth).status_code == 204
    assert c.get(f"/v/{server.campaign}?l={old['token']}").status_code == 401
    assert c.get(f"/v/{server.campaign}?l={new['token']}").status_code == 200
    kids = {k["kid"] for k in c.get("/.well-known/jwks.json").json()["keys"]}
    assert kids == {kid_new}
    assert c.delete(f"/api/keys/{kid_new}", headers=server.auth).status_code == 404


def test_retiring_key_stops_verifying_after_the_overlap() -> None:
    retiring = _key("key-r", "retiring", retire_at=T0 + 100)
    ring = Keyring([retiring, _key("key-n")])
    token = _sign(_claims(exp=T0 + 10_000), retiring)
    assert _verify(token, now=T0 + 99, ring=ring).sub == "v-1"
    with pytest.raises(LinkError):
        _verify(token, now=T0 + 100, ring=ring)
    assert [k["kid"] for k in ring.jwks(T0 + 100)["keys"]] == ["key-n"]


def test_jwks_is_ed25519_and_verifies_a_minted_token() -> None:
    ring = Keyring([KEY_A])
    token = mint(
        ring,
        build_claims(campaign="c1", view_id="v-9", audience="hls", lifetime_s=600, now=time.time()),
    ).token
    (jwk,) = ring.jwks(time.time())["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
    public = jwt.PyJWK(jwk).key
    assert jwt.decode(token, public, algorithms=["EdDSA"], audience="hls")["sub"] == "v-9"


# --- row 5: revocation ------------------------------------------------------------------------
def test_revoked_jti_replayed_is_refused(server: Server) -> None:
    link = server.link()
    path = f"/v/{server.campaign}?l={link['token']}"
    assert server.client.get(path).status_code == 200
    r = server.client.post("/api/links/revoke", json={"jti": link["jti"]}, headers=server.auth)
    assert r.status_code == 204
    assert server.client.get(path).status_code == 401
    assert server.client.get(path).status_code == 401


# --- row 6: personal data in claims -----------------------------------------------------------
@pytest.mark.parametrize(
    "view_id",
    [
        "dana@example.com",
        "+49 151 2345678",
        "015123456789",
        "4111-1111-1111-1111",
        "Dana Smith",
        "x" * 65,
    ],
)
def test_minting_refuses_personal_looking_ids(server: Server, view_id: str) -> None:
    r = server.client.post(
        f"/api/campaigns/{server.campaign}/links", json={"view_ids": [view_id]}, headers=server.auth
    )
    assert r.status_code == 422
    assert r.json()["code"] == "OR-E608"
    assert view_id not in r.text


def test_minting_refuses_unknown_fields(server: Server) -> None:
    r = server.client.post(
        f"/api/campaigns/{server.campaign}/links",
        json={"view_ids": ["v-1"], "email": "dana@example.com"},
        headers=server.auth,
    )
    assert r.status_code == 422 and r.json()["code"] == "OR-E605"
    assert "dana@example.com" not in r.text


def test_generated_ids_are_random_and_accepted(server: Server) -> None:
    r = server.client.post(
        f"/api/campaigns/{server.campaign}/links", json={"count": 5}, headers=server.auth
    )
    links = r.json()["links"]
    assert len({x["view_id"] for x in links}) == 5
    assert all(looks_personal(x["view_id"]) is None for x in links)


def test_claims_model_allows_only_ids() -> None:
    assert set(LinkClaims.model_fields) == {"sub", "cid", "aud", "iat", "nbf", "exp", "jti"}


_EXTRA_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
    lambda k: k not in LinkClaims.model_fields
)


@settings(max_examples=100, deadline=None)
@given(_EXTRA_NAMES, st.one_of(st.text(max_size=20), st.integers(), st.booleans()))
def test_claims_with_any_extra_field_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValueError):
        LinkClaims.model_validate({**_claims(), name: value})


@settings(max_examples=100, deadline=None)
@given(
    st.from_regex(r"[a-z]{1,10}@[a-z]{1,10}\.[a-z]{2,4}", fullmatch=True)
    | st.from_regex(r"\+?[0-9]{7,15}", fullmatch=True)
    | st.from_regex(r"[A-Z][a-z]{1,10} [A-Z][a-z]{1,10}", fullmatch=True)
)
def test_build_claims_refuses_emails_phones_and_names(value: str) -> None:
    with pytest.raises(ServiceError) as err:
        build_claims(campaign="c1", view_id=value, audience="player", lifetime_s=60, now=T0)
    assert err.value.code == "OR-E608"
    assert value not in str(err.value)
