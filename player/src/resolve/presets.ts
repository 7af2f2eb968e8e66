/**
 * Animation presets expanded into keyframes (mirrors `openreel.resolve.presets`); every float is
 * computed in the same order as in Python.
 */
import {graphemes} from '../expr/text.ts'
import {parseEasing, type Preset} from './model.ts'
import type {Easing} from './timing.ts'

type Keyframe = [number, number | string, Easing]
export const EASE_OUT: Easing = ['cubic-bezier', 0.0, 0.0, 0.58, 1.0]
export const EASE_IN_OUT: Easing = ['cubic-bezier', 0.42, 0.0, 0.58, 1.0]
const HOLD: Easing = ['hold']
export const PRESET_DEFAULT_DURATION: Record<string, number> = {'fade-in': 0.5, 'slide-up': 0.6, 'pop-in': 0.5, typewriter: 1.0, 'count-up': 1.5}

const easingOf = (p: Preset, fallback: Easing): Easing => (p.easing ? parseEasing(p.easing) : fallback)

export const durationOf = (p: Preset): number => p.duration ?? PRESET_DEFAULT_DURATION[p.preset]!

export function fadeIn(p: Preset, base: number, d: number): Keyframe[] {
  return [[p.at, 0, ['linear']], [p.at + d, base, easingOf(p, EASE_OUT)]]
}

export function slideUp(p: Preset, base: number, d: number): Keyframe[] {
  return [[p.at, base + p.distance, ['linear']], [p.at + d, base, easingOf(p, EASE_OUT)]]
}

export function popIn(p: Preset, base: number, d: number): Keyframe[] {
  return [[p.at, 0, ['linear']], [p.at + d * 0.7, base * 1.1, easingOf(p, EASE_OUT)], [p.at + d, base, EASE_IN_OUT]]
}

/** The text revealed one grapheme cluster at a time (the i-th of n at `at + d * i / n`). */
export function typewriter(p: Preset, text: string, d: number): Keyframe[] {
  const clusters = graphemes(text)
  const n = clusters.length
  const frames: Keyframe[] = [[p.at, '', ['linear']]]
  for (let i = 1; i <= n; i++) {
    const t = i === n ? p.at + d : p.at + (d * i) / n
    frames.push([t, clusters.slice(0, i).join(''), HOLD])
  }
  return frames
}

/** A number counting from 0 to `target` in `steps` steps (one per frame of `d`, computed
 * exactly by the caller), easing out quadratically; the last step shows `target` itself. */
export function countUp(p: Preset, target: number, d: number, steps: number, fmt: (x: number) => string): Keyframe[] {
  const frames: Keyframe[] = [[p.at, fmt(0.0), ['linear']]]
  for (let k = 1; k <= steps; k++) {
    const q = k / steps
    const eased = 1 - (1 - q) * (1 - q)
    const value = k < steps ? Math.floor(target * eased + 0.5) : target
    const t = k === steps ? p.at + d : p.at + (d * k) / steps
    frames.push([t, fmt(value), HOLD])
  }
  return frames
}
