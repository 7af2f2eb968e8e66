// The pure timing functions: the golden table computed by openreel.resolve.timing (same doubles,
// bit for bit), plus behaviour checks mirroring tests/unit/test_timing.py.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {PLAYER_DIR} from './paths.ts'
import {ease, sample, sceneRanges, transitionProgress, type Easing, type Keyframe} from '../src/resolve/timing.ts'
import {exact, frameAt, framesFor, frameTime, parseFps, rational} from '../src/resolve/rational.ts'

const golden = JSON.parse(readFileSync(join(PLAYER_DIR, 'test', 'fixtures', 'timing.json'), 'utf8')) as {
  ease: Array<[Easing, Array<[number, number]>]>
  sample: Array<[Keyframe[], Array<[number, number | string]>]>
  transition: Array<[number, number, number, number]>
}

// Spring uses Math.exp/sin/cos, which V8 and the C library may round differently in the last
// bit; everything else is + - * / and must agree exactly.
const SPRING_TOLERANCE = 1e-12

test('ease gives the same doubles as Python for every easing', () => {
  let n = 0
  for (const [easing, rows] of golden.ease) {
    for (const [x, y] of rows) {
      const got = ease(x, easing)
      if (easing[0] === 'spring') assert.ok(Math.abs(got - y) <= SPRING_TOLERANCE, `${JSON.stringify(easing)} at ${x}: ${got} vs ${y}`)
      else assert.equal(got, y, `${JSON.stringify(easing)} at ${x}`)
      n++
    }
  }
  assert.ok(n > 500)
})

test('sample gives the same values as Python (numbers, colors, held text)', () => {
  for (const [kfs, rows] of golden.sample) {
    const springy = kfs.some((k) => k[2][0] === 'spring')
    for (const [t, v] of rows) {
      const got = sample(kfs, t)
      if (springy && typeof v === 'number') assert.ok(Math.abs((got as number) - v) <= 1e-11, `t=${t}`)
      else assert.equal(got, v, `t=${t}`)
    }
  }
})

test('transition progress matches Python', () => {
  for (const [frame, start, frames, p] of golden.transition) assert.equal(transitionProgress({frame, start, frames}), p)
  assert.equal(transitionProgress({frame: 9, start: 10, frames: 5}), 0)
  assert.equal(transitionProgress({frame: 10, start: 10, frames: 5}), 1 / 6)
  assert.equal(transitionProgress({frame: 15, start: 10, frames: 5}), 1)
})

test('spec example at 23.976 fps lasts 108 frames', () => {
  const fps = parseFps('24000/1001')
  const lengths = [1.0, 2.0, 2.0].map((d) => framesFor(exact(d), fps))
  const wipe = framesFor(exact(0.25), fps)
  const placed = sceneRanges({lengths, transitions: [0, wipe, wipe]})
  assert.deepEqual(lengths, [24, 48, 48])
  assert.equal(wipe, 6)
  assert.deepEqual(placed.map((p) => [p.start, p.end]), [[0, 24], [18, 66], [60, 108]])
})

test('frame at time: boundaries at 24, 25, 29.97, 30 and 60 fps', () => {
  for (const f of ['24', '25', '30000/1001', '30', '60']) {
    const fps = parseFps(f)
    for (const frame of [0, 1, 29, 30, 1799, 1800]) {
      const t = rational(BigInt(frame) * fps.den, fps.num) // exact start of the frame
      assert.equal(frameAt(t, fps), frame)
      const before = rational(t.num * 1_000_000_000n - t.den, t.den * 1_000_000_000n)
      assert.equal(frameAt(before, fps), frame - 1)
      assert.ok(Math.abs(frameTime(frame, fps) - Number(t.num) / Number(t.den)) < 1e-12)
    }
  }
})

test('decimals are read as written', () => {
  assert.deepEqual(exact(0.1), rational(1n, 10n))
  assert.deepEqual(exact(1e-7), rational(1n, 10_000_000n))
  assert.deepEqual(exact(1e21), rational(10n ** 21n))
  assert.equal(framesFor(exact(0.1), parseFps(30)), 3)
  assert.equal(framesFor(rational(1n, 60n), parseFps(30)), 1) // half a frame rounds up
  assert.equal(framesFor(exact(2.5), parseFps('30000/1001')), 75)
  assert.throws(() => parseFps('0'))
  assert.throws(() => parseFps(241))
})

test('scene ranges clamp transitions to the shorter neighbour', () => {
  const placed = sceneRanges({lengths: [10, 4, 30], transitions: [7, 9, 20]})
  assert.deepEqual(placed.map((p) => p.transitionFrames), [0, 4, 4])
  assert.equal(placed[2]!.end, 44 - 8)
})

test('hold, spring and cubic-bezier behaviour', () => {
  assert.equal(ease(0.99, ['hold']), 0)
  assert.equal(ease(1, ['hold']), 1)
  const bouncy: Easing = ['spring', 300, 8, 1]
  assert.ok(Math.max(...Array.from({length: 100}, (_, i) => ease(i / 100, bouncy))) > 1)
  const a = ease(0.25, ['cubic-bezier', 0.42, 0, 0.58, 1])
  const b = ease(0.75, ['cubic-bezier', 0.42, 0, 0.58, 1])
  assert.ok(Math.abs(a + b - 1) < 1e-6)
  assert.ok(ease(0.3, ['cubic-bezier', 0, 0, 0.58, 1]) > 0.3)
  assert.throws(() => ease(0.5, ['bounce']))
})
