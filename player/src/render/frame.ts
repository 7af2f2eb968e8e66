/**
 * Draws frames of a resolved timeline on a Canvas 2D context, the way `openreel.render` draws
 * them with skia: the template background, then each scene whose `[start, end)` holds the frame
 * (the leaving one under the entering one during a transition), layers in order with their
 * transform (anchor, rotation clockwise, scale), opacity, blend, radius clip and drop shadow;
 * animated properties sampled at `t = (frame - layer.start) / fps`.
 *
 * Canvas 2D has no `saveLayer`: a layer that needs one (opacity, blend or shadow on more than a
 * single image) is drawn into a scratch canvas covering its device bounds, then composited.
 */
import {ease, sample, transitionProgress} from '../resolve/timing.ts'
import {BLEND, css, roundRect, type Ctx2D} from './paint.ts'
import {TextLayouter, type TextSpec} from './text.ts'
import {drawButton, drawCaptions, drawShape} from './shapes.ts'
import {REST, entering, leaving, then, type Look} from './transitions.ts'
import type {RLayer, RScene, Timeline} from './types.ts'

/** Where pictures come from (the player's media manager, or a test double). */
export interface MediaSource {
  /** an image for an image layer; 'placeholder' when it could not be loaded; null while loading */
  image(layer: RLayer): CanvasImageSource | 'placeholder' | null
  /** the clip's picture for layer frame `n` (the media layer keeps it in sync) */
  video(layer: RLayer, n: number): CanvasImageSource | null
  /** the Lottie picture `t` seconds into the layer, rendered at `w x h` device pixels */
  lottie(layer: RLayer, t: number, w: number, h: number): CanvasImageSource | null
  /** true when the image layer's picture is loaded and has no transparent pixel (optional:
   * false when unknown) */
  opaque?(layer: RLayer): boolean
}

const SIMPLE = new Set(['image', 'video', 'lottie'])
/** Animated properties that move or fade a layer without changing its pixels. */
const MOVING = new Set(['x', 'y', 'opacity'])
const NO_MEDIA: MediaSource = {image: () => null, video: () => null, lottie: () => null}

export function parseFpsNumber(fps: string): number {
  const [n, d] = fps.split('/')
  return Number(n) / Number(d ?? 1)
}

export type Props = Record<string, number | string>

export function propsAt(layer: RLayer, frame: number, fps: number): Props {
  const out: Props = {}
  const t = (frame - layer.start) / fps
  for (const [k, frames] of Object.entries(layer.animate)) out[k] = sample(frames, t)
  return out
}

export function num(layer: RLayer, p: Props, key: keyof RLayer & string, fallback: number): number {
  const v = p[key] ?? (layer[key] as number | undefined)
  return v === undefined || v === null ? fallback : Number(v)
}

/** Source and destination rectangles of an image fitted into a box (cover, contain, fill). */
export function place(iw: number, ih: number, w: number, h: number, fit: string, focus: [number, number]): [number, number, number, number, number, number, number, number] {
  const [fx, fy] = focus
  if (fit === 'fill' || iw <= 0 || ih <= 0) return [0, 0, iw, ih, 0, 0, w, h]
  if (fit === 'contain') {
    const s = Math.min(w / iw, h / ih)
    const dw = iw * s
    const dh = ih * s
    return [0, 0, iw, ih, (w - dw) * fx, (h - dh) * fy, dw, dh]
  }
  const s = Math.max(w / iw, h / ih)
  const sw = w / s
  const sh = h / s
  return [(iw - sw) * fx, (ih - sh) * fy, sw, sh, 0, 0, w, h]
}

/** An opaque colour: `#rgb`, `#rrggbb` or `#rrggbbff`. */
function opaqueColor(c: string | null | undefined): boolean {
  return !!c && /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{6}[fF]{2})$/.test(c)
}

