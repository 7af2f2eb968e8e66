/**
 * Resolving layers (mirrors `openreel.resolve.layers`): every property evaluated, defaulted and
 * normalised; animations expanded.
 */
import {OpenReelError, jsonPath} from '../errors.ts'
import type {Env} from '../expr/compile.ts'
import {DEFAULT_LOCALE, formatNumberIn} from '../expr/format.ts'
import {numberToString} from '../expr/numbers.ts'
import {toText, type Value} from '../expr/values.ts'
import {DEFAULT_FONT, type CompiledTemplate} from './compile.ts'
import {parseEasing, type Hotspot, type Layer, type Preset} from './model.ts'
import * as presets from './presets.ts'
import {exact, framesFor} from './rational.ts'
import type {Easing} from './timing.ts'

type Parts = Array<string | number>
type Out = Record<string, unknown>
const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/

export function normalizeColor(value: string): string {
  let h = value.slice(1).toLowerCase()
  if (h.length === 3) h = [...h].map((c) => c + c).join('') + 'ff'
  else if (h.length === 6) h += 'ff'
  return '#' + h
}

/** Evaluates property values at their JSON paths, checking the type each property needs. */
export class Props {
  constructor(readonly ct: CompiledTemplate, readonly theme: Record<string, Value>) {}

  value(parts: Parts, raw: unknown, env: Env): Value {
    if (typeof raw === 'string' && raw.includes('{{')) {
      const c = this.ct.exprs.get(jsonPath(parts))
      if (c !== undefined) return c.evaluate(env)
    }
    return raw as Value
  }

  number(parts: Parts, raw: unknown, env: Env): number {
    const v = this.value(parts, raw, env)
    if (typeof v !== 'number') throw new OpenReelError('OR-E209', 'this property needs a number', jsonPath(parts))
    return v
  }

  color(parts: Parts, raw: unknown, env: Env): string {
    const v = this.value(parts, raw, env)
    if (typeof v !== 'string' || !COLOR.test(v)) throw new OpenReelError('OR-E209', 'this property needs a color #RGB, #RRGGBB or #RRGGBBAA', jsonPath(parts))
    return normalizeColor(v)
  }

  text(parts: Parts, raw: unknown, env: Env): string {
    const v = this.value(parts, raw, env)
    return typeof v === 'string' ? v : toText(v)
  }

  asset(parts: Parts, raw: string, env: Env): string {
    const v = this.text(parts, raw, env)
    if (!Object.prototype.hasOwnProperty.call(this.ct.model.assets, v)) {
      throw new OpenReelError('OR-E209', "this property needs the name of one of the template's assets", jsonPath(parts))
    }
    return v
  }

  paint(parts: Parts, raw: unknown, env: Env): unknown {
    if (raw === null || raw === undefined) return null
    if (typeof raw === 'string') return this.color(parts, raw, env)
    const o = raw as Record<string, Record<string, unknown>>
    const kind = 'linear' in o ? 'linear' : 'radial'
    const g = o[kind]!
    const stops = (g.stops as Array<[number, string]>).map(([off, c], i) => [off, this.color([...parts, kind, 'stops', i, 1], c, env)])
    if (kind === 'linear') return {linear: {from: [...(g.from as number[])], to: [...(g.to as number[])], stops}}
    return {radial: {center: [...(g.center as number[])], radius: g.radius, stops}}
  }

  stroke(parts: Parts, raw: unknown, env: Env): unknown {
    if (raw === null || raw === undefined) return null
    const s = raw as {width: number; color: string}
    return {width: s.width, color: this.color([...parts, 'color'], s.color, env)}
  }

  font(family: string | null): string {
    if (family !== null) return family
    const themed = this.theme.font
    if (typeof themed === 'string' && Object.prototype.hasOwnProperty.call(this.ct.model.fonts, themed)) return themed
    return DEFAULT_FONT
  }
}

/** Resolves the layers of one scene instance. */
export class LayerResolver {
  constructor(readonly ct: CompiledTemplate, readonly p: Props, readonly env: Env, readonly start: number, readonly end: number) {}

  resolveList(layers: Layer[], parts: Parts, box: [number, number]): Out[] {
    const out: Out[] = []
    layers.forEach((layer, i) => {
      const r = this.layer(layer, [...parts, i], box, i)
      if (r !== null) out.push(r)
    })
    return out
  }

