/**
 * Canonical JSON of a resolved timeline, byte-identical to `openreel.resolve.canonical`: object
 * keys sorted by UTF-16 code units (JavaScript's default sort), no whitespace, strings escaped
 * by `JSON.stringify`, numbers as `String(x)` (-0 as 0); NaN and infinities are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('canonical JSON has no NaN or infinity')
    return value === 0 ? '0' : String(value)
  }
  if (typeof value === 'bigint') return String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']'
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>
    const keys = Object.keys(obj).sort()
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}'
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`)
}
