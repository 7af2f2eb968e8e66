/**
 * The template as the resolver reads it: the raw JSON checked for what the resolver needs and
 * completed with the format's defaults (mirrors the pydantic models of `openreel.template`).
 * Checked here: the format version (OR-E114), unknown keys (OR-E101), types of the properties
 * the resolver reads (OR-E102), colors (OR-E105), size (OR-E107), fps (OR-E108), keyframes
 * (OR-E117), easings (OR-E116), presets (OR-E118), scene count (OR-E103/OR-E104). Asset files and
 * paths are the bundle compiler's business (it runs the Python loader).
 */
import {OpenReelError, jsonPath} from '../errors.ts'
import type {Easing} from './timing.ts'

type Json = null | boolean | number | string | Json[] | {[k: string]: Json}
type Obj = {[k: string]: Json}
type Parts = Array<string | number>

export interface FieldSpec {
  type: string
  pii: boolean
  optional: boolean
  default: Json
  live: boolean
  min: number | null
  max: number | null
  max_length: number | null
  pattern: string | null
  max_items: number | null
  values: string[] | null
  items: FieldSpec | null
  fields: Record<string, FieldSpec> | null
}

export interface Preset {
  kind: 'preset'
  preset: 'fade-in' | 'slide-up' | 'pop-in' | 'typewriter' | 'count-up'
  at: number
  duration: number | null
  easing: string | null
  distance: number
  value: number | string | null
  format: string
}
export type RawKeyframe = [number, number | string, Easing]
export type Animation = Preset | RawKeyframe[]

export type Layer = {[k: string]: unknown} & {
  type: string
  id: string | null
  when: string | null
  start: number | null
  end: number | null
  x: number | string
  y: number | string
  width: number | string | null
  height: number | string | null
  anchor: [number, number]
  rotation: number | string
  scale: number | string
  opacity: number | string
  blend: string
  radius: number | string
  shadow: Obj | null
  font?: string | null
  animate: Record<string, Animation>
  layers?: Layer[]
}

export interface Transition {
  type: string
  duration: number
  easing: string
}

export interface AudioTrack {
  src: string
  start: number
  end: number | null
  volume: number | RawKeyframe[]
  fade_in: number
  fade_out: number
  duck: boolean
  voice: boolean
  loop: boolean
}

export interface Caption {
  start: number
  end: number
  text: string
}

export interface Hotspot {
  x: number
  y: number
  width: number
  height: number
  start: number | null
  end: number | null
  href: string | null
  action: string | null
}

export interface Scene {
  id: string
  duration: number | string
  when: string | null
  repeat: string | null
  as: string
  transition: Transition | null
  background: string | null
  layers: Layer[]
  audio: AudioTrack[]
  captions: Caption[]
  hotspots: Hotspot[]
}

export interface Decision {
  arms: string[]
  policy: string
  rules: Array<{when: string; arm: string}>
  default: string | null
  reward: string
  context: string[]
  fallback: string
}

export interface Source {
  url: string
  token_from: string
  timeout_ms: number
  refresh_s: number | null
}

export interface Template {
  id: string
  name: string | null
  size: [number, number]
  fps: number | string
  background: string
  locale: string
  fonts: Record<string, string>
  assets: Record<string, string>
  data: Record<string, FieldSpec>
  theme: {default: Record<string, string | number | boolean>; variants: Array<{when: string; set: Record<string, string | number | boolean>}>}
  decisions: Record<string, Decision>
  source: Source | null
  scenes: Scene[]
  audio: AudioTrack[]
  captions: Caption[]
}

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