function sizeOf(img: CanvasImageSource): [number, number] {
  const any = img as {videoWidth?: number; videoHeight?: number; naturalWidth?: number; naturalHeight?: number; width?: number | {baseVal: {value: number}}; height?: number | {baseVal: {value: number}}}
  if (any.videoWidth) return [any.videoWidth, any.videoHeight ?? 0]
  if (any.naturalWidth) return [any.naturalWidth, any.naturalHeight ?? 0]
  return [Number(any.width ?? 0), Number(any.height ?? 0)]
}

export class FrameRenderer {
  readonly fps: number
  readonly width: number
  readonly height: number
  readonly text: TextLayouter
  private readonly scratch: Array<OffscreenCanvas | HTMLCanvasElement> = []
  private depth = 0
  /** device pixels per template pixel */
  scale = 1
  captions = false

  constructor(readonly timeline: Timeline, readonly ctx: Ctx2D, readonly media: MediaSource = NO_MEDIA) {
    this.fps = parseFpsNumber(timeline.fps)
    ;[this.width, this.height] = timeline.size
    this.text = new TextLayouter(ctx)
  }

  private looks(frame: number): Array<[RScene, Look]> {
    const active = this.timeline.scenes.filter((s) => s.start <= frame && frame < s.end)
    const out: Array<[RScene, Look]> = []
    active.forEach((scene, i) => {
      let l = REST
      const tr = scene.transition
      if (tr.frames > 0 && frame < scene.start + tr.frames && i > 0) {
        l = entering(tr.type, ease(transitionProgress({frame, start: scene.start, frames: tr.frames}), tr.easing), this.width, this.height)
      }
      const next = active[i + 1]
      if (next && next.transition.frames > 0 && frame < next.start + next.transition.frames) {
        const p = ease(transitionProgress({frame, start: next.start, frames: next.transition.frames}), next.transition.easing)
        l = then(l, leaving(next.transition.type, p, this.width, this.height))
      }
      out.push([scene, l])
    })
    return out
  }

  /** Draw `frame` (0 <= frame < frames) with the context's current size: the template is
   * scaled uniformly to fit the canvas and centred. */
  draw(frame: number): void {
    const ctx = this.ctx
    const cw = ctx.canvas.width
    const ch = ctx.canvas.height
    const s = Math.min(cw / this.width, ch / this.height)
    this.scale = s
    const ox = (cw - this.width * s) / 2
    const oy = (ch - this.height * s) / 2
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.globalAlpha = 1
    ctx.globalCompositeOperation = 'source-over'
    ctx.fillStyle = css(this.timeline.background)
    ctx.fillRect(0, 0, cw, ch)
    this.looks(frame).forEach(([scene, look], i) => {
      ctx.save()
      ctx.setTransform(s, 0, 0, s, ox, oy)
      this.applyLook(ctx, look)
      // An opaque scene drawn first, fading with alpha a over the opaque background C, is
      // L a + C (1 - a): the same as L drawn directly, then C filled with alpha 1 - a. That
      // skips a full-canvas scratch (its synchronous rasterisation costs several ms a frame).
      const fadeOver = look.alpha < 1 && i === 0 && this.fadesInPlace(scene, look, frame)
      const needsLayer = look.alpha < 1 && !fadeOver
      // the scratch covers only what the scene's layers can touch (a full canvas costs several
      // ms to clear and composite)
      const [bx, by, bw, bh] = needsLayer ? this.sceneBounds(ctx, scene, frame) : [0, 0, cw, ch]
      const target = needsLayer ? this.pushScratch(ctx, bx, by, bw, bh) : ctx
      if (scene.background) {
        target.fillStyle = css(scene.background)
        target.fillRect(0, 0, this.width, this.height)
      }
      for (const layer of scene.layers) this.drawLayer(target, layer, frame)
      if (needsLayer) this.popScratch(ctx, target, bx, by, look.alpha, 'source-over', null)
      ctx.restore()
      if (fadeOver) {
        ctx.setTransform(1, 0, 0, 1, 0, 0)
        ctx.globalAlpha = 1 - look.alpha
        ctx.fillStyle = css(this.timeline.background)
        ctx.fillRect(0, 0, cw, ch)
        ctx.globalAlpha = 1
      }
    })
    if (this.captions) drawCaptions(ctx, this.text, this.timeline, frame, [s, ox, oy])
  }

