"""API keys for the management API: random bearer tokens, stored only as SHA-256 hashes.

A key reads ``ork_<id>_<secret>``: ``id`` (8 hex digits) names the key in listings and logs,
``secret`` is 32 random bytes (URL-safe base64). The database keeps ``sha256(key)`` only, so a
copy of the database does not give API access. 256 bits of randomness make a slow hash
unnecessary (the hash is not guessable by brute force).

>>> key = new_api_key()
>>> key.token.startswith("ork_") and len(key.hash) == 64
True
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

from openreel.errors import ServiceError
from openreel.service.storage import Storage

PREFIX: Final = "ork_"
MAX_KEY_CHARS: Final = 128


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly made key: ``token`` is shown once to its owner, ``hash`` is what is stored."""

    id: str
    token: str
    hash: str


def hash_key(token: str) -> str:
    """The stored form of a key: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_api_key() -> NewApiKey:
    key_id = secrets.token_hex(4)
    token = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return NewApiKey(id=key_id, token=token, hash=hash_key(token))


def create_api_key(storage: Storage, name: str = "default") -> NewApiKey:
    """Make a key, store its hash under ``name`` and return it (the token is not kept)."""
    key = new_api_key()
    storage.add_api_key(key.id, key.hash, name[:100])
    return key


def check_authorization(storage: Storage, header: str | None) -> str:
    """The key id for an ``Authorization: Bearer <key>`` header, else ``OR-E600``.

    The message is the same whatever was wrong, so it tells an attacker nothing.
    """
    token = ""
    if header and len(header) <= MAX_KEY_CHARS + 7:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
    key_id = storage.api_key_by_hash(hash_key(token)) if token.startswith(PREFIX) else None
    if key_id is None:
        raise ServiceError("OR-E600", "a valid API key is required")
    return key_id
