// Expression vectors computed by openreel.expr (test/fixtures/expressions.json): the player's
// evaluator must give the same value, or the same error code (load-time OR-E207 from the kind
// checker included).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {PLAYER_DIR} from './paths.ts'
import {compileExpression, makeEnv} from '../src/expr/compile.ts'
import {CalendarDate, Timestamp, isMap, newMap, isoDate, isoTimestamp, type Value} from '../src/expr/values.ts'
import {parseTimestamp} from '../src/expr/time.ts'
import {canonicalJson} from '../src/resolve/canonical.ts'
import {OpenReelError} from '../src/errors.ts'

type Row = [string, {value?: unknown; error?: string}]
const fixture = JSON.parse(readFileSync(join(PLAYER_DIR, 'test', 'fixtures', 'expressions.json'), 'utf8')) as {
  data: Record<string, unknown>
  decisions: Record<string, string>
  rows: Row[]
}

function fromJson(v: unknown): Value {
  if (Array.isArray(v)) return v.map(fromJson)
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>
    if (typeof o.date === 'string') {
      const [y, m, d] = o.date.split('-').map(Number) as [number, number, number]
      return CalendarDate.of(y, m, d)
    }
    if (typeof o.timestamp === 'string') return parseTimestamp(o.timestamp.replace(/\.(\d{3})Z$/, '.$1000Z'))
    const out = newMap()
    for (const [k, x] of Object.entries(o)) out[k] = fromJson(x)
    return out
  }
  return v as Value
}

function toJson(v: Value): unknown {
  if (v instanceof CalendarDate) return {date: isoDate(v)}
  if (v instanceof Timestamp) return {timestamp: isoTimestamp(v)}
  if (Array.isArray(v)) return v.map(toJson)
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]))
  return v
}

const values = fromJson(fixture.data) as Record<string, Value>
const scope = new Map(Object.keys(values).map((k) => [k, {kind: 'any' as const}]))
const env = makeEnv(values, fixture.decisions)

test('every expression vector gives the Python result', () => {
  const mismatches: string[] = []
  let typeGaps = 0
  for (const [source, expected] of fixture.rows) {
    let got: {value?: unknown; error?: string}
    try {
      got = {value: toJson(compileExpression(source, scope).evaluate(env))}
    } catch (e) {
      if (!(e instanceof OpenReelError)) throw e
      got = {error: e.code}
    }
    if (expected.error === 'OR-E207' && got.error === 'OR-E208') {
      typeGaps++
      continue
    }
    const want = canonicalJson(expected)
    const have = canonicalJson(got)
    if (want !== have) mismatches.push(`${source}: expected ${want}, got ${have}`)
  }
  console.log(`# ${fixture.rows.length} vectors, ${typeGaps} type-check gaps`)
  assert.deepEqual(mismatches, [])
  assert.equal(typeGaps, 0, `${typeGaps} load-time type errors only caught at evaluation`)
})

test('text templates interpolate and keep the type of a whole expression', async () => {
  const {compileText} = await import('../src/expr/compile.ts')
  assert.equal(compileText('Hi {{ upper(name) }}!', scope).evaluate(env), 'Hi DANA ÅSTRÖM!')
  assert.equal(compileText('{{ n }}', scope).evaluate(env), 3)
  assert.equal(compileText('{{ {"a": 1}["a"] }} and {{ missing }}.', scope).evaluate(env), '1 and .')
  assert.throws(() => compileText('Hi {{ name', scope), (e: OpenReelError) => e.code === 'OR-E210')
  assert.throws(() => compileExpression('nosuch + 1', scope), (e: OpenReelError) => e.code === 'OR-E202')
  const typed = new Map([['points', {kind: 'number' as const}], ['who', {kind: 'object' as const, fields: {name: {kind: 'string' as const}}}]])
  assert.throws(() => compileText('{{ "Hi " + points }}', typed), (e: OpenReelError) => e.code === 'OR-E207')
  assert.throws(() => compileExpression('who.age', typed), (e: OpenReelError) => e.code === 'OR-E207')
  assert.throws(() => compileExpression('upper(points)', typed), (e: OpenReelError) => e.code === 'OR-E207')
  assert.equal(compileExpression('"Hi " + string(points) + who.name', typed).source.length > 0, true)
  assert.throws(() => compileExpression('nosuch(1)', scope), (e: OpenReelError) => e.code === 'OR-E203')
  assert.throws(() => compileExpression('1 +', scope), (e: OpenReelError) => e.code === 'OR-E201')
  assert.throws(() => compileExpression('('.repeat(30) + '1' + ')'.repeat(30), scope), (e: OpenReelError) => e.code === 'OR-E205')
  assert.throws(() => compileExpression('1 + '.repeat(600) + '1', scope), (e: OpenReelError) => e.code === 'OR-E204')
})
