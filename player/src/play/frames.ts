/**
 * Video frames converted off the main thread while clips play.
 *
 * Drawing a `<video>` on a canvas converts its current frame (YUV) to RGB synchronously on the
 * main thread: 10 to 15 ms for a 720p clip in a CPU-only browser, every frame. While a clip
 * plays, the player instead grabs the presented frame as a `VideoFrame` (a reference, about
 * 0.1 ms), transfers it to a worker that converts it with `createImageBitmap`, and draws the
 * `ImageBitmap` it gets back (a cheap, deferred blit). The picture drawn is the newest one
 * converted, at most {@link MAX_BITMAP_LAG_S} older than the frame the clip presents (else the
 * `<video>` is drawn directly; typically one timeline frame older). Paused clips are drawn from
 * the `<video>` itself, so stills and seeks stay exact; their frame is converted too, so that
 * playback starts with a picture ready.
 *
 * Where `Worker`, `VideoFrame` or `createImageBitmap` is missing, or the page's policy refuses a
 * `blob:` worker, the converter reports itself unavailable and clips are drawn directly.
 */

/** The oldest converted picture drawn instead of the clip's current one (seconds of clip time):
 * typically the lag is one frame; under CPU starvation drawing the `<video>` directly would cost
 * the same conversion on the main thread and drop timeline frames instead. */
export const MAX_BITMAP_LAG_S = 0.2

const WORKER_SOURCE =
  'onmessage=async(e)=>{const f=e.data.frame;let b=null;try{b=await createImageBitmap(f)}catch(_){}' +
  'f.close();postMessage({id:e.data.id,ts:e.data.ts,bitmap:b},b?[b]:[])}'

interface Slot {
  /** the newest converted picture and its clip time (seconds) */
  bitmap: ImageBitmap | null
  time: number
  /** a frame is being converted */
  inflight: boolean
  /** timestamp (µs) of the last frame sent */
  sent: number
  /** conversion failed for this clip (e.g. a cross-origin clip): draw it directly */
  broken: boolean
}

interface Answer {
  id: number
  ts: number
  bitmap: ImageBitmap | null
}

export class FrameConverter {
  private worker: Worker | null = null
  private failed = false
  private readonly slots = new Map<number, Slot>()
  private readonly ids = new WeakMap<HTMLVideoElement, number>()
  private next = 0
  /** frames converted, and pictures handed out instead of a `<video>` (for tests) */
  converted = 0
  used = 0

  /** True when frames can be converted off the main thread (creates the worker once). */
  available(): boolean {
    if (this.failed) return false
    if (this.worker) return true
    if (typeof Worker === 'undefined' || typeof VideoFrame === 'undefined' || typeof createImageBitmap === 'undefined' || typeof Blob === 'undefined') {
      this.failed = true
      return false
    }
    try {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], {type: 'text/javascript'}))
      this.worker = new Worker(url)
      URL.revokeObjectURL(url)
      this.worker.onmessage = (e: MessageEvent<Answer>) => this.receive(e.data)
      this.worker.onerror = () => this.fail()
    } catch {
      this.fail()
    }
    return !this.failed
  }

  private fail(): void {
    this.failed = true
    this.worker?.terminate()
    this.worker = null
    for (const s of this.slots.values()) s.bitmap?.close()
    this.slots.clear()
  }

  private slot(video: HTMLVideoElement): Slot {
    let id = this.ids.get(video)
    if (id === undefined) {
      id = this.next++
      this.ids.set(video, id)
    }
    let s = this.slots.get(id)
    if (!s) {
      s = {bitmap: null, time: -1, inflight: false, sent: -1, broken: false}
      this.slots.set(id, s)
    }
    return s
  }

  private receive(a: Answer): void {
    const s = this.slots.get(a.id)
    if (!s) {
      a.bitmap?.close()
      return
    }
    s.inflight = false
    if (!a.bitmap) {
      s.broken = true
      return
    }
    s.bitmap?.close()
    s.bitmap = a.bitmap
    s.time = a.ts / 1e6
    this.converted++
  }

  /**
   * The picture to draw for a clip: grabs the frame the clip presents now (a reference), sends
   * it for conversion when it is new, and returns the newest converted picture if it is at most
   * {@link MAX_BITMAP_LAG_S} older than the presented frame, else null (draw the `<video>`).
   * `use: false` only converts ahead (a paused clip, drawn from the `<video>` itself).
   */
  picture(video: HTMLVideoElement, use = true): ImageBitmap | null {
    if (!this.available() || video.readyState < 2) return null
    const s = this.slot(video)
    if (s.broken) return null
    let frame: VideoFrame | null = null
    try {
      frame = new VideoFrame(video)
    } catch {
      s.broken = true
      return null
    }
    const presented = frame.timestamp
    if (!s.inflight && presented !== s.sent) {
      s.sent = presented
      s.inflight = true
      this.worker!.postMessage({id: this.ids.get(video), ts: presented, frame}, [frame])
    } else frame.close()
    const lag = presented / 1e6 - s.time
    if (!s.bitmap || lag < -1e-3 || lag > MAX_BITMAP_LAG_S) return null
    if (use) this.used++
    return s.bitmap
  }

  destroy(): void {
    this.worker?.terminate()
    this.worker = null
    for (const s of this.slots.values()) s.bitmap?.close()
    this.slots.clear()
    this.failed = true
  }
}