  /** True when `scene` (only faded by `look`, not moved, scaled or clipped) covers the whole
   * template with opaque pixels at `frame` and the template background is opaque: its own
   * opaque background colour, or a first layer that is a still, plain, opaque picture
   * covering the frame (fit cover or fill, no transform, opacity, blend, radius or shadow). */
  private fadesInPlace(scene: RScene, look: Look, frame: number): boolean {
    if (look.dx || look.dy || look.scale !== 1 || look.clipWidth !== null) return false
    if (!opaqueColor(this.timeline.background)) return false
    if (opaqueColor(scene.background)) return true
    const l = scene.layers[0]
    if (!l || l.type !== 'image' || !(l.start <= frame && frame < l.end)) return false
    if (Object.keys(l.animate ?? {}).length || l.shadow || (l.blend ?? 'normal') !== 'normal') return false
    if ((l.opacity ?? 1) !== 1 || (l.scale ?? 1) !== 1 || (l.rotation ?? 0) !== 0 || (l.radius ?? 0) > 0) return false
    if (!['cover', 'fill', undefined].includes(l.fit)) return false
    const x0 = l.x - (l.anchor?.[0] ?? 0) * l.width
    const y0 = l.y - (l.anchor?.[1] ?? 0) * l.height
    if (x0 > 0 || y0 > 0 || x0 + l.width < this.width || y0 + l.height < this.height) return false
    return this.media.opaque?.(l) ?? false
  }

  /** The device rectangle (integers, clamped to the canvas) holding every pixel `scene` can
   * draw at `frame` with `ctx`'s transform: the union of its showing layers' boxes padded as
   * {@link deviceBounds} does, plus room for drop shadows; the whole canvas when the scene has
   * a background or a group layer. */
  private sceneBounds(ctx: Ctx2D, scene: RScene, frame: number): [number, number, number, number] {
    const cw = ctx.canvas.width
    const ch = ctx.canvas.height
    if (scene.background) return [0, 0, cw, ch]
    let x0 = Infinity
    let y0 = Infinity
    let x1 = -Infinity
    let y1 = -Infinity
    for (const layer of scene.layers) {
      if (!(layer.start <= frame && frame < layer.end)) continue
      if (layer.type === 'group') return [0, 0, cw, ch]
      const p = layer.animate && Object.keys(layer.animate).length ? propsAt(layer, frame, this.fps) : {}
      const w = num(layer, p, 'width', 0)
      const h = num(layer, p, 'height', 0)
      const [ax, ay] = layer.anchor ?? [0, 0]
      const scale = num(layer, p, 'scale', 1)
      const rotation = num(layer, p, 'rotation', 0)
      ctx.save()
      ctx.translate(num(layer, p, 'x', 0), num(layer, p, 'y', 0))
      if (rotation) ctx.rotate((rotation * Math.PI) / 180)
      if (scale !== 1 && scale !== 0) ctx.scale(scale, scale)
      ctx.translate(-ax * w, -ay * h)
      const [bx, by, bw, bh] = this.deviceBounds(ctx, layer, w, h)
      ctx.restore()
      const sh = layer.shadow
      const o = sh ? Math.ceil((Math.abs(sh.x) + Math.abs(sh.y) + 1.5 * sh.blur + 2) * this.scale * Math.max(1, Math.abs(scale))) : 0
      x0 = Math.min(x0, bx - o)
      y0 = Math.min(y0, by - o)
      x1 = Math.max(x1, bx + bw + o)
      y1 = Math.max(y1, by + bh + o)
    }
    if (x1 <= x0 || y1 <= y0) return [0, 0, 1, 1]
    x0 = Math.max(0, Math.floor(x0))
    y0 = Math.max(0, Math.floor(y0))
    x1 = Math.min(cw, Math.ceil(x1))
    y1 = Math.min(ch, Math.ceil(y1))
    return x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : [0, 0, 1, 1]
  }

