"""Vectorized event generation for :mod:`openreel.analytics.simulate` (numpy only, no loops
over views). Each chunk of views has its own generator seeded from ``(seed, chunk)``, so the
output depends only on the settings and the chunk size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import UUID

import numpy as np
import numpy.typing as npt

from openreel.analytics._simmodel import SimConfig, hazards, play_orders, survival
from openreel.analytics.columns import SEQ_BIAS, EventColumns, stored_seq
from openreel.analytics.schema import TYPE_CODE

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
_T = TYPE_CODE
_HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 8, 7, 6, 6, 7, 8, 10, 12, 12, 10, 6, 3], dtype=float
)


@dataclass
class Chunk:
    columns: EventColumns
    bot_ids: set[UUID] = field(default_factory=set)
    started: dict[str, int] = field(default_factory=dict)
    funnel: dict[str, int] = field(default_factory=dict)


class _Events:
    """Event rows collected from several generators, later sorted per view by wall time."""

    def __init__(self) -> None:
        self.parts: list[dict[str, npt.NDArray[np.generic]]] = []

    def add(
        self,
        view: I64,
        wall: npt.ArrayLike,
        kind: int,
        media: npt.ArrayLike = np.nan,
        *,
        rank: int = 5,
        from_time: npt.ArrayLike = np.nan,
        duration: npt.ArrayLike = np.nan,
        ref: int = -1,
    ) -> None:
        n = view.shape[0]
        self.parts.append(
            {
                "view": view.astype(np.int64),
                "wall": np.broadcast_to(np.asarray(wall, dtype=np.float64), (n,)),
                "rank": np.full(n, rank, dtype=np.int8),
                "type": np.full(n, kind, dtype=np.uint8),
                "media": np.broadcast_to(np.asarray(media, dtype=np.float64), (n,)),
                "from": np.broadcast_to(np.asarray(from_time, dtype=np.float64), (n,)),
                "duration": np.broadcast_to(np.asarray(duration, dtype=np.float64), (n,)),
                "ref": np.full(n, ref, dtype=np.int16),
            }
        )

    def merged(self) -> dict[str, npt.NDArray[np.generic]]:
        cols = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        order = np.lexsort((cols["rank"], cols["wall"], cols["view"]))
        return {k: v[order] for k, v in cols.items()}


def _uuids(rng: np.random.Generator, n: int) -> tuple[npt.NDArray[np.uint64], ...]:
    hi = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    lo = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    hi = (hi & np.uint64(0xFFFFFFFFFFFF0FFF)) | np.uint64(0x4000)  # version 4
    lo = (lo & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)  # RFC variant
    return hi, lo


def _ranges(counts: I64) -> tuple[I64, I64]:
    """For counts ``c_i``: the owner ``i`` and position ``0..c_i-1`` of every element."""
    owner = np.repeat(np.arange(counts.shape[0]), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(owner.shape[0]) - starts[owner]


def _players(
    cfg: SimConfig,
    rng: np.random.Generator,
    n: int,
    ev: _Events,
    refs: dict[str, int],
    stats: Chunk,
) -> dict[str, npt.NDArray[np.generic]]:
    d = cfg.duration_s
    weights = np.array([a.weight for a in cfg.arms])
    arm = rng.choice(len(cfg.arms), n, p=weights / weights.sum())
    started = rng.random(n) < cfg.play_rate
    skip = rng.random(n) < cfg.skip_rate
    u = rng.random(n)
    h = hazards(cfg)
    full, skipped = play_orders(cfg)
    entered = np.zeros(n, dtype=np.int64)
    completed = np.zeros(n, dtype=bool)
    for a, spec in enumerate(cfg.arms):
        for flag, order in ((False, full), (True, skipped)):
            rows = (arm == a) & (skip == flag)
            p = survival(h, order, spec.hazard_scale)
            k = np.searchsorted(-p, -u[rows], side="left")
            entered[rows] = np.minimum(k, len(order))
            completed[rows] = k == len(order) + 1
    entered[~started] = 0
    completed &= started
    all_views = np.arange(n)
    ev.add(all_views, 0.0, _T["load"], 0.0, rank=0, duration=float(d))
    first = rng.random(n) < 0.95
    ev.add(all_views[first | started], 0.4, _T["first_frame"], 0.0, rank=1)
    play_t = 0.6 + rng.random(n) * 1.5
    ev.add(all_views[started], play_t[started], _T["play"], 0.0, rank=2)

    # Played seconds in order; replays insert a backward seek and replay seconds once.
    view, pos = _ranges(entered)
    second = np.where(skip[view], skipped[np.minimum(pos, len(skipped) - 1)], pos)
    replay = started & ~skip & (rng.random(n) < cfg.replay_rate) & (entered > cfg.replay_back_s + 1)
    r_at = cfg.replay_back_s + (rng.random(n) * (entered - cfg.replay_back_s)).astype(np.int64)
    shift = np.where(replay[view] & (pos >= r_at[view]), cfg.replay_back_s + 0.5, 0.0)
    shift -= np.where(skip[view] & (pos > cfg.skip_from_s), 0.5, 0.0)
    wall = play_t[view] + pos + shift
    ev.add(view, wall, _T["progress"], second.astype(np.float64), rank=4)
    starts = {int(np.ceil(s.start_s)): refs[s.scene_id] for s in cfg.scenes}
    for sec, ref in starts.items():
        at = second == sec
        ev.add(view[at], wall[at], _T["scene_enter"], float(sec), rank=3, ref=ref)
    rv = all_views[replay]
    ev.add(
        rv,
        play_t[rv] + r_at[rv] - 0.01,
        _T["seek"],
        (r_at[rv] - cfg.replay_back_s) * 1.0,
        from_time=r_at[rv] - 0.01,
    )
    rview, rpos = _ranges(np.where(replay, cfg.replay_back_s, 0))
    rsec = r_at[rview] - cfg.replay_back_s + rpos
    ev.add(rview, play_t[rview] + r_at[rview] + rpos, _T["progress"], rsec * 1.0, rank=4)
    sv = all_views[skip & (entered > cfg.skip_from_s + 1)]
    ev.add(
        sv,
        play_t[sv] + cfg.skip_from_s + 0.49,
        _T["seek"],
        float(cfg.skip_to_s),
        rank=3,
        from_time=cfg.skip_from_s + 0.49,
    )

    # Leaving: a pause somewhere in the last second, or complete at the end.
    last_pos = np.maximum(entered - 1, 0)
    last_sec = np.where(skip, skipped[np.minimum(last_pos, len(skipped) - 1)], last_pos)
    last_wall = play_t + last_pos + np.where(replay, cfg.replay_back_s + 0.5, 0.0)
    last_wall -= np.where(skip & (last_pos > cfg.skip_from_s), 0.5, 0.0)
    frac = rng.random(n) * 0.98
    exit_media = np.where(completed, float(d), last_sec + frac)
    leaves = started & ~completed & (rng.random(n) < cfg.pause_on_exit)
    ev.add(
        all_views[leaves], last_wall[leaves] + frac[leaves], _T["pause"], exit_media[leaves], rank=6
    )
    cv = all_views[completed]
    ev.add(cv, last_wall[cv] + 1.0, _T["complete"], float(d), rank=6)
    end_replay = completed & (rng.random(n) < cfg.end_replay_rate)
    ev.add(
        all_views[end_replay],
        last_wall[end_replay] + 1.2,
        _T["seek"],
        0.0,
        rank=7,
        from_time=float(d),
    )
    eview, epos = _ranges(np.where(end_replay, cfg.end_replay_s, 0))
    ewall = last_wall[eview] + 1.5 + epos
    ev.add(eview, ewall, _T["progress"], epos * 1.0, rank=8)
    if 0 in starts:
        first_scene = epos == 0
        ev.add(
            eview[first_scene], ewall[first_scene], _T["scene_enter"], 0.0, rank=7, ref=starts[0]
        )

    # Clicks: whoever got to the CTA, with the arm's click rate, before leaving.
    click_p = np.array([a.click_rate for a in cfg.arms])[arm]
    reached = started & (last_sec >= cfg.cta_at_s)
    clicks = reached & (rng.random(n) < click_p)
    at = cfg.cta_at_s + rng.random(n) * (np.minimum(exit_media, d - 0.01) - cfg.cta_at_s)
    cw = last_wall - (last_sec - at)
    ev.add(
        all_views[clicks],
        np.minimum(cw[clicks], last_wall[clicks] + frac[clicks]),
        _T["cta_click"],
        at[clicks],
        rank=5,
        ref=refs[cfg.cta],
    )

    for a, spec in enumerate(cfg.arms):
        stats.started[spec.name] = int((started & (arm == a)).sum())
    stats.funnel["play"] = int(started.sum())
    stats.funnel["complete"] = int(completed.sum())
    stats.funnel["click"] = int(clicks.sum())
    return {"arm": arm}


def _bots(
    cfg: SimConfig, rng: np.random.Generator, offset: int, n: int, ev: _Events, refs: dict[str, int]
) -> None:
    d = cfg.duration_s
    views = offset + np.arange(n)
    overrun = views[: (n + 1) // 2]
    blaster = views[(n + 1) // 2 :]
    for group, step, length in ((overrun, 1.0, 3 * d), (blaster, 0.01, d)):
        ev.add(group, 0.0, _T["load"], 0.0, rank=0, duration=float(d))
        ev.add(group, 0.01, _T["play"], 0.0, rank=2)
        owner, pos = _ranges(np.full(group.shape[0], length))
        ev.add(group[owner], 0.02 + pos * step, _T["progress"], pos * 1.0, rank=4)
        clicks = group[rng.random(group.shape[0]) < 0.9]
        ev.add(
            clicks,
            0.02 + (cfg.cta_at_s + 0.5) * step,
            _T["cta_click"],
            cfg.cta_at_s + 0.5,
            rank=5,
            ref=refs[cfg.cta],
        )
    ev.add(blaster, 0.03 + d * 0.01, _T["complete"], float(d), rank=6)


def generate(cfg: SimConfig, chunk_views: int) -> Iterator[Chunk]:
    """Chunks of simulated traffic (see :mod:`openreel.analytics.simulate`)."""
    cfg.validate()
    refs_list = [s.scene_id for s in cfg.scenes] + [cfg.cta, "email"]
    refs = {name: i for i, name in enumerate(refs_list)}
    ref_table = np.array(refs_list + [None], dtype=object)
    for index, begin in enumerate(range(0, cfg.views, max(1, chunk_views))):
        rng = np.random.default_rng([cfg.seed, index])
        yield _chunk(cfg, rng, min(chunk_views, cfg.views - begin), refs, ref_table)


def _chunk(
    cfg: SimConfig,
    rng: np.random.Generator,
    n: int,
    refs: dict[str, int],
    ref_table: npt.NDArray[np.object_],
) -> Chunk:
    stats = Chunk(columns=EventColumns.empty())
    ev = _Events()
    player = _players(cfg, rng, n, ev, refs, stats)
    n_bots = int(round(n * cfg.bot_rate))
    _bots(cfg, rng, n, n_bots, ev, refs)
    n_extra = int(round(n * max(cfg.recipients_per_view - 1.0, 0.0)))
    total = n + n_bots + n_extra
    e = ev.merged()
    view: I64 = np.asarray(e["view"], dtype=np.int64)
    counts = np.bincount(view, minlength=total)
    seq = np.arange(view.shape[0]) - (np.cumsum(counts) - counts)[view] + SEQ_BIAS

    day = rng.integers(0, cfg.days, total)
    hour = rng.choice(24, total, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    ts0 = cfg.start_ms + (day * 24 + hour) * 3_600_000 + rng.integers(0, 3_600_000, total)
    wall: F64 = np.asarray(e["wall"], dtype=np.float64)
    ts = ts0[view] + np.round(wall * 1000).astype(np.int64)

    # Sends, recorded by the brand before the view's load; extra recipients never load.
    if cfg.recipients_per_view:
        send_views = np.concatenate([np.arange(n), np.arange(n + n_bots, total)])
    else:
        send_views = np.empty(0, dtype=np.int64)
    delivered = send_views[rng.random(send_views.shape[0]) < 0.97]
    opened_p = np.where(send_views < n, cfg.open_tracked, cfg.open_tracked * 0.4)
    opened = send_views[rng.random(send_views.shape[0]) < opened_p]
    s_view = np.concatenate([send_views, delivered, opened])
    s_kind = np.repeat(
        np.array([_T["sent"], _T["delivered"], _T["opened"]], dtype=np.uint8),
        [send_views.shape[0], delivered.shape[0], opened.shape[0]],
    )
    sent_ts = ts0[send_views] - rng.integers(3_600_000, 48 * 3_600_000, send_views.shape[0])
    s_ts = np.concatenate([sent_ts, ts0[delivered] - 3_000_000, ts0[opened] - 60_000])
    s_seq = np.array([stored_seq(t, None) for t in ("sent", "delivered", "opened")])[
        s_kind - _T["sent"]
    ]
    stats.funnel["sent"] = int(send_views.shape[0])
    stats.funnel["delivered"] = int(delivered.shape[0])
    stats.funnel["opened"] = int(np.union1d(opened, np.arange(n)).shape[0])

    hi, lo = _uuids(rng, total)
    arm_names = np.array([a.name for a in cfg.arms], dtype=object)
    arm_of = np.concatenate([player["arm"], np.zeros(n_bots, dtype=np.int64)])
    devices = [name for name, _ in cfg.devices]
    dev_p = np.array([p for _, p in cfg.devices])
    device = np.empty(total, dtype=object)
    device[: n + n_bots] = np.array(devices, dtype=object)[
        rng.choice(len(devices), n + n_bots, p=dev_p / dev_p.sum())
    ]
    device[n : n + n_bots] = "desktop"
    n_ev = view.shape[0] + s_view.shape[0]
    ehi, elo = _uuids(rng, n_ev)
    all_ts = np.concatenate([ts, s_ts])
    refs_col = np.concatenate([e["ref"], np.full(s_view.shape[0], refs["email"], np.int16)])
    bot_hi, bot_lo = hi[n : n + n_bots].tolist(), lo[n : n + n_bots].tolist()
    stats.bot_ids = {UUID(int=(h << 64) | x) for h, x in zip(bot_hi, bot_lo, strict=True)}
    stats.columns = EventColumns(
        view_hi=hi,
        view_lo=lo,
        campaign=np.full(total, cfg.campaign, dtype=object),
        template_version=np.full(total, cfg.template_version, dtype=object),
        device=device,
        view_flags=np.zeros(total, dtype=np.uint8),
        arm_view=np.arange(n + n_bots, dtype=np.int32),
        arm_decision=np.full(n + n_bots, cfg.decision, dtype=object),
        arm_name=arm_names[arm_of],
        event_view=np.concatenate([view, s_view]).astype(np.int32),
        seq=np.concatenate([seq, s_seq]).astype(np.int64),
        event_hi=ehi,
        event_lo=elo,
        type=np.concatenate([e["type"], s_kind]).astype(np.uint8),
        media_time=np.concatenate([e["media"], np.full(s_view.shape[0], np.nan)]),
        from_time=np.concatenate([e["from"], np.full(s_view.shape[0], np.nan)]),
        duration=np.concatenate([e["duration"], np.full(s_view.shape[0], np.nan)]),
        ref=ref_table[refs_col],
        ts=all_ts,
        received=all_ts + rng.integers(200, 4000, n_ev),
        ts_flags=np.zeros(n_ev, dtype=np.uint8),
    )
    return stats
