/**
 * The on-device player: `mount(element, options)` loads a bundle, gets the viewer's data at the
 * moment of open (inline, fragment, or the brand's endpoint), resolves the timeline in the
 * browser and plays it on a canvas with one `requestAnimationFrame` loop.
 *
 * Public commands only *request* work (`requestSeek`, `requestPlay`); the loop applies them, so
 * a burst of seeks costs one draw. Frame `f` shows at `f / fps` seconds; the loop draws only when
 * the frame (or something it shows) changed.
 */
import {OpenReelError} from '../errors.ts'
import type {CompiledTemplate} from '../resolve/compile.ts'
import {resolve, type View} from '../resolve/resolver.ts'
import {validateData} from '../data/validate.ts'
import {FrameRenderer} from '../render/frame.ts'
import type {RScene, Timeline} from '../render/types.ts'
import {AudioMix} from './audio.ts'
import {buildChrome, clock, fit, type Chrome} from './controls.ts'
import {fetchSource, genericFallback, mergeLive} from './data.ts'
import {EventQueue, safeId, type Listener, type PlayerEvent} from './events.ts'
import {absolute, type BundleManifest} from './manifest.ts'
import {Media} from './media.ts'
import {hitTest, type Target} from './hit.ts'

export interface MountOptions {
  /** URL of the bundle's `bundle.json`, or the manifest itself */
  bundle: string | BundleManifest
  /** base URL the manifest's relative URLs resolve against (default: the manifest URL, or the page) */
  base?: string
  /** the viewer's data, given directly (no fetch) */
  data?: unknown
  /** override the template's source: `{url?, timeout_ms?, token?}` */
  source?: {url?: string; timeout_ms?: number; token?: string}
  /** the events endpoint; `false` sends nothing (default: the bundle's) */
  events?: string | false
  /** decisions made by the decision layer, `{name: arm}` */
  decisions?: Record<string, string>
  /** the fragment to read (default: `location.hash`) */
  fragment?: string
  autoplay?: boolean
  /** the view id for events (a UUID issued by the platform; default: random per page load) */
  viewId?: string
  /** campaign id and template version for events (default: the bundle's) */
  campaign?: string
  templateVersion?: string
  /** called for every event (also when none are sent) */
  onEvent?: Listener
}

export type DataOrigin = 'inline' | 'fragment' | 'source' | 'defaults' | 'fallback'

const SEEK_STEP_S = 5
const DRAW_SAMPLES = 10_000

export class Player {
  timeline!: Timeline
  dataOrigin: DataOrigin = 'defaults'
  readonly chrome: Chrome
  readonly events: EventQueue
  private renderer!: FrameRenderer
  private readonly media: Media
  private audio!: AudioMix
  private fps = 30
  private frame = 0
  private playing = false
  private startedAt = 0 // performance.now() of frame 0 while playing
  private pendingSeek: number | null = null
  private pendingPlay: boolean | null = null
  private dirty = true
  private raf = 0
  private lastSecond = -1
  private lastScene: string | null = null
  private completed = false
  private muted = false
  private data: Record<string, unknown> = {}
  private refreshTimer: ReturnType<typeof setInterval> | null = null
  private readonly resizeObserver: ResizeObserver | null
  firstFrameAt: number | null = null
  /** the bundle's poster image (see {@link loadPoster}) and whether it was put on screen */
  poster: HTMLImageElement | null = null
  posterShown = false

  constructor(
    readonly element: HTMLElement,
    readonly manifest: BundleManifest,
    readonly base: string,
    readonly compiled: CompiledTemplate,
    private readonly options: MountOptions,
    viewId: string | null,
    media?: Media,
  ) {
    const size = compiled.model.size
    this.chrome = buildChrome(element, size)
    const endpoint = options.events === false ? null : options.events ?? manifest.events
    const campaign = safeId(options.campaign ?? manifest.campaign, 'campaign')
    const version = safeId(options.templateVersion ?? manifest.version, 'v0')
    this.events = new EventQueue(endpoint, campaign, version, options.viewId ?? viewId ?? undefined)
    if (options.onEvent) this.events.on(options.onEvent)
    this.media = media ?? new Media(manifest, base)
    this.media.onChange = () => {
      this.dirty = true
      this.kick()
    }
    this.resizeObserver = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => this.layout()) : null
    this.resizeObserver?.observe(this.chrome.root)
    this.wire()
    ;(element as unknown as {__openreel: Player}).__openreel = this
  }

  // --- data and timeline -------------------------------------------------------------------

  /** Resolve with `data`; on any problem fall back to defaults, then to neutral values. */
  setData(data: unknown, origin: DataOrigin): void {
    const ct = this.compiled
    const decisions = this.options.decisions ?? {}
    const view: View = {timeMs: Date.now(), locale: typeof navigator !== 'undefined' ? navigator.language : null, tz: Intl.DateTimeFormat().resolvedOptions().timeZone}
    const attempts: Array<[unknown, DataOrigin]> = [[data, origin], [{}, 'defaults'], [genericFallback(ct.model.data), 'fallback']]
    for (const [candidate, kind] of attempts) {
      try {
        const validated = validateData(ct.model.data, candidate, Object.keys(ct.model.assets))
        let timeline: Timeline
        try {
          timeline = resolve(ct, candidate, decisions, view, validated) as unknown as Timeline
        } catch (e) {
          // the viewer's locale may be unknown to the expressions: retry with the template's
          if (!(e instanceof OpenReelError) || view.locale === null) throw e
          timeline = resolve(ct, candidate, decisions, {...view, locale: null}, validated) as unknown as Timeline
        }
        this.data = (candidate ?? {}) as Record<string, unknown>
        this.dataOrigin = kind
        this.install(timeline)
        return
      } catch (e) {
        const code = e instanceof OpenReelError ? e.code : 'OR-E209'
        if (kind === origin && origin !== 'defaults') this.events.emit('error', this.time(), {code})
        if (typeof console !== 'undefined') console.warn(`OpenReel: ${e instanceof OpenReelError ? e.code : 'error'}; falling back`)
      }
    }
    throw new OpenReelError('OR-E209', 'the template cannot be resolved even with neutral data')
  }

  private install(timeline: Timeline): void {
    const first = this.timeline === undefined
    this.timeline = timeline
    this.fps = timeline.fps.includes('/') ? Number(timeline.fps.split('/')[0]) / Number(timeline.fps.split('/')[1]) : Number(timeline.fps)
    this.media.fps = this.fps
    const ctx = this.chrome.canvas.getContext('2d', {alpha: false})!
    this.renderer = new FrameRenderer(timeline, ctx, this.media)
    this.renderer.captions = this.chrome.captions.getAttribute('aria-pressed') === 'true'
    this.events.arms = Object.fromEntries(Object.entries(timeline.decisions).map(([k, v]) => [safeId(k, 'decision'), safeId(v.arm, 'arm')]))
    if (first) {
      this.audio = new AudioMix(timeline.audio, this.fps, (a) => (this.manifest.assets[a] ? absolute(this.manifest.assets[a]!.url, this.base) : null))
    } else {
      this.audio.setTracks(timeline.audio)
      if (this.playing) void this.audio.start(() => this.clockSeconds())
    }
    this.chrome.seek.max = String(timeline.frames / this.fps)
    this.frame = Math.min(this.frame, Math.max(0, timeline.frames - 1))
    this.dirty = true
    if (this.firstFrameAt !== null) this.warmCaches()
  }

  /** True while constant layers are being composited ahead of time (see {@link warmCaches}). */
  private warming = false

  /** Let the renderer composite constant layers ahead of time, one scene per idle period while
   * paused (a blurred shadow can take 100 ms: never while playing, where the frame that first
   * shows such a layer composites it instead). */
  private warmCaches(): void {
    const renderer = this.renderer
    this.warming = true
    const idle = (f: () => void): void => void (typeof requestIdleCallback !== 'undefined' ? requestIdleCallback(f, {timeout: 2000}) : setTimeout(f, 100))
    const step = (): void => {
      if (renderer !== this.renderer) return
      if (this.playing) idle(step)
      else if (renderer.warmCaches()) idle(step)
      else this.warming = false
    }
    idle(step)
  }

  loadFonts(): Promise<void> {
    return this.media.loadFonts()
  }

  /** Load what `frame` shows (awaited before it is drawn); the rest loads in the background. */
  preloadMedia(frame = 0): Promise<void> {
    const first = this.media.preload(this.timeline, frame)
    void first.then(() => this.media.preload(this.timeline))
    return first
  }

  /** Resolve with the defaults and draw nothing: warms the code paths of the first frame. */
  warmUp(): void {
    try {
      const validated = validateData(this.compiled.model.data, {}, Object.keys(this.compiled.model.assets))
      resolve(this.compiled, {}, this.options.decisions ?? {}, {timeMs: Date.now(), locale: typeof navigator !== 'undefined' ? navigator.language : null}, validated)
    } catch {
      // defaults may not be enough (required fields): nothing to warm then
    }
  }

  /** Re-fetch `live` fields every `refresh_s` seconds while playing. */
  startLive(token: string): void {
    const source = this.compiled.model.source
    if (!source || !source.refresh_s || !Object.values(this.compiled.model.data).some((f) => f.live)) return
    this.refreshTimer = setInterval(async () => {
      if (!this.playing) return
      const got = await fetchSource(source, token)
      if (!got.ok) return
      const merged = mergeLive(this.compiled.model.data, this.data, got.data)
      try {
        const validated = validateData(this.compiled.model.data, merged, Object.keys(this.compiled.model.assets))
        this.install(resolve(this.compiled, merged, this.options.decisions ?? {}, {timeMs: Date.now()}, validated) as unknown as Timeline)
        this.data = merged
      } catch {
        // keep what is on screen
      }
    }, source.refresh_s * 1000)
  }

  // --- commands (requests applied by the loop) ---------------------------------------------

  requestPlay(): void {
    this.pendingPlay = true
    this.audio.unlock()
    this.kick()
  }

  requestPause(): void {
    this.pendingPlay = false
    this.kick()
  }

  toggle(): void {
    if (this.playing || this.pendingPlay) this.requestPause()
    else this.requestPlay()
  }

  /** Ask for a jump to `seconds` (clamped to the timeline). */
  requestSeek(seconds: number): void {
    this.pendingSeek = Math.max(0, Math.min(seconds, (this.timeline.frames - 1) / this.fps))
    this.kick()
  }

  setMuted(muted: boolean): void {
    this.muted = muted
    this.media.muted = muted
    this.audio.setMuted(muted)
    if (!muted) this.audio.unlock()
    this.chrome.mute.textContent = muted ? '🔇' : '🔊'
    this.chrome.mute.setAttribute('aria-label', muted ? 'Unmute' : 'Mute')
    this.dirty = true
  }

  setCaptions(on: boolean): void {
    this.renderer.captions = on
    this.chrome.captions.setAttribute('aria-pressed', String(on))
    this.dirty = true
    this.kick()
  }

  toggleFullscreen(): void {
    const root = this.chrome.root
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined)
    else void root.requestFullscreen?.().catch(() => undefined)
  }

  time(): number {
    return this.frame / this.fps
  }

  /** The timeline's time now: from the clock while playing, else the frame's. */
  private clockSeconds(): number {
    return this.playing ? (performance.now() - this.startedAt) / 1000 : this.time()
  }

  // --- the loop ------------------------------------------------------------------------------

  private kick(): void {
    if (!this.raf) this.raf = requestAnimationFrame((now) => this.tick(now))
  }

  private tick(now: number): void {
    this.raf = 0
    if (this.timeline === undefined || !this.ready) return // still loading: the poster stays
    if (this.pendingSeek !== null) {
      const from = this.time()
      const to = this.pendingSeek
      this.pendingSeek = null
      this.frame = Math.min(this.timeline.frames - 1, Math.floor(to * this.fps + 1e-9))
      this.startedAt = now - (this.frame / this.fps) * 1000
      this.completed = false
      this.lastSecond = Math.floor(this.time()) - 1
      this.events.emit('seek', this.time(), {from_time: from})
      if (this.playing) void this.audio.start(() => this.clockSeconds())
      this.dirty = true
    }
    if (this.pendingPlay !== null) {
      const want = this.pendingPlay
      this.pendingPlay = null
      if (want && !this.playing) {
        if (this.completed || this.frame >= this.timeline.frames - 1) {
          this.frame = 0
          this.completed = false
          this.lastSecond = -1
        }
        this.playing = true
        this.startedAt = now - (this.frame / this.fps) * 1000
        this.events.emit('play', this.time())
        void this.audio.start(() => this.clockSeconds())
      } else if (!want && this.playing) {
        this.playing = false
        this.audio.stop()
        this.events.emit('pause', this.time())
      }
      this.media.playing = this.playing
      this.syncButtons()
    }
    if (this.playing) {
      const f = Math.floor(((now - this.startedAt) / 1000) * this.fps + 1e-9)
      if (f >= this.timeline.frames) {
        this.frame = this.timeline.frames - 1
        this.playing = false
        this.media.playing = false
        this.completed = true
        this.audio.stop()
        this.events.emit('complete', this.timeline.frames / this.fps)
        this.syncButtons()
      } else if (f !== this.frame) {
        this.frame = f
        this.dirty = true
      }
      this.audio.tick(this.time(), this.media.clipSounding())
      this.track()
    }
    if (this.dirty) this.draw() // playing: only when the frame (or a picture) changed
    if (this.playing || this.dirty) this.kick()
  }

  /** progress each whole second entered, scene_enter when a new scene takes the screen */
  private track(): void {
    const second = Math.floor(this.time())
    if (second !== this.lastSecond) {
      for (let s = this.lastSecond + 1; s <= second; s++) this.events.emit('progress', s)
      this.lastSecond = second
    }
    const scene = this.currentScene()
    const key = scene ? `${scene.id}#${scene.instance}` : null
    if (scene && key !== this.lastScene) {
      this.lastScene = key
      this.events.emit('scene_enter', this.time(), {scene: safeId(scene.id, 'scene')})
    }
  }

  private currentScene(): RScene | null {
    let found: RScene | null = null
    for (const s of this.timeline.scenes) if (s.start <= this.frame && this.frame < s.end) found = s
    return found
  }

  /** Milliseconds each draw took (the last {@link DRAW_SAMPLES}), for the benchmark. */
  readonly drawTimes: number[] = []
  readonly drawFrames: number[] = []

  /** Set by `mount` once the first frame's fonts and pictures are loaded: nothing is drawn
   * before (the poster stays), so no frame is ever half-drawn. */
  ready = false

  draw(): void {
    if (this.timeline === undefined || !this.ready) return
    this.dirty = false
    const t0 = performance.now()
    this.renderer.draw(this.frame)
    this.media.endFrame()
    if (this.drawTimes.length >= DRAW_SAMPLES) {
      this.drawTimes.shift()
      this.drawFrames.shift()
    }
    this.drawTimes.push(performance.now() - t0)
    this.drawFrames.push(this.frame)
    const t = this.time()
    if (document.activeElement !== this.chrome.seek) this.chrome.seek.value = String(t)
    this.chrome.time.textContent = `${clock(t)} / ${clock(this.timeline.frames / this.fps)}`
    if (this.firstFrameAt === null) {
      this.firstFrameAt = performance.now()
      performance.mark?.('openreel-first-frame')
      this.events.emit('load', 0, {duration: this.timeline.frames / this.fps})
      this.events.emit('first_frame', 0)
      this.element.dispatchEvent(new CustomEvent('openreel:firstframe', {detail: {origin: this.dataOrigin}}))
      this.warmCaches()
    }
  }

  /** Resolves once everything the current frame shows is loaded and drawn (clips seeked) and
   * constant layers are composited ahead of time, or after `timeoutMs` whatever the state. */
  idle(timeoutMs = 5000): Promise<void> {
    return new Promise((done) => {
      let calm = 0
      const until = performance.now() + timeoutMs
      const check = (): void => {
        if (this.timeline !== undefined && !this.media.busy() && !this.dirty && this.pendingSeek === null && !this.warming) calm++
        else calm = 0
        if (calm >= 2 || performance.now() > until) done()
        else requestAnimationFrame(check)
      }
      this.kick()
      requestAnimationFrame(check)
    })
  }

  layout(): void {
    fit(this.chrome, this.compiled.model.size)
    this.dirty = true
    if (this.timeline === undefined || !this.ready) drawPoster(this)
    else this.kick()
  }

  private syncButtons(): void {
    this.chrome.play.textContent = this.playing ? '❚❚' : '▶'
    this.chrome.play.setAttribute('aria-label', this.playing ? 'Pause' : 'Play')
    this.chrome.root.classList.toggle('or-paused', !this.playing)
  }

  // --- input ---------------------------------------------------------------------------------

  private wire(): void {
    const c = this.chrome
    c.play.addEventListener('click', () => this.toggle())
    c.seek.addEventListener('input', () => this.requestSeek(Number(c.seek.value)))
    c.mute.addEventListener('click', () => this.setMuted(!this.muted))
    c.captions.addEventListener('click', () => this.setCaptions(c.captions.getAttribute('aria-pressed') !== 'true'))
    c.fullscreen.addEventListener('click', () => this.toggleFullscreen())
    c.canvas.addEventListener('click', (e) => this.click(e))
    c.canvas.addEventListener('mousemove', (e) => {
      c.canvas.style.cursor = this.hit(e) ? 'pointer' : 'default'
    })
    c.root.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) return
      const keys: Record<string, () => void> = {
        ' ': () => this.toggle(), k: () => this.toggle(), m: () => this.setMuted(!this.muted),
        c: () => this.setCaptions(c.captions.getAttribute('aria-pressed') !== 'true'), f: () => this.toggleFullscreen(),
        ArrowLeft: () => this.requestSeek(this.time() - SEEK_STEP_S), ArrowRight: () => this.requestSeek(this.time() + SEEK_STEP_S),
        Home: () => this.requestSeek(0), End: () => this.requestSeek(this.timeline.frames / this.fps),
      }
      const action = keys[e.key]
      if (action && !(e.target instanceof HTMLButtonElement && (e.key === ' ' || e.key === 'Enter'))) {
        e.preventDefault()
        action()
      }
    })
  }

  /** The clickable thing under the pointer (see `hit.ts`). */
  private hit(e: MouseEvent): Target | null {
    const rect = this.chrome.canvas.getBoundingClientRect()
    const [tw, th] = this.compiled.model.size
    const scene = this.currentScene()
    if (!scene) return null
    return hitTest(scene, this.frame, ((e.clientX - rect.left) / rect.width) * tw, ((e.clientY - rect.top) / rect.height) * th, this.fps)
  }

  private click(e: MouseEvent): void {
    const target = this.hit(e)
    if (!target) {
      this.toggle()
      return
    }
    const t = this.time()
    if (target.href !== null) {
      if (!target.href.startsWith('https://')) return
      this.events.emit('cta_click', t, {cta: safeId(target.id, 'cta')})
      window.open(target.href, '_blank', 'noopener,noreferrer')
      return
    }
    const action = target.action ?? ''
    if (action === 'replay') {
      this.events.emit('cta_click', t, {cta: safeId(target.id, 'cta')})
      this.requestSeek(0)
      this.requestPlay()
    } else if (action === 'share') {
      this.events.emit('share', t, {channel: 'link'})
      const url = location.href.split('#')[0]! // never share the fragment: it holds the token or data
      if (navigator.share) void navigator.share({url}).catch(() => undefined)
      else void navigator.clipboard?.writeText(url).catch(() => undefined)
    } else if (action.startsWith('chapter:')) {
      this.events.emit('cta_click', t, {cta: safeId(target.id, 'cta')})
      const scene = this.timeline.scenes.find((s) => s.id === action.slice(8))
      if (scene) this.requestSeek(scene.start / this.fps)
    }
  }

  destroy(): void {
    if (this.raf) cancelAnimationFrame(this.raf)
    if (this.refreshTimer) clearInterval(this.refreshTimer)
    this.resizeObserver?.disconnect()
    this.events.close()
    this.audio?.close()
    this.media.destroy()
  }
}

/** While loading: the bundle's data-free poster (frame 0 with the template's defaults, drawn by
 * the server at bundle time) once it has loaded, letterboxed as frames are; before that the
 * template's background. Never a half-drawn frame; never drawn once the player is ready. */
export function drawPoster(player: Player): void {
  if (player.ready) return
  const canvas = player.chrome.canvas
  const ctx = canvas.getContext('2d', {alpha: false})
  if (!ctx) return
  const bg = player.compiled.model.background
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  ctx.globalAlpha = 1
  ctx.fillStyle = /^#[0-9a-fA-F]{3,8}$/.test(bg) ? bg : '#000'
  ctx.fillRect(0, 0, canvas.width, canvas.height)
  const img = player.poster
  if (img && img.complete && img.naturalWidth > 0) {
    const [tw, th] = player.compiled.model.size
    const s = Math.min(canvas.width / tw, canvas.height / th)
    ctx.drawImage(img, (canvas.width - tw * s) / 2, (canvas.height - th * s) / 2, tw * s, th * s)
    player.posterShown = true
  }
}

/** Start loading the bundle's poster; it is drawn when it arrives if no frame is up yet. */
export function loadPoster(player: Player): void {
  const ref = player.manifest.poster
  if (!ref || typeof Image === 'undefined') return
  const img = new Image()
  img.decoding = 'async'
  img.onload = () => drawPoster(player)
  img.src = absolute(ref.url, player.base)
  player.poster = img
}

export type {PlayerEvent}
