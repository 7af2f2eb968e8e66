/** Reading layers: every layer type's properties checked and completed with defaults. */
import {r, keyframes, parseEasing, type Json, type Obj, type Parts} from './reader.ts'
import type {Animation, Layer, Preset} from './model.ts'

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

export function readLayer(v: Json, parts: Parts): Layer {
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
      out.layers = r.list(o.layers, p('layers')).map((l, i) => readLayer(l, [...p('layers'), i]))
      break
  }
  return out
}

