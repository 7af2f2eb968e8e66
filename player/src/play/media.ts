/**
 * The player's media: fonts (FontFace), images, video clips kept in sync with the timeline, and
 * Lottie stems (dotlottie-web, imported lazily only when the template uses Lottie, its wasm
 * served from the bundle through `setWasmUrl`).
 *
 * Video sync: while playing, a clip plays natively and is re-seeked when its time drifts more
 * than {@link MAX_VIDEO_DRIFT_S} from the timeline's; while paused or seeking, it is seeked to
 * the exact frame and the player redraws on `seeked`.
 */
import type {MediaSource} from '../render/frame.ts'
import type {RLayer, Timeline} from '../render/types.ts'
import {FrameConverter} from './frames.ts'
import {absolute, type BundleManifest, type FileRef} from './manifest.ts'

/** The largest difference between a clip's own clock and the timeline before it is re-seeked. */
export const MAX_VIDEO_DRIFT_S = 0.12
/** Seeks land this far past the frame's start time: a browser shows the last frame whose
 * timestamp is at or before `currentTime`, and `n / fps` rounds just below frame n's stamp. */
export const SEEK_NUDGE_S = 0.001

interface LottieStem {
  player: {setFrame(n: number): void; setColorSlot(id: string, v: number[]): boolean; setTextSlot(id: string, v: {t: string}): boolean; setScalarSlot(id: string, v: number): boolean; destroy(): void; resize?(): void}
  canvas: OffscreenCanvas | HTMLCanvasElement
  ip: number
  op: number
  fr: number
  ready: boolean
  frame: number
}

interface LottieModule {
  DotLottie: {new (config: Record<string, unknown>): LottieStem['player']; setWasmUrl(url: string): void}
}

function clipTime(layer: RLayer, n: number, fps: number, duration: number): number {
  const [tin, tout] = layer.trim ?? [0, null]
  const length = (tout ?? duration) - tin
  let t = (n / fps) * (layer.speed ?? 1)
  if (length > 0) {
    if (layer.loop) t = t % length
    else t = Math.min(t, Math.max(0, length - 0.001))
  }
  return tin + t
}

/** True when every pixel of `img` has alpha 255 (false when it cannot be read). */
function scanOpaque(img: HTMLImageElement): boolean {
  try {
    const w = img.naturalWidth
    const h = img.naturalHeight
    const c = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), {width: w, height: h})
    const ctx = c.getContext('2d', {willReadFrequently: true}) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null
    if (!ctx || !w || !h) return false
    ctx.drawImage(img, 0, 0)
    const data = ctx.getImageData(0, 0, w, h).data
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false
    return true
  } catch {
    return false
  }
}

export class Media implements MediaSource {
  private readonly images = new Map<string, HTMLImageElement | 'placeholder'>()
  private readonly videos = new Map<string, HTMLVideoElement>()
  private readonly lotties = new Map<string, LottieStem>()
  private lottieModule: Promise<LottieModule> | null = null
  private readonly touched = new Set<HTMLVideoElement>()
  private lastShown = new Set<HTMLVideoElement>()
  private pending = 0
  /** converts playing clips' frames off the main thread (see `frames.ts`) */
  readonly frames = new FrameConverter()
  playing = false
  muted = false
  fps = 30
  /** called when something finished loading and the frame should be drawn again */
  onChange: () => void = () => {}

  constructor(readonly manifest: BundleManifest, readonly base: string) {}

  url(ref: FileRef): string {
    return absolute(ref.url, this.base)
  }

  /** Register every font of the bundle with `FontFace`; resolves when they are loaded. */
  async loadFonts(): Promise<void> {
    if (typeof FontFace === 'undefined') return
    await Promise.all(Object.entries(this.manifest.fonts).map(async ([family, ref]) => {
      try {
        const face = new FontFace(family, `url(${JSON.stringify(this.url(ref))})`)
        await face.load()
        document.fonts.add(face)
      } catch {
        // the browser's fallback font is used; never a broken frame
      }
    }))
  }

  private imageKey(layer: RLayer): string | null {
    const src = layer.src
    if (!src) return null
    if (src.asset) return `a:${src.asset}`
    if (src.url) return `u:${src.url}`
    return null
  }

  /** Start loading every image, clip and Lottie the timeline shows; resolves when images and
   * Lottie stems are ready (clips load on their own). */
  async preload(timeline: Timeline, frame: number | null = null): Promise<void> {
    const waits: Array<Promise<void>> = []
    const track = (p: Promise<void>): Promise<void> => {
      this.pending++
      return p.finally(() => {
        this.pending--
      })
    }
    const visit = (layers: RLayer[]): void => {
      for (const layer of layers) {
        if (layer.type === 'image') waits.push(track(this.loadImage(layer)))
        else if (layer.type === 'video') this.videoFor(layer)
        else if (layer.type === 'lottie') waits.push(track(this.loadLottie(layer).catch(() => undefined)))
        else if (layer.type === 'group') visit(layer.layers ?? [])
      }
    }
    for (const scene of timeline.scenes) {
      if (frame === null || (scene.start <= frame && frame < scene.end)) visit(scene.layers)
    }
    await Promise.all(waits)
  }