  private applyLook(ctx: Ctx2D, look: Look): void {
    if (look.dx || look.dy) ctx.translate(look.dx, look.dy)
    if (look.scale !== 1) {
      ctx.translate(this.width / 2, this.height / 2)
      ctx.scale(look.scale, look.scale)
      ctx.translate(-this.width / 2, -this.height / 2)
    }
    if (look.clipWidth !== null) {
      ctx.beginPath()
      ctx.rect(0, 0, Math.max(look.clipWidth, 0), this.height)
      ctx.clip()
    }
  }

  /** A scratch context covering device rect (x, y, w, h), with `parent`'s transform. */
  private readonly scratchSize: Array<[number, number]> = []

  private pushScratch(parent: Ctx2D, x: number, y: number, w: number, h: number): Ctx2D {
    const i = this.depth++
    let c = this.scratch[i]
    const W = Math.max(1, Math.ceil(w))
    const H = Math.max(1, Math.ceil(h))
    if (!c) {
      c = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(W, H) : Object.assign(document.createElement('canvas'), {width: W, height: H})
      this.scratch[i] = c
    }
    if (c.width < W || c.height < H) {
      c.width = Math.max(c.width, W)
      c.height = Math.max(c.height, H)
    }
    const sc = c.getContext('2d') as Ctx2D
    sc.setTransform(1, 0, 0, 1, 0, 0)
    sc.globalAlpha = 1
    sc.globalCompositeOperation = 'source-over'
    sc.shadowColor = 'rgba(0,0,0,0)'
    sc.clearRect(0, 0, W, H)
    this.scratchSize[i] = [W, H]
    const m = parent.getTransform()
    sc.setTransform(m.a, m.b, m.c, m.d, m.e - Math.floor(x), m.f - Math.floor(y))
    return sc
  }

  private popScratch(parent: Ctx2D, sc: Ctx2D, x: number, y: number, alpha: number, op: GlobalCompositeOperation, shadow: RLayer['shadow']): void {
    this.depth--
    parent.save()
    parent.setTransform(1, 0, 0, 1, 0, 0)
    parent.globalAlpha *= alpha
    parent.globalCompositeOperation = op
    if (shadow) {
      parent.shadowColor = css(shadow.color)
      parent.shadowBlur = shadow.blur * this.scale
      parent.shadowOffsetX = shadow.x * this.scale
      parent.shadowOffsetY = shadow.y * this.scale
    }
    const [W, H] = this.scratchSize[this.depth]!
    parent.drawImage(sc.canvas, 0, 0, W, H, Math.floor(x), Math.floor(y), W, H)
    parent.restore()
  }

