"""SQL of the DuckDB event store (tables, the idempotent merge, reads, export).

Layout: ``views`` holds one summary row per view (``vkey`` is a dense integer key);
``events`` is keyed by ``key = vkey << 32 | stored_seq``; ``presence`` holds
``key = vkey << 20 | second`` once per whole second a view played; ``view_arms`` holds the
decision arms of each view.

``events.key`` and ``presence.key`` are unique but carry no index: the store checks which keys
exist and inserts the others inside one transaction under its write lock (see
:mod:`openreel.analytics.duckdb_store`). An ART primary key doubled the insert's CPU time and
its serialization made every commit slower as the table grew (measured at 10 M events).
"""

from __future__ import annotations

from typing import Final

from openreel.analytics.schema import EVENT_TYPES, POSITION_TYPES, SEND_TYPES, TYPE_CODE

STORE_FORMAT: Final = "1"
SEC_BITS: Final = 20
SEC_MASK: Final = (1 << SEC_BITS) - 1

_FIRST_SEND = min(TYPE_CODE[t] for t in SEND_TYPES)
_POSITIONS = ", ".join(str(TYPE_CODE[t]) for t in sorted(POSITION_TYPES))
MILESTONE_CODES: Final = (TYPE_CODE["complete"], TYPE_CODE["cta_click"])

CREATE: Final = """
CREATE TABLE IF NOT EXISTS meta(key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE SEQUENCE IF NOT EXISTS view_key START 1;
CREATE TABLE IF NOT EXISTS views(
    view_id UUID PRIMARY KEY,
    vkey INTEGER NOT NULL DEFAULT nextval('view_key'),
    campaign VARCHAR NOT NULL,
    template_version VARCHAR,
    device VARCHAR,
    duration DOUBLE,
    ts_min BIGINT,
    ts_max BIGINT,
    max_seq BIGINT,
    reach DOUBLE,
    max_media DOUBLE,
    mask INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    received_max BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS view_arms(
    vkey INTEGER NOT NULL, decision VARCHAR NOT NULL, arm VARCHAR NOT NULL,
    PRIMARY KEY (vkey, decision)
);
CREATE TABLE IF NOT EXISTS events(
    key BIGINT NOT NULL,
    event_id UUID NOT NULL,
    type UTINYINT NOT NULL,
    media_time DOUBLE,
    from_time DOUBLE,
    duration DOUBLE,
    ref VARCHAR,
    ts BIGINT NOT NULL,
    received BIGINT NOT NULL,
    ts_flags UTINYINT NOT NULL
);
CREATE TABLE IF NOT EXISTS presence(key BIGINT NOT NULL);
"""