  private readonly loading = new Map<string, Promise<void>>()

  /** Start loading every raster asset of the bundle at once (called as soon as the manifest is
   * read: the template and the data are still on their way). */
  warmAssets(): void {
    for (const name of Object.keys(this.manifest.assets)) {
      if (/\.(png|jpe?g|webp|gif|avif)$/i.test(this.manifest.assets[name]!.url)) void this.loadImageKey(`a:${name}`)
    }
  }

  private loadImage(layer: RLayer): Promise<void> {
    const key = this.imageKey(layer)
    return key === null ? Promise.resolve() : this.loadImageKey(key)
  }

  private loadImageKey(key: string): Promise<void> {
    let p = this.loading.get(key)
    if (!p) {
      p = this.fetchImage(key)
      this.loading.set(key, p)
    }
    return p
  }

  private fetchImage(key: string): Promise<void> {
    if (this.images.has(key)) return Promise.resolve()
    const img = new Image()
    img.decoding = 'async'
    let src: string
    if (key.startsWith('a:')) {
      const ref = this.manifest.assets[key.slice(2)]
      if (!ref) {
        this.images.set(key, 'placeholder')
        return Promise.resolve()
      }
      src = this.url(ref)
    } else {
      img.crossOrigin = 'anonymous'
      img.referrerPolicy = 'no-referrer'
      src = key.slice(2)
    }
    return new Promise((done) => {
      img.onload = () => {
        this.images.set(key, img)
        this.opaqueKey(key) // scanned when idle, before any transition needs it
        this.onChange()
        done()
      }
      img.onerror = () => {
        this.images.set(key, 'placeholder')
        this.onChange()
        done()
      }
      img.src = src
    })
  }

  private readonly opacity = new Map<string, boolean>()

  /** True when the layer's picture is loaded and none of its pixels is transparent. JPEGs are
   * opaque by format; other pictures are scanned once, when the page is idle after they load
   * (false until then, and for pictures the page may not read). */
  opaque(layer: RLayer): boolean {
    const key = this.imageKey(layer)
    return key !== null && this.opaqueKey(key)
  }

  private opaqueKey(key: string): boolean {
    const img = this.images.get(key)
    if (!img || img === 'placeholder') return false
    const known = this.opacity.get(key)
    if (known !== undefined) return known
    this.opacity.set(key, false)
    if (/\.jpe?g(\?|$)/i.test(img.src)) this.opacity.set(key, true)
    else {
      const idle = (f: () => void): void => void (typeof requestIdleCallback !== 'undefined' ? requestIdleCallback(f, {timeout: 1000}) : setTimeout(f, 50))
      idle(() => this.opacity.set(key, scanOpaque(img)))
    }
    return this.opacity.get(key)!
  }

  image(layer: RLayer): CanvasImageSource | 'placeholder' | null {
    const key = this.imageKey(layer)
    return key === null ? null : this.images.get(key) ?? null
  }

  private videoFor(layer: RLayer): HTMLVideoElement | null {
    const name = layer.src?.asset
    const ref = name ? this.manifest.assets[name] : undefined
    if (!ref) return null
    const key = `${name}|${layer.id}`
    let v = this.videos.get(key)
    if (!v) {
      v = document.createElement('video')
      v.preload = 'auto'
      v.playsInline = true
      v.muted = true
      v.crossOrigin = 'anonymous'
      v.addEventListener('seeked', () => this.onChange())
      v.addEventListener('loadeddata', () => this.onChange())
      v.src = this.url(ref)
      this.videos.set(key, v)
    }
    return v
  }

  video(layer: RLayer, n: number): CanvasImageSource | null {
    const v = this.videoFor(layer)
    if (!v) return null
    this.touched.add(v)
    const want = clipTime(layer, n, this.fps, Number.isFinite(v.duration) ? v.duration : Infinity)
    v.muted = this.muted || (layer.muted ?? false)
    v.volume = Math.min(1, layer.volume ?? 1)
    v.playbackRate = layer.speed ?? 1
    if (this.playing) {
      if (v.paused) void v.play().catch(() => undefined)
      if (Math.abs(v.currentTime - want) > MAX_VIDEO_DRIFT_S) v.currentTime = want
      else if (!v.seeking) {
        const converted = this.frames.picture(v)
        if (converted) return converted
      }
    } else {
      if (!v.paused) v.pause()
      if (Math.abs(v.currentTime - want - SEEK_NUDGE_S) > 0.25 / this.fps && !v.seeking) v.currentTime = want + SEEK_NUDGE_S
      else if (!v.seeking) this.frames.picture(v, false) // converted ahead: playback starts with it ready
    }
    return v.readyState >= 2 ? v : null
  }

  /** Pause clips that the last frame did not show (call after each draw). */
  endFrame(): void {
    for (const v of this.videos.values()) if (!this.touched.has(v) && !v.paused) v.pause()
    this.lastShown = new Set(this.touched)
    this.touched.clear()
  }

  /** True while a clip shown by the last frame is seeking or has no picture yet, or an image
   * or Lottie stem is still loading. */
  busy(): boolean {
    if (this.pending > 0) return true
    for (const v of this.lastShown) if (v.seeking || v.readyState < 2) return true
    return false
  }

  /** True while some clip that sounds (not muted) is playing: it ducks music. */
  clipSounding(): boolean {
    for (const v of this.videos.values()) if (!v.paused && !v.muted) return true
    return false
  }

  private loadLottieModule(): Promise<LottieModule> {
    const spec = this.manifest.lottie
    if (!spec) return Promise.reject(new Error('no Lottie runtime in this bundle'))
    this.lottieModule ??= (import(/* @vite-ignore */ this.url(spec.module)) as Promise<LottieModule>).then((m) => {
      m.DotLottie.setWasmUrl(this.url(spec.wasm))
      return m
    })
    return this.lottieModule
  }

  private async loadLottie(layer: RLayer): Promise<void> {
    const name = layer.src?.asset
    const ref = name ? this.manifest.assets[name] : undefined
    if (!ref || this.lotties.has(layer.id)) return
    const [mod, text] = await Promise.all([this.loadLottieModule(), fetch(this.url(ref), {integrity: ref.integrity}).then((r) => r.text())])
    const doc = JSON.parse(text) as {ip?: number; op?: number; fr?: number}
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(layer.width))
    canvas.height = Math.max(1, Math.round(layer.height))
    const stem: LottieStem = {player: null as never, canvas, ip: doc.ip ?? 0, op: doc.op ?? 1, fr: doc.fr ?? 30, ready: false, frame: -1}
    await new Promise<void>((done) => {
      stem.player = new mod.DotLottie({
        canvas, data: text, autoplay: false, loop: false, useFrameInterpolation: true,
        renderConfig: {autoResize: false, devicePixelRatio: 1, freezeOnOffscreen: false},
      })
      const p = stem.player as unknown as {addEventListener(t: string, f: () => void): void}
      p.addEventListener('load', () => {
        this.applySlots(stem, layer.slots ?? {})
        stem.ready = true
        done()
      })
      p.addEventListener('loadError', () => done())
    })
    this.lotties.set(layer.id, stem)
    this.onChange()
  }

  private applySlots(stem: LottieStem, slots: Record<string, unknown>): void {
    for (const [id, value] of Object.entries(slots)) {
      try {
        if (typeof value === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
          let h = value.slice(1)
          if (h.length === 3) h = [...h].map((c) => c + c).join('')
          if (h.length === 6) h += 'ff'
          stem.player.setColorSlot(id, [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16) / 255))
        } else if (typeof value === 'string') stem.player.setTextSlot(id, {t: value})
        else if (typeof value === 'number') stem.player.setScalarSlot(id, value)
      } catch {
        // a slot of another kind: skipped, as the server does
      }
    }
  }

  lottie(layer: RLayer, t: number, w: number, h: number): CanvasImageSource | null {
    const stem = this.lotties.get(layer.id)
    if (!stem || !stem.ready) return null
    const span = stem.op - stem.ip
    let f = stem.ip + t * (layer.speed ?? 1) * stem.fr
    if (layer.loop && span > 0) f = stem.ip + ((f - stem.ip) % span)
    else f = Math.min(f, stem.op - 1)
    if (stem.canvas.width !== w || stem.canvas.height !== h) {
      stem.canvas.width = w
      stem.canvas.height = h
      stem.player.resize?.()
      stem.frame = -1
    }
    if (f !== stem.frame) {
      stem.player.setFrame(f - stem.ip)
      stem.frame = f
    }
    return stem.canvas
  }

  destroy(): void {
    for (const v of this.videos.values()) {
      v.pause()
      v.removeAttribute('src')
      v.load()
    }
    for (const s of this.lotties.values()) s.player.destroy()
    this.frames.destroy()
    this.videos.clear()
    this.lotties.clear()
  }
}