  private drawLayer(ctx: Ctx2D, layer: RLayer, frame: number): void {
    if (!(layer.start <= frame && frame < layer.end)) return
    const p = layer.animate && Object.keys(layer.animate).length ? propsAt(layer, frame, this.fps) : {}
    const opacity = Math.min(1, Math.max(0, num(layer, p, 'opacity', 1)))
    const scale = num(layer, p, 'scale', 1)
    if (opacity <= 0 || scale === 0) return
    const w = num(layer, p, 'width', 0)
    const h = num(layer, p, 'height', 0)
    const rotation = num(layer, p, 'rotation', 0)
    const radius = Math.max(0, num(layer, p, 'radius', 0))
    const [ax, ay] = layer.anchor ?? [0, 0]
    const op = BLEND[layer.blend] ?? 'source-over'
    ctx.save()
    ctx.translate(num(layer, p, 'x', 0), num(layer, p, 'y', 0))
    if (rotation) ctx.rotate((rotation * Math.PI) / 180)
    if (scale !== 1) ctx.scale(scale, scale)
    ctx.translate(-ax * w, -ay * h)
    const clip = radius > 0 && !(layer.type === 'shape' && (layer.shape ?? 'rect') === 'rect')
    const simple = SIMPLE.has(layer.type) && !layer.shadow && !clip
    if (simple || !(opacity < 1 || op !== 'source-over' || layer.shadow)) {
      ctx.globalAlpha *= opacity
      ctx.globalCompositeOperation = op
      if (clip) this.clip(ctx, w, h, radius)
      this.content(ctx, layer, frame, p, w, h, radius)
    } else if (!this.fromCache(ctx, layer, op, opacity)) {
      // a constant layer is cached whole (even where it is off the canvas now: it may slide in)
      const whole = this.constant(layer) ? this.deviceBounds(ctx, layer, w, h, false) : null
      const cacheable = whole !== null && whole[2] * whole[3] <= 4 * this.ctx.canvas.width * this.ctx.canvas.height
      const [bx, by, bw, bh] = cacheable ? whole : this.deviceBounds(ctx, layer, w, h)
      if (bw > 0 && bh > 0) {
        const sc = this.pushScratch(ctx, bx, by, bw, bh)
        if (clip) this.clip(sc, w, h, radius)
        this.content(sc, layer, frame, p, w, h, radius)
        if (cacheable) this.toCache(ctx, sc, layer, [bx, by, bw, bh], opacity, op)
        else this.popScratch(ctx, sc, bx, by, opacity, op, layer.shadow)
      }
    }
    ctx.restore()
  }

  // --- constant layers drawn once ----------------------------------------------------------

  private readonly constants = new WeakMap<RLayer, boolean>()
  private readonly cache = new WeakMap<RLayer, {canvas: OffscreenCanvas | HTMLCanvasElement; x: number; y: number; m: DOMMatrix; cw: number; ch: number}>()

  /** A layer whose pixels never change within this view but for where they go and how opaque
   * they are: only `x`, `y` and `opacity` animated; no clip or Lottie, no picture that may still
   * be loading. Such layers that need a composite (shadow, opacity, blend) are composited once
   * (at full opacity) and then blitted with their opacity (a blurred shadow costs several
   * milliseconds per frame on a 1080p canvas). */
  private constant(layer: RLayer): boolean {
    let c = this.constants.get(layer)
    if (c === undefined) {
      c = Object.keys(layer.animate ?? {}).every((k) => MOVING.has(k)) && !SIMPLE.has(layer.type) && (layer.type !== 'group' || (layer.layers ?? []).every((l) => this.constant(l) && Object.keys(l.animate ?? {}).length === 0))
      this.constants.set(layer, c)
    }
    return c
  }

  /** Blit a cached layer. The entry is valid while the output canvas keeps its size and the
   * layer's device transform its linear part (a, b, c, d): translations are relative, so an
   * entry made inside a scratch canvas serves the output canvas too, and the other way round. */
  private fromCache(ctx: Ctx2D, layer: RLayer, op: GlobalCompositeOperation, opacity: number): boolean {
    const entry = this.constant(layer) ? this.cache.get(layer) : undefined
    if (!entry) return false
    const m = ctx.getTransform()
    if (entry.cw !== this.ctx.canvas.width || entry.ch !== this.ctx.canvas.height || m.a !== entry.m.a || m.b !== entry.m.b || m.c !== entry.m.c || m.d !== entry.m.d) return false
    ctx.save()
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.globalCompositeOperation = op
    ctx.globalAlpha *= opacity
    ctx.drawImage(entry.canvas, Math.round(entry.x + m.e - entry.m.e), Math.round(entry.y + m.f - entry.m.f))
    ctx.restore()
    return true
  }