  frame(seconds: number | null, fallback: number): number {
    if (seconds === null) return fallback
    return Math.max(this.start, Math.min(this.end, this.start + framesFor(exact(seconds), this.ct.fps)))
  }

  layer(layer: Layer, parts: Parts, box: [number, number], index: number): Out | null {
    const {p, env} = this
    if (layer.when !== null) {
      const when = this.ct.exprs.get(jsonPath([...parts, 'when']))!.evaluate(env)
      if (typeof when !== 'boolean') throw new OpenReelError('OR-E209', 'a condition must give true or false', jsonPath([...parts, 'when']))
      if (!when) return null
    }
    const kind = layer.type
    const width = layer.width === null ? box[0] : p.number([...parts, 'width'], layer.width, env)
    const height = layer.height === null ? box[1] : p.number([...parts, 'height'], layer.height, env)
    const out: Out = {
      id: layer.id ?? `${kind}-${index}`,
      type: kind,
      static: !this.ct.dynamicPaths.has(jsonPath(parts)),
      start: this.frame(layer.start, this.start),
      end: this.frame(layer.end, this.end),
      x: p.number([...parts, 'x'], layer.x, env),
      y: p.number([...parts, 'y'], layer.y, env),
      width,
      height,
      anchor: [...layer.anchor],
      blend: layer.blend,
      shadow: null,
    }
    for (const name of ['rotation', 'scale', 'opacity', 'radius'] as const) out[name] = p.number([...parts, name], layer[name], env)
    if (layer.shadow !== null) {
      const s = layer.shadow as {x: number; y: number; blur: number; color: string}
      out.shadow = {x: s.x, y: s.y, blur: s.blur, color: p.color([...parts, 'shadow', 'color'], s.color, env)}
    }
    TYPE_RESOLVERS[kind]!.call(this, layer, parts, out)
    out.animate = this.animate(layer, parts, out)
    return out
  }

  text(layer: Layer, parts: Parts, out: Out): void {
    const {p, env} = this
    let bg: unknown = layer.background ?? null
    if (typeof bg === 'string') bg = {color: p.color([...parts, 'background'], bg, env), padding: 0, radius: 0}
    else if (bg !== null) {
      const b = bg as {color: string; padding: number; radius: number}
      bg = {color: p.color([...parts, 'background', 'color'], b.color, env), padding: b.padding, radius: b.radius}
    }
    Object.assign(out, {
      text: p.text([...parts, 'text'], layer.text, env),
      font: p.font(layer.font as string | null),
      size: p.number([...parts, 'size'], layer.size, env),
      color: p.color([...parts, 'color'], layer.color, env),
      align: layer.align,
      valign: layer.valign,
      line_height: layer.line_height,
      max_lines: layer.max_lines,
      fit: layer.fit,
      stroke: p.stroke([...parts, 'stroke'], layer.stroke, env),
      background: bg,
    })
  }

  image(layer: Layer, parts: Parts, out: Out): void {
    const value = this.p.text([...parts, 'src'], layer.src, this.env)
    let src: unknown
    if (value === '') src = null
    else if (Object.prototype.hasOwnProperty.call(this.ct.model.assets, value)) src = {asset: value}
    else if (value.startsWith('https://')) src = {url: value}
    else throw new OpenReelError('OR-E209', 'an image source must be an asset name or an https URL', jsonPath([...parts, 'src']))
    Object.assign(out, {src, fit: layer.fit, focus: [...(layer.focus as number[])]})
  }

  video(layer: Layer, parts: Parts, out: Out): void {
    Object.assign(out, {
      src: {asset: this.p.asset([...parts, 'src'], layer.src as string, this.env)},
      fit: layer.fit,
      trim: layer.trim ? [...(layer.trim as number[])] : null,
      loop: layer.loop,
      muted: layer.muted,
      volume: layer.volume,
      speed: layer.speed,
    })
  }

  shape(layer: Layer, parts: Parts, out: Out): void {
    Object.assign(out, {
      shape: layer.shape,
      path: layer.path,
      fill: this.p.paint([...parts, 'fill'], layer.fill, this.env),
      stroke: this.p.stroke([...parts, 'stroke'], layer.stroke, this.env),
    })
  }

