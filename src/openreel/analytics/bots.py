"""Bot-like views: flagged from the per-view summaries, excluded from every report by default.

Flags (bits of one integer per view):

* :data:`UNKNOWN_VIEW` (1): the view id was not issued by the platform (set at ingest).
* :data:`INCONSISTENT` (2): the view's events disagree on campaign, template version, device
  or an arm (set by the store).
* :data:`BEYOND_DURATION` (4): watch time beyond the duration: some ``media_time`` is more
  than ``duration_tolerance_s`` past the video's end, or the view sent more events than
  ``max_plays`` full plays would (2 per second of video each, plus 50). The duration is the
  view's ``load`` duration, else the median of its template version.
* :data:`EVENT_RATE` (8): at least ``min_events`` events, sent faster than ``max_events_per_s``
  on average over the view's span of client time (one second at least).
* :data:`FAST_PLAYBACK` (16): the view played further (``reach``) than ``max_speed`` times the
  client time it spent plus ``speed_slack_s``, without any seek.

Clamped timestamps (:data:`~openreel.analytics.store.TS_CLAMPED`) are receive times, so a bot
cannot escape the rate rules by sending times far in the future. Thresholds are generous: a
real viewer sends about one ``progress`` a second, a few more at 2x speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from openreel.analytics.schema import TYPE_CODE
from openreel.analytics.store import INCONSISTENT, UNKNOWN_VIEW, ViewTable

BEYOND_DURATION = 4
EVENT_RATE = 8
FAST_PLAYBACK = 16
#: Every bit that makes a view a bot.
BOT_FLAGS = UNKNOWN_VIEW | INCONSISTENT | BEYOND_DURATION | EVENT_RATE | FAST_PLAYBACK
FLAG_NAMES: dict[int, str] = {
    UNKNOWN_VIEW: "unknown_view",
    INCONSISTENT: "inconsistent",
    BEYOND_DURATION: "beyond_duration",
    EVENT_RATE: "event_rate",
    FAST_PLAYBACK: "fast_playback",
}


@dataclass(frozen=True, slots=True)
class BotRules:
    """Thresholds of the bot rules (see the module docstring)."""

    duration_tolerance_s: float = 1.0
    max_plays: float = 10.0
    max_events_per_s: float = 4.0
    min_events: int = 20
    max_speed: float = 2.5
    speed_slack_s: float = 5.0


DEFAULT_RULES = BotRules()


def _effective_duration(views: ViewTable) -> npt.NDArray[np.float64]:
    """The view's ``load`` duration, else the median one of its template version (only for
    views that sent positions: the others have nothing to compare)."""
    duration = views.duration.copy()
    missing = np.isnan(duration) & ~np.isnan(views.max_media)
    if not missing.any():
        return duration
    known = ~np.isnan(duration)
    versions = views.template_version
    for version in set(versions[missing].tolist()):
        same = versions == version
        if (same & known).any():
            duration[same & missing] = float(np.median(duration[same & known]))
    return duration


def bot_flags(views: ViewTable, rules: BotRules = DEFAULT_RULES) -> npt.NDArray[np.int64]:
    """The flags of every view of ``views`` (ingest flags kept, rule flags added).

    >>> import numpy as np
    >>> from openreel.analytics.store import ViewTable
    >>> one = lambda x, t=np.float64: np.array([x], dtype=t)
    >>> v = ViewTable(one(1, np.int64), one("1", object), one("mobile", object), one(30.0),
    ...     one(0, np.int64), one(60_000, np.int64), one(40, np.int64), one(29.0), one(95.0),
    ...     one(0, np.int64), one(0, np.int64))
    >>> int(bot_flags(v)[0]) == BEYOND_DURATION
    True
    """
    flags = views.flags & BOT_FLAGS
    duration = _effective_duration(views)
    n_events = views.max_seq + 1
    with np.errstate(invalid="ignore"):
        beyond = views.max_media > duration + rules.duration_tolerance_s
        beyond |= n_events > duration * rules.max_plays * 2 + 50
    flags = flags | np.where(beyond, BEYOND_DURATION, 0)

    timed = views.ts_min >= 0
    span_s = np.maximum((views.ts_max - views.ts_min) / 1000.0, 1.0)
    too_many = timed & (n_events >= rules.min_events)
    too_many &= n_events / span_s > rules.max_events_per_s
    flags = flags | np.where(too_many, EVENT_RATE, 0)

    no_seek = ~views.has(TYPE_CODE["seek"])
    with np.errstate(invalid="ignore"):
        fast = timed & no_seek & (views.reach > rules.max_speed * span_s + rules.speed_slack_s)
    flags = flags | np.where(fast, FAST_PLAYBACK, 0)
    return flags.astype(np.int64)


def flag_names(flags: int) -> list[str]:
    """The names of the bot flags set in ``flags``."""
    return [name for bit, name in FLAG_NAMES.items() if flags & bit]