  private toCache(ctx: Ctx2D, sc: Ctx2D, layer: RLayer, bounds: [number, number, number, number], opacity: number, op: GlobalCompositeOperation): void {
    const [bx, by, bw, bh] = bounds
    const sh = layer.shadow
    const o = sh ? Math.ceil((Math.abs(sh.x) + Math.abs(sh.y) + 1.5 * sh.blur + 2) * this.scale) : 0
    const W = Math.ceil(bw) + 2 * o
    const H = Math.ceil(bh) + 2 * o
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(W, H) : Object.assign(document.createElement('canvas'), {width: W, height: H})
    const cc = canvas.getContext('2d') as Ctx2D
    const [sw, shh] = this.scratchSize[this.depth - 1]!
    this.depth--
    if (sh) {
      cc.shadowColor = css(sh.color)
      cc.shadowBlur = sh.blur * this.scale
      cc.shadowOffsetX = sh.x * this.scale
      cc.shadowOffsetY = sh.y * this.scale
    }
    cc.drawImage(sc.canvas, 0, 0, sw, shh, o, o, sw, shh)
    const x = Math.floor(bx) - o
    const y = Math.floor(by) - o
    this.cache.set(layer, {canvas, x, y, m: ctx.getTransform(), cw: this.ctx.canvas.width, ch: this.ctx.canvas.height})
    ctx.save()
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.globalCompositeOperation = op
    ctx.globalAlpha *= opacity
    ctx.drawImage(canvas, x, y)
    ctx.restore()
  }

  private warmed = 0
  private warmTarget: Ctx2D | null = null

  /**
   * Composite ahead of time, for the next scene not yet warmed, the constant layers that need a
   * composite (see {@link constant}; a blurred shadow costs tens of ms the first time), so the
   * frame that first shows them only blits (their pixels are rasterised here, by reading one
   * back). Draws into a 1 x 1 canvas (nothing on screen changes) with the transform frames use at rest, at the first of the layer's start, middle
   * and last frame where it shows. Returns true while scenes remain (call again when idle).
   */
  warmCaches(): boolean {
    const scene = this.timeline.scenes[this.warmed++]
    if (!scene) return false
    const cw = this.ctx.canvas.width
    const ch = this.ctx.canvas.height
    const s = Math.min(cw / this.width, ch / this.height)
    this.scale = s
    if (!this.warmTarget) {
      const c = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : Object.assign(document.createElement('canvas'), {width: 1, height: 1})
      this.warmTarget = c.getContext('2d') as Ctx2D
    }
    const ctx = this.warmTarget
    for (const layer of scene.layers) {
      if (!this.constant(layer) || this.cache.has(layer)) continue
      for (const f of [layer.start, Math.floor((layer.start + layer.end) / 2), layer.end - 1]) {
        ctx.setTransform(s, 0, 0, s, (cw - this.width * s) / 2, (ch - this.height * s) / 2)
        ctx.globalAlpha = 1
        ctx.globalCompositeOperation = 'source-over'
        this.drawLayer(ctx, layer, f)
        const entry = this.cache.get(layer)
        if (entry) {
          // canvases record their drawing and rasterise it when first used: do it now
          ;(entry.canvas.getContext('2d') as Ctx2D).getImageData(0, 0, 1, 1)
          break
        }
      }
    }
    return this.warmed < this.timeline.scenes.length
  }

  private clip(ctx: Ctx2D, w: number, h: number, radius: number): void {
    roundRect(ctx, 0, 0, w, h, radius)
    ctx.clip()
  }

