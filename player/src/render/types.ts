/** The resolved timeline as the renderer reads it (spec section 12; see `resolve/resolver.ts`). */
import type {Keyframe, Easing} from '../resolve/timing.ts'

export type Paint = string | {linear: {from: [number, number]; to: [number, number]; stops: Array<[number, string]>}} | {radial: {center: [number, number]; radius: number; stops: Array<[number, string]>}}
export interface Stroke {
  width: number
  color: string
}

export interface RLayer {
  id: string
  type: 'text' | 'image' | 'video' | 'shape' | 'lottie' | 'button' | 'group'
  static: boolean
  start: number
  end: number
  x: number
  y: number
  width: number
  height: number
  anchor: [number, number]
  rotation: number
  scale: number
  opacity: number
  blend: string
  radius: number
  shadow: {x: number; y: number; blur: number; color: string} | null
  animate: Record<string, Keyframe[]>
  // text
  text?: string
  font?: string
  size?: number
  color?: string
  align?: string
  valign?: string
  line_height?: number
  max_lines?: number | null
  fit?: string
  stroke?: Stroke | null
  background?: {color: string; padding: number; radius: number} | null
  // image / video / lottie
  src?: {asset?: string; url?: string} | null
  focus?: [number, number]
  trim?: [number, number] | null
  loop?: boolean
  muted?: boolean
  volume?: number
  speed?: number
  slots?: Record<string, unknown>
  // shape
  shape?: string
  path?: string | null
  fill?: Paint | null
  // button
  href?: string | null
  action?: string | null
  style?: {fill: Paint | null; color: string; font: string; size: number; radius: number; stroke: Stroke | null}
  layers?: RLayer[]
}

export interface RScene {
  id: string
  source: number
  instance: number
  start: number
  end: number
  static: boolean
  transition: {type: string; frames: number; easing: Easing}
  background: string | null
  layers: RLayer[]
  hotspots: Array<{x: number; y: number; width: number; height: number; start: number; end: number; href: string | null; action: string | null}>
}

export interface RTrack {
  src: string
  start: number
  end: number
  volume: number | Keyframe[]
  fade_in: number
  fade_out: number
  duck: boolean
  voice: boolean
  loop: boolean
}

export interface Timeline {
  resolved: number
  template: string
  size: [number, number]
  fps: string
  frames: number
  background: string
  locale: string
  fonts: Record<string, string>
  assets: Record<string, string>
  theme: Record<string, unknown>
  decisions: Record<string, {arm: string; policy: string; reason: string}>
  scenes: RScene[]
  audio: RTrack[]
  captions: Array<{start: number; end: number; text: string}>
}
