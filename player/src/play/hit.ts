/**
 * What a click hits, in template pixels: the topmost `button` layer showing at the frame, else
 * the first scene hotspot showing then (hotspots are axis-aligned rectangles of the template).
 *
 * A layer is hit where the renderer draws its box: the point is taken back through the layer's
 * transform as drawn — translate to (x, y), rotate by `rotation` degrees clockwise, scale by
 * `scale`, shift by -anchor x size — with animated properties sampled at the frame, and tested
 * against `[0, width) x [0, height)`. Children of a group are tested in the group's box
 * coordinates (through the group's transform too). Layers that are fully transparent or
 * scaled to 0 are not hit. Scene transitions (slides, zooms) are not taken into account.
 */
import {num, propsAt, type Props} from '../render/frame.ts'
import type {RLayer, RScene} from '../render/types.ts'

export interface Target {
  id: string
  href: string | null
  action: string | null
}

/** `(x, y)` in the parent's coordinates taken into the layer's box coordinates at `frame`, or
 * null when the layer cannot be hit (scale 0, opacity 0). */
export function toLocal(layer: RLayer, frame: number, fps: number, x: number, y: number): [number, number, Props] | null {
  const p = layer.animate && Object.keys(layer.animate).length ? propsAt(layer, frame, fps) : {}
  const scale = num(layer, p, 'scale', 1)
  if (scale === 0 || num(layer, p, 'opacity', 1) <= 0) return null
  const w = num(layer, p, 'width', 0)
  const h = num(layer, p, 'height', 0)
  const a = (-num(layer, p, 'rotation', 0) * Math.PI) / 180
  const dx = x - num(layer, p, 'x', 0)
  const dy = y - num(layer, p, 'y', 0)
  // inverse of rotate(r): rotate(-r); canvas rotation is clockwise on screen (y down)
  const rx = dx * Math.cos(a) - dy * Math.sin(a)
  const ry = dx * Math.sin(a) + dy * Math.cos(a)
  const [ax, ay] = layer.anchor ?? [0, 0]
  return [rx / scale + ax * w, ry / scale + ay * h, p]
}

export function hitTest(scene: RScene, frame: number, x: number, y: number, fps = 30): Target | null {
  let found: Target | null = null
  const visit = (layers: RLayer[], px: number, py: number): void => {
    for (const l of layers) {
      if (!(l.start <= frame && frame < l.end)) continue
      const local = toLocal(l, frame, fps, px, py)
      if (!local) continue
      const [lx, ly, p] = local
      const inside = lx >= 0 && ly >= 0 && lx < num(l, p, 'width', 0) && ly < num(l, p, 'height', 0)
      if (l.type === 'button' && inside) found = {id: l.id, href: l.href ?? null, action: l.action ?? null}
      if (l.type === 'group') visit(l.layers ?? [], lx, ly)
    }
  }
  visit(scene.layers, x, y)
  if (found) return found
  for (const [i, h] of scene.hotspots.entries()) {
    if (h.start <= frame && frame < h.end && x >= h.x && x < h.x + h.width && y >= h.y && y < h.y + h.height) {
      return {id: `hotspot-${i}`, href: h.href, action: h.action}
    }
  }
  return null
}
