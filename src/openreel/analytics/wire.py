"""From request bytes to validated columns: size limits, safe decompression, validation, clocks.

Order of checks (each raises :class:`~openreel.errors.AnalyticsError` for the whole batch):

1. content encoding is identity or gzip, else ``OR-E705``;
2. the decoded body is at most ``max_batch_bytes`` (512 KB): gzip is inflated incrementally
   with a hard output cap and aborts as soon as the cap is passed, so a gzip bomb never
   inflates beyond ``max_batch_bytes + chunk``; the compressed body has the same cap
   (``OR-E701``);
3. UTF-8 JSON object with ``v``, optional ``sent_at`` and ``events`` (``OR-E700``), ``v == 1``
   (``OR-E704``), at most ``max_events`` events (``OR-E701``).

Then each event is checked on its own: over ``max_event_bytes`` (32 KB, compact JSON) is
``OR-E702``, a schema violation is ``OR-E703``; such events are rejected by index and the
others are kept. Error messages name fields, never values (a value could be personal data).

Clocks: with ``sent_at`` the client's skew is removed (``ts + received - sent_at``, as Segment
does); a timestamp still more than ``max_future_ms`` ahead of the server or ``max_past_ms``
behind it is clamped to the receive time and flagged (:data:`TS_FUTURE`, :data:`TS_PAST`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final
from uuid import UUID

import numpy as np
from pydantic import BaseModel, ValidationError

from openreel.analytics.columns import REF_FIELD, EventColumns, split_uuid, stored_seq
from openreel.analytics.schema import (
    EVENT_ADAPTER,
    EVENT_MODELS,
    EVENT_TYPES,
    MAX_EVENTS_PER_BATCH,
    TYPE_CODE,
    Batch,
    Event,
)
from openreel.analytics.store import INCONSISTENT, UNKNOWN_VIEW
from openreel.errors import AnalyticsError

TS_FUTURE: Final = 1
TS_PAST: Final = 2
_CHUNK: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Limits of one batch and the timestamp window (defaults as documented)."""

    max_batch_bytes: int = 512 * 1024
    max_event_bytes: int = 32 * 1024
    max_events: int = MAX_EVENTS_PER_BATCH
    max_future_ms: int = 10 * 60 * 1000
    max_past_ms: int = 72 * 3600 * 1000


DEFAULT_LIMITS: Final = IngestLimits()


class BodyDecoder:
    """Accumulates a request body chunk by chunk, inflating gzip with a hard output cap.

    Feed chunks as they arrive (:meth:`feed`), then call :meth:`finish`. Memory stays below
    ``2 * max_batch_bytes`` plus one chunk whatever the input.
    """

    def __init__(self, encoding: str | None, limits: IngestLimits = DEFAULT_LIMITS) -> None:
        enc = (encoding or "identity").strip().lower()
        if enc not in ("identity", "gzip", "x-gzip"):
            raise AnalyticsError("OR-E705", "the content encoding is not identity or gzip")
        self._gzip = enc != "identity"
        self._cap = limits.max_batch_bytes
        self._seen = 0
        self._out = bytearray()
        self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS) if self._gzip else None
        self._in_member = False

    def _too_large(self) -> AnalyticsError:
        return AnalyticsError("OR-E701", f"the batch is over {self._cap} bytes")

    def feed(self, chunk: bytes) -> None:
        self._seen += len(chunk)
        if self._seen > self._cap:
            raise self._too_large()
        if self._inflater is None:
            self._out += chunk
            return
        data = chunk
        while data:
            self._in_member = True
            room = self._cap - len(self._out) + 1
            try:
                piece = self._inflater.decompress(data, min(room, _CHUNK))
            except zlib.error as exc:
                raise AnalyticsError("OR-E700", "the gzip stream is corrupt") from exc
            self._out += piece
            if len(self._out) > self._cap:
                raise self._too_large()
            if self._inflater.eof:
                rest = self._inflater.unused_data
                # Concatenated gzip members are one valid stream; start the next member.
                self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                self._in_member = False
                data = rest
            else:
                data = self._inflater.unconsumed_tail

    def finish(self) -> bytes:
        """The decoded body; a gzip stream that stops inside a member is ``OR-E700``."""
        if self._in_member:
            raise AnalyticsError("OR-E700", "the gzip stream is truncated")
        return bytes(self._out)


