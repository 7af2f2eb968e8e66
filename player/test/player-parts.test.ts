// Pure parts of the renderer and player: image placement, transitions, text direction, the
// fragment and data fallbacks, live merging, audio gains and ducking, event ids.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {place, parseFpsNumber} from '../src/render/frame.ts'
import {entering, leaving, then, REST} from '../src/render/transitions.ts'
import {horizontalAlign, isRtl, fontString} from '../src/render/text.ts'
import {css} from '../src/render/paint.ts'
import {base64urlDecode, base64urlEncode, genericFallback, mergeLive, parseFragment, fetchSource} from '../src/play/data.ts'
import {DUCK_DB, duckFactor, trackGain} from '../src/play/audio.ts'
import {safeId} from '../src/play/events.ts'
import {readTemplate} from '../src/resolve/model.ts'
import {validateData} from '../src/data/validate.ts'
import type {RTrack} from '../src/render/types.ts'

test('place: cover, contain and fill as the server places images', () => {
  assert.deepEqual(place(200, 100, 100, 100, 'cover', [0.5, 0.5]), [50, 0, 100, 100, 0, 0, 100, 100])
  assert.deepEqual(place(200, 100, 100, 100, 'cover', [0, 0.5]), [0, 0, 100, 100, 0, 0, 100, 100])
  assert.deepEqual(place(200, 100, 100, 100, 'contain', [0.5, 0.5]), [0, 0, 200, 100, 0, 25, 100, 50])
  assert.deepEqual(place(200, 100, 100, 100, 'fill', [0.5, 0.5]), [0, 0, 200, 100, 0, 0, 100, 100])
})

test('transitions: entering and leaving looks, composed', () => {
  assert.deepEqual(entering('slide-left', 0.25, 100, 50), {...REST, dx: 75})
  assert.deepEqual(leaving('slide-left', 0.25, 100, 50), {...REST, dx: -25})
  assert.deepEqual(entering('wipe', 0.5, 100, 50), {...REST, clipWidth: 50})
  assert.equal(entering('zoom', 0.5, 100, 50).scale, 0.9)
  assert.equal(leaving('crossfade', 0.25, 100, 50).alpha, 0.75)
  const both = then(entering('crossfade', 0.5, 100, 50), leaving('zoom', 0.5, 100, 50))
  assert.deepEqual([both.alpha, both.scale], [0.25, 1.1])
  assert.deepEqual(entering('cut', 0.5, 100, 50), REST)
  assert.equal(parseFpsNumber('30000/1001'), 30000 / 1001)
})

test('text: direction from the first strong character, start/end follow it', () => {
  assert.equal(isRtl('123 مرحبا'), true)
  assert.equal(isRtl('Hi مرحبا'), false)
  assert.equal(horizontalAlign('start', true), 'right')
  assert.equal(horizontalAlign('end', false), 'right')
  assert.equal(fontString('Inter "Bold"', 20), '20px "Inter Bold", "OpenReel Sans", sans-serif')
  assert.equal(css('#ff000080'), 'rgba(255,0,0,0.502)')
  assert.equal(css('#0f0'), 'rgba(0,255,0,1)')
})

test('fragment: token, inline data (base64url UTF-8 JSON), view id', () => {
  const data = {first_name: 'Zoë', n: 3}
  const encoded = base64urlEncode(JSON.stringify(data))
  assert.ok(!/[+/=]/.test(encoded))
  assert.deepEqual(JSON.parse(base64urlDecode(encoded)), data)
  assert.deepEqual(parseFragment(`#d=${encoded}&v=abc`), {token: null, data, view: 'abc'})
  assert.deepEqual(parseFragment('#t=tok%20en'), {token: 'tok en', data: undefined, view: null})
  assert.equal(parseFragment('#d=%%%').data, null) // undecodable: reported, never thrown
  assert.deepEqual(parseFragment(''), {token: null, data: undefined, view: null})
})

const schema = readTemplate({
  openreel: 1, id: 't', size: [320, 180], scenes: [{id: 's', duration: 1}],
  data: {
    name: {type: 'string'}, n: {type: 'integer', min: 5}, tier: {type: 'enum', values: ['a', 'b']},
    on: {type: 'boolean'}, tags: {type: 'list', items: {type: 'string'}}, when: {type: 'date'},
    pic: {type: 'image'}, nick: {type: 'string', optional: true}, live: {type: 'number', live: true, default: 1},
    box: {type: 'object', fields: {x: {type: 'number'}}},
  },
}).data

test('generic fallback makes every required field present and valid', () => {
  const fallback = genericFallback(schema)
  assert.deepEqual(Object.keys(fallback).sort(), ['box', 'n', 'name', 'on', 'pic', 'tags', 'tier', 'when'])
  assert.equal(fallback.n, 5)
  delete fallback.pic // an image cannot be invented: a template needing one must give a default
  assert.throws(() => validateData(schema, fallback), (e: Error & {code?: string}) => e.code === 'OR-E301')
})