class Reader {
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

const r: Reader = new Reader()

function fieldSpec(v: Json, parts: Parts): FieldSpec {
  const o = r.obj(v, parts, ['type', 'description', 'pii', 'optional', 'default', 'live', 'min', 'max', 'max_length', 'pattern', 'max_items', 'values', 'items', 'fields'], ['type'])
  const fields = o.fields === undefined || o.fields === null ? null : Object.fromEntries(Object.entries(r.dict(o.fields, [...parts, 'fields'])).map(([k, f]) => [k, fieldSpec(f, [...parts, 'fields', k])]))
  return {
    type: r.str(o.type, [...parts, 'type']),
    pii: r.bool(o.pii, [...parts, 'pii'], false),
    optional: r.bool(o.optional, [...parts, 'optional'], false),
    default: o.default ?? null,
    live: r.bool(o.live, [...parts, 'live'], false),
    min: o.min === undefined || o.min === null ? null : r.num(o.min, [...parts, 'min']),
    max: o.max === undefined || o.max === null ? null : r.num(o.max, [...parts, 'max']),
    max_length: o.max_length === undefined || o.max_length === null ? null : r.num(o.max_length, [...parts, 'max_length']),
    pattern: r.optStr(o.pattern, [...parts, 'pattern']),
    max_items: o.max_items === undefined || o.max_items === null ? null : r.num(o.max_items, [...parts, 'max_items']),
    values: o.values === undefined || o.values === null ? null : r.list(o.values, [...parts, 'values']).map((x, i) => r.str(x, [...parts, 'values', i])),
    items: o.items === undefined || o.items === null ? null : fieldSpec(o.items, [...parts, 'items']),
    fields,
  }
}

function keyframes(v: Json[], parts: Parts): RawKeyframe[] {
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

const PRESETS = ['fade-in', 'slide-up', 'pop-in', 'typewriter', 'count-up'] as const

function animation(v: Json, parts: Parts): Animation {
  if (Array.isArray(v)) return keyframes(v, parts)
  if (typeof v !== 'object' || v === null) return r.fail('OR-E117', parts, 'expected keyframes [[time, value, easing?], ...] or {"preset": ...}')
  const o = r.obj(v, parts, ['preset', 'at', 'duration', 'easing', 'distance', 'value', 'format'], ['preset'])
  if (typeof o.preset !== 'string' || !(PRESETS as readonly string[]).includes(o.preset)) r.fail('OR-E118', [...parts, 'preset'], 'unknown preset')
  const duration = o.duration === undefined || o.duration === null ? null : r.num(o.duration, [...parts, 'duration'])
  if (duration !== null && duration <= 0) r.fail('OR-E102', [...parts, 'duration'], 'expected a duration greater than 0')
  return {
    kind: 'preset',
    preset: o.preset as Preset['preset'],
    at: r.seconds(o.at, [...parts, 'at'], 0),
    duration,
    easing: r.optStr(o.easing, [...parts, 'easing']),
    distance: r.num(o.distance, [...parts, 'distance'], 60),
    value: r.optNumOrExpr(o.value, [...parts, 'value']),
    format: r.oneOf(o.format, [...parts, 'format'], ['number', 'plain'], 'number'),
  }
}

const COMMON = ['id', 'when', 'start', 'end', 'x', 'y', 'width', 'height', 'anchor', 'rotation', 'scale', 'opacity', 'blend', 'radius', 'shadow', 'animate', 'type']
const OWN: Record<string, string[]> = {
  text: ['text', 'font', 'size', 'color', 'align', 'valign', 'line_height', 'max_lines', 'fit', 'stroke', 'background'],
  image: ['src', 'fit', 'focus'],
  video: ['src', 'fit', 'trim', 'loop', 'muted', 'volume', 'speed'],
  shape: ['shape', 'path', 'fill', 'stroke'],
  lottie: ['src', 'slots', 'speed', 'loop'],
  button: ['text', 'href', 'action', 'style'],
  group: ['layers'],
}

function stroke(v: Json | undefined, parts: Parts): Obj | null {
  if (v === undefined || v === null) return null
  const o = r.obj(v, parts, ['width', 'color'])
  return {width: r.num(o.width, [...parts, 'width'], 1), color: r.color(o.color, [...parts, 'color'], '#000000')}
}

function paint(v: Json | undefined, parts: Parts): Json {
  if (v === undefined || v === null) return null
  if (typeof v === 'string') return r.color(v, parts)
  const o = r.dict(v, parts)
  const kind = 'radial' in o ? 'radial' : 'linear'
  const g = r.obj(r.obj(o, parts, [kind], [kind])[kind], [...parts, kind], kind === 'linear' ? ['from', 'to', 'stops'] : ['center', 'radius', 'stops'], ['stops'])
  const stops = r.list(g.stops, [...parts, kind, 'stops'])
  if (stops.length < 2) r.fail('OR-E119', [...parts, kind, 'stops'], 'a gradient needs at least two stops')
  let lastOff = -1
  const outStops = stops.map((s, i) => {
    if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'number' || s[0] < 0 || s[0] > 1 || s[0] < lastOff) {
      r.fail('OR-E119', [...parts, kind, 'stops'], `stop ${i}: expected [offset, color] with offsets in 0..1, not decreasing`)
    }
    lastOff = s[0] as number
    return [s[0], r.color(s[1], [...parts, kind, 'stops', i, 1])]
  })
  if (kind === 'linear') {
    return {linear: {from: r.pair(g.from, [...parts, kind, 'from'], [0, 0], false), to: r.pair(g.to, [...parts, kind, 'to'], [0, 0], false), stops: outStops}}
  }
  return {radial: {center: r.pair(g.center, [...parts, kind, 'center'], [0, 0], false), radius: r.num(g.radius, [...parts, kind, 'radius']), stops: outStops}}
}

function layer(v: Json, parts: Parts): Layer {
  const raw = r.dict(v, parts)
  const type = r.str(raw.type, [...parts, 'type'])
  const own = OWN[type]
  if (own === undefined) return r.fail('OR-E104', [...parts, 'type'], `unknown layer type; use one of ${Object.keys(OWN).join(', ')}`)
  const o = r.obj(v, parts, [...COMMON, ...own])
  const p = (k: string): Parts => [...parts, k]
  const shadow = o.shadow === undefined || o.shadow === null ? null : (() => {
    const s = r.obj(o.shadow, p('shadow'), ['x', 'y', 'blur', 'color'])
    return {x: r.num(s.x, [...p('shadow'), 'x'], 0), y: r.num(s.y, [...p('shadow'), 'y'], 4), blur: r.num(s.blur, [...p('shadow'), 'blur'], 12), color: r.color(s.color, [...p('shadow'), 'color'], '#00000080')}
  })()
  const animate: Record<string, Animation> = {}
  for (const [k, a] of Object.entries(r.dict(o.animate, p('animate')))) animate[k] = animation(a, [...p('animate'), k])
  const out: Layer = {
    type,
    id: r.optStr(o.id, p('id')),
    when: r.optStr(o.when, p('when')),
    start: r.optSeconds(o.start, p('start')),
    end: r.optSeconds(o.end, p('end')),
    x: r.numOrExpr(o.x, p('x'), 0),
    y: r.numOrExpr(o.y, p('y'), 0),
    width: r.optNumOrExpr(o.width, p('width')),
    height: r.optNumOrExpr(o.height, p('height')),
    anchor: r.pair(o.anchor, p('anchor'), [0, 0], true),
    rotation: r.numOrExpr(o.rotation, p('rotation'), 0),
    scale: r.numOrExpr(o.scale, p('scale'), 1),
    opacity: r.numOrExpr(o.opacity, p('opacity'), 1),
    blend: r.oneOf(o.blend, p('blend'), ['normal', 'multiply', 'screen', 'overlay'], 'normal'),
    radius: r.numOrExpr(o.radius, p('radius'), 0),
    shadow,
    animate,
  }
  const fits = ['cover', 'contain', 'fill'] as const
  switch (type) {
    case 'text': {
      let bg: Json = null
      if (typeof o.background === 'string') bg = r.color(o.background, p('background'))
      else if (o.background !== undefined && o.background !== null) {
        const b = r.obj(o.background, p('background'), ['color', 'padding', 'radius'], ['color'])
        bg = {color: r.color(b.color, [...p('background'), 'color']), padding: r.num(b.padding, [...p('background'), 'padding'], 0), radius: r.num(b.radius, [...p('background'), 'radius'], 0)}
      }
      Object.assign(out, {
        text: r.text(o.text, p('text')), font: r.optStr(o.font, p('font')), size: r.numOrExpr(o.size, p('size'), 48),
        color: r.color(o.color, p('color'), '#FFFFFF'), align: r.oneOf(o.align, p('align'), ['left', 'center', 'right', 'start', 'end'], 'start'),
        valign: r.oneOf(o.valign, p('valign'), ['top', 'middle', 'bottom'], 'top'), line_height: r.num(o.line_height, p('line_height'), 1.2),
        max_lines: o.max_lines === undefined || o.max_lines === null ? null : r.num(o.max_lines, p('max_lines')),
        fit: r.oneOf(o.fit, p('fit'), ['none', 'shrink', 'ellipsis'], 'none'), stroke: stroke(o.stroke, p('stroke')), background: bg,
      })
      break
    }
    case 'image':
      Object.assign(out, {src: r.text(o.src, p('src')), fit: r.oneOf(o.fit, p('fit'), fits, 'cover'), focus: r.pair(o.focus, p('focus'), [0.5, 0.5], true)})
      break
    case 'video': {
      const trim = o.trim === undefined || o.trim === null ? null : (() => {
        const t = r.list(o.trim, p('trim'))
        if (t.length !== 2) r.fail('OR-E102', p('trim'), 'expected [in, out]')
        return [r.seconds(t[0], [...p('trim'), 0]), r.seconds(t[1], [...p('trim'), 1])]
      })()
      Object.assign(out, {
        src: r.text(o.src, p('src')), fit: r.oneOf(o.fit, p('fit'), fits, 'cover'), trim, loop: r.bool(o.loop, p('loop'), false),
        muted: r.bool(o.muted, p('muted'), false), volume: r.num(o.volume, p('volume'), 1), speed: r.num(o.speed, p('speed'), 1),
      })
      break
    }
    case 'shape':
      Object.assign(out, {shape: r.oneOf(o.shape, p('shape'), ['rect', 'ellipse', 'line', 'path'], 'rect'), path: r.optStr(o.path, p('path')), fill: paint(o.fill, p('fill')), stroke: stroke(o.stroke, p('stroke'))})
      break
    case 'lottie':
      Object.assign(out, {src: r.text(o.src, p('src')), slots: r.dict(o.slots, p('slots')), speed: r.num(o.speed, p('speed'), 1), loop: r.bool(o.loop, p('loop'), false)})
      break
    case 'button': {
      const s = r.obj(o.style ?? {}, p('style'), ['fill', 'color', 'font', 'size', 'radius', 'stroke'])
      const sp = (k: string): Parts => [...p('style'), k]
      Object.assign(out, {
        text: r.text(o.text, p('text')), href: o.href === undefined || o.href === null ? null : r.text(o.href, p('href')), action: r.optStr(o.action, p('action')),
        style: {fill: s.fill === undefined ? '#FFFFFF' : paint(s.fill, sp('fill')), color: r.color(s.color, sp('color'), '#000000'), font: r.optStr(s.font, sp('font')), size: r.num(s.size, sp('size'), 40), radius: r.num(s.radius, sp('radius'), 16), stroke: stroke(s.stroke, sp('stroke'))},
      })
      break
    }
    case 'group':
      out.layers = r.list(o.layers, p('layers')).map((l, i) => layer(l, [...p('layers'), i]))
      break
  }
  return out
}

function track(v: Json, parts: Parts): AudioTrack {
  const o = r.obj(v, parts, ['src', 'start', 'end', 'volume', 'fade_in', 'fade_out', 'duck', 'voice', 'loop'], ['src'])
  const p = (k: string): Parts => [...parts, k]
  return {
    src: r.text(o.src, p('src')), start: r.seconds(o.start, p('start'), 0), end: r.optSeconds(o.end, p('end')),
    volume: Array.isArray(o.volume) ? keyframes(o.volume, p('volume')) : r.num(o.volume, p('volume'), 1),
    fade_in: r.seconds(o.fade_in, p('fade_in'), 0), fade_out: r.seconds(o.fade_out, p('fade_out'), 0),
    duck: r.bool(o.duck, p('duck'), false), voice: r.bool(o.voice, p('voice'), false), loop: r.bool(o.loop, p('loop'), false),
  }
}

function caption(v: Json, parts: Parts): Caption {
  const o = r.obj(v, parts, ['start', 'end', 'text'], ['start', 'end', 'text'])
  const c = {start: r.seconds(o.start, [...parts, 'start']), end: r.seconds(o.end, [...parts, 'end']), text: r.text(o.text, [...parts, 'text'])}
  if (c.end <= c.start) r.fail('OR-E123', parts, 'a caption must end after it starts')
  return c
}

function hotspot(v: Json, parts: Parts): Hotspot {
  const o = r.obj(v, parts, ['x', 'y', 'width', 'height', 'start', 'end', 'href', 'action'], ['x', 'y', 'width', 'height'])
  const p = (k: string): Parts => [...parts, k]
  return {
    x: r.num(o.x, p('x')), y: r.num(o.y, p('y')), width: r.num(o.width, p('width')), height: r.num(o.height, p('height')),
    start: r.optSeconds(o.start, p('start')), end: r.optSeconds(o.end, p('end')),
    href: o.href === undefined || o.href === null ? null : r.text(o.href, p('href')), action: r.optStr(o.action, p('action')),
  }
}

function scene(v: Json, parts: Parts): Scene {
  const o = r.obj(v, parts, ['id', 'duration', 'when', 'repeat', 'as', 'transition', 'background', 'layers', 'audio', 'captions', 'hotspots'], ['id', 'duration'])
  const p = (k: string): Parts => [...parts, k]
  const duration = r.numOrExpr(o.duration, p('duration'), 0)
  if (typeof duration === 'number' && duration <= 0) r.fail('OR-E106', p('duration'), 'expected a duration greater than 0')
  let transition: Transition | null = null
  if (o.transition !== undefined && o.transition !== null) {
    const t = r.obj(o.transition, p('transition'), ['type', 'duration', 'easing'])
    transition = {
      type: r.oneOf(t.type, [...p('transition'), 'type'], ['cut', 'crossfade', 'slide-left', 'slide-right', 'slide-up', 'slide-down', 'wipe', 'zoom'], 'cut'),
      duration: r.seconds(t.duration, [...p('transition'), 'duration'], 0),
      easing: r.str(t.easing, [...p('transition'), 'easing'], 'ease-in-out'),
    }
    try {
      parseEasing(transition.easing)
    } catch (e) {
      r.fail('OR-E116', [...p('transition'), 'easing'], (e as Error).message)
    }
  }
  return {
    id: r.str(o.id, p('id')), duration, when: r.optStr(o.when, p('when')), repeat: r.optStr(o.repeat, p('repeat')),
    as: r.str(o.as, p('as'), 'item'), transition,
    background: o.background === undefined || o.background === null ? null : r.color(o.background, p('background')),
    layers: r.list(o.layers, p('layers')).map((l, i) => layer(l, [...p('layers'), i])),
    audio: r.list(o.audio, p('audio')).map((t, i) => track(t, [...p('audio'), i])),
    captions: r.list(o.captions, p('captions')).map((c, i) => caption(c, [...p('captions'), i])),
    hotspots: r.list(o.hotspots, p('hotspots')).map((h, i) => hotspot(h, [...p('hotspots'), i])),
  }
}

/** The raw template JSON checked and completed with defaults. */
export function readTemplate(raw: unknown): Template {
  const v = raw as Json
  const top = r.dict(v, [])
  if (top.openreel !== 1) r.fail('OR-E114', ['openreel'], 'unsupported format version')
  const o = r.obj(v, [], ['openreel', 'id', 'name', 'size', 'fps', 'background', 'locale', 'fonts', 'assets', 'data', 'theme', 'decisions', 'source', 'scenes', 'audio', 'captions'], ['id', 'size', 'scenes'])
  const size = o.size
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => typeof s === 'number' && Number.isInteger(s) && s % 2 === 0 && s >= 16 && s <= 4096)) {
    r.fail('OR-E107', ['size'], 'width and height must be even integers within 16..4096')
  }
  const fps = o.fps ?? 30
  if (typeof fps !== 'number' && typeof fps !== 'string') r.fail('OR-E108', ['fps'], 'expected a positive integer or a rational string')
  const theme = r.obj(o.theme ?? {}, ['theme'], ['default', 'variants'])
  const themeDefault = r.dict(theme.default, ['theme', 'default']) as Record<string, string | number | boolean>
  const variants = r.list(theme.variants, ['theme', 'variants']).map((tv, i) => {
    const t = r.obj(tv, ['theme', 'variants', i], ['when', 'set'], ['when', 'set'])
    const set = r.dict(t.set, ['theme', 'variants', i, 'set']) as Record<string, string | number | boolean>
    for (const k of Object.keys(set)) if (!(k in themeDefault)) r.fail('OR-E104', ['theme', 'variants', i, 'set'], 'a variant sets a theme key that theme.default lacks')
    return {when: r.str(t.when, ['theme', 'variants', i, 'when']), set}
  })
  const decisions: Record<string, Decision> = {}
  for (const [name, dv] of Object.entries(r.dict(o.decisions, ['decisions']))) {
    const parts = ['decisions', name]
    const d = r.obj(dv, parts, ['arms', 'policy', 'rules', 'default', 'reward', 'context'], ['arms'])
    const arms = r.list(d.arms, [...parts, 'arms']).map((a, i) => r.str(a, [...parts, 'arms', i]))
    const def = r.optStr(d.default, [...parts, 'default'])
    decisions[name] = {
      arms, policy: r.str(d.policy, [...parts, 'policy'], 'rules'),
      rules: r.list(d.rules, [...parts, 'rules']).map((rv, j) => {
        const rule = r.obj(rv, [...parts, 'rules', j], ['when', 'arm'], ['when', 'arm'])
        return {when: r.str(rule.when, [...parts, 'rules', j, 'when']), arm: r.str(rule.arm, [...parts, 'rules', j, 'arm'])}
      }),
      default: def, reward: r.str(d.reward, [...parts, 'reward'], 'cta_click'),
      context: r.list(d.context, [...parts, 'context']).map((c, i) => r.str(c, [...parts, 'context', i])),
      fallback: def ?? arms[0]!,
    }
  }
  let source: Source | null = null
  if (o.source !== undefined && o.source !== null) {
    const s = r.obj(o.source, ['source'], ['url', 'token_from', 'timeout_ms', 'refresh_s'], ['url'])
    source = {
      url: r.str(s.url, ['source', 'url']), token_from: r.str(s.token_from, ['source', 'token_from'], 'fragment'),
      timeout_ms: r.num(s.timeout_ms, ['source', 'timeout_ms'], 2000),
      refresh_s: s.refresh_s === undefined || s.refresh_s === null ? null : r.num(s.refresh_s, ['source', 'refresh_s']),
    }
  }
  const scenes = r.list(o.scenes, ['scenes'])
  if (scenes.length < 1 || scenes.length > 500) r.fail('OR-E104', ['scenes'], 'a template has 1..500 scenes')
  const strMap = (x: Json | undefined, k: string): Record<string, string> => Object.fromEntries(Object.entries(r.dict(x, [k])).map(([n, pth]) => [n, r.str(pth, [k, n])]))
  return {
    id: r.str(o.id, ['id']), name: r.optStr(o.name, ['name']), size: size as [number, number], fps,
    background: r.color(o.background, ['background'], '#000000'), locale: r.str(o.locale, ['locale'], 'en-US'),
    fonts: strMap(o.fonts, 'fonts'), assets: strMap(o.assets, 'assets'),
    data: Object.fromEntries(Object.entries(r.dict(o.data, ['data'])).map(([k, f]) => [k, fieldSpec(f, ['data', k])])),
    theme: {default: themeDefault, variants}, decisions, source,
    scenes: scenes.map((s, i) => scene(s, ['scenes', i])),
    audio: r.list(o.audio, ['audio']).map((t, i) => track(t, ['audio', i])),
    captions: r.list(o.captions, ['captions']).map((c, i) => caption(c, ['captions', i])),
  }
}
