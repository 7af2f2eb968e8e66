"""Triggers: a milestone or event of the brand becomes a signed link, optional pre-renders and
a signed callback when they are ready.

``POST /api/triggers`` (API key, optional ``Idempotency-Key``) with ``campaign``, ``event``
(the brand's name for what happened, an id), ``view_id`` (generated when absent),
``prerender`` (``"thumb"`` and/or ``"mp4"``), optional ``data`` (server-mode data for the
MP4; used in memory only, never stored) and optional ``callback_url``:

1. a player link is minted for the view id (as ``POST /api/campaigns/{id}/links``) and, when
   ``"thumb"`` is asked, a thumbnail link; the answer (ids and links, never data) is stored
   under the idempotency key, so a repeated request returns the first answer and queues
   nothing;
2. ``"mp4"`` queues a render job (:mod:`.jobs`) named by the player link's ``jti`` (so the
   server-mode landing page and ``/m/{campaign}/{token}.mp4`` serve it); its data is
   ``data`` when given, else the campaign's data endpoint (``OR-E605`` when neither exists);
3. ``"thumb"`` renders the still the thumbnail link shows (``at=0``, 640 px): the data-free
   still is rendered into the cache; in server mode the personal still is rendered once to
   check it works and is not kept (it is rendered again at open, as for every link);
4. when everything asked is finished (done or failed), one callback is POSTed to
   ``callback_url`` (:mod:`.callbacks`: HMAC-signed, SSRF-safe, retried, dead-lettered)::

       {"v": 1, "id": "<trigger id>", "type": "trigger.ready", "event": "...",
        "campaign": "...", "view_id": "...", "link": "<player URL>", "thumb_url": "..." | null,
        "mp4": {"job": "r-...", "status": "done" | "failed", "error_code": null | "OR-E..."}
               | null,
        "thumb": {"status": "done" | "failed", "error_code": ...} | null}

The follow-up work runs on a small thread pool of its own; ``close()`` waits for it.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from openreel.errors import OpenReelError
from openreel.service.callbacks import CallbackSender
from openreel.service.storage import Storage

POLL_S: Final = 0.1
ThumbFn = Callable[[], None]


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What remains to do for one trigger after the answer was sent."""

    doc: dict[str, Any]
    job_id: str | None
    thumb: ThumbFn | None
    callback_url: str | None


class TriggerWorker:
    """Runs follow-ups: waits for the MP4 job, renders the thumbnail, sends the callback."""

    def __init__(
        self,
        storage: Storage,
        sender: CallbackSender | None,
        *,
        log: logging.Logger,
        max_wait_s: float = 3600.0,
    ) -> None:
        self.storage = storage
        self.sender = sender
        self.log = log
        self.max_wait_s = max_wait_s
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="openreel-trigger")
        self._closed = threading.Event()
        if sender is not None:  # retries stop waiting once the server shuts down
            sender.sleep = self._pause

    def _pause(self, seconds: float) -> None:
        self._closed.wait(seconds)

    def submit(self, follow: FollowUp) -> None:
        """Run ``follow`` in the background (nothing to do: nothing is queued)."""
        if follow.job_id is None and follow.thumb is None and follow.callback_url is None:
            return
        self._pool.submit(self._run, follow)

    def _wait_job(self, job_id: str) -> dict[str, Any]:
        end = time.monotonic() + self.max_wait_s
        while True:
            row = self.storage.job(job_id)
            if row is not None and row.status in ("done", "failed"):
                return {"job": job_id, "status": row.status, "error_code": row.error_code}
            if self._closed.is_set() or time.monotonic() > end:
                return {"job": job_id, "status": "failed", "error_code": "OR-E611"}
            time.sleep(POLL_S)

    def _run(self, follow: FollowUp) -> None:
        doc = dict(follow.doc)
        try:
            if follow.thumb is not None:
                doc["thumb"] = _thumb(follow.thumb, self.log)
            if follow.job_id is not None:
                doc["mp4"] = self._wait_job(follow.job_id)
            if follow.callback_url is not None and self.sender is not None:
                result = self.sender.deliver(follow.callback_url, doc)
                self.log.info(
                    "trigger callback",
                    extra={"code": "ok" if result.delivered else "OR-E613",
                           "count": result.attempts},
                )  # fmt: skip
        except Exception as exc:  # a bug: logged by type only
            self.log.error("trigger follow-up failed", extra={"error_type": type(exc).__name__})

    def close(self) -> None:
        """Stop waiting for jobs (their callbacks report them failed), stop pausing between
        callback retries (what is still undelivered is dead-lettered) and finish the pool."""
        self._closed.set()
        self._pool.shutdown(wait=True)


def _thumb(render: ThumbFn, log: logging.Logger) -> dict[str, Any]:
    try:
        render()
    except OpenReelError as exc:
        return {"status": "failed", "error_code": exc.code}
    except Exception as exc:  # logged by type only
        log.error("trigger thumbnail failed", extra={"error_type": type(exc).__name__})
        return {"status": "failed", "error_code": "OR-E611"}
    return {"status": "done", "error_code": None}


def trigger_id() -> str:
    """A new random trigger id (``t-`` and 16 hex digits)."""
    return f"t-{secrets.token_hex(8)}"
