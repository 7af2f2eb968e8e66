// Hit-testing through the layer transform (anchor, rotation, scale, animation, groups) and the
// audio mix: which sources start when and where, and every track's gain with fades and ducking.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {hitTest, toLocal} from '../src/play/hit.ts'
import {AudioMix, DUCK_DB, mixGains, schedule} from '../src/play/audio.ts'
import type {RLayer, RScene, RTrack} from '../src/render/types.ts'

function layer(over: Partial<RLayer>): RLayer {
  return {
    id: 'l', type: 'button', static: true, start: 0, end: 100, x: 0, y: 0, width: 100, height: 50,
    anchor: [0, 0], rotation: 0, scale: 1, opacity: 1, blend: 'normal', radius: 0, shadow: null,
    animate: {}, href: 'https://brand.example/', action: null, ...over,
  }
}

function scene(layers: RLayer[], hotspots: RScene['hotspots'] = []): RScene {
  return {id: 's', source: 0, instance: 0, start: 0, end: 100, static: true, transition: {type: 'cut', frames: 0, easing: ['linear']}, background: null, layers, hotspots}
}

const hit = (s: RScene, x: number, y: number, frame = 10): string | null => hitTest(s, frame, x, y, 30)?.id ?? null

test('hit: a plain box is [x, x + width) x [y, y + height)', () => {
  const s = scene([layer({id: 'b', x: 100, y: 100})])
  assert.equal(hit(s, 100, 100), 'b')
  assert.equal(hit(s, 199.9, 149.9), 'b')
  assert.equal(hit(s, 200, 120), null)
  assert.equal(hit(s, 99, 120), null)
})

test('hit: the anchor and the scale move the box as drawn', () => {
  // centred on (300, 200), scaled 2x: 200 x 100 around the centre
  const s = scene([layer({id: 'b', x: 300, y: 200, anchor: [0.5, 0.5], scale: 2})])
  assert.equal(hit(s, 201, 151), 'b')
  assert.equal(hit(s, 399, 249), 'b')
  assert.equal(hit(s, 199, 200), null)
  assert.equal(hit(s, 300, 251), null)
  // scaled to 0: never hit
  assert.equal(hit(scene([layer({id: 'b', x: 300, y: 200, scale: 0})]), 300, 200), null)
})

test('hit: rotation is clockwise about the anchor', () => {
  // a 100 x 20 bar centred on (200, 200), turned 90 degrees clockwise: now 20 wide, 100 tall
  const s = scene([layer({id: 'bar', x: 200, y: 200, width: 100, height: 20, anchor: [0.5, 0.5], rotation: 90})])
  assert.equal(hit(s, 200, 245), 'bar')
  assert.equal(hit(s, 200, 155), 'bar')
  assert.equal(hit(s, 245, 200), null) // where the unrotated bar would have been
  // 45 degrees about its top-left corner: the box's far corner (100, 50) lands at
  // (100 cos45 - 50 sin45, 100 sin45 + 50 cos45) = (35.4, 106.1)
  const d = scene([layer({id: 'd', x: 0, y: 0, rotation: 45})])
  assert.equal(hit(d, 35, 105), 'd')
  assert.equal(hit(d, 90, 10), null) // inside the unrotated box, outside the rotated one
  const [lx, ly] = toLocal(layer({rotation: 45}), 0, 30, 100 * Math.SQRT1_2 - 50 * Math.SQRT1_2, 100 * Math.SQRT1_2 + 50 * Math.SQRT1_2)!
  assert.ok(Math.abs(lx - 100) < 1e-9 && Math.abs(ly - 50) < 1e-9)
})

test('hit: animated scale and position are sampled at the frame', () => {
  // pops from scale 0 (frame 0) to 1 (frame 30), linear; anchored at its centre (100, 100)
  const b = layer({id: 'b', x: 100, y: 100, anchor: [0.5, 0.5], animate: {scale: [[0, 0, ['linear']], [1, 1, ['linear']]]}})
  const s = scene([b])
  assert.equal(hit(s, 140, 100, 30), 'b') // full size: 50 to the right is inside
  assert.equal(hit(s, 140, 100, 15), null) // half size: 25 to the right is the edge
  assert.equal(hit(s, 120, 100, 15), 'b')
  const moving = scene([layer({id: 'm', animate: {x: [[0, 0, ['linear']], [1, 300, ['linear']]]}})])
  assert.equal(hit(moving, 310, 10, 30), 'm')
  assert.equal(hit(moving, 10, 10, 30), null)
})

