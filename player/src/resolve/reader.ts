/**
 * Reading template JSON: typed accessors that fill defaults and raise OpenReel's template codes
 * (OR-E101 unknown key, OR-E102 type, OR-E103 missing, OR-E104 value, OR-E105 color, OR-E106
 * time), easings (OR-E116) and keyframes (OR-E117), as the pydantic models of `openreel.template`.
 */
import {OpenReelError, jsonPath} from '../errors.ts'
import type {Easing} from './timing.ts'

export type Json = null | boolean | number | string | Json[] | {[k: string]: Json}
export type Obj = {[k: string]: Json}
export type Parts = Array<string | number>
export type RawKeyframe = [number, number | string, Easing]

const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/
const WHOLE_EXPR = /^\s*\{\{[\s\S]*\}\}\s*$/

export const NAMED_EASINGS: Record<string, Easing> = {
  linear: ['linear'],
  hold: ['hold'],
  ease: ['cubic-bezier', 0.25, 0.1, 0.25, 1.0],
  'ease-in': ['cubic-bezier', 0.42, 0.0, 1.0, 1.0],
  'ease-out': ['cubic-bezier', 0.0, 0.0, 0.58, 1.0],
  'ease-in-out': ['cubic-bezier', 0.42, 0.0, 0.58, 1.0],
}
const SPRING_DEFAULT = [170.0, 26.0, 1.0]

/** The normalised form of an easing name (throws RangeError with a safe message). */
export function parseEasing(text: string): Easing {
  const named = NAMED_EASINGS[text.trim()]
  if (named) return named
  const m = /^\s*(cubic-bezier|spring)\s*\(([^()]*)\)\s*$/.exec(text)
  if (!m) throw new RangeError('unknown easing')
  const kind = m[1]!
  const argText = m[2]!.trim()
  const args = argText ? argText.split(',').map((a) => pyFloat(a)) : []
  if (args.some((a) => Number.isNaN(a))) throw new RangeError(`${kind}() takes numbers`)
  if (kind === 'cubic-bezier') {
    if (args.length !== 4) throw new RangeError('cubic-bezier takes four numbers')
    if (!(args[0]! >= 0 && args[0]! <= 1 && args[2]! >= 0 && args[2]! <= 1)) throw new RangeError('cubic-bezier x1 and x2 must lie in 0..1')
    return ['cubic-bezier', ...args]
  }
  if (args.length > 3) throw new RangeError('spring takes at most three numbers')
  const full = [...args, ...SPRING_DEFAULT.slice(args.length)]
  if (full.some((v) => v <= 0)) throw new RangeError('spring stiffness, damping and mass must be greater than 0')
  return ['spring', ...full]
}

function pyFloat(text: string): number {
  const t = text.trim()
  return /^[-+]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(t) ? Number(t.replace(/_/g, '')) : NaN
}

export class Reader {
  fail(code: string, parts: Parts, message: string): never {
    throw new OpenReelError(code, message, jsonPath(parts))
  }

