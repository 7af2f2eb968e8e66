"""Signed view links: ids-only claims, Ed25519 JWTs, a rotating keyring, verification.

A link token is a JWT signed with **EdDSA (Ed25519) only**: the verifier passes exactly
``["EdDSA"]`` to PyJWT and also refuses any header whose ``alg`` is not ``EdDSA``, so
``alg: none`` and HS256 signed with the public key are refused (RELIABILITY rows 1-6).

Claims (all required, nothing else allowed, see :class:`LinkClaims`): ``sub`` the view id,
``cid`` the campaign id, ``aud`` one of ``player``/``thumb``/``hls``, ``iat``, ``nbf``,
``exp`` (integer seconds), ``jti`` (random, for revocation). The header carries ``kid``.

Verification order: size, shape and canonical base64url -> header (``alg``, ``kid`` known to
the keyring) -> signature -> audience -> claims model -> times with exactly
:data:`LINK_LEEWAY_S` (60 s) of leeway -> the ``jti`` denylist. Every failure raises
:class:`LinkError` (``OR-E607``) whose ``reason`` names the check for logs and metrics; the
HTTP answer never says which.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from openreel.errors import ServiceError
from openreel.service.settings import LINK_LEEWAY_S

ALGORITHM: Final = "EdDSA"
AUDIENCES: Final = ("player", "thumb", "hls")
MAX_TOKEN_CHARS: Final = 2048
MAX_LIFETIME_S: Final = 400 * 86400

Audience = Literal["player", "thumb", "hls"]
ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
Ident = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
_SEPARATORS: Final = re.compile(r"[-._:]")
_JTI: Final = r"^[A-Za-z0-9_-]{16,64}$"
_KID: Final = r"^[A-Za-z0-9_-]{4,64}$"


def looks_personal(value: str) -> str | None:
    """Why an id looks like personal data, or None. Heuristic, on purpose strict:

    * an ``@`` (an email address) or whitespace (a name or free text);
    * 7 to 19 digits once separators (``-._:``) and a ``tel`` prefix are removed (a phone,
      card or account number: replace such ids with random ones);
    * more than 64 characters (free text).

    >>> looks_personal("v-3f9a2c"), looks_personal("+49 151 2345678"), looks_personal("a@b.c")
    (None, 'whitespace', 'email')
    """
    if "@" in value or "%40" in value.lower():
        return "email"
    if any(ch.isspace() for ch in value):
        return "whitespace"
    if len(value) > 64:
        return "too long"
    digits = _SEPARATORS.sub("", value.lower().removeprefix("tel"))
    if digits.lstrip("+").isdigit() and 7 <= len(digits.lstrip("+")) <= 19:
        return "phone or card number"
    return None


class LinkClaims(BaseModel):
    """The only claims a link token may carry. Unknown claims are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    sub: Ident = Field(description="Pseudonymous view id (never an email, phone or name).")
    cid: Ident = Field(description="Campaign id.")
    aud: Audience
    iat: int = Field(ge=0)
    nbf: int = Field(ge=0)
    exp: int = Field(ge=0)
    jti: Annotated[str, StringConstraints(pattern=_JTI)]

    @field_validator("sub", "cid")
    @classmethod
    def _not_personal(cls, value: str) -> str:
        why = looks_personal(value)
        if why is not None:
            raise ValueError(f"looks like personal data ({why})")
        return value


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One key of the keyring. ``retire_at`` (seconds) ends a retiring key's verification."""

    kid: str
    private: Ed25519PrivateKey
    state: Literal["active", "retiring", "retired"]
    retire_at: int | None = None

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def verifies_at(self, now: float) -> bool:
        if self.state == "active":
            return True
        return self.state == "retiring" and self.retire_at is not None and now < self.retire_at