test('hit: group children through the group transform; topmost button; hotspots after', () => {
  const child = layer({id: 'child', x: 10, y: 10, width: 20, height: 20})
  const group = layer({id: 'g', type: 'group', x: 100, y: 100, width: 200, height: 200, scale: 2, layers: [child]})
  const s = scene([group], [{x: 0, y: 0, width: 1000, height: 1000, start: 0, end: 50, href: null, action: 'replay'}])
  assert.equal(hit(s, 100 + 2 * 15, 100 + 2 * 15), 'child')
  assert.equal(hit(s, 100 + 2 * 35, 100 + 2 * 15), 'hotspot-0') // outside the child: the hotspot
  assert.equal(hit(s, 5, 5, 60), null) // the hotspot is over at frame 50
  const both = scene([layer({id: 'under'}), layer({id: 'over', x: 50})])
  assert.equal(hit(both, 60, 10), 'over')
  assert.equal(hit(both, 10, 10), 'under')
  // not showing at the frame, or fully transparent: not hit
  assert.equal(hit(scene([layer({id: 'late', start: 20})]), 10, 10, 10), null)
  assert.equal(hit(scene([layer({id: 'ghost', opacity: 0})]), 10, 10), null)
})

function track(over: Partial<RTrack>): RTrack {
  return {src: 'm', start: 0, end: 300, volume: 1, fade_in: 0, fade_out: 0, duck: false, voice: false, loop: false, ...over}
}

test('audio schedule: waits, offsets, loops and stops at each track end', () => {
  const tracks = [
    track({start: 60, end: 240}), // 2 s .. 8 s, a 10 s buffer
    track({start: 0, end: 300, loop: true}), // a 3 s loop over the whole video
    track({start: 0, end: 90}), // over by 4 s
    track({start: 0, end: 300}), // its 1 s buffer has run out by 4 s
    track({start: 0, end: 300}), // failed to decode
  ]
  const plan = schedule(tracks, [10, 3, 5, 1, null], 4, 30)
  assert.deepEqual(plan, [
    {index: 0, delay: 0, offset: 2, stopAfter: 4, loop: false},
    {index: 1, delay: 0, offset: 1, stopAfter: 6, loop: true},
  ])
  const early = schedule(tracks, [10, 3, 5, 1, null], 0.5, 30)
  assert.deepEqual(early[0], {index: 0, delay: 1.5, offset: 0, stopAfter: 7.5, loop: false})
  assert.deepEqual(early.map((p) => p.index), [0, 1, 2, 3])
})

test('audio gains: volume keyframes, fades, ducking under voices and sounding clips', () => {
  const duck = 10 ** (-DUCK_DB / 20)
  const music = track({volume: 0.8, fade_in: 1, fade_out: 2, duck: true}) // 0 .. 10 s
  const voice = track({start: 90, end: 150, voice: true}) // 3 .. 5 s
  const sfx = track({start: 0, end: 300, volume: [[0, 0, ['linear']], [2, 1, ['linear']]]})
  const tracks = [music, voice, sfx]
  const close = (a: number[], b: number[]): void => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-9, `${a} != ${b}`))
  close(mixGains(tracks, 0.5, 30, false), [0.4, 0, 0.25]) // half the fade-in; sfx ramps 0 -> 1 over 2 s
  close(mixGains(tracks, 2, 30, false), [0.8, 0, 1])
  close(mixGains(tracks, 4, 30, false), [0.8 * duck, 1, 1]) // the voice ducks music, not sfx
  close(mixGains(tracks, 2, 30, true), [0.8 * duck, 0, 1]) // a sounding clip ducks too
  close(mixGains(tracks, 9, 30, false), [0.4, 0, 1]) // half the fade-out
  close(mixGains(tracks, 10, 30, false), [0, 0, 0]) // [start, end)
  // the duck ramps in before the voice and out after it
  const before = mixGains(tracks, 3 - 0.075, 30, false)[0]!
  assert.ok(before < 0.8 && before > 0.8 * duck)
  const after = mixGains(tracks, 5 + 0.15, 30, false)[0]!
  assert.ok(after < 0.8 && after > 0.8 * duck)
})

