/**
 * The viewer's data at the moment of open.
 *
 * - The link's fragment (never sent to any server by the browser) carries either a token,
 *   `#t=<token>`, or the data itself, `#d=<base64url of UTF-8 JSON>`; `v=<uuid>` may name the
 *   view. Parameters are `&`-separated.
 * - With a token, the template's `source.url` is fetched with `{token}` replaced (URL-encoded),
 *   no credentials, no referrer, no cache, aborted after `source.timeout_ms`.
 * - The answer (or the inline data) is validated against the schema. On any failure the
 *   template's defaults are used; when the schema has required fields without defaults, a
 *   neutral value of each field's type stands in ("" for strings, 0 or `min` for numbers, the
 *   first enum value, ...), so the player always has something whole to draw.
 */
import type {FieldSpec, Source} from '../resolve/model.ts'

export interface Fragment {
  token: string | null
  data: unknown
  view: string | null
}

export function base64urlDecode(text: string): string {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=')
  const bin = atob(b64)
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0))
  return new TextDecoder('utf-8', {fatal: true}).decode(bytes)
}

export function base64urlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Parse `#t=...&v=...` or `#d=...`. Undecodable inline data is reported as `undefined` data. */
export function parseFragment(hash: string): Fragment {
  const out: Fragment = {token: null, data: undefined, view: null}
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const t = params.get('t') ?? params.get('token')
  if (t) out.token = t
  const v = params.get('v')
  if (v) out.view = v
  const d = params.get('d')
  if (d) {
    try {
      out.data = JSON.parse(base64urlDecode(d))
    } catch {
      out.data = null
    }
  }
  return out
}

export type FetchOutcome = {ok: true; data: unknown} | {ok: false; code: string}

/** Fetch the viewer's data from the brand's endpoint (never from OpenReel). */
export async function fetchSource(source: Source, token: string, fetcher: typeof fetch = fetch): Promise<FetchOutcome> {
  const url = source.url.replace('{token}', encodeURIComponent(token))
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), source.timeout_ms)
  try {
    const response = await fetcher(url, {
      signal: controller.signal, credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store',
      headers: {accept: 'application/json'}, redirect: 'error',
    })
    if (!response.ok) return {ok: false, code: 'OR-E426'}
    const text = await response.text()
    if (text.length > 1_048_576 * 2) return {ok: false, code: 'OR-E311'}
    return {ok: true, data: JSON.parse(text)}
  } catch (e) {
    return {ok: false, code: controller.signal.aborted ? 'OR-E423' : (e instanceof SyntaxError ? 'OR-E300' : 'OR-E426')}
  } finally {
    clearTimeout(timer)
  }
}

function neutral(spec: FieldSpec): unknown {
  if (spec.default !== null) return spec.default
  switch (spec.type) {
    case 'string': return ''
    case 'number':
    case 'integer': return spec.min !== null && spec.min > 0 ? spec.min : spec.max !== null && spec.max < 0 ? spec.max : 0
    case 'boolean': return false
    case 'enum': return spec.values?.[0] ?? ''
    case 'color': return '#000000'
    case 'date': return '1970-01-01'
    case 'datetime': return '1970-01-01T00:00:00Z'
    case 'list': return []
    case 'object': return Object.fromEntries(Object.entries(spec.fields ?? {}).map(([k, f]) => [k, neutral(f)]))
    default: return null // url, image: left absent
  }
}

/** Data that makes every required field present: the generic fallback. */
export function genericFallback(fields: Record<string, FieldSpec>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(fields)) if (!spec.optional && spec.default === null) out[name] = neutral(spec)
  return out
}

/** Only the `live` fields of `fresh`, merged over `current`. */
export function mergeLive(fields: Record<string, FieldSpec>, current: Record<string, unknown>, fresh: unknown): Record<string, unknown> {
  const out = {...current}
  if (typeof fresh !== 'object' || fresh === null || Array.isArray(fresh)) return out
  for (const [name, spec] of Object.entries(fields)) {
    if (spec.live && Object.prototype.hasOwnProperty.call(fresh, name)) out[name] = (fresh as Record<string, unknown>)[name]
  }
  return out
}
