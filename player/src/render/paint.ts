/**
 * Colors, gradients, blend modes and shadows for Canvas 2D, as `openreel.render.paint` does
 * them with skia: colors `#rrggbbaa`; gradients in the layer box's pixels; blend `multiply`,
 * `screen`, `overlay` as the composite operations of the same names; a shadow's `blur` is the
 * canvas `shadowBlur` (skia sigma = blur / 2).
 */
import type {Paint, Stroke} from './types.ts'

export type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D

const cssCache = new Map<string, string>()

/** `#rgb` / `#rrggbb` / `#rrggbbaa` -> `rgba(r, g, b, a)`. */
export function css(color: string): string {
  let out = cssCache.get(color)
  if (out === undefined) {
    let h = color.slice(1)
    if (h.length === 3) h = [...h].map((c) => c + c).join('')
    if (h.length === 6) h += 'ff'
    const n = (i: number): number => parseInt(h.slice(i, i + 2), 16)
    out = `rgba(${n(0)},${n(2)},${n(4)},${+(n(6) / 255).toFixed(4)})`
    cssCache.set(color, out)
  }
  return out
}

export const BLEND: Record<string, GlobalCompositeOperation> = {
  normal: 'source-over',
  multiply: 'multiply',
  screen: 'screen',
  overlay: 'overlay',
}

export function fillStyle(ctx: Ctx2D, fill: Paint): string | CanvasGradient {
  if (typeof fill === 'string') return css(fill)
  if ('linear' in fill) {
    const g = fill.linear
    const grad = ctx.createLinearGradient(g.from[0], g.from[1], g.to[0], g.to[1])
    for (const [off, c] of g.stops) grad.addColorStop(Math.min(1, Math.max(0, off)), css(c))
    return grad
  }
  const g = fill.radial
  const grad = ctx.createRadialGradient(g.center[0], g.center[1], 0, g.center[0], g.center[1], Math.max(g.radius, 1e-3))
  for (const [off, c] of g.stops) grad.addColorStop(Math.min(1, Math.max(0, off)), css(c))
  return grad
}

/** Set a stroke on `ctx`; false when there is nothing to stroke. */
export function setStroke(ctx: Ctx2D, stroke: Stroke | null | undefined, width?: number): boolean {
  if (!stroke) return false
  const w = width ?? stroke.width
  if (w <= 0) return false
  ctx.lineWidth = w
  ctx.strokeStyle = css(stroke.color)
  return true
}

export function roundRect(ctx: Ctx2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath()
  r = Math.max(0, Math.min(r, w / 2, h / 2))
  if (r <= 0) {
    ctx.rect(x, y, w, h)
    return
  }
  ctx.moveTo(x + r, y)
  ctx.arcTo(x + w, y, x + w, y + h, r)
  ctx.arcTo(x + w, y + h, x, y + h, r)
  ctx.arcTo(x, y + h, x, y, r)
  ctx.arcTo(x, y, x + w, y, r)
  ctx.closePath()
}