# --- the merge (all inside one transaction, under the store's write lock) ----------------------
STAGE_VIEWS: Final = """
CREATE OR REPLACE TEMP TABLE _sv AS
SELECT vidx, ((hi::UHUGEINT << 64) | lo::UHUGEINT)::UUID AS view_id,
       campaign, tv, device, flags
FROM _bv
"""
STAGE_NEW: Final = f"""
CREATE OR REPLACE TEMP TABLE _nv AS
WITH ea AS (
    SELECT view AS vidx,
           min(ts) FILTER (type < {_FIRST_SEND}) AS ts_min,
           max(ts) FILTER (type < {_FIRST_SEND}) AS ts_max,
           max(seq) FILTER (type < {_FIRST_SEND}) AS max_seq,
           max(media_time) FILTER (type IN ({_POSITIONS})) AS reach,
           max(media_time) AS max_media,
           max(duration) AS duration,
           bit_or(1::INTEGER << type) AS mask,
           max(received) AS received_max,
           bit_or(ts_flags) AS tsf
    FROM _be GROUP BY view
)
SELECT s.view_id, min(s.vidx) AS first_row,
       min(s.campaign) AS campaign, min(s.tv) AS tv, min(s.device) AS device,
       bit_or(s.flags)
         | CASE WHEN count(DISTINCT s.campaign) > 1 OR count(DISTINCT s.tv) > 1
                     OR count(DISTINCT s.device) > 1 THEN 2 ELSE 0 END
         | CASE WHEN bit_or(ea.tsf) > 0 THEN 64 ELSE 0 END AS flags,
       max(ea.duration) AS duration, min(ea.ts_min) AS ts_min, max(ea.ts_max) AS ts_max,
       max(ea.max_seq) AS max_seq, max(ea.reach) AS reach, max(ea.max_media) AS max_media,
       bit_or(ea.mask) AS mask, max(ea.received_max) AS received_max
FROM _sv s JOIN ea USING (vidx)
GROUP BY s.view_id
"""
STAGE_OLD: Final = """
CREATE OR REPLACE TEMP TABLE _old AS
SELECT v.view_id, v.mask FROM views v JOIN _nv n USING (view_id)
"""
UPSERT_VIEWS: Final = """
INSERT INTO views (view_id, campaign, template_version, device, duration, ts_min, ts_max,
                   max_seq, reach, max_media, mask, flags, received_max)
SELECT view_id, campaign, tv, device, duration, ts_min, ts_max, max_seq, reach, max_media,
       mask, flags, received_max
FROM _nv ORDER BY first_row
ON CONFLICT (view_id) DO UPDATE SET
    template_version = coalesce(views.template_version, excluded.template_version),
    device = coalesce(views.device, excluded.device),
    duration = greatest(views.duration, excluded.duration),
    ts_min = least(views.ts_min, excluded.ts_min),
    ts_max = greatest(views.ts_max, excluded.ts_max),
    max_seq = greatest(views.max_seq, excluded.max_seq),
    reach = greatest(views.reach, excluded.reach),
    max_media = greatest(views.max_media, excluded.max_media),
    mask = views.mask | excluded.mask,
    received_max = greatest(views.received_max, excluded.received_max),
    flags = views.flags | excluded.flags
        | CASE WHEN views.campaign <> excluded.campaign
                    OR views.template_version <> excluded.template_version
                    OR views.device <> excluded.device THEN 2 ELSE 0 END
"""
VIEW_KEYS: Final = """
SELECT s.vidx, v.vkey::BIGINT AS vkey FROM _sv s JOIN views v USING (view_id)
"""
# Keys of ``_new`` already stored in ``{table}`` (``_new`` holds unique keys).
EXISTING_KEYS: Final = """
SELECT n.key FROM _new n SEMI JOIN {table} t ON t.key = n.key
"""
INSERT_NEW: Final = {
    "events": """
INSERT INTO events
SELECT key, ((hi::UHUGEINT << 64) | lo::UHUGEINT)::UUID,
       type, media_time, from_time, duration, ref, ts, received, ts_flags
FROM _new
""",
    "presence": "INSERT INTO presence SELECT key FROM _new",
}
FLAG_ARM_CONFLICTS: Final = """
UPDATE views SET flags = flags | 2 WHERE vkey IN (
    SELECT m.vkey FROM _ba a JOIN _map m ON m.vidx = a.view
    LEFT JOIN view_arms x ON x.vkey = m.vkey AND x.decision = a.decision
    GROUP BY m.vkey, a.decision
    HAVING count(DISTINCT a.arm) > 1 OR bool_or(x.arm IS NOT NULL AND x.arm <> a.arm)
)
"""
INSERT_ARMS: Final = """
INSERT INTO view_arms
SELECT m.vkey, a.decision, min(a.arm) FROM _ba a JOIN _map m ON m.vidx = a.view
GROUP BY m.vkey, a.decision
ON CONFLICT DO NOTHING
"""
MILESTONES: Final = f"""
SELECT e.view, e.type, e.hi, e.lo, e.ts, e.media_time, e.ref
FROM _be e JOIN _sv s ON s.vidx = e.view JOIN _nv n USING (view_id)
LEFT JOIN _old o USING (view_id)
WHERE e.type IN {MILESTONE_CODES}
  AND ((n.mask & ~coalesce(o.mask, 0)) >> e.type) & 1 = 1
QUALIFY row_number() OVER (PARTITION BY s.view_id, e.type ORDER BY e.seq) = 1
ORDER BY e.view, e.type
"""