def new_private_key() -> tuple[str, Ed25519PrivateKey, bytes]:
    """A new key id, Ed25519 key and its unencrypted PKCS#8 PEM."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return secrets.token_urlsafe(9), key, pem


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("signing keys are Ed25519")
    return key


class Keyring:
    """An immutable set of signing keys: exactly one active key signs, retiring keys verify."""

    def __init__(self, keys: Iterable[SigningKey]) -> None:
        self.keys: Mapping[str, SigningKey] = {k.kid: k for k in keys}
        active = [k for k in self.keys.values() if k.state == "active"]
        self._active = active[-1] if active else None

    @property
    def has_active(self) -> bool:
        return self._active is not None

    @property
    def active(self) -> SigningKey:
        if self._active is None:
            raise ServiceError("OR-E611", "no active signing key")
        return self._active

    def verifier(self, kid: str, now: float) -> Ed25519PublicKey | None:
        key = self.keys.get(kid)
        return key.public if key is not None and key.verifies_at(now) else None

    def jwks(self, now: float) -> dict[str, Any]:
        """The public keys that verify at ``now``, as a JSON Web Key Set."""
        out = []
        for key in self.keys.values():
            if key.verifies_at(now):
                jwk: dict[str, Any] = OKPAlgorithm.to_jwk(key.public, as_dict=True)
                jwk.update(kid=key.kid, alg=ALGORITHM, use="sig")
                out.append(jwk)
        return {"keys": out}


class LinkError(ServiceError):
    """A link token was refused (``OR-E607``); ``reason`` is for logs, never for the client."""

    def __init__(self, reason: str) -> None:
        super().__init__("OR-E607", "the link is invalid or has expired")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MintedLink:
    token: str
    claims: LinkClaims


def build_claims(
    *, campaign: str, view_id: str, audience: str, lifetime_s: int, now: float
) -> LinkClaims:
    """Claims for a new link; ``OR-E608`` when an id looks like personal data or is not an id."""
    issued = int(now)
    try:
        return LinkClaims.model_validate(
            {
                "sub": view_id,
                "cid": campaign,
                "aud": audience,
                "iat": issued,
                "nbf": issued,
                "exp": issued + min(max(lifetime_s, 1), MAX_LIFETIME_S),
                "jti": secrets.token_urlsafe(16),
            }
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "claims"
        raise ServiceError(
            "OR-E608", f"claim {where!r} refused: {first['msg']}", path=where
        ) from None


def mint(keyring: Keyring, claims: LinkClaims) -> MintedLink:
    """Sign ``claims`` with the active key."""
    key = keyring.active
    token = jwt.encode(
        claims.model_dump(), key.private, algorithm=ALGORITHM, headers={"kid": key.kid}
    )
    return MintedLink(token=token, claims=claims)


def _canonical(segment: str) -> bool:
    """Whether ``segment`` is base64url without padding in its one canonical spelling.

    Decoders ignore the unused low bits of the last character and skip foreign characters,
    so without this check several spellings of one token would verify (token malleability).
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]*", segment) or len(segment) % 4 == 1:
        return False
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") == segment


def _header(token: str) -> dict[str, Any]:
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise LinkError("malformed")
    if not all(_canonical(part) for part in token.split(".")):
        raise LinkError("malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise LinkError("malformed") from None
    if header.get("alg") != ALGORITHM:
        raise LinkError("algorithm")
    kid = header.get("kid")
    if not isinstance(kid, str) or not re.match(_KID, kid):
        raise LinkError("kid")
    return header


def verify(
    token: str,
    *,
    audience: Audience,
    keyring: Keyring,
    now: float,
    is_revoked: Callable[[str], bool],
) -> LinkClaims:
    """The claims of a valid, unrevoked ``token`` for ``audience`` at time ``now``."""
    header = _header(token)
    public = keyring.verifier(header["kid"], now)
    if public is None:
        raise LinkError("kid")
    try:
        raw = jwt.decode(
            token,
            public,
            algorithms=[ALGORITHM],
            audience=audience,
            options={
                "require": ["sub", "aud", "exp", "nbf", "iat", "jti"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidAudienceError:
        raise LinkError("audience") from None
    except jwt.InvalidSignatureError:
        raise LinkError("signature") from None
    except jwt.PyJWTError:
        raise LinkError("malformed") from None
    try:
        claims = LinkClaims.model_validate(raw)
    except ValidationError:
        raise LinkError("claims") from None
    if claims.exp <= claims.nbf or claims.exp - claims.iat > MAX_LIFETIME_S:
        raise LinkError("claims")
    if now > claims.exp + LINK_LEEWAY_S:
        raise LinkError("expired")
    if now < claims.nbf - LINK_LEEWAY_S or now < claims.iat - LINK_LEEWAY_S:
        raise LinkError("not yet valid")
    if is_revoked(claims.jti):
        raise LinkError("revoked")
    return claims
