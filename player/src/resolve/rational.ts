/**
 * Exact frame arithmetic with BigInt rationals (mirrors `openreel.timebase`). A number of
 * seconds is read as the decimal it is written as: `exact(0.1)` is 1/10, taken from `String(x)`
 * (the shortest round-trip decimal, the same digits as Python's `repr`).
 */
export interface Rational {
  num: bigint
  den: bigint // > 0
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a
  b = b < 0n ? -b : b
  while (b) [a, b] = [b, a % b]
  return a
}

export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('zero denominator')
  if (den < 0n) {
    num = -num
    den = -den
  }
  const g = gcd(num, den) || 1n
  return {num: num / g, den: den / g}
}

/** The exact rational `x` is written as in decimal (`String(x)`, exponent form included). */
export function exact(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError('not a finite number')
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))
  if (!m) throw new RangeError('unexpected number text')
  const frac = m[3] ?? ''
  let num = BigInt(m[2]! + frac)
  let den = 10n ** BigInt(frac.length)
  const e = Number(m[4] ?? 0)
  if (e > 0) num *= 10n ** BigInt(e)
  else if (e < 0) den *= 10n ** BigInt(-e)
  return rational(m[1] === '-' ? -num : num, den)
}

export function mul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den)
}

/** `floor(a)` for a rational. */
export function floor(a: Rational): bigint {
  const q = a.num / a.den
  return a.num < 0n && q * a.den !== a.num ? q - 1n : q
}

/** Parse an fps: a positive integer or `"30000/1001"`; at most 240. */
export function parseFps(value: number | string): Rational {
  let fps: Rational
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RangeError('fps must be an integer or a rational like 30000/1001')
    fps = rational(BigInt(value))
  } else {
    const m = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/.exec(value)
    if (!m) throw new RangeError('fps must be an integer or a rational like 30000/1001')
    const den = m[2] ? BigInt(m[2]) : 1n
    if (den === 0n) throw new RangeError('fps denominator is zero')
    fps = rational(BigInt(m[1]!), den)
  }
  if (fps.num <= 0n || fps.num > 240n * fps.den) throw new RangeError('fps must be greater than 0 and at most 240')
  return fps
}

/** `floor(seconds * fps + 1/2)`: the frame count of a length, rounded half up. */
export function framesFor(seconds: Rational, fps: Rational): number {
  const p = mul(seconds, fps)
  return Number(floor(rational(2n * p.num + p.den, 2n * p.den)))
}

/** The frame shown at `seconds` (the last frame starting at or before it): `floor(t * fps)`. */
export function frameAt(seconds: Rational, fps: Rational): number {
  return Number(floor(mul(seconds, fps)))
}

/** The exact start time of `frame`, in seconds, as a double (for sampling animations). */
export function frameTime(frame: number, fps: Rational): number {
  return Number(BigInt(frame) * fps.den) / Number(fps.num)
}

export function fpsString(fps: Rational): string {
  return fps.den === 1n ? String(fps.num) : `${fps.num}/${fps.den}`
}

export function toNumber(r: Rational): number {
  return Number(r.num) / Number(r.den)
}
