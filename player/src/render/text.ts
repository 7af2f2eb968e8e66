/**
 * Text layout on Canvas 2D with the rules of `openreel.render.text` (skia textlayout):
 *
 * - lines wrap at the box width, at spaces, and between CJK characters; a word wider than the
 *   box breaks between grapheme clusters; `\n` forces a break;
 * - every line box is exactly `size * line_height` tall (skia's forced strut): the baseline sits
 *   at `ascent / (ascent + descent)` of the line box, from the font's own metrics;
 * - the base direction is that of the first strong character; `start` / `end` follow it;
 * - `valign` places the block; `max_lines` cuts at a grapheme boundary (`…` with `fit:
 *   ellipsis`; `ellipsis` without `max_lines` keeps the lines that fit the height); `shrink`
 *   binary-searches the size (14 steps, down to 4 %) until the block fits the box height, no word
 *   is wider than the box and `max_lines` holds;
 * - `stroke` draws `2 * width` under the fill with round joins; `background` is a rounded box
 *   around the block (longest line by block height) grown by `padding`.
 */
import {graphemes} from '../expr/text.ts'
import {css, roundRect, type Ctx2D} from './paint.ts'

export const DEFAULT_FAMILY = 'OpenReel Sans'
const ELLIPSIS = '\u2026'
const SHRINK_STEPS = 14
const MIN_SHRINK = 0.04
const RTL_CHAR = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/
const STRONG_LTR = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u0900-\u0DFF\u0E00-\u0EFF\u1100-\u11FF\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF]/
const CJK = /[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]/

export interface TextSpec {
  text: string
  font: string | null
  size: number
  color: string
  align: string
  valign: string
  lineHeight: number
  maxLines: number | null
  fit: string
  stroke: {width: number; color: string} | null
  background: {color: string; padding: number; radius: number} | null
  width: number
  height: number
}

export interface TextBlock {
  lines: Array<{text: string; width: number}>
  size: number
  y: number
  lineBox: number
  baseline: number
  blockWidth: number
  blockHeight: number
  left: number
  align: 'left' | 'center' | 'right'
  rtl: boolean
  spec: TextSpec
}

export function isRtl(text: string): boolean {
  for (const ch of text) {
    if (RTL_CHAR.test(ch)) return true
    if (STRONG_LTR.test(ch)) return false
  }
  return false
}

export function horizontalAlign(align: string, rtl: boolean): 'left' | 'center' | 'right' {
  if (align === 'start') return rtl ? 'right' : 'left'
  if (align === 'end') return rtl ? 'left' : 'right'
  return align as 'left' | 'center' | 'right'
}

export function fontString(family: string | null, size: number): string {
  const primary = family ?? DEFAULT_FAMILY
  return `${size}px "${primary.replace(/"/g, '')}", "${DEFAULT_FAMILY}", sans-serif`
}

/** Break opportunities: each piece is a word with its trailing spaces, or a CJK cluster. */
function pieces(paragraph: string): string[] {
  const out: string[] = []
  for (const m of paragraph.match(/\S+\s*|\s+/g) ?? []) {
    if (CJK.test(m)) {
      let buf = ''
      for (const g of graphemes(m)) {
        if (CJK.test(g)) {
          if (buf) out.push(buf)
          buf = ''
          out.push(g)
        } else buf += g
      }
      if (buf) out.push(buf)
    } else out.push(m)
  }
  return out
}

export class TextLayouter {
  private readonly widths = new Map<string, number>()
  private readonly metrics = new Map<string, number>()
  private readonly blocks = new Map<string, TextBlock>()

  constructor(private readonly ctx: Ctx2D) {}

  private width(font: string, text: string): number {
    const key = font + '\u0000' + text
    let w = this.widths.get(key)
    if (w === undefined) {
      this.ctx.font = font
      this.ctx.fontKerning = 'normal' // as skia's shaper: Chrome's 'auto' kerns differently
      w = this.ctx.measureText(text).width
      if (this.widths.size > 20000) this.widths.clear()
      this.widths.set(key, w)
    }
    return w
  }

  /** ascent / (ascent + descent) of the font, from its own metrics (measured at 1000 px:
   * browsers round the font box to whole pixels). */
  private ascentRatio(family: string | null): number {
    const font = fontString(family, 1000)
    let r = this.metrics.get(font)
    if (r === undefined) {
      this.ctx.font = font
      this.ctx.fontKerning = 'normal'
      const m = this.ctx.measureText('Hg')
      const a = m.fontBoundingBoxAscent
      const d = m.fontBoundingBoxDescent
      r = a > 0 && d >= 0 ? a / (a + d) : 0.8
      this.metrics.set(font, r)
    }
    return r
  }

