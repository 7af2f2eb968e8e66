/**
 * OpenReel's text functions (mirrors `openreel.expr._text`): `upper`, `lower` (full Unicode,
 * locale-independent), `title` (first code point of each run of non-`\s` upper-cased, the rest
 * lower-cased), `truncate` (grapheme clusters through `Intl.Segmenter`), `join`, `plural`.
 */
import {Failure, kindOf, toText, type Value} from './values.ts'
import {OpenReelError} from '../errors.ts'

export const ELLIPSIS = '\u2026'
let segmenter: Intl.Segmenter | null = null

/** The extended grapheme clusters of `text`. */
export function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, {granularity: 'grapheme'})
  return Array.from(segmenter.segment(text), (s) => s.segment)
}

function str(fn: string, v: Value, position = ''): string {
  if (typeof v === 'string') return v
  throw new Failure(`${fn}() needs a string${position}, found a ${kindOf(v)}`)
}

export const upper = (s: Value): Value => str('upper', s).toUpperCase()
export const lower = (s: Value): Value => str('lower', s).toLowerCase()

export function title(s: Value): Value {
  return str('title', s).replace(/\S+/gu, (word) => {
    const first = String.fromCodePoint(word.codePointAt(0)!)
    return first.toUpperCase() + word.slice(first.length).toLowerCase()
  })
}

export function truncate(s: Value, n: Value): Value {
  const text = str('truncate', s, ' as its first argument')
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new Failure('truncate() needs a whole number of at least 1 as its second argument')
  }
  if ([...text].length <= n) return text
  const clusters = graphemes(text)
  if (clusters.length <= n) return text
  return clusters.slice(0, n - 1).join('') + ELLIPSIS
}

export function join(items: Value, sep: Value): Value {
  if (!Array.isArray(items)) throw new Failure(`join() needs a list as its first argument, found a ${kindOf(items)}`)
  const separator = str('join', sep, ' as its second argument')
  try {
    return items.map(toText).join(separator)
  } catch (e) {
    if (e instanceof OpenReelError) throw new Failure('join() cannot write a map or a duration as text')
    throw e
  }
}

export function plural(n: Value, one: Value, other: Value): Value {
  if (typeof n !== 'number') throw new Failure(`plural() needs a number as its first argument, found a ${kindOf(n)}`)
  return n === 1 ? one : other
}
