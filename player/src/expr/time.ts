/**
 * `timestamp()`, `duration()` and CEL's getters (mirrors `openreel.expr._time`).
 *
 * - `timestamp(s)`: RFC 3339 with `Z` or `+hh:mm`, years 1..9999; fractions beyond microseconds
 *   are cut.
 * - `duration(s)`: a sign, then number-unit pairs (`h`, `m`, `s`, `ms`, `us`, `ns`); the
 *   seconds are summed as doubles in order, then rounded to whole microseconds like Python's
 *   `timedelta(seconds=...)` (round half to even).
 * - getters take an optional time zone: an IANA name (through `Intl.DateTimeFormat`) or
 *   `+hh:mm`; default UTC. On durations the last four give the whole duration in that unit.
 */
import {CalendarDate, Duration, Failure, Timestamp, kindOf, type Value} from './values.ts'

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/
const DURATION = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|us|ns|m|s))+)$/
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|us|ns|m|s)/g
const UNIT_SECONDS: Record<string, number> = {h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9}
const OFFSET = /^([+-])(\d{2}):(\d{2})$/

function daysInMonth(y: number, m: number): number {
  return [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!
}

/** Epoch milliseconds of a UTC calendar moment (works for years 1..99 too). */
export function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0)
  date.setUTCFullYear(y, mo - 1, d)
  date.setUTCHours(h, mi, s, ms)
  return date.getTime()
}

const MIN_MS = utcMs(1, 1, 1)
const MAX_MS = utcMs(9999, 12, 31, 23, 59, 59, 999)

/** A moment from fields and an offset in minutes, or null when no such moment exists. */
export function moment(
  y: number, mo: number, d: number, h: number, mi: number, s: number, fraction: string, offsetMin: number,
): Timestamp | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59 || y < 1) return null
  const micros = Number((fraction + '000000').slice(0, 6))
  const ms = utcMs(y, mo, d, h, mi, s, Math.floor(micros / 1000)) - offsetMin * 60000
  if (ms < MIN_MS || ms > MAX_MS) return null
  return new Timestamp(ms, micros % 1000)
}

export function parseTimestamp(text: string): Timestamp {
  const m = RFC3339.exec(text)
  if (!m) throw new Failure('timestamp() needs RFC 3339 text such as "2024-01-05T10:00:00Z"')
  let offset = 0
  if (m[9]) {
    const hh = Number(m[10])
    const mm = Number(m[11])
    if (hh > 23 || mm > 59) throw new Failure('timestamp() got a date or time that does not exist')
    offset = (m[9] === '-' ? -1 : 1) * (hh * 60 + mm)
  }
  const t = moment(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ?? '', offset)
  if (t === null) throw new Failure('timestamp() got a date or time that does not exist')
  return t
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x)
  const diff = x - f
  if (diff > 0.5) return f + 1
  if (diff < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}

export function parseDuration(text: string): Duration {
  const m = DURATION.exec(text)
  if (!m) throw new Failure('duration() needs text such as "1h30m" or "2.5s"')
  let seconds = 0
  for (const part of m[2]!.matchAll(DURATION_PART)) seconds += Number(part[1]) * UNIT_SECONDS[part[2]!]!
  const us = roundHalfEven(seconds * 1e6)
  if (!Number.isFinite(us) || Math.abs(us) >= 86400e6 * 1e9) throw new Failure('duration() is out of range')
  return new Duration(m[1] === '-' ? -us : us)
}

interface Fields {
  year: number
  month: number // 1..12
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>()

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(zone)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
      })
    } catch {
      throw new Failure('the time zone is not an IANA name or a +hh:mm offset')
    }
    zoneFormats.set(zone, f)
  }
  return f
}

function utcFields(ms: number): Fields {
  const d = new Date(ms)
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(),
    minute: d.getUTCMinutes(), second: d.getUTCSeconds(), millisecond: d.getUTCMilliseconds(),
  }
}

function localFields(t: Timestamp, tz: Value, getter: string): Fields {
  if (tz === null) return utcFields(t.ms)
  if (typeof tz !== 'string') throw new Failure(`${getter}() needs a time zone name, found a ${kindOf(tz)}`)
  const off = OFFSET.exec(tz)
  if (off) {
    const hh = Number(off[2])
    const mm = Number(off[3])
    if (hh > 23 || mm > 59) throw new Failure('the time zone offset is out of range')
    return utcFields(t.ms + (off[1] === '-' ? -1 : 1) * (hh * 60 + mm) * 60000)
  }
  if (tz === 'UTC') return utcFields(t.ms)
  const parts = zoneFormat(tz).formatToParts(new Date(t.ms))
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0)
  const era = parts.find((p) => p.type === 'era')?.value
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year')
  return {
    year, month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'),
    second: get('second'), millisecond: new Date(t.ms).getUTCMilliseconds(),
  }
}

function dayOfYear(f: Fields): number {
  let n = f.day - 1
  for (let m = 1; m < f.month; m++) n += daysInMonth(f.year, m)
  return n
}

function dayOfWeek(f: Fields): number {
  return new Date(utcMs(f.year, f.month, f.day)).getUTCDay()
}

type FieldGetter = (f: Fields) => number
const TS_GETTERS: Record<string, FieldGetter> = {
  getFullYear: (f) => f.year,
  getMonth: (f) => f.month - 1,
  getDate: (f) => f.day,
  getDayOfMonth: (f) => f.day - 1,
  getDayOfWeek: dayOfWeek,
  getDayOfYear: dayOfYear,
}
const MIXED_GETTERS: Record<string, [FieldGetter, number]> = {
  getHours: [(f) => f.hour, 3600e6],
  getMinutes: [(f) => f.minute, 60e6],
  getSeconds: [(f) => f.second, 1e6],
  getMilliseconds: [(f) => f.millisecond, 1e3],
}

/** The getter functions, `(value, tz?) => number`. */
export const GETTERS: Record<string, (value: Value, tz?: Value) => Value> = {}
for (const [name, field] of Object.entries(TS_GETTERS)) {
  GETTERS[name] = (value, tz = null) => {
    if (!(value instanceof Timestamp)) throw new Failure(`${name}() needs a timestamp, found a ${kindOf(value)}`)
    return field(localFields(value, tz, name))
  }
}
for (const [name, [field, unit]] of Object.entries(MIXED_GETTERS)) {
  GETTERS[name] = (value, tz = null) => {
    if (value instanceof Duration) {
      if (tz !== null) throw new Failure(`${name}() on a duration takes no time zone`)
      return Math.trunc(value.us / unit) + 0
    }
    if (!(value instanceof Timestamp)) throw new Failure(`${name}() needs a timestamp, found a ${kindOf(value)}`)
    return field(localFields(value, tz, name))
  }
}

export {CalendarDate}