  /** Greedy line breaking at `maxWidth`; returns the lines and the widest unbreakable piece. */
  private wrap(text: string, font: string, maxWidth: number): {lines: Array<{text: string; width: number}>; minIntrinsic: number} {
    const lines: Array<{text: string; width: number}> = []
    let minIntrinsic = 0
    for (const paragraph of text.split('\n')) {
      let line = ''
      for (const piece of pieces(paragraph)) {
        const word = piece.trimEnd()
        const ww = this.width(font, word)
        minIntrinsic = Math.max(minIntrinsic, ww)
        const candidate = line + piece
        if (line === '' || this.width(font, candidate.trimEnd()) <= maxWidth + 1e-6) {
          if (line === '' && ww > maxWidth) {
            // a word wider than the box breaks between grapheme clusters
            let part = ''
            for (const g of graphemes(piece)) {
              if (part && this.width(font, (part + g).trimEnd()) > maxWidth) {
                lines.push({text: part.trimEnd(), width: this.width(font, part.trimEnd())})
                part = ''
              }
              part += g
            }
            line = part
          } else line = candidate
        } else {
          lines.push({text: line.trimEnd(), width: this.width(font, line.trimEnd())})
          line = piece
          if (ww > maxWidth) {
            let part = ''
            for (const g of graphemes(piece)) {
              if (part && this.width(font, (part + g).trimEnd()) > maxWidth) {
                lines.push({text: part.trimEnd(), width: this.width(font, part.trimEnd())})
                part = ''
              }
              part += g
            }
            line = part
          }
        }
      }
      lines.push({text: line.trimEnd(), width: this.width(font, line.trimEnd())})
    }
    return {lines, minIntrinsic}
  }

  private fits(text: string, spec: TextSpec, size: number): boolean {
    const {lines, minIntrinsic} = this.wrap(text, fontString(spec.font, size), Math.max(spec.width, 1))
    return lines.length * size * spec.lineHeight <= spec.height + 0.5 && minIntrinsic <= spec.width + 0.5 && (spec.maxLines === null || lines.length <= spec.maxLines)
  }

  private shrunkSize(text: string, spec: TextSpec): number {
    if (this.fits(text, spec, spec.size)) return spec.size
    let lo = spec.size * MIN_SHRINK
    let hi = spec.size
    for (let i = 0; i < SHRINK_STEPS; i++) {
      const mid = (lo + hi) / 2
      if (this.fits(text, spec, mid)) lo = mid
      else hi = mid
    }
    return lo
  }

  private truncate(text: string, spec: TextSpec, size: number, limit: number): string {
    const font = fontString(spec.font, size)
    const w = Math.max(spec.width, 1)
    if (this.wrap(text, font, w).lines.length <= limit) return text
    const clusters = graphemes(text)
    const suffix = spec.fit === 'ellipsis' ? ELLIPSIS : ''
    const candidate = (k: number): string => clusters.slice(0, k).join('').trimEnd() + suffix
    let lo = 0
    let hi = clusters.length
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2)
      if (this.wrap(candidate(mid), font, w).lines.length <= limit) lo = mid
      else hi = mid - 1
    }
    return candidate(lo)
  }

  /** Lay `spec` out (cached: the same spec always gives the same block). */
  layout(spec: TextSpec): TextBlock {
    const key = JSON.stringify(spec)
    const cached = this.blocks.get(key)
    if (cached) return cached
    const rtl = isRtl(spec.text)
    const align = horizontalAlign(spec.align, rtl)
    let text = spec.text
    const size = spec.fit === 'shrink' ? this.shrunkSize(text, spec) : spec.size
    let limit = spec.maxLines
    if (limit === null && spec.fit === 'ellipsis') limit = Math.max(1, Math.floor(spec.height / (size * spec.lineHeight) + 1e-6))
    if (limit !== null) text = this.truncate(text, spec, size, limit)
    const font = fontString(spec.font, size)
    const {lines} = this.wrap(text, font, Math.max(spec.width, 1))
    const lineBox = size * spec.lineHeight
    const blockHeight = lines.length * lineBox
    const blockWidth = Math.max(0, ...lines.map((l) => l.width))
    const y = spec.valign === 'middle' ? (spec.height - blockHeight) / 2 : spec.valign === 'bottom' ? spec.height - blockHeight : 0
    const left = align === 'center' ? (spec.width - blockWidth) / 2 : align === 'right' ? spec.width - blockWidth : 0
    const block: TextBlock = {lines, size, y, lineBox, baseline: lineBox * this.ascentRatio(spec.font), blockWidth, blockHeight, left, align, rtl, spec}
    if (this.blocks.size > 2000) this.blocks.clear()
    this.blocks.set(key, block)
    return block
  }

  /** Draw a block at the top-left of its box. */
  draw(ctx: Ctx2D, block: TextBlock): void {
    const {spec} = block
    if (spec.background) {
      const {color, padding, radius} = spec.background
      roundRect(ctx, block.left - padding, block.y - padding, block.blockWidth + 2 * padding, block.blockHeight + 2 * padding, radius)
      ctx.fillStyle = css(color)
      ctx.fill()
    }
    ctx.font = fontString(spec.font, block.size)
    ctx.fontKerning = 'normal'
    ctx.textBaseline = 'alphabetic'
    ctx.textAlign = 'left'
    ctx.direction = block.rtl ? 'rtl' : 'ltr'
    const xOf = (w: number): number => (block.align === 'center' ? (spec.width - w) / 2 : block.align === 'right' ? spec.width - w : 0)
    // with direction rtl, fillText's x is the right end of the run
    const anchor = (w: number): number => (block.rtl ? xOf(w) + w : xOf(w))
    if (spec.stroke && spec.stroke.width > 0) {
      ctx.lineWidth = 2 * spec.stroke.width
      ctx.lineJoin = 'round'
      ctx.strokeStyle = css(spec.stroke.color)
      block.lines.forEach((l, i) => ctx.strokeText(l.text, anchor(l.width), block.y + i * block.lineBox + block.baseline))
    }
    ctx.fillStyle = css(spec.color)
    block.lines.forEach((l, i) => ctx.fillText(l.text, anchor(l.width), block.y + i * block.lineBox + block.baseline))
    ctx.direction = 'ltr'
  }
}