  obj(v: Json | undefined, parts: Parts, keys: readonly string[], required: readonly string[] = []): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail('OR-E102', parts, 'expected an object')
    for (const k of Object.keys(v)) if (!keys.includes(k)) this.fail('OR-E101', [...parts, k], 'unknown key')
    for (const k of required) if (!(k in v)) this.fail('OR-E103', [...parts, k], 'missing property')
    return v
  }

  num(v: Json | undefined, parts: Parts, fallback: number | null = null): number {
    if (v === undefined || v === null) {
      if (fallback === null) this.fail('OR-E103', parts, 'missing property')
      return fallback
    }
    if (typeof v !== 'number') this.fail('OR-E102', parts, 'expected a number')
    return v
  }

  seconds(v: Json | undefined, parts: Parts, fallback: number | null = null): number {
    const n = this.num(v, parts, fallback)
    if (n < 0) this.fail('OR-E106', parts, 'expected a time of 0 seconds or more')
    return n
  }

  optSeconds(v: Json | undefined, parts: Parts): number | null {
    return v === undefined || v === null ? null : this.seconds(v, parts)
  }

  numOrExpr(v: Json | undefined, parts: Parts, fallback: number): number | string {
    if (v === undefined) return fallback
    if (typeof v === 'number') return v
    if (typeof v === 'string' && WHOLE_EXPR.test(v)) return v
    return this.fail('OR-E102', parts, 'expected a number or a {{ expression }}')
  }

  optNumOrExpr(v: Json | undefined, parts: Parts): number | string | null {
    return v === undefined || v === null ? null : this.numOrExpr(v, parts, 0)
  }

  str(v: Json | undefined, parts: Parts, fallback: string | null = null): string {
    if (v === undefined || v === null) {
      if (fallback === null) this.fail('OR-E103', parts, 'missing property')
      return fallback
    }
    if (typeof v !== 'string') this.fail('OR-E102', parts, 'expected a string')
    return v
  }

  text(v: Json | undefined, parts: Parts, fallback: string | null = null): string {
    return typeof v === 'number' ? String(v) : this.str(v, parts, fallback)
  }

  optStr(v: Json | undefined, parts: Parts): string | null {
    return v === undefined || v === null ? null : this.str(v, parts)
  }

  bool(v: Json | undefined, parts: Parts, fallback: boolean): boolean {
    if (v === undefined) return fallback
    if (typeof v !== 'boolean') this.fail('OR-E102', parts, 'expected true or false')
    return v
  }

  color(v: Json | undefined, parts: Parts, fallback: string | null = null): string {
    if (v === undefined || v === null) {
      if (fallback === null) this.fail('OR-E103', parts, 'missing property')
      return fallback
    }
    if (typeof v === 'string' && (COLOR.test(v) || WHOLE_EXPR.test(v))) return v
    return this.fail('OR-E105', parts, 'expected #RGB, #RRGGBB, #RRGGBBAA or a {{ expression }}')
  }

  oneOf<T extends string>(v: Json | undefined, parts: Parts, allowed: readonly T[], fallback: T): T {
    if (v === undefined) return fallback
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail('OR-E104', parts, `expected one of ${allowed.join(', ')}`)
    return v as T
  }

  pair(v: Json | undefined, parts: Parts, fallback: [number, number], unit: boolean): [number, number] {
    if (v === undefined) return fallback
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number')) this.fail('OR-E102', parts, 'expected [number, number]')
    const [a, b] = v as [number, number]
    if (unit && !(a >= 0 && a <= 1 && b >= 0 && b <= 1)) this.fail('OR-E104', parts, 'expected two numbers between 0 and 1')
    return [a, b]
  }

  list(v: Json | undefined, parts: Parts): Json[] {
    if (v === undefined) return []
    if (!Array.isArray(v)) this.fail('OR-E102', parts, 'expected a list')
    return v
  }

  dict(v: Json | undefined, parts: Parts): Obj {
    if (v === undefined) return {}
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail('OR-E102', parts, 'expected an object')
    return v
  }

}

export const r: Reader = new Reader()

export function keyframes(v: Json[], parts: Parts): RawKeyframe[] {
  if (v.length === 0) r.fail('OR-E117', parts, 'expected a non-empty list of [time, value, easing?]')
  let last = -1
  return v.map((kf, i) => {
    if (!Array.isArray(kf) || (kf.length !== 2 && kf.length !== 3)) r.fail('OR-E117', parts, `keyframe ${i}: expected [time, value, easing?]`)
    const [t, value] = kf
    if (typeof t !== 'number' || t < 0) r.fail('OR-E117', parts, `keyframe ${i}: time must be a number of seconds >= 0`)
    if (t <= last) r.fail('OR-E117', parts, `keyframe ${i}: times must increase`)
    if (typeof value !== 'number' && typeof value !== 'string') r.fail('OR-E117', parts, `keyframe ${i}: value must be a number, color, text or {{ expression }}`)
    let easing: Easing = ['linear']
    if (kf.length === 3) {
      if (typeof kf[2] !== 'string') r.fail('OR-E116', parts, `keyframe ${i}: easing must be a string`)
      try {
        easing = parseEasing(kf[2])
      } catch (e) {
        r.fail('OR-E116', parts, `keyframe ${i}: ${(e as Error).message}`)
      }
    }
    last = t
    return [t, value, easing]
  })
}

