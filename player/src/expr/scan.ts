/**
 * Linear scans of source text before any parsing (mirrors `openreel.expr._scan`): the bracket
 * nesting of CEL source (OR-E205) and a string property cut into text and `{{ expr }}` parts
 * (an interpolation ends at the first `}}` outside string literals and braces opened inside it;
 * a `{{` without `}}` is OR-E210).
 */
import {OpenReelError} from '../errors.ts'

export const MAX_LENGTH = 2000
export const MAX_DEPTH = 24

function skipString(text: string, i: number, stop: number): number {
  const quote = text[i]!
  const triple = text.slice(i, i + 3) === quote.repeat(3)
  const endMark = triple ? quote.repeat(3) : quote
  let j = i + endMark.length
  while (j < stop) {
    const ch = text[j]
    if (ch === '\\') {
      j += 2
      continue
    }
    if (!triple && ch === '\n') return j
    if (text.startsWith(endMark, j)) return j + endMark.length
    j += 1
  }
  return stop
}

export function nestingProblem(source: string): number | null {
  const stop = Math.min(source.length, MAX_LENGTH + 1)
  let depth = 0
  let i = 0
  while (i < stop) {
    const ch = source[i]!
    if (ch === '"' || ch === "'") {
      i = skipString(source, i, stop)
      continue
    }
    if (ch === '/' && source.startsWith('//', i)) {
      const nl = source.indexOf('\n', i)
      i = nl < 0 || nl >= stop ? stop : nl
      continue
    }
    if ('([{'.includes(ch)) {
      depth += 1
      if (depth > MAX_DEPTH) return i
    } else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1)
    i += 1
  }
  return null
}

/** `[piece, isExpression]` in order; throws OR-E210 for a `{{` without `}}`. */
export function splitText(text: string, where: string | null): Array<[string, boolean]> {
  const parts: Array<[string, boolean]> = []
  let position = 0
  for (;;) {
    const opening = text.indexOf('{{', position)
    if (opening < 0) break
    if (opening > position) parts.push([text.slice(position, opening), false])
    const start = opening + 2
    let depth = 0
    let i = start
    const end = Math.min(text.length, start + MAX_LENGTH + 2)
    let closing = -1
    while (i < end) {
      const ch = text[i]!
      if (ch === '"' || ch === "'") {
        i = skipString(text, i, end)
        continue
      }
      if (ch === '{') depth += 1
      else if (ch === '}') {
        if (depth === 0 && text.startsWith('}}', i)) {
          closing = i
          break
        }
        depth = Math.max(0, depth - 1)
      }
      i += 1
    }
    if (closing < 0) {
      if (end < text.length) throw new OpenReelError('OR-E204', 'an interpolated expression is too long', where)
      throw new OpenReelError('OR-E210', 'a {{ has no }}', where)
    }
    parts.push([text.slice(start, closing), true])
    position = closing + 2
  }
  if (position < text.length) parts.push([text.slice(position), false])
  return parts
}

export function hasInterpolation(text: string): boolean {
  return text.includes('{{')
}