def decode_body(
    body: bytes, encoding: str | None = None, limits: IngestLimits = DEFAULT_LIMITS
) -> bytes:
    """The decoded body (see :class:`BodyDecoder`), fed in 16 KB chunks."""
    decoder = BodyDecoder(encoding, limits)
    for start in range(0, len(body), _CHUNK):
        decoder.feed(body[start : start + _CHUNK])
    return decoder.finish()


@dataclass(frozen=True, slots=True)
class Rejection:
    """An event of a batch that was refused: its index, the code and a value-free message."""

    index: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ParsedBatch:
    """The accepted events of a batch and the rejected ones (by index)."""

    events: list[Event]
    rejected: list[Rejection] = field(default_factory=list)
    sent_at: int | None = None


# Field names and type tags: the only location parts that can appear in a message.
_MODELS: Final[tuple[type[BaseModel], ...]] = (*EVENT_MODELS, Batch)
_KNOWN_LOC: Final[frozenset[str]] = frozenset(EVENT_TYPES).union(
    *(frozenset(model.model_fields) for model in _MODELS)
)


def _safe_location(loc: tuple[int | str, ...]) -> str:
    """A JSON path made only of known field names (a key a client made up may carry data)."""
    parts = [p for p in loc if isinstance(p, int) or p in _KNOWN_LOC]
    return ".".join(str(p) for p in parts) or "event"


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            problems.append(f"{_safe_location(loc[:-1])}: unknown field")
        else:
            problems.append(f"{_safe_location(loc)}: {err['type']}")
    return "; ".join(sorted(set(problems))[:5])


