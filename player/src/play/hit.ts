/**
 * What a click hits: the topmost `button` layer showing at the frame (groups place their
 * children in their box; rotation is not taken into account), else the first scene hotspot
 * showing then. Coordinates are template pixels.
 */
import type {RLayer, RScene} from '../render/types.ts'

export interface Target {
  id: string
  href: string | null
  action: string | null
}

export function hitTest(scene: RScene, frame: number, x: number, y: number): Target | null {
  let found: Target | null = null
  const visit = (layers: RLayer[], ox: number, oy: number): void => {
    for (const l of layers) {
      if (!(l.start <= frame && frame < l.end)) continue
      const lx = ox + l.x - l.anchor[0] * l.width * l.scale
      const ly = oy + l.y - l.anchor[1] * l.height * l.scale
      const inside = x >= lx && x < lx + l.width * l.scale && y >= ly && y < ly + l.height * l.scale
      if (l.type === 'button' && inside) found = {id: l.id, href: l.href ?? null, action: l.action ?? null}
      if (l.type === 'group') visit(l.layers ?? [], lx, ly)
    }
  }
  visit(scene.layers, 0, 0)
  if (found) return found
  for (const [i, h] of scene.hotspots.entries()) {
    if (h.start <= frame && frame < h.end && x >= h.x && x < h.x + h.width && y >= h.y && y < h.y + h.height) {
      return {id: `hotspot-${i}`, href: h.href, action: h.action}
    }
  }
  return null
}
