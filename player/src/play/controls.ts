/**
 * The player's chrome: a container that letterboxes the canvas (the template's aspect ratio,
 * centred, black margins), and a control bar with play/pause, a seek bar, the time, mute,
 * captions and fullscreen buttons. Plain DOM, no framework; every control has an aria-label and
 * the container takes keyboard focus. Styles are in `player.css` (no inline `<style>`, so a
 * page's CSP may keep `style-src 'self'`).
 */
export interface Chrome {
  root: HTMLDivElement
  canvas: HTMLCanvasElement
  play: HTMLButtonElement
  seek: HTMLInputElement
  time: HTMLSpanElement
  mute: HTMLButtonElement
  captions: HTMLButtonElement
  fullscreen: HTMLButtonElement
  status: HTMLDivElement
}


function button(label: string, text: string): HTMLButtonElement {
  const b = document.createElement('button')
  b.type = 'button'
  b.setAttribute('aria-label', label)
  b.textContent = text
  return b
}

export function buildChrome(element: HTMLElement, aspect: [number, number]): Chrome {
  const root = document.createElement('div')
  root.className = 'openreel or-paused'
  root.tabIndex = 0
  root.setAttribute('role', 'region')
  root.setAttribute('aria-label', 'Video player')
  const canvas = document.createElement('canvas')
  canvas.setAttribute('role', 'img')
  canvas.setAttribute('aria-label', 'Video')
  canvas.width = aspect[0]
  canvas.height = aspect[1]
  const bar = document.createElement('div')
  bar.className = 'or-bar'
  const play = button('Play', '▶')
  const seek = document.createElement('input')
  seek.type = 'range'
  seek.min = '0'
  seek.step = 'any'
  seek.value = '0'
  seek.setAttribute('aria-label', 'Seek')
  const time = document.createElement('span')
  time.textContent = '0:00'
  const mute = button('Mute', '🔊')
  const captions = button('Captions', 'CC')
  captions.setAttribute('aria-pressed', 'false')
  const fullscreen = button('Fullscreen', '⛶')
  bar.append(play, seek, time, mute, captions, fullscreen)
  const status = document.createElement('div')
  status.className = 'or-status'
  root.append(canvas, status, bar)
  element.replaceChildren(root)
  return {root, canvas, play, seek, time, mute, captions, fullscreen, status}
}

/** Size the canvas to fit the root (letterboxed), in device pixels; returns the CSS box. */
export function fit(chrome: Chrome, aspect: [number, number]): void {
  const {root, canvas} = chrome
  const rw = root.clientWidth || aspect[0]
  const rh = root.clientHeight || aspect[1]
  const s = Math.min(rw / aspect[0], rh / aspect[1])
  const w = aspect[0] * s
  const h = aspect[1] * s
  canvas.style.width = `${w}px`
  canvas.style.height = `${h}px`
  canvas.style.left = `${(rw - w) / 2}px`
  canvas.style.top = `${(rh - h) / 2}px`
  const dpr = Math.min(typeof devicePixelRatio === 'number' ? devicePixelRatio : 1, 2)
  const pw = Math.max(1, Math.round(w * dpr))
  const ph = Math.max(1, Math.round(h * dpr))
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw
    canvas.height = ph
  }
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}
