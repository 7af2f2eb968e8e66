"""A token-bucket rate limiter per client key with bounded memory (RELIABILITY row 35).

Each key (a client address) has a bucket of ``burst`` tokens refilled at ``rate`` a second; a
request takes one token or is refused with the seconds until one is back. At most
``max_keys`` buckets are kept; the least recently used one is dropped first (a dropped client
simply starts again with a full bucket), so a flood of distinct addresses cannot grow memory.

>>> t = [0.0]
>>> rl = RateLimiter(rate=1.0, burst=2, max_keys=10, clock=lambda: t[0])
>>> rl.take("a"), rl.take("a"), rl.take("a") > 0, rl.take("b")
(0.0, 0.0, True, 0.0)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """Token buckets keyed by client; :meth:`take` returns 0.0 (allowed) or seconds to wait."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        max_keys: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate, burst and max_keys must be positive")
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait
