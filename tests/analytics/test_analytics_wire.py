"""Batch limits, safe decompression, validation messages and clocks (``analytics.wire``)."""

from __future__ import annotations

import contextlib
import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Callable
from uuid import uuid4

import pytest
from analytics_helpers import NOW_MS, batch_body, player_event

from openreel.analytics.store import INCONSISTENT, UNKNOWN_VIEW
from openreel.analytics.wire import (
    TS_FUTURE,
    TS_PAST,
    BodyDecoder,
    IngestLimits,
    decode_body,
    parse_batch,
    to_columns,
)
from openreel.errors import AnalyticsError

LIMITS = IngestLimits()


def _gzip_bomb(zeros: int = 100 * 1024 * 1024) -> bytes:
    """~100 KB of gzip that inflates to ``zeros`` zero bytes (built without holding them)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(zeros // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)


def _code(call: Callable[[], object]) -> str:
    with pytest.raises(AnalyticsError) as err:
        call()
    return err.value.code


def _peak_bytes(call: Callable[[], object]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    with contextlib.suppress(AnalyticsError):
        call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_gzip_bomb_is_rejected_early_with_bounded_memory() -> None:
    bomb = _gzip_bomb()
    assert len(bomb) < 200 * 1024
    started = time.perf_counter()
    assert _code(lambda: decode_body(bomb, "gzip")) == "OR-E701"
    assert time.perf_counter() - started < 1.0  # aborted at the cap, not inflated fully
    peak = _peak_bytes(lambda: decode_body(bomb, "gzip"))
    assert peak < 2 * LIMITS.max_batch_bytes, peak


def test_oversized_and_malformed_bodies_use_bounded_memory() -> None:
    big = b"[" + b"1," * (3 * 1024 * 1024) + b"1]"
    assert _code(lambda: decode_body(big)) == "OR-E701"

    def stream() -> None:
        decoder = BodyDecoder(None)
        for i in range(0, len(big), 8192):
            decoder.feed(big[i : i + 8192])

    peak = _peak_bytes(stream)
    assert peak < 2 * LIMITS.max_batch_bytes
    garbage = bytes(range(256)) * 1000
    assert _code(lambda: parse_batch(decode_body(garbage))) == "OR-E700"
    assert _peak_bytes(lambda: parse_batch(decode_body(garbage))) < 4 * len(garbage)


def test_gzip_round_trip_members_and_corruption() -> None:
    body = batch_body([player_event(uuid4(), 0)])
    assert decode_body(gzip.compress(body), "gzip") == body
    assert decode_body(gzip.compress(body[:10]) + gzip.compress(body[10:]), "GZIP") == body
    assert _code(lambda: decode_body(gzip.compress(body)[:-12], "gzip")) == "OR-E700"
    assert _code(lambda: decode_body(gzip.compress(body) + b"junk", "gzip")) == "OR-E700"
    assert _code(lambda: decode_body(b"not gzip at all", "gzip")) == "OR-E700"
    assert _code(lambda: decode_body(body, "br")) == "OR-E705"
    assert decode_body(body, "identity") == body


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"\xff\xfe not utf-8", "OR-E700"),
        (b"{not json", "OR-E700"),
        (b"[]", "OR-E700"),
        (b'{"v": 1}', "OR-E700"),
        (b'{"v": 1, "events": [], "extra": 1}', "OR-E700"),
        (b'{"v": 1, "events": [], "sent_at": "soon"}', "OR-E700"),
        (b'{"v": 2, "events": []}', "OR-E704"),
        (b'{"events": []}', "OR-E704"),
    ],
)
def test_whole_batch_errors(body: bytes, code: str) -> None:
    assert _code(lambda: parse_batch(body)) == code


def test_too_many_events() -> None:
    view = uuid4()
    body = batch_body([player_event(view, i) for i in range(LIMITS.max_events + 1)])
    assert _code(lambda: parse_batch(body)) == "OR-E701"


def test_event_errors_are_per_index_and_never_echo_values() -> None:
    view = uuid4()
    canary = "jane.doe@example.com"
    events = [
        player_event(view, 0),
        player_event(view, 1, note=canary),  # unknown field
        player_event(view, 2, campaign=canary),  # not an id
        player_event(view, 3, arms={canary: "b"}),  # key not an id
        player_event(view, 4, kind="error", code=canary),  # not a stable code
        player_event(view, 5, padding="x" * (40 * 1024)),  # over 32 KB
        player_event(view, 6, media_time=-1.0),
        player_event(view, 7, kind="teleport"),
        player_event(view, 8, kind="error", code="OR-E401"),
    ]
    parsed = parse_batch(batch_body(events))
    assert [e.seq for e in parsed.events] == [0, 8]  # type: ignore[union-attr]
    codes = {r.index: r.code for r in parsed.rejected}
    assert codes == {
        1: "OR-E703",
        2: "OR-E703",
        3: "OR-E703",
        4: "OR-E703",
        5: "OR-E702",
        6: "OR-E703",
        7: "OR-E703",
    }
    for rejection in parsed.rejected:
        assert canary not in rejection.message and "jane" not in rejection.message
        assert "x" * 20 not in rejection.message
    by_index = {r.index: r.message for r in parsed.rejected}
    assert "unknown field" in by_index[1]
    assert "campaign" in by_index[2]
    assert "media_time" in by_index[6]


def test_send_events_have_no_seq_and_brand_fields() -> None:
    view = uuid4()
    sent = {
        "event_id": str(uuid4()),
        "view_id": str(view),
        "ts": NOW_MS,
        "campaign": "spring",
        "type": "sent",
        "channel": "email",
    }
    parsed = parse_batch(batch_body([sent, {**sent, "seq": 0}, {**sent, "channel": "pigeon"}]))
    assert len(parsed.events) == 1
    assert [r.index for r in parsed.rejected] == [1, 2]


def test_clock_skew_is_removed_then_far_timestamps_clamped() -> None:
    view = uuid4()
    skewed = [player_event(view, i, ts=NOW_MS + 7_200_000 + i) for i in range(3)]
    parsed = parse_batch(batch_body(skewed, sent_at=NOW_MS + 7_200_000 + 5))
    cols = to_columns(parsed.events, received_ms=NOW_MS + 10, sent_at=parsed.sent_at)
    assert cols.ts.tolist() == [NOW_MS + 5, NOW_MS + 6, NOW_MS + 7]
    assert cols.ts_flags.tolist() == [0, 0, 0]
    wild = [
        player_event(view, 0, ts=NOW_MS + 24 * 3_600_000),
        player_event(view, 1, ts=NOW_MS - 4 * 24 * 3_600_000),
        player_event(view, 2, ts=NOW_MS - 3_600_000),
    ]
    cols = to_columns(parse_batch(batch_body(wild)).events, received_ms=NOW_MS)
    assert cols.ts.tolist() == [NOW_MS, NOW_MS, NOW_MS - 3_600_000]
    assert cols.ts_flags.tolist() == [TS_FUTURE, TS_PAST, 0]


def test_view_flags_unknown_and_inconsistent() -> None:
    known, stranger = uuid4(), uuid4()
    events = [
        player_event(known, 0),
        player_event(known, 1, device="desktop"),
        player_event(stranger, 0),
        player_event(stranger, 1),
    ]
    parsed = parse_batch(batch_body(events))
    cols = to_columns(parsed.events, received_ms=NOW_MS, known_view=lambda v: v == known)
    assert cols.n_views == 2 and cols.n_events == 4
    assert cols.view_flags.tolist() == [INCONSISTENT, UNKNOWN_VIEW]
    assert json.loads(batch_body(cols.event_dicts()))["events"][2]["view_id"] == str(stranger)
