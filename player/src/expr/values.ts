/**
 * Values inside expressions (mirrors `openreel.expr._values`): null, boolean, number (every
 * number is a double), string, list (Array), map (a plain object with a null prototype and
 * string keys), {@link Timestamp}, {@link CalendarDate} (a timestamp at 00:00 UTC that remembers
 * it is a date) and {@link Duration} (microseconds; it cannot leave an expression).
 */
import {OpenReelError} from '../errors.ts'
import {numberToString} from './numbers.ts'

/** An instant: whole epoch milliseconds plus 0..999 microseconds (years 1..9999 fit exactly). */
export class Timestamp {
  constructor(readonly ms: number, readonly micro: number = 0) {}
  get isDate(): boolean {
    return false
  }
  compare(other: Timestamp): number {
    return this.ms !== other.ms ? Math.sign(this.ms - other.ms) : Math.sign(this.micro - other.micro)
  }
}

/** A calendar date: 00:00:00 UTC of that day, remembered as a date. */
export class CalendarDate extends Timestamp {
  override get isDate(): boolean {
    return true
  }
  static of(year: number, month: number, day: number): CalendarDate {
    const d = new Date(0)
    d.setUTCFullYear(year, month - 1, day)
    d.setUTCHours(0, 0, 0, 0)
    return new CalendarDate(d.getTime())
  }
}

/** A duration in whole microseconds (like Python's timedelta). */
export class Duration {
  constructor(readonly us: number) {}
}

export type MapValue = {[key: string]: Value}
export type Value = null | boolean | number | string | Value[] | MapValue | Timestamp | Duration

/** A failure while evaluating; the message names kinds, never values. */
export class Failure extends Error {}

export function isMap(v: unknown): v is MapValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Timestamp) && !(v instanceof Duration)
}

export function newMap(): MapValue {
  return Object.create(null) as MapValue
}

export function hasKey(m: MapValue, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key)
}

/** The kind of a value as messages name it (never the value itself). */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return 'number'
  if (typeof v === 'string') return 'string'
  if (Array.isArray(v)) return 'list'
  if (v instanceof CalendarDate) return 'date'
  if (v instanceof Timestamp) return 'timestamp'
  if (v instanceof Duration) return 'duration'
  return 'map'
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0')

/** `YYYY-MM-DD` of a date (UTC). */
export function isoDate(t: Timestamp): string {
  const d = new Date(t.ms)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
}

/** ISO 8601 in UTC with `Z`; `.mmm` only when the milliseconds are not zero. */
export function isoTimestamp(t: Timestamp): string {
  const d = new Date(t.ms)
  const text = `${isoDate(t)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  const millis = d.getUTCMilliseconds()
  return millis ? `${text}.${pad(millis, 3)}Z` : `${text}Z`
}

/**
 * How a value is written into interpolated text: strings as they are, numbers as `String(x)`,
 * `true`/`false`, null as "", lists joined with ", ", dates `YYYY-MM-DD`, timestamps ISO UTC.
 * Maps and durations are OR-E209.
 */
export function toText(v: Value): string {
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') return numberToString(v)
  if (v === null) return ''
  if (Array.isArray(v)) return v.map(toText).join(', ')
  if (v instanceof CalendarDate) return isoDate(v)
  if (v instanceof Timestamp) return isoTimestamp(v)
  throw new OpenReelError('OR-E209', `a ${kindOf(v)} cannot be written as text`)
}

/** The plain (JSON-able) value an expression gives: dates as `YYYY-MM-DD` strings are NOT made
 * here; durations are OR-E209. Timestamps and dates stay objects (the caller decides). */
export function toPlain(v: Value): Value {
  if (v instanceof Duration) {
    throw new OpenReelError('OR-E209', 'an expression gave a duration, which no property can take')
  }
  if (Array.isArray(v)) return v.map(toPlain)
  if (isMap(v)) {
    const out = newMap()
    for (const k of Object.keys(v)) out[k] = toPlain(v[k]!)
    return out
  }
  return v
}
