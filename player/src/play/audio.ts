/**
 * The audio mix with Web Audio, following `openreel.media.audio`: each track sounds on its
 * `[start, end)` frames (looping when asked), gain = volume (a number or keyframes relative to
 * the track's start) x linear fade-in x linear fade-out x ducking; `duck` tracks drop by
 * {@link DUCK_DB} while a `voice` track or a clip's own sound plays, ramping over
 * {@link DUCK_ATTACK_S} before the voice and {@link DUCK_RELEASE_S} after it.
 *
 * Sources are (re)scheduled on play and seek; gains are recomputed every tick and smoothed with
 * `setTargetAtTime` over {@link GAIN_SMOOTHING_S}.
 */
import {sample} from '../resolve/timing.ts'
import type {RTrack} from '../render/types.ts'

export const DUCK_DB = 12
export const DUCK_ATTACK_S = 0.15
export const DUCK_RELEASE_S = 0.3
export const GAIN_SMOOTHING_S = 0.02

interface Voice {
  index: number
  track: RTrack
  gain: GainNode
  source: AudioBufferSourceNode | null
}

/** Gain of one track at `t` seconds on the timeline, before ducking. */
export function trackGain(track: RTrack, t: number, fps: number): number {
  const start = track.start / fps
  const end = track.end / fps
  if (t < start || t >= end) return 0
  const local = t - start
  let g = typeof track.volume === 'number' ? track.volume : Number(sample(track.volume, local))
  if (track.fade_in > 0 && local < track.fade_in) g *= local / track.fade_in
  if (track.fade_out > 0 && end - t < track.fade_out) g *= (end - t) / track.fade_out
  return Math.max(0, g)
}

/** The ducking factor at `t` given the voice intervals (seconds) and whether a clip sounds. */
export function duckFactor(t: number, voices: Array<[number, number]>, clipSounding: boolean): number {
  let db = clipSounding ? DUCK_DB : 0
  for (const [a, b] of voices) {
    let d = 0
    if (t >= a && t < b) d = DUCK_DB
    else if (t < a && t >= a - DUCK_ATTACK_S) d = DUCK_DB * (1 - (a - t) / DUCK_ATTACK_S)
    else if (t >= b && t < b + DUCK_RELEASE_S) d = DUCK_DB * (1 - (t - b) / DUCK_RELEASE_S)
    db = Math.max(db, d)
  }
  return 10 ** (-db / 20)
}

/** When and how one track's buffer source is started, relative to the moment of scheduling
 * (`delay` seconds from now, from `offset` seconds into the buffer, stopped after `stopAfter`
 * seconds from now; looping buffers wrap `offset`). */
export interface Scheduled {
  index: number
  delay: number
  offset: number
  stopAfter: number
  loop: boolean
}

/**
 * The buffer sources to start when playback starts (or resumes after a seek) at timeline time
 * `t` seconds: one per track whose `[start, end)` frames are not over and whose buffer is
 * decoded (`durations[i]` seconds, null when it failed). A track not yet started waits
 * `start - t`; one already sounding starts `t - start` into its buffer (modulo its length when
 * it loops; skipped when a non-looping buffer is already over). Every source stops at the
 * track's end.
 */
export function schedule(tracks: readonly RTrack[], durations: ReadonlyArray<number | null>, t: number, fps: number): Scheduled[] {
  const out: Scheduled[] = []
  for (const [index, track] of tracks.entries()) {
    const start = track.start / fps
    const end = track.end / fps
    const duration = durations[index]
    if (t >= end || duration === null || duration === undefined) continue
    let offset = Math.max(0, t - start)
    if (track.loop) offset = duration > 0 ? offset % duration : 0
    else if (offset >= duration) continue
    out.push({index, delay: Math.max(0, start - t), offset, stopAfter: end - t, loop: track.loop})
  }
  return out
}

/** Each track's gain at timeline time `t`: {@link trackGain} times {@link duckFactor} for
 * `duck` tracks (voices are the `voice` tracks' spans; `clipSounding`: a clip's own sound
 * plays). */
