/**
 * The functions an expression may call (mirrors `openreel.expr._functions`). Every function may
 * be called as `f(x, ...)` or `x.f(...)` (the receiver is the first argument); `has`, `default`
 * and `decide` are special forms and the comprehensions are macros (see `compile.ts`).
 */
import {formatCurrency, formatDate, formatNumber, parseLocale, checkCurrency, checkDateStyle} from './format.ts'
import {join, lower, plural, title, truncate, upper} from './text.ts'
import {GETTERS, parseDuration, parseTimestamp} from './time.ts'
import {Duration, Failure, Timestamp, isMap, kindOf, toText, type Value} from './values.ts'
import {numberToString} from './numbers.ts'

export interface FunctionSpec {
  impl: (...args: Value[]) => Value
  minArgs: number
  maxArgs: number
  /** argument position -> a check of a literal string there (throws Failure when unusable) */
  literalChecks?: Record<number, (s: string) => unknown>
}

const DOUBLE_TEXT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/
const INT_TEXT = /^[-+]?\d+$/
const regexCache = new Map<string, RegExp>()

function regex(pattern: string): RegExp {
  let re = regexCache.get(pattern)
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u')
    } catch {
      throw new Failure('matches() got a pattern RE2 cannot read')
    }
    regexCache.set(pattern, re)
  }
  return re
}

function strings(fn: string, a: Value, b: Value): [string, string] {
  if (typeof a === 'string' && typeof b === 'string') return [a, b]
  throw new Failure(`${fn}() needs two strings, found a ${kindOf(a)} and a ${kindOf(b)}`)
}

function size(x: Value): Value {
  if (typeof x === 'string') return [...x].length // code points
  if (Array.isArray(x)) return x.length
  if (isMap(x)) return Object.keys(x).length
  throw new Failure(`size() needs a string, list or map, found a ${kindOf(x)}`)
}

function toInt(x: Value): Value {
  if (typeof x === 'number') return Math.trunc(x) + 0
  if (typeof x === 'string' && INT_TEXT.test(x)) return Number(x)
  if (x instanceof Timestamp) return Math.floor(x.ms / 1000)
  throw new Failure(`int() cannot convert a ${kindOf(x)}`)
}

function toDouble(x: Value): Value {
  if (typeof x === 'number') return x
  if (typeof x === 'string' && DOUBLE_TEXT.test(x)) {
    const v = Number(x)
    if (Number.isFinite(v)) return v
  }
  throw new Failure(`double() cannot convert a ${kindOf(x)}`)
}

function toStringFn(x: Value): Value {
  if (x instanceof Duration) return numberToString(x.us / 1e6) + 's'
  if (isMap(x)) throw new Failure('string() cannot convert a map')
  return toText(x)
}

const spec = (
  impl: (...args: Value[]) => Value, minArgs: number, maxArgs: number,
  literalChecks?: Record<number, (s: string) => unknown>,
): FunctionSpec => ({impl, minArgs, maxArgs, ...(literalChecks ? {literalChecks} : {})})

export const FUNCTIONS: Record<string, FunctionSpec> = {
  size: spec(size, 1, 1),
  contains: spec((s, p) => { const [a, b] = strings('contains', s, p); return a.includes(b) }, 2, 2),
  startsWith: spec((s, p) => { const [a, b] = strings('startsWith', s, p); return a.startsWith(b) }, 2, 2),
  endsWith: spec((s, p) => { const [a, b] = strings('endsWith', s, p); return a.endsWith(b) }, 2, 2),
  matches: spec((s, p) => { const [a, b] = strings('matches', s, p); return regex(b).test(a) }, 2, 2, {1: regex}),
  int: spec(toInt, 1, 1),
  double: spec(toDouble, 1, 1),
  string: spec(toStringFn, 1, 1),
  timestamp: spec((x) => {
    if (x instanceof Timestamp) return x
    if (typeof x === 'string') return parseTimestamp(x)
    throw new Failure(`timestamp() needs a string, found a ${kindOf(x)}`)
  }, 1, 1, {0: parseTimestamp}),
  duration: spec((x) => {
    if (x instanceof Duration) return x
    if (typeof x === 'string') return parseDuration(x)
    throw new Failure(`duration() needs a string, found a ${kindOf(x)}`)
  }, 1, 1, {0: parseDuration}),
  format_number: spec((x, l) => formatNumber(x, l ?? null), 1, 2, {1: parseLocale}),
  format_currency: spec((x, c, l) => formatCurrency(x, c!, l ?? null), 2, 3, {1: checkCurrency, 2: parseLocale}),
  format_date: spec((d, s, l) => formatDate(d, s ?? null, l ?? null), 1, 3, {1: checkDateStyle, 2: parseLocale}),
  plural: spec((n, o, t) => plural(n, o!, t!), 3, 3),
  upper: spec(upper, 1, 1),
  lower: spec(lower, 1, 1),
  title: spec(title, 1, 1),
  truncate: spec((s, n) => truncate(s, n!), 2, 2),
  join: spec((l, s) => join(l, s!), 2, 2),
}
for (const [name, getter] of Object.entries(GETTERS)) {
  FUNCTIONS[name] = spec((v, tz) => getter(v, tz ?? null), 1, 2)
}

export const SPECIAL = ['has', 'default', 'decide'] as const
export const MACROS = ['all', 'exists', 'exists_one', 'map', 'filter'] as const
export const KNOWN: ReadonlySet<string> = new Set([...Object.keys(FUNCTIONS), ...SPECIAL, ...MACROS])