// --- the Web Audio graph AudioMix builds, on a recording stand-in for AudioContext ------------

interface Call {
  node: string
  op: string
  args: unknown[]
}

function fakeAudio(durations: Record<string, number>): {calls: Call[]; restore: () => void} {
  const calls: Call[] = []
  let n = 0
  const param = (node: string): {value: number; setTargetAtTime: (...a: unknown[]) => void} => ({
    value: 1,
    setTargetAtTime: (...args: unknown[]) => void calls.push({node, op: 'gain', args}),
  })
  class FakeContext {
    currentTime = 100
    state = 'running'
    destination = {name: 'destination'}
    createGain(): unknown {
      const node = `gain${n++}`
      return {name: node, gain: param(node), connect: (to: {name: string}) => void calls.push({node, op: 'connect', args: [to.name]}), disconnect: () => undefined}
    }
    createBufferSource(): unknown {
      const node = `source${n++}`
      const s = {
        name: node, buffer: null as unknown, loop: false,
        connect: (to: {name: string}) => void calls.push({node, op: 'connect', args: [to.name]}),
        start: (...args: unknown[]) => void calls.push({node, op: 'start', args: [...args, s.loop, (s.buffer as {src: string}).src]}),
        stop: (...args: unknown[]) => void calls.push({node, op: 'stop', args}),
      }
      return s
    }
    decodeAudioData(b: {src: string}): Promise<unknown> {
      return Promise.resolve({src: b.src, duration: durations[b.src]})
    }
    resume(): Promise<void> {
      return Promise.resolve()
    }
    close(): Promise<void> {
      return Promise.resolve()
    }
  }
  const g = globalThis as Record<string, unknown>
  const saved = [g.AudioContext, g.fetch]
  g.AudioContext = FakeContext
  g.fetch = (url: string) => Promise.resolve({arrayBuffer: () => Promise.resolve({src: url})})
  return {calls, restore: () => void ([g.AudioContext, g.fetch] = saved)}
}

test('audio graph: one source per sounding track, started and stopped as scheduled, gains ticked', async () => {
  const {calls, restore} = fakeAudio({music: 20, voice: 2})
  try {
    const tracks = [
      track({src: 'music', start: 0, end: 300, volume: 0.5, duck: true, loop: true}), // 0 .. 10 s
      track({src: 'voice', start: 120, end: 180, voice: true}), // 4 .. 6 s
      track({src: 'gone', start: 0, end: 30}), // over at 3 s
    ]
    const mix = new AudioMix(tracks, 30, (asset) => asset)
    mix.unlock()
    await mix.start(() => 3)
    const starts = calls.filter((c) => c.op === 'start').map((c) => c.args)
    // music: now (100 s on the context clock), 3 s into its buffer, looping;
    // voice: in 1 s, from its start; the track that is over: nothing
    assert.deepEqual(starts, [[100, 3, true, 'music'], [101, 0, false, 'voice']])
    const stops = calls.filter((c) => c.op === 'stop').map((c) => c.args[0])
    assert.deepEqual(stops, [107, 103])
    // each source goes through its own gain into the master gain, the master to the speakers
    const connects = calls.filter((c) => c.op === 'connect').map((c) => `${c.node}>${c.args[0]}`)
    assert.ok(connects.includes('gain0>destination'))
    assert.equal(connects.filter((c) => c.endsWith('>gain0')).length, 2)
    calls.length = 0
    mix.tick(4.5, false) // inside the voice: music ducked
    const gains = calls.filter((c) => c.op === 'gain').map((c) => c.args[0] as number)
    assert.equal(gains.length, 2)
    assert.ok(Math.abs(gains[0]! - 0.5 * 10 ** (-DUCK_DB / 20)) < 1e-12)
    assert.equal(gains[1], 1)
    mix.close()
  } finally {
    restore()
  }
})