  /** The layer's box (plus room for text, strokes) in device pixels, clamped to the canvas. */
  private deviceBounds(ctx: Ctx2D, layer: RLayer, w: number, h: number, clamp = true): [number, number, number, number] {
    const cw = clamp ? ctx.canvas.width : Infinity
    const chh = clamp ? ctx.canvas.height : Infinity
    if (layer.type === 'group') return [0, 0, ctx.canvas.width, ctx.canvas.height]
    let pad = 4
    if (layer.type === 'text') pad += (layer.size ?? 48) * 2 + (layer.stroke?.width ?? 0) + (layer.background?.padding ?? 0)
    else pad += layer.stroke?.width ?? layer.style?.stroke?.width ?? 0
    const m = ctx.getTransform()
    const xs: number[] = []
    const ys: number[] = []
    for (const [x, y] of [[-pad, -pad], [w + pad, -pad], [-pad, h + pad], [w + pad, h + pad]] as const) {
      xs.push(m.a * x + m.c * y + m.e)
      ys.push(m.b * x + m.d * y + m.f)
    }
    const x0 = Math.max(clamp ? 0 : -Infinity, Math.floor(Math.min(...xs)))
    const y0 = Math.max(clamp ? 0 : -Infinity, Math.floor(Math.min(...ys)))
    const x1 = Math.min(cw, Math.ceil(Math.max(...xs)))
    const y1 = Math.min(chh, Math.ceil(Math.max(...ys)))
    return [x0, y0, x1 - x0, y1 - y0]
  }

  private content(ctx: Ctx2D, layer: RLayer, frame: number, p: Props, w: number, h: number, radius: number): void {
    switch (layer.type) {
      case 'text':
        this.text.draw(ctx, this.text.layout(this.textSpec(layer, p, w, h)))
        return
      case 'image': {
        const img = this.media.image(layer)
        if (img === 'placeholder') {
          ctx.fillStyle = '#9ca3af'
          ctx.fillRect(0, 0, w, h)
        } else if (img) this.fitted(ctx, img, w, h, layer.fit ?? 'cover', layer.focus ?? [0.5, 0.5])
        return
      }
      case 'video': {
        const v = this.media.video(layer, frame - layer.start)
        if (v) this.fitted(ctx, v, w, h, layer.fit ?? 'cover', [0.5, 0.5])
        return
      }
      case 'lottie': {
        const img = this.media.lottie(layer, (frame - layer.start) / this.fps, Math.max(1, Math.round(w * this.scale)), Math.max(1, Math.round(h * this.scale)))
        if (img) ctx.drawImage(img, 0, 0, w, h)
        return
      }
      case 'shape':
        drawShape(ctx, layer, p, w, h, radius)
        return
      case 'button':
        drawButton(ctx, this.text, layer, w, h)
        return
      case 'group':
        for (const child of layer.layers ?? []) this.drawLayer(ctx, child, frame)
        return
    }
  }

  private fitted(ctx: Ctx2D, img: CanvasImageSource, w: number, h: number, fit: string, focus: [number, number]): void {
    const [iw, ih] = sizeOf(img)
    if (!iw || !ih) return
    const [sx, sy, sw, sh, dx, dy, dw, dh] = place(iw, ih, w, h, fit, focus)
    // 'high' (mipmaps) only where a picture shrinks a lot; otherwise bilinear, as skia's sampling
    const shrink = Math.min(dw / sw, dh / sh) * this.scale
    ctx.imageSmoothingQuality = shrink < 0.5 ? 'high' : 'low'
    ctx.drawImage(img, sx, sy, sw, sh, dx, dy, dw, dh)
  }

  textSpec(layer: RLayer, p: Props, w: number, h: number): TextSpec {
    return {
      text: String(p.text ?? layer.text ?? ''),
      font: layer.font ?? null,
      size: Number(p.size ?? layer.size ?? 48),
      color: String(p.color ?? layer.color ?? '#ffffffff'),
      align: layer.align ?? 'start',
      valign: layer.valign ?? 'top',
      lineHeight: layer.line_height ?? 1.2,
      maxLines: layer.max_lines ?? null,
      fit: layer.fit ?? 'none',
      stroke: layer.stroke ?? null,
      background: layer.background ?? null,
      width: w,
      height: h,
    }
  }


}
