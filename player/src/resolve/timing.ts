/**
 * Pure timing functions shared by the resolver and the renderer, one for one with
 * `openreel.resolve.timing`: scene placement, easing (CSS cubic-bezier, spring), sampling of
 * keyframes and transition progress. Every float is computed in the same order as in Python so
 * both sides produce the same doubles.
 */
export type Easing = ReadonlyArray<string | number>
export type Keyframe = [number, number | string, Easing]

export interface Placement {
  start: number
  end: number
  transitionFrames: number
}

/**
 * Lay out scene instances of `lengths` frames, each entering with `transitions[i]` frames,
 * clamped to the shorter neighbour; the first instance enters with a cut.
 */
export function sceneRanges({lengths, transitions}: {lengths: readonly number[]; transitions: readonly number[]}): Placement[] {
  const out: Placement[] = []
  let end = 0
  let prevLen = 0
  lengths.forEach((length, i) => {
    const overlap = i === 0 ? 0 : Math.max(0, Math.min(transitions[i]!, prevLen, length))
    const start = end - overlap
    out.push({start, end: start + length, transitionFrames: overlap})
    end = start + length
    prevLen = length
  })
  return out
}

const NEWTON_STEPS = 8
const BISECT_STEPS = 40

function bezier(t: number, p1: number, p2: number): number {
  const u = 1.0 - t
  return 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t
}

function bezierSlope(t: number, p1: number, p2: number): number {
  const u = 1.0 - t
  return 3.0 * u * u * p1 + 6.0 * u * t * (p2 - p1) + 3.0 * t * t * (1.0 - p2)
}

/** CSS `cubic-bezier(x1, y1, x2, y2)` at progress `x`. */
export function cubicBezier(x: number, x1: number, y1: number, x2: number, y2: number): number {
  if (x <= 0.0) return 0.0
  if (x >= 1.0) return 1.0
  let t = x
  for (let i = 0; i < NEWTON_STEPS; i++) {
    const err = bezier(t, x1, x2) - x
    if (Math.abs(err) < 1e-7) return bezier(t, y1, y2)
    const slope = bezierSlope(t, x1, x2)
    if (Math.abs(slope) < 1e-6) break
    t -= err / slope
  }
  let lo = 0.0
  let hi = 1.0
  t = x
  for (let i = 0; i < BISECT_STEPS; i++) {
    const value = bezier(t, x1, x2)
    if (Math.abs(value - x) < 1e-7) break
    if (value < x) lo = t
    else hi = t
    t = (lo + hi) / 2.0
  }
  return bezier(t, y1, y2)
}

/** Seconds until a unit spring's envelope falls below 0.1% of its start. */
export function springSettleTime(stiffness: number, damping: number, mass: number): number {
  const omega = Math.sqrt(stiffness / mass)
  const zeta = damping / (2.0 * Math.sqrt(stiffness * mass))
  const rate = zeta < 1.0 ? zeta * omega : omega * (zeta - Math.sqrt(zeta * zeta - 1.0))
  return -Math.log(0.001) / rate
}

/** A damped spring released from 0 towards 1, its settle time stretched to progress 0..1. */
export function spring(x: number, stiffness: number, damping: number, mass: number): number {
  if (x <= 0.0) return 0.0
  if (x >= 1.0) return 1.0
  const t = x * springSettleTime(stiffness, damping, mass)
  const omega = Math.sqrt(stiffness / mass)
  const zeta = damping / (2.0 * Math.sqrt(stiffness * mass))
  if (zeta < 1.0) {
    const wd = omega * Math.sqrt(1.0 - zeta * zeta)
    const envelope = Math.exp(-zeta * omega * t)
    return 1.0 - envelope * (Math.cos(wd * t) + ((zeta * omega) / wd) * Math.sin(wd * t))
  }
  if (zeta === 1.0) return 1.0 - Math.exp(-omega * t) * (1.0 + omega * t)
  const root = Math.sqrt(zeta * zeta - 1.0)
  const r1 = -omega * (zeta - root)
  const r2 = -omega * (zeta + root)
  return 1.0 - (r2 * Math.exp(r1 * t) - r1 * Math.exp(r2 * t)) / (r2 - r1)
}

/** Eased progress for linear progress `x` in 0..1 (`hold` is 0 until the end). */
export function ease(x: number, easing: Easing): number {
  const kind = easing[0]
  const n = (i: number): number => Number(easing[i])
  if (kind === 'linear') return Math.min(1.0, Math.max(0.0, x))
  if (kind === 'hold') return x >= 1.0 ? 1.0 : 0.0
  if (kind === 'cubic-bezier') return cubicBezier(x, n(1), n(2), n(3), n(4))
  if (kind === 'spring') return spring(x, n(1), n(2), n(3))
  throw new RangeError(`unknown easing ${String(kind)}`)
}

function mixColor(a: string, b: string, p: number): string {
  let out = '#'
  for (const i of [1, 3, 5, 7]) {
    const x = parseInt(a.slice(i, i + 2), 16)
    const y = parseInt(b.slice(i, i + 2), 16)
    const v = Math.floor(x + (y - x) * p + 0.5)
    out += Math.max(0, Math.min(255, v)).toString(16).padStart(2, '0')
  }
  return out
}

/**
 * The value of `[[time, value, easing], ...]` at `t` seconds from the layer start. Before the
 * first keyframe its value holds; after the last, the last. Between two keyframes the later one's
 * easing shapes the segment; numbers and `#rrggbbaa` colors interpolate, text holds.
 */
export function sample(keyframes: ReadonlyArray<Keyframe>, t: number): number | string {
  const first = keyframes[0]!
  if (t <= first[0]) return first[1]
  for (let i = 1; i < keyframes.length; i++) {
    const prev = keyframes[i - 1]!
    const cur = keyframes[i]!
    if (t < cur[0]) {
      const p = ease((t - prev[0]) / (cur[0] - prev[0]), cur[2])
      const a = prev[1]
      const b = cur[1]
      if (typeof a === 'number' && typeof b === 'number') return a + (b - a) * p
      if (typeof a === 'string' && typeof b === 'string' && a.startsWith('#') && b.startsWith('#')) return mixColor(a, b, p)
      return p >= 1.0 ? b : a
    }
  }
  return keyframes[keyframes.length - 1]![1]
}

/** Linear progress of an entering transition: `(frame - start + 1) / (frames + 1)`. */
export function transitionProgress({frame, start, frames}: {frame: number; start: number; frames: number}): number {
  if (frames <= 0 || frame >= start + frames) return 1.0
  if (frame < start) return 0.0
  return (frame - start + 1) / (frames + 1)
}