  lottie(layer: Layer, parts: Parts, out: Out): void {
    const slots: Record<string, unknown> = {}
    for (const k of Object.keys(layer.slots as object).sort()) slots[k] = this.p.value([...parts, 'slots', k], (layer.slots as Record<string, unknown>)[k], this.env)
    const src = this.p.asset([...parts, 'src'], layer.src as string, this.env)
    Object.assign(out, {src: {asset: src}, slots, speed: layer.speed, loop: layer.loop})
  }

  button(layer: Layer, parts: Parts, out: Out): void {
    const {p, env} = this
    const st = layer.style as Record<string, unknown>
    const href = layer.href === null ? null : p.text([...parts, 'href'], layer.href, env)
    if (href !== null && !href.startsWith('https://')) throw new OpenReelError('OR-E209', 'a link must be an https URL', jsonPath([...parts, 'href']))
    const sp = [...parts, 'style']
    Object.assign(out, {
      text: p.text([...parts, 'text'], layer.text, env),
      href,
      action: layer.action,
      style: {
        fill: p.paint([...sp, 'fill'], st.fill, env),
        color: p.color([...sp, 'color'], st.color, env),
        font: p.font(st.font as string | null),
        size: st.size,
        radius: st.radius,
        stroke: p.stroke([...sp, 'stroke'], st.stroke, env),
      },
    })
  }

  group(layer: Layer, parts: Parts, out: Out): void {
    out.layers = this.resolveList(layer.layers ?? [], [...parts, 'layers'], [out.width as number, out.height as number])
  }

  hotspot(spot: Hotspot, parts: Parts): Out {
    const href = spot.href === null ? null : this.p.text([...parts, 'href'], spot.href, this.env)
    if (href !== null && !href.startsWith('https://')) throw new OpenReelError('OR-E209', 'a link must be an https URL', jsonPath([...parts, 'href']))
    return {
      x: spot.x, y: spot.y, width: spot.width, height: spot.height,
      start: this.frame(spot.start, this.start), end: this.frame(spot.end, this.end), href, action: spot.action,
    }
  }

  animate(layer: Layer, parts: Parts, out: Out): Out {
    const result: Out = {}
    for (const prop of Object.keys(layer.animate).sort()) {
      const anim = layer.animate[prop]!
      const where = [...parts, 'animate', prop]
      if (!Array.isArray(anim)) {
        result[prop] = this.preset(anim, where, out)
        continue
      }
      result[prop] = anim.map(([t, v, easing], k) => {
        const vp = [...where, k, 1]
        let value: unknown
        if (prop === 'color' || prop === 'fill') value = this.p.color(vp, v, this.env)
        else if (prop === 'text') value = this.p.text(vp, v, this.env)
        else value = this.p.number(vp, v, this.env)
        return [t, value, [...easing]]
      })
    }
    return result
  }

  preset(preset: Preset, where: Parts, out: Out): unknown {
    const d = presets.durationOf(preset)
    switch (preset.preset) {
      case 'fade-in':
        return presets.fadeIn(preset, out.opacity as number, d)
      case 'slide-up':
        return presets.slideUp(preset, out.y as number, d)
      case 'pop-in':
        return presets.popIn(preset, out.scale as number, d)
      case 'typewriter':
        return presets.typewriter(preset, out.text as string, d)
      default: {
        const target = this.p.number([...where, 'value'], preset.value, this.env)
        const locale = this.env.locale ?? DEFAULT_LOCALE
        const steps = Math.max(1, framesFor(exact(d), this.ct.fps))
        const fmt = preset.format === 'plain' ? (x: number): string => numberToString(x) : (x: number): string => formatNumberIn(x, locale)
        return presets.countUp(preset, target, d, steps, fmt)
      }
    }
  }
}

const TYPE_RESOLVERS: Record<string, (this: LayerResolver, layer: Layer, parts: Parts, out: Out) => void> = {
  text: LayerResolver.prototype.text,
  image: LayerResolver.prototype.image,
  video: LayerResolver.prototype.video,
  shape: LayerResolver.prototype.shape,
  lottie: LayerResolver.prototype.lottie,
  button: LayerResolver.prototype.button,
  group: LayerResolver.prototype.group,
}

export function easingList(text: string): Easing {
  return [...parseEasing(text)]
}
