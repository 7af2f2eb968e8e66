/**
 * Scene transitions, as `openreel.render.transitions`: for eased progress `p` of the entering
 * scene, crossfade (opacity p / 1 - p), slide-* (moved by the canvas size times 1 - p / p),
 * wipe (entering clipped to x < W p), zoom (0.8 + 0.2 p with opacity p / 1 + 0.2 p with 1 - p).
 */
export interface Look {
  dx: number
  dy: number
  scale: number
  alpha: number
  clipWidth: number | null
}

export const REST: Look = {dx: 0, dy: 0, scale: 1, alpha: 1, clipWidth: null}
const look = (l: Partial<Look>): Look => ({...REST, ...l})

export function then(a: Look, b: Look): Look {
  let clip = b.clipWidth === null ? a.clipWidth : b.clipWidth
  if (a.clipWidth !== null && b.clipWidth !== null) clip = Math.min(a.clipWidth, b.clipWidth)
  return {dx: a.dx + b.dx, dy: a.dy + b.dy, scale: a.scale * b.scale, alpha: a.alpha * b.alpha, clipWidth: clip}
}

export function entering(kind: string, p: number, w: number, h: number): Look {
  const q = 1 - p
  switch (kind) {
    case 'crossfade': return look({alpha: p})
    case 'slide-left': return look({dx: w * q})
    case 'slide-right': return look({dx: -w * q})
    case 'slide-up': return look({dy: h * q})
    case 'slide-down': return look({dy: -h * q})
    case 'wipe': return look({clipWidth: w * p})
    case 'zoom': return look({scale: 0.8 + 0.2 * p, alpha: p})
    default: return REST
  }
}

export function leaving(kind: string, p: number, w: number, h: number): Look {
  switch (kind) {
    case 'crossfade': return look({alpha: 1 - p})
    case 'slide-left': return look({dx: -w * p})
    case 'slide-right': return look({dx: w * p})
    case 'slide-up': return look({dy: -h * p})
    case 'slide-down': return look({dy: h * p})
    case 'zoom': return look({scale: 1 + 0.2 * p, alpha: 1 - p})
    default: return REST
  }
}
