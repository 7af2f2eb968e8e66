"""The keyring as stored in the metadata database, with a short cache for many processes.

:class:`KeyStore` makes the first key on demand, rotates (the new key signs at once, the old
one verifies for ``overlap_s`` more seconds) and retires keys. Processes sharing a data dir see
a rotation within ``cache_s`` seconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from openreel.errors import ServiceError
from openreel.service.links import Keyring, SigningKey, load_private_key, new_private_key
from openreel.service.storage import Storage


class KeyStore:
    """Reads and changes the signing keys of ``storage``."""

    def __init__(
        self, storage: Storage, *, overlap_s: int, cache_s: float, clock: Callable[[], float]
    ) -> None:
        self.storage = storage
        self.overlap_s = overlap_s
        self.cache_s = cache_s
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: Keyring | None = None
        self._loaded_at = float("-inf")

    def _load(self) -> Keyring:
        keys = [
            SigningKey(
                row.kid,
                load_private_key(row.private_pem),
                "active" if row.state == "active" else "retiring",
                row.retire_at,
            )
            for row in self.storage.signing_keys()
            if row.state in ("active", "retiring")
        ]
        return Keyring(keys)

    def keyring(self) -> Keyring:
        """The current keyring (cached for ``cache_s``); makes a first key if there is none."""
        now = self.clock()
        with self._lock:
            if self._cached is None or now - self._loaded_at >= self.cache_s:
                ring = self._load()
                if not ring.has_active:
                    kid, _, pem = new_private_key()
                    self.storage.rotate_signing_key(kid, pem, self.overlap_s)
                    ring = self._load()
                self._cached, self._loaded_at = ring, now
            return self._cached

    def rotate(self) -> str:
        """A new active key; returns its kid."""
        kid, _, pem = new_private_key()
        self.storage.rotate_signing_key(kid, pem, self.overlap_s)
        self.invalidate()
        return kid

    def retire(self, kid: str) -> None:
        """Stop verifying the retiring key ``kid`` now (``OR-E601`` if there is none)."""
        if not self.storage.retire_signing_key(kid):
            raise ServiceError("OR-E601", "no retiring signing key with this kid", path="kid")
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None
