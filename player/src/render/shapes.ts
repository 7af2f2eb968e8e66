/**
 * Shapes, buttons and burned-in captions, drawn as `openreel.render` draws them: shapes in their
 * box (rect with the layer's radius, ellipse, the box's diagonal as a line, SVG path data);
 * a button as a rounded rect plus one line of shrunk, centred text; the caption cue in a band
 * near the bottom (4.5 % of the shorter side, two lines at most, on a `#000000b3` box).
 */
import {css, fillStyle, roundRect, setStroke, type Ctx2D} from './paint.ts'
import type {TextLayouter, TextSpec} from './text.ts'
import type {RLayer, Timeline} from './types.ts'

type Props = Record<string, number | string>

export function drawShape(ctx: Ctx2D, layer: RLayer, p: Props, w: number, h: number, radius: number): void {
  const fill = (p.fill as string | undefined) ?? layer.fill ?? null
  const kind = layer.shape ?? 'rect'
  const strokeWidth = p.stroke_width as number | undefined
  if (kind === 'line') {
    let stroked = setStroke(ctx, layer.stroke, strokeWidth)
    if (!stroked && typeof fill === 'string') {
      ctx.lineWidth = 2
      ctx.strokeStyle = css(fill)
      stroked = true
    }
    if (stroked) {
      ctx.beginPath()
      ctx.moveTo(0, 0)
      ctx.lineTo(w, h)
      ctx.stroke()
    }
    return
  }
  let path: Path2D | null = null
  if (kind === 'path') {
    try {
      path = new Path2D(layer.path ?? '')
    } catch {
      return
    }
  } else if (kind === 'ellipse') {
    ctx.beginPath()
    ctx.ellipse(w / 2, h / 2, Math.abs(w / 2), Math.abs(h / 2), 0, 0, Math.PI * 2)
  } else roundRect(ctx, 0, 0, w, h, radius)
  if (fill) {
    ctx.fillStyle = fillStyle(ctx, fill)
    if (path) ctx.fill(path)
    else ctx.fill()
  }
  if (setStroke(ctx, layer.stroke, strokeWidth)) {
    if (path) ctx.stroke(path)
    else ctx.stroke()
  }
}

/** A rounded rect filled and stroked, its text on one line centred both ways, shrunk to fit
 * the box minus a padding of a quarter of the height on each side. */
export function drawButton(ctx: Ctx2D, text: TextLayouter, layer: RLayer, w: number, h: number): void {
  const style = layer.style!
  roundRect(ctx, 0, 0, w, h, Math.min(style.radius, w / 2, h / 2))
  if (style.fill) {
    ctx.fillStyle = fillStyle(ctx, style.fill)
    ctx.fill()
  }
  if (setStroke(ctx, style.stroke)) ctx.stroke()
  const pad = h / 4
  const spec: TextSpec = {
    text: String(layer.text ?? ''), font: style.font, size: style.size, color: style.color, align: 'center', valign: 'middle',
    lineHeight: 1.2, maxLines: 1, fit: 'shrink', stroke: null, background: null, width: Math.max(w - 2 * pad, 1), height: h,
  }
  ctx.save()
  ctx.translate(pad, 0)
  text.draw(ctx, text.layout(spec))
  ctx.restore()
}

/** The caption cue at `frame`, as `openreel.render.captions` burns it in. */
export function drawCaptions(ctx: Ctx2D, text: TextLayouter, timeline: Timeline, frame: number, [s, ox, oy]: [number, number, number]): void {
  const [width, height] = timeline.size
  let cue: string | null = null
  for (const c of timeline.captions) if (c.start <= frame && frame < c.end && c.text.trim()) cue = c.text
  if (cue === null) return
  const size = 0.045 * Math.min(width, height)
  const bandW = 0.84 * width
  const bandH = size * 1.3 * 2
  const spec: TextSpec = {
    text: cue, font: null, size, color: '#ffffffff', align: 'center', valign: 'bottom', lineHeight: 1.3, maxLines: 2, fit: 'ellipsis',
    stroke: null, background: {color: '#000000b3', padding: size * 0.35, radius: size * 0.3}, width: bandW, height: bandH,
  }
  ctx.save()
  ctx.setTransform(s, 0, 0, s, ox, oy)
  ctx.translate((width - bandW) / 2, height * 0.94 - bandH)
  text.draw(ctx, text.layout(spec))
  ctx.restore()
}