# --- reads --------------------------------------------------------------------------------------
VIEW_TABLE: Final = """
SELECT vkey::BIGINT AS key, template_version, device,
       coalesce(duration, 'NaN'::DOUBLE) AS duration,
       coalesce(ts_min, -1) AS ts_min, coalesce(ts_max, -1) AS ts_max,
       coalesce(max_seq - 4, -1) AS max_seq,
       coalesce(reach, 'NaN'::DOUBLE) AS reach, coalesce(max_media, 'NaN'::DOUBLE) AS max_media,
       mask::BIGINT AS mask, flags::BIGINT AS flags
FROM views WHERE campaign = ? {player_only} ORDER BY vkey
"""
PLAYER_ONLY: Final = "AND ts_min IS NOT NULL"
VIEW_ARMS: Final = """
SELECT a.decision, a.arm, list(a.vkey::BIGINT) AS keys
FROM view_arms a JOIN views v USING (vkey) WHERE v.campaign = ? {player_only}
GROUP BY a.decision, a.arm ORDER BY a.decision, a.arm
"""
PRESENCE: Final = f"""
SELECT s.g, (p.key & {SEC_MASK})::INTEGER AS sec, count(*) AS n
FROM presence p JOIN _sel s ON s.vkey = (p.key >> {SEC_BITS})
GROUP BY ALL
"""
SEEKS: Final = f"""
SELECT e.from_time, e.media_time FROM events e JOIN _sel s ON s.vkey = (e.key >> 32)
WHERE e.type = {TYPE_CODE["seek"]} ORDER BY e.key
"""
SCENE_STARTS: Final = f"""
SELECT e.ref, median(e.media_time), count(*)
FROM events e JOIN views v ON v.vkey = (e.key >> 32)
WHERE e.type = {TYPE_CODE["scene_enter"]} AND v.campaign = ?
GROUP BY e.ref ORDER BY e.ref
"""
VIEW_IDS: Final = "SELECT s.i, v.view_id FROM _sel s JOIN views v USING (vkey) ORDER BY s.i"
COUNT_EVENTS: Final = "SELECT count(*) FROM events"
COUNT_CAMPAIGN_EVENTS: Final = """
SELECT count(*) FROM events e JOIN views v ON v.vkey = (e.key >> 32) WHERE v.campaign = ?
"""

PURGE: Final = f"""
CREATE OR REPLACE TEMP TABLE _gone AS SELECT vkey FROM views WHERE received_max < ?;
DELETE FROM events WHERE (key >> 32) IN (SELECT vkey FROM _gone);
DELETE FROM presence WHERE (key >> {SEC_BITS}) IN (SELECT vkey FROM _gone);
DELETE FROM view_arms WHERE vkey IN (SELECT vkey FROM _gone);
DELETE FROM views WHERE vkey IN (SELECT vkey FROM _gone);
"""


def _type_case(column: str) -> str:
    names = ", ".join(f"'{t}'" for t in EVENT_TYPES)
    return f"[{names}][{column} + 1]"


def _ref_as(field: str, types: list[str]) -> str:
    codes = ", ".join(str(TYPE_CODE[t]) for t in types)
    return f"CASE WHEN e.type IN ({codes}) THEN e.ref END AS {field}"


def export_query(campaign_literal: str | None, with_flags: bool) -> str:
    """The SELECT whose rows the Parquet export writes (one per event)."""
    where = f"WHERE v.campaign = {campaign_literal}" if campaign_literal else ""
    flags_join = "LEFT JOIN _flags f ON f.vkey = v.vkey" if with_flags else ""
    flags_col = "coalesce(f.flags, 0)" if with_flags else "NULL::INTEGER"
    return f"""
WITH arms AS (
    SELECT vkey, map_from_entries(list(struct_pack(k := decision, v := arm))) AS arms
    FROM view_arms GROUP BY vkey
)
SELECT 1 AS schema_version, e.event_id, v.view_id,
       CASE WHEN e.type < {_FIRST_SEND} THEN (e.key & 4294967295) - 4 END AS seq,
       {_type_case("e.type")} AS type,
       v.campaign, v.template_version, v.device, a.arms,
       e.media_time, e.from_time, e.duration,
       {_ref_as("scene", ["scene_enter"])}, {_ref_as("cta", ["cta_click"])},
       {_ref_as("channel", ["share", *sorted(SEND_TYPES)])}, {_ref_as("code", ["error"])},
       make_timestamp(e.ts * 1000)::TIMESTAMPTZ AS ts,
       make_timestamp(e.received * 1000)::TIMESTAMPTZ AS received,
       e.ts_flags, v.flags AS ingest_flags, {flags_col} AS bot_flags
FROM events e JOIN views v ON v.vkey = (e.key >> 32)
LEFT JOIN arms a ON a.vkey = v.vkey
{flags_join}
{where}
ORDER BY e.key
"""
