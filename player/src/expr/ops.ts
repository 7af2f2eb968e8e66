/**
 * Operators of OpenReel's CEL dialect (mirrors `openreel.expr._ops`). Every number is a double;
 * `/` and `%` by zero fail; a non-finite result fails; `%` keeps the dividend's sign; `==`
 * never fails (different kinds are unequal); `<` and friends need two values of one kind among
 * number, string (code point order), bool, timestamp, duration.
 */
import {Duration, Failure, Timestamp, hasKey, isMap, kindOf, type Value} from './values.ts'

const US_PER_MS = 1000

function finite(x: number, op: string): number {
  if (Number.isFinite(x)) return x
  throw new Failure(`'${op}' gave a number too large to represent`)
}

function mismatch(op: string, a: Value, b: Value): Failure {
  return new Failure(`'${op}' cannot combine a ${kindOf(a)} and a ${kindOf(b)}`)
}

function tsPlus(t: Timestamp, us: number, op: string): Timestamp {
  const totalMicro = t.micro + us
  const ms = t.ms + Math.floor(totalMicro / US_PER_MS)
  const micro = ((totalMicro % US_PER_MS) + US_PER_MS) % US_PER_MS
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new Failure(`'${op}' gave a timestamp or duration out of range`)
  return new Timestamp(ms, micro) // always a plain timestamp, even from a calendar date
}

function tsMinus(a: Timestamp, b: Timestamp): Duration {
  return new Duration((a.ms - b.ms) * US_PER_MS + (a.micro - b.micro))
}

export function add(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return finite(a + b, '+')
  if (typeof a === 'string' && typeof b === 'string') return a + b
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b]
  if (a instanceof Timestamp && b instanceof Duration) return tsPlus(a, b.us, '+')
  if (a instanceof Duration && b instanceof Timestamp) return tsPlus(b, a.us, '+')
  if (a instanceof Duration && b instanceof Duration) return new Duration(a.us + b.us)
  throw mismatch('+', a, b)
}

export function sub(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return finite(a - b, '-')
  if (a instanceof Timestamp && b instanceof Timestamp) return tsMinus(a, b)
  if (a instanceof Timestamp && b instanceof Duration) return tsPlus(a, -b.us, '-')
  if (a instanceof Duration && b instanceof Duration) return new Duration(a.us - b.us)
  throw mismatch('-', a, b)
}

function numbers(op: string, a: Value, b: Value): [number, number] {
  if (typeof a === 'number' && typeof b === 'number') return [a, b]
  throw mismatch(op, a, b)
}

export function mul(a: Value, b: Value): Value {
  const [x, y] = numbers('*', a, b)
  return finite(x * y, '*')
}

export function div(a: Value, b: Value): Value {
  const [x, y] = numbers('/', a, b)
  if (y === 0) throw new Failure('division by zero')
  return finite(x / y, '/')
}

export function mod(a: Value, b: Value): Value {
  const [x, y] = numbers('%', a, b)
  if (y === 0) throw new Failure('remainder of a division by zero')
  return x % y
}

export function neg(a: Value): Value {
  if (typeof a === 'number') return -a
  if (a instanceof Duration) return new Duration(-a.us)
  throw new Failure(`'-' cannot negate a ${kindOf(a)}`)
}

export function not(a: Value): Value {
  if (typeof a === 'boolean') return !a
  throw new Failure(`'!' needs a bool, found a ${kindOf(a)}`)
}

/** Code point order of two strings (JavaScript's `<` compares UTF-16 units). */
function compareStrings(a: string, b: string): number {
  const ia = a[Symbol.iterator]()
  const ib = b[Symbol.iterator]()
  for (;;) {
    const x = ia.next()
    const y = ib.next()
    if (x.done) return y.done ? 0 : -1
    if (y.done) return 1
    const cx = x.value.codePointAt(0)!
    const cy = y.value.codePointAt(0)!
    if (cx !== cy) return cx < cy ? -1 : 1
  }
}

function compare(op: string, a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b)
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  if (a instanceof Timestamp && b instanceof Timestamp) return a.compare(b)
  if (a instanceof Duration && b instanceof Duration) return Math.sign(a.us - b.us)
  throw new Failure(`'${op}' cannot compare a ${kindOf(a)} and a ${kindOf(b)}`)
}

export function equal(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b
  if (typeof a === 'number' && typeof b === 'number') return a === b
  if (typeof a === 'string' && typeof b === 'string') return a === b
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]!))
  if (a instanceof Timestamp && b instanceof Timestamp) return a.compare(b) === 0
  if (a instanceof Duration && b instanceof Duration) return a.us === b.us
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return ka.length === kb.length && ka.every((k) => hasKey(b, k) && equal(a[k]!, b[k]!))
  }
  return false
}

export function inOp(item: Value, container: Value): Value {
  if (Array.isArray(container)) return container.some((x) => equal(item, x))
  if (isMap(container)) return typeof item === 'string' && hasKey(container, item)
  throw new Failure(`'in' needs a list or a map on its right, found a ${kindOf(container)}`)
}

export const BINARY: Record<string, (a: Value, b: Value) => Value> = {
  '+': add,
  '-': sub,
  '*': mul,
  '/': div,
  '%': mod,
  '<': (a, b) => compare('<', a, b) < 0,
  '<=': (a, b) => compare('<=', a, b) <= 0,
  '>': (a, b) => compare('>', a, b) > 0,
  '>=': (a, b) => compare('>=', a, b) >= 0,
  '==': (a, b) => equal(a, b),
  '!=': (a, b) => !equal(a, b),
  in: inOp,
}

/** `target.field`: a map's entry; a missing key or any other kind fails. */
export function select(target: Value, field: string): Value {
  if (isMap(target)) {
    if (hasKey(target, field)) return target[field]!
    throw new Failure(`no field '${field}' in this map`)
  }
  if (target === null) throw new Failure(`cannot read field '${field}' of null`)
  throw new Failure(`a ${kindOf(target)} has no field '${field}'`)
}

/** `target[key]`: a list item (whole-number index from 0) or a map entry. */
export function index(target: Value, key: Value): Value {
  if (Array.isArray(target)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) {
      throw new Failure(`a list index must be a whole number, found a ${kindOf(key)}`)
    }
    if (key < 0 || key >= target.length) throw new Failure('list index out of range')
    return target[key]!
  }
  if (isMap(target)) {
    if (typeof key !== 'string') throw new Failure(`a map key must be a string, found a ${kindOf(key)}`)
    if (hasKey(target, key)) return target[key]!
    throw new Failure('no such key in this map')
  }
  throw new Failure(`cannot index a ${kindOf(target)}`)
}

/** What a comprehension runs over: a list's items or a map's keys. */
export function iterate(target: Value, macro: string): Value[] {
  if (Array.isArray(target)) return target
  if (isMap(target)) return Object.keys(target)
  throw new Failure(`${macro}() needs a list or a map, found a ${kindOf(target)}`)
}