test('live refresh merges only live fields', () => {
  assert.deepEqual(mergeLive(schema, {name: 'A', live: 1}, {name: 'B', live: 2, other: 3}), {name: 'A', live: 2})
  assert.deepEqual(mergeLive(schema, {name: 'A'}, 'nope'), {name: 'A'})
})

test('fetchSource: timeout, failure and success, without credentials or referrer', async () => {
  const source = {url: 'https://brand.test/d?token={token}', token_from: 'fragment', timeout_ms: 50, refresh_s: null}
  const seen: Array<[string, RequestInit | undefined]> = []
  const ok = (async (url: string, init?: RequestInit) => {
    seen.push([url, init])
    return new Response('{"name":"x"}', {status: 200})
  }) as unknown as typeof fetch
  assert.deepEqual(await fetchSource(source, 'a b&c', ok), {ok: true, data: {name: 'x'}})
  assert.equal(seen[0]![0], 'https://brand.test/d?token=a%20b%26c')
  assert.equal(seen[0]![1]?.credentials, 'omit')
  assert.equal(seen[0]![1]?.referrerPolicy, 'no-referrer')
  const failing = (async () => new Response('x', {status: 500})) as unknown as typeof fetch
  assert.deepEqual(await fetchSource(source, 't', failing), {ok: false, code: 'OR-E426'})
  const slow = ((_u: string, init?: RequestInit) => new Promise((_r, reject) => {
    init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
  })) as unknown as typeof fetch
  const started = Date.now()
  assert.deepEqual(await fetchSource(source, 't', slow), {ok: false, code: 'OR-E423'})
  assert.ok(Date.now() - started < 1000)
})

test('audio: volume keyframes, fades and ducking', () => {
  const track: RTrack = {src: 'm', start: 30, end: 90, volume: 0.5, fade_in: 1, fade_out: 0.5, duck: true, voice: false, loop: false}
  assert.equal(trackGain(track, 0.5, 30), 0) // before it starts
  assert.equal(trackGain(track, 1.5, 30), 0.25) // half way through the fade-in
  assert.equal(trackGain(track, 2.75, 30), 0.25) // half way through the fade-out
  assert.equal(trackGain(track, 3, 30), 0) // [start, end)
  const keyed: RTrack = {...track, fade_in: 0, fade_out: 0, volume: [[0, 0, ['linear']], [1, 1, ['linear']]]}
  assert.equal(trackGain(keyed, 1.5, 30), 0.5)
  assert.equal(duckFactor(5, [[4, 6]], false), 10 ** (-DUCK_DB / 20))
  assert.equal(duckFactor(10, [[4, 6]], false), 1)
  assert.equal(duckFactor(10, [], true), 10 ** (-DUCK_DB / 20))
  assert.ok(duckFactor(3.9, [[4, 6]], false) < 1 && duckFactor(3.9, [[4, 6]], false) > 10 ** (-DUCK_DB / 20))
})

test('event ids: only identifier-shaped values leave the player', () => {
  assert.equal(safeId('cta-1', 'x'), 'cta-1')
  assert.equal(safeId('Dana Smith', 'cta'), 'cta')
  assert.equal(safeId('a@b.c', 'cta'), 'cta')
})

test('hit test: topmost button, groups offset their children, hotspots after buttons', async () => {
  const {hitTest} = await import('../src/play/hit.ts')
  const base = {static: true, start: 0, end: 30, anchor: [0, 0] as [number, number], rotation: 0, scale: 1, opacity: 1, blend: 'normal', radius: 0, shadow: null, animate: {}}
  const button = {...base, id: 'cta', type: 'button' as const, x: 10, y: 10, width: 100, height: 40, href: 'https://x.example', action: null}
  const group = {...base, id: 'g', type: 'group' as const, x: 200, y: 100, width: 300, height: 300, layers: [{...button, id: 'inner', x: 0, y: 0}]}
  const scene = {id: 's', source: 0, instance: 0, start: 0, end: 30, static: true, transition: {type: 'cut', frames: 0, easing: ['linear']}, background: null,
    layers: [button, group], hotspots: [{x: 0, y: 0, width: 640, height: 360, start: 0, end: 30, href: null, action: 'replay'}]}
  assert.equal(hitTest(scene, 5, 50, 20)?.id, 'cta')
  assert.equal(hitTest(scene, 5, 210, 110)?.id, 'inner')
  assert.deepEqual(hitTest(scene, 5, 600, 300), {id: 'hotspot-0', href: null, action: 'replay'})
  assert.equal(hitTest(scene, 40, 50, 20), null) // nothing shows at frame 40
})