def parse_batch(raw: bytes, limits: IngestLimits = DEFAULT_LIMITS) -> ParsedBatch:
    """Validate a decoded batch (see the module docstring for the checks and codes)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AnalyticsError("OR-E700", "the body is not UTF-8 JSON") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise AnalyticsError("OR-E700", 'expected an object with an "events" list')
    if set(doc) - {"v", "sent_at", "events"}:
        raise AnalyticsError("OR-E700", "the batch has unknown top-level fields")
    if doc.get("v") != 1:
        raise AnalyticsError("OR-E704", "the batch's schema version is not 1", path="$.v")
    sent_at = doc.get("sent_at")
    if sent_at is not None and (type(sent_at) is not int or sent_at < 0):
        raise AnalyticsError("OR-E700", "sent_at is not a non-negative integer", path="$.sent_at")
    items: list[Any] = doc["events"]
    if len(items) > limits.max_events:
        raise AnalyticsError("OR-E701", f"the batch has more than {limits.max_events} events")
    check_size = len(raw) > limits.max_event_bytes
    events: list[Event] = []
    rejected: list[Rejection] = []
    for i, item in enumerate(items):
        if check_size and len(json.dumps(item, separators=(",", ":"))) > limits.max_event_bytes:
            rejected.append(Rejection(i, "OR-E702", f"over {limits.max_event_bytes} bytes"))
            continue
        try:
            events.append(EVENT_ADAPTER.validate_python(item))
        except ValidationError as exc:
            rejected.append(Rejection(i, "OR-E703", _describe(exc)))
    return ParsedBatch(events=events, rejected=rejected, sent_at=sent_at)


def to_columns(
    events: Iterable[Event],
    *,
    received_ms: int,
    sent_at: int | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
    known_view: Callable[[UUID], bool] | None = None,
) -> EventColumns:
    """Columns of validated events, with skew correction, clamping and ingest view flags."""
    view_row: dict[UUID, int] = {}
    v_ids: list[tuple[int, int]] = []
    v_attrs: list[tuple[str, str | None, str | None]] = []
    v_flags: list[int] = []
    arms: dict[tuple[int, str], str] = {}
    cols: dict[str, list[Any]] = {k: [] for k in _EVENT_FIELDS}
    skew = received_ms - sent_at if sent_at is not None else 0
    for ev in events:
        device = getattr(ev, "device", None)
        attrs = (ev.campaign, ev.template_version, device)
        row = view_row.get(ev.view_id)
        if row is None:
            row = view_row[ev.view_id] = len(v_ids)
            v_ids.append(split_uuid(ev.view_id))
            v_attrs.append(attrs)
            unknown = known_view is not None and not known_view(ev.view_id)
            v_flags.append(UNKNOWN_VIEW if unknown else 0)
        elif _conflicts(v_attrs[row], attrs):
            v_flags[row] |= INCONSISTENT
            v_attrs[row] = _merge(v_attrs[row], attrs)
        for decision, arm in ev.arms.items():
            if arms.setdefault((row, decision), arm) != arm:
                v_flags[row] |= INCONSISTENT
        ts = ev.ts + skew
        ts_flag = 0
        if ts > received_ms + limits.max_future_ms:
            ts, ts_flag = received_ms, TS_FUTURE
        elif ts < received_ms - limits.max_past_ms:
            ts, ts_flag = received_ms, TS_PAST
        hi, lo = split_uuid(ev.event_id)
        ref_field = REF_FIELD.get(ev.type)
        cols["event_view"].append(row)
        cols["seq"].append(stored_seq(ev.type, getattr(ev, "seq", None)))
        cols["event_hi"].append(hi)
        cols["event_lo"].append(lo)
        cols["type"].append(TYPE_CODE[ev.type])
        cols["media_time"].append(getattr(ev, "media_time", np.nan))
        cols["from_time"].append(getattr(ev, "from_time", np.nan))
        cols["duration"].append(getattr(ev, "duration", np.nan))
        cols["ref"].append(getattr(ev, ref_field) if ref_field else None)
        cols["ts"].append(ts)
        cols["ts_flags"].append(ts_flag)
    n = len(cols["seq"])
    return EventColumns(
        view_hi=np.array([h for h, _ in v_ids], dtype=np.uint64),
        view_lo=np.array([lo for _, lo in v_ids], dtype=np.uint64),
        campaign=_obj([a[0] for a in v_attrs]),
        template_version=_obj([a[1] for a in v_attrs]),
        device=_obj([a[2] for a in v_attrs]),
        view_flags=np.array(v_flags, dtype=np.uint8),
        arm_view=np.array([k[0] for k in arms], dtype=np.int32),
        arm_decision=_obj([k[1] for k in arms]),
        arm_name=_obj(list(arms.values())),
        event_view=np.array(cols["event_view"], dtype=np.int32),
        seq=np.array(cols["seq"], dtype=np.int64),
        event_hi=np.array(cols["event_hi"], dtype=np.uint64),
        event_lo=np.array(cols["event_lo"], dtype=np.uint64),
        type=np.array(cols["type"], dtype=np.uint8),
        media_time=np.array(cols["media_time"], dtype=np.float64),
        from_time=np.array(cols["from_time"], dtype=np.float64),
        duration=np.array(cols["duration"], dtype=np.float64),
        ref=_obj(cols["ref"]),
        ts=np.array(cols["ts"], dtype=np.int64),
        received=np.full(n, received_ms, dtype=np.int64),
        ts_flags=np.array(cols["ts_flags"], dtype=np.uint8),
    )


_EVENT_FIELDS: Final = (
    "event_view",
    "seq",
    "event_hi",
    "event_lo",
    "type",
    "media_time",
    "from_time",
    "duration",
    "ref",
    "ts",
    "ts_flags",
)


def _obj(values: list[Any]) -> Any:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _conflicts(
    a: tuple[str, str | None, str | None], b: tuple[str, str | None, str | None]
) -> bool:
    return any(x is not None and y is not None and x != y for x, y in zip(a, b, strict=True))


def _merge(
    a: tuple[str, str | None, str | None], b: tuple[str, str | None, str | None]
) -> tuple[str, str | None, str | None]:
    return (a[0], a[1] if a[1] is not None else b[1], a[2] if a[2] is not None else b[2])