export function mixGains(tracks: readonly RTrack[], t: number, fps: number, clipSounding: boolean): number[] {
  const voices = tracks.filter((k) => k.voice).map((k) => [k.start / fps, k.end / fps] as [number, number])
  return tracks.map((track) => trackGain(track, t, fps) * (track.duck ? duckFactor(t, voices, clipSounding) : 1))
}

export class AudioMix {
  private ctx: AudioContext | null = null
  private master: GainNode | null = null
  private readonly buffers = new Map<string, Promise<AudioBuffer | null>>()
  private voices: Voice[] = []
  private muted = false
  /** bumped by every start and stop: a start still decoding when the next command comes gives up */
  private generation = 0

  constructor(private tracks: RTrack[], private readonly fps: number, private readonly urlOf: (asset: string) => string | null) {}

  /** Create the AudioContext (call from a user gesture) and start decoding every track. */
  unlock(): void {
    if (this.ctx || typeof AudioContext === 'undefined') return
    this.ctx = new AudioContext()
    this.master = this.ctx.createGain()
    this.master.gain.value = this.muted ? 0 : 1
    this.master.connect(this.ctx.destination)
    for (const t of this.tracks) this.buffer(t.src)
  }

  setTracks(tracks: RTrack[]): void {
    this.tracks = tracks
  }

  private buffer(asset: string): Promise<AudioBuffer | null> {
    let p = this.buffers.get(asset)
    if (!p) {
      const url = this.urlOf(asset)
      const ctx = this.ctx
      p = url && ctx
        ? fetch(url).then((r) => r.arrayBuffer()).then((b) => ctx.decodeAudioData(b)).catch(() => null)
        : Promise.resolve(null)
      this.buffers.set(asset, p)
    }
    return p
  }

  setMuted(muted: boolean): void {
    this.muted = muted
    if (this.master && this.ctx) this.master.gain.setTargetAtTime(muted ? 0 : 1, this.ctx.currentTime, GAIN_SMOOTHING_S)
  }

  /** Stop every source (pause, or before a seek). */
  stop(): void {
    this.generation++
    for (const v of this.voices) {
      try {
        v.source?.stop()
      } catch {
        // already stopped
      }
      v.gain.disconnect()
    }
    this.voices = []
  }

  /** Schedule every track from the timeline's time on (`clock()` in seconds, read once the
   * buffers are decoded, so decoding does not shift the sound against the picture). */
  async start(clock: () => number): Promise<void> {
    this.stop()
    const generation = this.generation
    const ctx = this.ctx
    if (!ctx || !this.master) return
    if (ctx.state === 'suspended') await ctx.resume().catch(() => undefined)
    const buffers = await Promise.all(this.tracks.map((track) => this.buffer(track.src)))
    if (generation !== this.generation) return // paused or seeked meanwhile
    const now = ctx.currentTime
    const plan = schedule(this.tracks, buffers.map((b) => b?.duration ?? null), clock(), this.fps)
    for (const item of plan) {
      const gain = ctx.createGain()
      gain.gain.value = 0
      gain.connect(this.master)
      const source = ctx.createBufferSource()
      source.buffer = buffers[item.index]!
      source.loop = item.loop
      source.connect(gain)
      source.start(now + item.delay, item.offset)
      source.stop(now + item.stopAfter)
      this.voices.push({index: item.index, track: this.tracks[item.index]!, gain, source})
    }
  }

  /** Update gains for timeline time `t` (every tick while playing). */
  tick(t: number, clipSounding: boolean): void {
    const ctx = this.ctx
    if (!ctx) return
    const gains = mixGains(this.tracks, t, this.fps, clipSounding)
    for (const v of this.voices) v.gain.gain.setTargetAtTime(gains[v.index] ?? 0, ctx.currentTime, GAIN_SMOOTHING_S)
  }

  close(): void {
    this.stop()
    void this.ctx?.close().catch(() => undefined)
    this.ctx = null
  }
}
