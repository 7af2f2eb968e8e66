/**
 * A viewer's data validated against the template's schema, with the rules and codes of
 * `openreel.data` (see its package docstring): absent = missing or null; defaults; OR-E301
 * missing, OR-E302 wrong type, OR-E303 constraint, OR-E304 enum, OR-E305 too many items, OR-E306
 * color, OR-E307 URL, OR-E308 date/datetime, OR-E309 unknown field (a warning), OR-E311 more than
 * 1 MiB. Strings are NFC-normalised; numbers become doubles; colors `#rrggbbaa`; dates become
 * {@link CalendarDate}, datetimes {@link Timestamp} (UTC). Messages never quote a `pii` value.
 * `coerce_strings` (CSV) is not needed in the player and not implemented.
 */
import {OpenReelError, jsonPath} from '../errors.ts'
import type {FieldSpec} from '../resolve/model.ts'
import {CalendarDate, Timestamp, newMap, type Value} from '../expr/values.ts'
import {graphemes} from '../expr/text.ts'
import {moment} from '../expr/time.ts'

export const MAX_DATA_BYTES = 1_048_576
export const DEFAULT_MAX_ITEMS = 1000
export const MAX_URL_LENGTH = 2048
const MAX_REPORTED = 100
const MAX_SAFE = 2 ** 53 - 1

type Parts = Array<string | number>

export interface ValidatedData {
  values: Record<string, Value>
  warnings: OpenReelError[]
}

class Problem {
  constructor(readonly code: string, readonly message: string) {}
}

function kind(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'number') return 'number'
  if (typeof v === 'string') return 'string'
  if (Array.isArray(v)) return 'array'
  return 'object'
}

function quote(text: string): string {
  const cut = text.length <= 40 ? text : text.slice(0, 40)
  return `'${cut}'` + (text.length > 40 ? '…' : '')
}

function numberText(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? String(x) : String(x)
}

function found(v: unknown, pii: boolean): string {
  const name = kind(v)
  if (pii) return name
  if (typeof v === 'string') return `string ${quote(v)}`
  if (typeof v === 'boolean') return `boolean ${v}`
  if (typeof v === 'number') return `number ${numberText(v)}`
  return name
}

const wrong = (expected: string, v: unknown, pii: boolean): Problem => new Problem('OR-E302', `expected ${expected}, found ${found(v, pii)}`)
const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/
const DATETIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))?$/
const URL_FORBIDDEN = /[\s\x00-\x1f\x7f\\]/
const ASSET_NAME = /^[A-Za-z0-9_][A-Za-z0-9 _.-]{0,63}$/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function text(expected: string, v: unknown, pii: boolean): string | Problem {
  if (typeof v !== 'string') return wrong(expected, v, pii)
  if (LONE_SURROGATE.test(v)) return new Problem('OR-E302', `expected ${expected}, found a string with invalid Unicode`)
  return v.normalize('NFC')
}

function maxLength(spec: FieldSpec, t: string, pii: boolean): Problem | null {
  const limit = spec.max_length
  if (limit === null || t.length <= limit) return null
  const count = graphemes(t).length
  if (count <= limit) return null
  return new Problem('OR-E303', `breaks max_length ${limit}: expected at most ${limit} characters, found ${pii ? 'a longer string' : `${count} characters`}`)
}

