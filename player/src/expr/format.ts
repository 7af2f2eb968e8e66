/**
 * Locale formatting with `Intl` (the reference the Python side matches with Babel):
 * `format_number` = `Intl.NumberFormat(locale).format(x)`, `format_currency` =
 * `Intl.NumberFormat(locale, {style: "currency", currency}).format(x)`, `format_date` =
 * `Intl.DateTimeFormat(locale, {dateStyle, timeZone: "UTC"}).format(d)`. Rounding is half away
 * from zero on the shortest decimal (`roundingMode: "halfExpand"`, Intl's default).
 * Messages never contain the value, the locale or the code (they may be viewer data).
 */
import {Failure, Timestamp, kindOf, type Value} from './values.ts'

export const DEFAULT_LOCALE = 'en-US'
export const DATE_STYLES = ['short', 'medium', 'long', 'full'] as const
const LOCALE_TAG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/
const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>()

// The regions CLDR names (what Babel accepts on the Python side). A list, because asking
// Intl.DisplayNames costs ~40 ms on first use, on the path to the first frame.
const REGION_LETTERS = 'ACADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCPCQCRCUCVCWCXCYCZDEDGDJDKDMDODZEAECEEEGEHERESETEUEZFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUICIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQAQORERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTATCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUNUSUYUZVAVCVEVGVIVNVUWFWSXAXBXKYEYTZAZMZWZZ'
const REGION_NUMBERS = '001 002 003 005 009 011 013 014 015 017 018 019 021 029 030 034 035 039 053 054 057 061 142 143 145 150 151 154 155 202 419'
let regions: Set<string> | null = null
const known = new Map<string, string | null>()

function knownRegions(): Set<string> {
  if (regions === null) {
    regions = new Set(REGION_NUMBERS.split(' '))
    for (let i = 0; i < REGION_LETTERS.length; i += 2) regions.add(REGION_LETTERS.slice(i, i + 2))
  }
  return regions
}

/**
 * The canonical locale for a BCP 47 tag; Failure when OpenReel does not know it. Known means
 * what the Python side (Babel) accepts: a language with CLDR data, an optional script, a
 * region CLDR names, variants; no extensions or private use (`-u-...`, `-x-...`): so `de-XX`
 * and `en-US-u-nu-thai` are unknown, as in Python.
 */
export function parseLocale(tag: string): string {
  let out = known.get(tag)
  if (out === undefined) {
    out = checkLocale(tag)
    known.set(tag, out)
  }
  if (out === null) throw new Failure('the locale is not one OpenReel knows (CLDR)')
  return out
}

function checkLocale(tag: string): string | null {
  if (!LOCALE_TAG.test(tag)) throw new Failure('the locale is not a BCP 47 tag such as "de-DE"')
  const parts = tag.split('-')
  if (parts.some((p) => p.length === 1)) return null
  const language = parts[0]!.toLowerCase()
  if (Intl.NumberFormat.supportedLocalesOf([language]).length === 0) return null
  for (const p of parts.slice(1)) {
    if (/^(?:[A-Za-z]{2}|\d{3})$/.test(p) && !knownRegions().has(p.toUpperCase())) return null
  }
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null
  } catch {
    return null
  }
}

/** The viewer's locale as a default: `tag` when known, else its language, else null (en-US). */
export function usableLocale(tag: unknown): string | null {
  if (typeof tag !== 'string') return null
  for (const candidate of [tag, tag.split('-')[0]!]) {
    try {
      parseLocale(candidate)
      return candidate
    } catch {
      // try the language alone
    }
  }
  return null
}

export function checkCurrency(code: string): string {
  const upper = code.toUpperCase()
  if (!/^[A-Z]{3}$/.test(upper)) throw new Failure('a currency code is three letters such as "EUR"')
  if (typeof Intl.supportedValuesOf === 'function' && !Intl.supportedValuesOf('currency').includes(upper)) {
    throw new Failure('the currency code is not an ISO 4217 code OpenReel knows')
  }
  return upper
}

export function checkDateStyle(style: string): string {
  if (!(DATE_STYLES as readonly string[]).includes(style)) {
    throw new Failure('the date style is one of short, medium, long, full')
  }
  return style
}

function localeOf(fn: string, v: Value): string {
  if (v === null || v === undefined) return DEFAULT_LOCALE
  if (typeof v !== 'string') throw new Failure(`${fn}() needs the locale as text, found a ${kindOf(v)}`)
  return v
}

function numberFormat(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let f = cache.get(key) as Intl.NumberFormat | undefined
  if (f === undefined) {
    f = make()
    cache.set(key, f)
  }
  return f
}

function num(fn: string, x: Value): number {
  if (typeof x === 'number') return x
  throw new Failure(`${fn}() needs a number as its first argument, found a ${kindOf(x)}`)
}

export function formatNumberIn(x: number, locale: string): string {
  const loc = parseLocale(locale)
  return numberFormat(`n|${loc}`, () => new Intl.NumberFormat(loc)).format(x)
}

export function formatNumber(x: Value, locale: Value = null): Value {
  try {
    return formatNumberIn(num('format_number', x), localeOf('format_number', locale))
  } catch (e) {
    throw e instanceof Failure ? new Failure(`format_number(): ${e.message}`) : e
  }
}

export function formatCurrency(x: Value, code: Value, locale: Value = null): Value {
  try {
    if (typeof code !== 'string') throw new Failure(`format_currency() needs a currency code, found a ${kindOf(code)}`)
    const value = num('format_currency', x)
    const loc = parseLocale(localeOf('format_currency', locale))
    const cur = checkCurrency(code)
    return numberFormat(`c|${loc}|${cur}`, () => new Intl.NumberFormat(loc, {style: 'currency', currency: cur})).format(value)
  } catch (e) {
    throw e instanceof Failure ? new Failure(`format_currency(): ${e.message}`) : e
  }
}

export function formatDate(day: Value, style: Value = null, locale: Value = null): Value {
  try {
    if (!(day instanceof Timestamp)) throw new Failure(`format_date() needs a date or timestamp, found a ${kindOf(day)}`)
    if (style !== null && typeof style !== 'string') throw new Failure(`format_date() needs the style as text, found a ${kindOf(style)}`)
    const chosen = checkDateStyle(style ?? 'long')
    const loc = parseLocale(localeOf('format_date', locale))
    const key = `d|${loc}|${chosen}`
    let f = cache.get(key) as Intl.DateTimeFormat | undefined
    if (f === undefined) {
      f = new Intl.DateTimeFormat(loc, {dateStyle: chosen as 'long', timeZone: 'UTC'})
      cache.set(key, f)
    }
    return f.format(new Date(day.ms))
  } catch (e) {
    throw e instanceof Failure ? new Failure(`format_date(): ${e.message}`) : e
  }
}
