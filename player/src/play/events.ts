/**
 * Engagement events, schema v1 of `openreel.analytics.schema`: `{"v": 1, "sent_at", "events"}`
 * batches POSTed to the events endpoint. Each event has an `event_id`, the `view_id`, `ts`,
 * `campaign`, `seq`, `template_version`, `arms` (decision -> arm), `device` and `media_time`,
 * plus its own field (`duration`, `from_time`, `scene`, `cta`, `channel`, `code`).
 *
 * Never any data value: CTAs are named by their layer id, errors by their code. Events are
 * batched ({@link FLUSH_EVERY_MS} or {@link MAX_BATCH} events); when the page becomes hidden
 * (or is closed) the rest goes once with `navigator.sendBeacon`, and a queue that was handed to
 * the beacon is never sent again.
 */
export const FLUSH_EVERY_MS = 5000
export const MAX_BATCH = 50
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/

export type EventType = 'load' | 'first_frame' | 'play' | 'pause' | 'seek' | 'progress' | 'scene_enter' | 'complete' | 'cta_click' | 'share' | 'error'

export interface PlayerEvent {
  type: EventType
  event_id: string
  view_id: string
  ts: number
  campaign: string
  seq: number
  template_version: string
  arms: Record<string, string>
  device: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'other'
  media_time: number
  [extra: string]: unknown
}

export type Listener = (event: PlayerEvent) => void

function uuid(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export function safeId(value: string, fallback: string): string {
  return ID.test(value) ? value : fallback
}

function device(): PlayerEvent['device'] {
  if (typeof navigator === 'undefined') return 'other'
  const ua = navigator.userAgent
  if (/iPad|Tablet/i.test(ua)) return 'tablet'
  if (/Mobi|Android|iPhone/i.test(ua)) return 'mobile'
  if (/TV|SmartTV|CrKey/i.test(ua)) return 'tv'
  return 'desktop'
}

export class EventQueue {
  readonly viewId: string
  private seq = 0
  private queue: PlayerEvent[] = []
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly listeners = new Set<Listener>()
  private closed = false
  arms: Record<string, string> = {}

  constructor(
    private readonly endpoint: string | null,
    private readonly campaign: string,
    private readonly version: string,
    viewId?: string,
  ) {
    this.viewId = viewId && /^[0-9a-f-]{36}$/i.test(viewId) ? viewId : uuid()
    if (endpoint && typeof window !== 'undefined') {
      this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS)
      const final = (): void => this.final()
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'hidden') final()
      })
      window.addEventListener('pagehide', final)
    }
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(type: EventType, mediaTime: number, extra: Record<string, unknown> = {}): PlayerEvent {
    const event: PlayerEvent = {
      type, event_id: uuid(), view_id: this.viewId, ts: Date.now(), campaign: this.campaign, seq: this.seq++,
      template_version: this.version, arms: {...this.arms}, device: device(),
      media_time: Math.max(0, Math.round(mediaTime * 1000) / 1000), ...extra,
    }
    for (const l of this.listeners) l(event)
    if (this.endpoint && !this.closed) {
      this.queue.push(event)
      if (this.queue.length >= MAX_BATCH) this.flush()
    }
    return event
  }

  private body(events: PlayerEvent[]): string {
    return JSON.stringify({v: 1, sent_at: Date.now(), events})
  }

  /** Send what is queued with fetch (keepalive). */
  flush(): void {
    if (!this.endpoint || this.queue.length === 0) return
    const events = this.queue
    this.queue = []
    void fetch(this.endpoint, {
      method: 'POST', body: this.body(events), keepalive: true, credentials: 'omit', referrerPolicy: 'no-referrer',
      headers: {'content-type': 'text/plain'},
    }).catch(() => undefined)
  }

  /** The page is going away: the rest goes by sendBeacon, exactly once. */
  final(): void {
    if (!this.endpoint || this.queue.length === 0) return
    const events = this.queue
    this.queue = []
    const body = this.body(events)
    const sent = typeof navigator !== 'undefined' && navigator.sendBeacon?.(this.endpoint, new Blob([body], {type: 'text/plain'}))
    if (!sent) void fetch(this.endpoint, {method: 'POST', body, keepalive: true, credentials: 'omit'}).catch(() => undefined)
  }

  close(): void {
    this.final()
    this.closed = true
    if (this.timer) clearInterval(this.timer)
  }
}