function urlProblem(t: string, schemes: string[]): string | null {
  if (t.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`
  if (URL_FORBIDDEN.test(t)) return 'contains whitespace, a control character or a backslash'
  if (LONE_SURROGATE.test(t)) return 'contains invalid Unicode'
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(t)
  if (!m || !schemes.includes(m[1]!.toLowerCase())) return 'does not start with ' + schemes.map((s) => `${s}://`).join(' or ')
  const rest = m[2]!
  if (!rest.startsWith('//')) return 'has no host'
  const netloc = rest.slice(2).split(/[/?#]/)[0]!
  if (netloc.includes('@')) return 'has user info (user:password@)'
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(netloc)
  if (!hostPort) return 'is not a well-formed URL (or its port is invalid)'
  if (hostPort[2] !== undefined && hostPort[2] !== '' && Number(hostPort[2]) > 65535) return 'is not a well-formed URL (or its port is invalid)'
  if (!hostPort[1]) return 'has no host'
  return null
}

interface Opts {
  assets: ReadonlySet<string> | null
}

function range(spec: FieldSpec, n: number, pii: boolean): Problem | null {
  if (spec.min !== null && n < spec.min) {
    const low = numberText(spec.min)
    return new Problem('OR-E303', `breaks min ${low}: expected a number >= ${low}, found ${pii ? 'a smaller number' : numberText(n)}`)
  }
  if (spec.max !== null && n > spec.max) {
    const high = numberText(spec.max)
    return new Problem('OR-E303', `breaks max ${high}: expected a number <= ${high}, found ${pii ? 'a larger number' : numberText(n)}`)
  }
  return null
}

const SCALARS: Record<string, (spec: FieldSpec, v: unknown, pii: boolean, o: Opts) => Value | Problem> = {
  string(spec, v, pii) {
    const t = text('a string', v, pii)
    if (t instanceof Problem) return t
    const p = maxLength(spec, t, pii)
    if (p) return p
    if (spec.pattern !== null && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(t)) {
      return new Problem('OR-E303', `breaks pattern ${quote(spec.pattern)}: expected a string that matches it in full, found ${found(t, pii)}`)
    }
    return t
  },
  number(spec, v, pii) {
    if (typeof v !== 'number') return wrong('a number', v, pii)
    if (!Number.isFinite(v)) return new Problem('OR-E302', 'expected a finite number, found NaN, infinity or an overflow')
    return range(spec, v, pii) ?? v
  },
  integer(spec, v, pii) {
    if (typeof v !== 'number') return wrong('an integer', v, pii)
    if (!Number.isInteger(v)) return new Problem('OR-E302', `expected an integer, found ${pii ? 'a number with a fraction' : `number ${numberText(v)}`}`)
    if (Math.abs(v) > MAX_SAFE) return new Problem('OR-E303', `breaks the safe integer range: expected an integer within ±${MAX_SAFE}, found a larger one`)
    return range(spec, v, pii) ?? v
  },
  boolean(_spec, v, pii) {
    return typeof v === 'boolean' ? v : wrong('a boolean', v, pii)
  },
  enum(spec, v, pii) {
    const t = text("one of the enum's values (a string)", v, pii)
    if (t instanceof Problem) return t
    const allowed = spec.values ?? []
    if (allowed.includes(t)) return t
    const listed = allowed.slice(0, 10).map(quote).join(', ')
    return new Problem('OR-E304', `expected one of ${listed}${allowed.length > 10 ? ` (${allowed.length} in all)` : ''}, found ${found(t, pii)}`)
  },
  color(_spec, v, pii) {
    if (typeof v !== 'string') return wrong('a color string', v, pii)
    if (!COLOR.test(v)) return new Problem('OR-E306', `expected #RGB, #RRGGBB or #RRGGBBAA, found ${found(v, pii)}`)
    let d = v.slice(1).toLowerCase()
    if (d.length === 3) d = [...d].map((c) => c + c).join('')
    return '#' + (d.length === 8 ? d : d + 'ff')
  },
  url(spec, v, pii) {
    if (typeof v !== 'string') return wrong('a URL string', v, pii)
    const why = urlProblem(v, ['http', 'https'])
    if (why) return new Problem('OR-E307', `expected an http(s) URL, found ${found(v, pii)} that ${why}`)
    return maxLength(spec, v, pii) ?? v
  },
  image(_spec, v, pii, o) {
    if (typeof v !== 'string') return wrong('an https URL or an asset name', v, pii)
    if (o.assets === null ? ASSET_NAME.test(v) : o.assets.has(v)) return v
    if (!v.includes(':')) return new Problem('OR-E307', `expected an https URL or the name of one of the template's assets, found ${found(v, pii)} that is neither`)
    const why = urlProblem(v, ['https'])
    if (why) return new Problem('OR-E307', `expected an https URL, found ${found(v, pii)} that ${why}`)
    return v
  },
  date(_spec, v, pii) {
    if (typeof v !== 'string') return wrong('a date string', v, pii)
    const m = DATE.exec(v)
    if (!m) return new Problem('OR-E308', `expected a date YYYY-MM-DD, found ${found(v, pii)}`)
    const t = moment(+m[1]!, +m[2]!, +m[3]!, 0, 0, 0, '', 0)
    if (t === null) return new Problem('OR-E308', `expected a date YYYY-MM-DD, found ${found(v, pii)} that is no real day`)
    return new CalendarDate(t.ms)
  },
  datetime(_spec, v, pii) {
    if (typeof v !== 'string') return wrong('a datetime string', v, pii)
    const m = DATETIME.exec(v)
    const bad = (why: string): Problem => new Problem('OR-E308', `expected an ISO 8601 datetime with an offset or Z, found ${found(v, pii)} ${why}`)
    if (!m) return bad('that is not in the form YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)')
    if (m[8] === undefined && m[9] === undefined) return bad('without an offset (naive datetimes are refused)')
    let offset = 0
    if (m[9] !== undefined) {
      if (+m[10]! > 23 || +m[11]! > 59) return bad('with an offset out of range')
      offset = (m[9] === '-' ? -1 : 1) * (+m[10]! * 60 + +m[11]!)
    }
    const t = moment(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0), m[7] ?? '', offset)
    if (t === null) return bad('that is no real moment')
    return t
  },
}

class Walk {
  errors: OpenReelError[] = []
  warnings: OpenReelError[] = []
  constructor(readonly opts: Opts) {}

  error(p: Problem, path: Parts): void {
    if (this.errors.length < MAX_REPORTED) this.errors.push(new OpenReelError(p.code, p.message, jsonPath(path)))
  }

  unknown(name: string, path: Parts, pii: boolean): void {
    if (this.warnings.length >= MAX_REPORTED) return
    if (pii) this.warnings.push(new OpenReelError('OR-E309', 'the schema declares no such field; one was dropped (its name is not shown)', jsonPath(path)))
    else this.warnings.push(new OpenReelError('OR-E309', 'the schema declares no such field; it was dropped', jsonPath([...path, name.length > 64 ? name.slice(0, 64) + '…' : name])))
  }
}

function containsPii(spec: FieldSpec): boolean {
  if (spec.pii) return true
  return [...(spec.items ? [spec.items] : []), ...Object.values(spec.fields ?? {})].some(containsPii)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function walkFields(specs: Record<string, FieldSpec>, raw: Record<string, unknown>, path: Parts, pii: boolean, walk: Walk): Record<string, Value> {
  const out = newMap()
  for (const [name, spec] of Object.entries(specs)) {
    const v = Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined
    out[name] = v === null || v === undefined ? absent(spec, [...path, name], pii || spec.pii, walk) : walkValue(spec, v, [...path, name], pii || spec.pii, walk)
  }
  for (const key of Object.keys(raw)) if (!(key in specs)) walk.unknown(key, path, pii)
  return out
}

function absent(spec: FieldSpec, path: Parts, _pii: boolean, walk: Walk): Value {
  if (spec.default !== null) return defaultValue(spec, path)
  if (!spec.optional) walk.error(new Problem('OR-E301', 'a required field is missing (null counts as missing)'), path)
  return null
}

function defaultValue(spec: FieldSpec, path: Parts): Value {
  const walk = new Walk({assets: null})
  const v = walkValue(spec, spec.default, path, true, walk)
  if (walk.errors.length) throw new OpenReelError('OR-E121', `the template's default for ${jsonPath(path)} does not satisfy its field`)
  return v
}

function walkValue(spec: FieldSpec, v: unknown, path: Parts, pii: boolean, walk: Walk): Value {
  const check = SCALARS[spec.type]
  if (check) {
    const result = check(spec, v, pii, walk.opts)
    if (result instanceof Problem) {
      walk.error(result, path)
      return null
    }
    return result
  }
  if (spec.type === 'list') {
    if (!Array.isArray(v)) {
      walk.error(new Problem('OR-E302', `expected an array, found ${found(v, pii || containsPii(spec))}`), path)
      return null
    }
    let items: unknown[] = v
    const limit = spec.max_items ?? DEFAULT_MAX_ITEMS
    if (items.length > limit) {
      const rule = spec.max_items !== null ? `max_items ${limit}` : `the limit of ${limit}`
      walk.error(new Problem('OR-E305', `breaks ${rule}: expected at most ${limit} items, found ${items.length}`), path)
      items = items.slice(0, limit)
    }
    const itemSpec = spec.items!
    const itemPii = pii || itemSpec.pii
    const out: Value[] = []
    items.forEach((item, i) => {
      if (item !== null && item !== undefined) out.push(walkValue(itemSpec, item, [...path, i], itemPii, walk))
      else if (itemSpec.default !== null || itemSpec.optional) out.push(absent(itemSpec, [...path, i], itemPii, walk))
      else walk.error(new Problem('OR-E302', `expected an item of type ${itemSpec.type}, found null`), [...path, i])
    })
    return out
  }
  if (!isObject(v)) {
    walk.error(new Problem('OR-E302', `expected an object, found ${found(v, pii || containsPii(spec))}`), path)
    return null
  }
  return walkFields(spec.fields ?? {}, v, path, pii, walk)
}

function jsonSize(value: unknown, limit: number): number {
  let total = 0
  const stack: unknown[] = [value]
  const enc = new TextEncoder()
  while (stack.length && total <= limit) {
    const item = stack.pop()
    if (typeof item === 'string') total += 2 + (/^[\x00-\x7f]*$/.test(item) ? item.length : enc.encode(item).length)
    else if (typeof item === 'boolean' || item === null || item === undefined) total += 5
    else if (typeof item === 'number') total += String(item).length
    else if (Array.isArray(item)) {
      total += 1 + Math.max(item.length, 1)
      if (total > limit) break
      stack.push(...item)
    } else if (typeof item === 'object') {
      const keys = Object.keys(item as object)
      total += 1 + 2 * Math.max(keys.length, 1)
      if (total > limit) break
      for (const k of keys) stack.push(k, (item as Record<string, unknown>)[k])
    } else total += 32
  }
  return total
}

/** `raw` checked against `fields`, normalised and completed with defaults (throws OR-E3xx). */
export function validateData(fields: Record<string, FieldSpec>, raw: unknown, assetNames: Iterable<string> = []): ValidatedData {
  if (!isObject(raw)) throw new OpenReelError('OR-E300', `expected an object of fields, found ${kind(raw)}`, '$')
  if (jsonSize(raw, MAX_DATA_BYTES) > MAX_DATA_BYTES) throw new OpenReelError('OR-E311', `expected at most ${MAX_DATA_BYTES} bytes of data as JSON, found more`, '$')
  const walk = new Walk({assets: new Set(assetNames)})
  const values = walkFields(fields, raw, [], false, walk)
  if (walk.errors.length) {
    const [head, ...rest] = walk.errors
    throw new OpenReelError(head!.code, head!.detail, head!.path, rest)
  }
  return {values, warnings: walk.warnings}
}

/** OR-E121 for every default that does not satisfy its own field (nested ones too). */
export function checkDefaults(fields: Record<string, FieldSpec>, assetNames: Iterable<string> | null): OpenReelError[] {
  const out: OpenReelError[] = []
  const assets = assetNames === null ? null : new Set(assetNames)
  const visit = (spec: FieldSpec, where: Parts): void => {
    if (spec.default !== null) {
      const walk = new Walk({assets})
      walkValue(spec, spec.default, [], spec.pii, walk)
      for (const problem of [...walk.errors, ...walk.warnings]) {
        out.push(new OpenReelError('OR-E121', `the default does not satisfy its field: ${problem.detail}`, jsonPath([...where, 'default'])))
      }
    }
    if (spec.items) visit(spec.items, [...where, 'items'])
    for (const [n, sub] of Object.entries(spec.fields ?? {})) visit(sub, [...where, 'fields', n])
  }
  for (const [name, spec] of Object.entries(fields)) visit(spec, ['data', name])
  return out
}

export {Timestamp}
