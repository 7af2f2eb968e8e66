/**
 * The template as the resolver reads it: the raw JSON checked for what the resolver needs and
 * completed with the format's defaults (mirrors the pydantic models of `openreel.template`).
 * Checked here: the format version (OR-E114), unknown keys (OR-E101), types of the properties
 * the resolver reads (OR-E102), colors (OR-E105), size (OR-E107), fps (OR-E108), keyframes
 * (OR-E117), easings (OR-E116), presets (OR-E118), scene count (OR-E103/OR-E104). Asset files and
 * paths are the bundle compiler's business (it runs the Python loader).
 */
import {parseEasing, r, keyframes, type Json, type Obj, type Parts, type RawKeyframe} from './reader.ts'
import {readLayer} from './read-layers.ts'


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


export {NAMED_EASINGS, parseEasing} from './reader.ts'
export type {RawKeyframe} from './reader.ts'

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
    layers: r.list(o.layers, p('layers')).map((l, i) => readLayer(l, [...p('layers'), i])),
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
