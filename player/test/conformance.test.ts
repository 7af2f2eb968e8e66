// Every conformance vector (tests/conformance/*.json, shared with the Python resolver; format in
// tests/conformance/README.md) resolves to the same canonical JSON, byte for byte, with the same
// SHA-256, and passes its hand-derived checks; an expected_error vector fails with that code at
// that path. xfail vectors (documented behaviour the Python resolver lacks) are held to their
// checks. Extra vector folders may be named in OPENREEL_VECTORS (colon-separated).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPO_DIR} from './paths.ts'
import {compileTemplate} from '../src/resolve/compile.ts'
import {resolve, type View} from '../src/resolve/resolver.ts'
import {canonicalJson} from '../src/resolve/canonical.ts'
import {OpenReelError} from '../src/errors.ts'

const root = REPO_DIR
const dirs = [join(root, 'tests', 'conformance'), ...(process.env.OPENREEL_VECTORS ?? '').split(':').filter(Boolean)]

interface Vector {
  name?: string
  xfail?: string
  template: unknown
  data?: unknown
  decisions?: Record<string, string>
  view?: {time?: string | number; locale?: string | null; tz?: string}
  checks?: Record<string, unknown>
  expected?: unknown
  canonical_sha256?: string
  expected_error?: string | {code: string; path?: string}
}

function viewOf(v: Vector['view']): View {
  const out: View = {}
  if (v?.time !== undefined) out.timeMs = typeof v.time === 'number' ? v.time * 1000 : Date.parse(v.time)
  if (v?.locale !== undefined) out.locale = v.locale
  if (v?.tz !== undefined) out.tz = v.tz
  return out
}

function walk(value: unknown, dotted: string): unknown {
  let cur: unknown = value
  for (const key of dotted.split('.')) {
    if (Array.isArray(cur)) cur = cur[Number(key)]
    else if (typeof cur === 'object' && cur !== null) cur = (cur as Record<string, unknown>)[key]
    else return undefined
  }
  return cur
}

const files = dirs.filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.json')).sort().map((f) => join(d, f)))

test('conformance vectors are found', (t) => {
  if (files.length === 0) {
    t.skip('no vectors in tests/conformance yet')
    return
  }
  assert.ok(files.every((f) => f.endsWith('.json')))
})

for (const file of files) {
  test(`conformance ${file.slice(root.length + 1)}`, () => {
    const vec = JSON.parse(readFileSync(file, 'utf8')) as Vector
    let timeline: unknown = null
    let error: OpenReelError | null = null
    try {
      const ct = compileTemplate(vec.template)
      timeline = resolve(ct, vec.data ?? {}, vec.decisions ?? {}, viewOf(vec.view))
    } catch (e) {
      if (!(e instanceof OpenReelError)) throw e
      error = e
    }
    if (vec.expected_error !== undefined) {
      const want = typeof vec.expected_error === 'string' ? {code: vec.expected_error} : vec.expected_error
      assert.ok(error, `expected ${want.code}, resolved instead`)
      assert.equal(error.code, want.code, error.message)
      if (want.path !== undefined) assert.equal(error.path, want.path, error.message)
      return
    }
    if (error) assert.fail(`unexpected ${error.message}`)
    for (const [path, value] of Object.entries(vec.checks ?? {})) {
      assert.equal(canonicalJson(walk(timeline, path)), canonicalJson(value), `check ${path}`)
    }
    if (vec.expected !== undefined) {
      const text = canonicalJson(timeline)
      assert.equal(text, canonicalJson(vec.expected))
      if (vec.canonical_sha256) assert.equal(createHash('sha256').update(text, 'utf8').digest('hex'), vec.canonical_sha256)
    }
  })
}
