/**
 * The load-time kind checker (a subset of `openreel.expr._check`): with the kinds of the names in
 * scope (from the data schema, the theme, `view`, `scene`), it refuses what Python refuses as
 * OR-E207: an operator that cannot apply (`"Hi " + points`, `points < "a"`), a field of a string
 * or number, an unknown field of an object whose fields are known, an index into a bool or
 * number, an argument of a wrong kind to a function. Kind `any` turns the checks off, so the
 * checker never refuses what it cannot prove wrong. Not mirrored: the cost estimate (OR-E206).
 */
import type {ASTNode} from '@marcbachmann/cel-js'
import {OpenReelError} from '../errors.ts'

export type Kind = 'string' | 'number' | 'bool' | 'timestamp' | 'list' | 'object' | 'any' | 'null'

export interface NameType {
  kind: Kind
  fields?: Record<string, NameType> | null
  items?: NameType | null
}

const ANY: NameType = {kind: 'any'}
const t = (kind: Kind): NameType => ({kind})
const ORDERED = new Set<Kind>(['number', 'string', 'bool', 'timestamp'])
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

type Params = Array<Kind[] | null>
const STR: Kind[] = ['string']
const NUM: Kind[] = ['number']
const LOC: Kind[] = ['string', 'null']
/** argument kinds and result of each function (null: any kind) */
const FUNCS: Record<string, [Params, NameType]> = {
  size: [[['string', 'list', 'object']], t('number')],
  contains: [[STR, STR], t('bool')],
  startsWith: [[STR, STR], t('bool')],
  endsWith: [[STR, STR], t('bool')],
  matches: [[STR, STR], t('bool')],
  int: [[['number', 'string', 'timestamp']], t('number')],
  double: [[['number', 'string']], t('number')],
  string: [[null], t('string')],
  timestamp: [[['string', 'timestamp']], t('timestamp')],
  duration: [[STR], ANY],
  format_number: [[NUM, LOC], t('string')],
  format_currency: [[NUM, STR, LOC], t('string')],
  format_date: [[['timestamp'], LOC, LOC], t('string')],
  plural: [[NUM, null, null], ANY],
  upper: [[STR], t('string')],
  lower: [[STR], t('string')],
  title: [[STR], t('string')],
  truncate: [[STR, NUM], t('string')],
  join: [[['list'], STR], t('string')],
}
for (const g of ['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']) {
  FUNCS[g] = [[null, STR], t('number')]
}

function a(kind: Kind): string {
  return kind === 'any' ? 'a value' : /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`
}

export class KindChecker {
  constructor(private readonly scope: ReadonlyMap<string, NameType>, private readonly where: string | null) {}

  private fail(message: string): never {
    throw new OpenReelError('OR-E207', message, this.where)
  }

  private expect(type: NameType, kinds: Kind[], what: string): void {
    if (type.kind !== 'any' && !kinds.includes(type.kind)) this.fail(`${what}, found ${a(type.kind)}`)
  }

  field(target: NameType, name: string): NameType {
    if (target.kind === 'object') {
      if (!target.fields) return ANY
      const found = target.fields[name]
      if (found === undefined) this.fail(`no field '${name}' here`)
      return found
    }
    if (target.kind === 'any') return ANY
    return this.fail(`${a(target.kind)} has no field '${name}'`)
  }

  binary(op: string, x: NameType, y: NameType): NameType {
    const [ka, kb] = [x.kind, y.kind]
    if (op === '==' || op === '!=') return t('bool')
    if (op === 'in') {
      if (!['list', 'object', 'any'].includes(kb)) this.fail(`'in' needs a list or a map, found ${a(kb)}`)
      return t('bool')
    }
    if (ka === 'any' || kb === 'any') return ['<', '<=', '>', '>='].includes(op) ? t('bool') : ANY
    if (['<', '<=', '>', '>='].includes(op)) {
      if (ka !== kb || !ORDERED.has(ka)) this.fail(`'${op}' cannot compare ${a(ka)} and ${a(kb)}`)
      return t('bool')
    }
    if (op === '+' && ka === kb && (ka === 'number' || ka === 'string')) return x
    if (op === '+' && ka === 'list' && kb === 'list') return {kind: 'list', items: ANY}
    if (op === '-' && ka === 'timestamp' && kb === 'timestamp') return ANY
    if (['-', '*', '/', '%'].includes(op) && ka === 'number' && kb === 'number') return t('number')
    return this.fail(`'${op}' cannot combine ${a(ka)} and ${a(kb)}`)
  }

  check(n: ASTNode, local: ReadonlyMap<string, NameType> = new Map()): NameType {
    const args = n.args as unknown
    switch (n.op) {
      case 'value': {
        const v = args
        if (typeof v === 'string') return t('string')
        if (typeof v === 'boolean') return t('bool')
        if (v === null) return t('null')
        return t('number')
      }
      case 'id':
        return local.get(args as string) ?? this.scope.get(args as string) ?? ANY
      case '.': {
        const [target, name] = args as [ASTNode, string]
        return this.field(this.check(target, local), name)
      }
      case '[]': {
        const [target, key] = args as [ASTNode, ASTNode]
        const tt = this.check(target, local)
        if (key.op === 'value' && typeof key.args === 'string' && (tt.kind === 'object' || tt.kind === 'any')) return this.field(tt, key.args)
        const kt = this.check(key, local)
        if (tt.kind === 'list') {
          this.expect(kt, ['number'], 'a list index must be a number')
          return tt.items ?? ANY
        }
        if (tt.kind === 'object') {
          this.expect(kt, ['string'], 'a map key must be a string')
          return ANY
        }
        if (tt.kind === 'any') return ANY
        return this.fail(`cannot index ${a(tt.kind)}`)
      }
      case 'list':
        for (const item of args as ASTNode[]) this.check(item, local)
        return {kind: 'list', items: ANY}
      case 'map': {
        const fields: Record<string, NameType> = {}
        let known = true
        for (const [k, v] of args as Array<[ASTNode, ASTNode]>) {
          const kt = this.check(k, local)
          const vt = this.check(v, local)
          this.expect(kt, ['string'], 'map keys must be strings')
          if (k.op === 'value' && typeof k.args === 'string') fields[k.args] = vt
          else known = false
        }
        return {kind: 'object', fields: known ? fields : null}
      }
      case '?:': {
        const [c, x, y] = args as [ASTNode, ASTNode, ASTNode]
        this.check(c, local)
        const xt = this.check(x, local)
        const yt = this.check(y, local)
        return xt.kind === yt.kind ? xt : ANY
      }
      case '||':
      case '&&': {
        const [x, y] = args as [ASTNode, ASTNode]
        this.check(x, local)
        this.check(y, local)
        return t('bool')
      }
      case '!_':
        this.check(args as ASTNode, local)
        return t('bool')
      case '-_':
        return this.check(args as ASTNode, local)
      case 'call':
      case 'rcall': {
        const [name, receiver, callArgs] = n.op === 'call' ? [(args as [string])[0], null, (args as [string, ASTNode[]])[1]] : (args as [string, ASTNode, ASTNode[]])
        if (receiver !== null && MACROS.has(name)) return this.macro(name, receiver, callArgs, local)
        const all = receiver === null ? callArgs : [receiver, ...callArgs]
        if (name === 'has') {
          const arg = all[0]
          if (arg && arg.op === '.') {
            const [target, field] = arg.args as [ASTNode, string]
            this.field(this.check(target, local), field)
          }
          return t('bool')
        }
        if (name === 'default') {
          const kinds = all.map((x) => this.check(x, local))
          return kinds[0] && kinds[1] && kinds[0].kind === kinds[1].kind ? kinds[0] : ANY
        }
        if (name === 'decide') return t('string')
        const spec = FUNCS[name]
        const kinds = all.map((x) => this.check(x, local))
        if (!spec) return ANY
        spec[0].forEach((want, i) => {
          const got = kinds[i]
          if (want && got) this.expect(got, want, `${name}() argument ${i + 1} must be ${want.map((k) => a(k)).join(' or ')}`)
        })
        return spec[1]
      }
      default: {
        const [x, y] = args as [ASTNode, ASTNode]
        return this.binary(n.op, this.check(x, local), this.check(y, local))
      }
    }
  }

  private macro(name: string, receiver: ASTNode, callArgs: ASTNode[], local: ReadonlyMap<string, NameType>): NameType {
    const rt = this.check(receiver, local)
    if (!['list', 'object', 'any'].includes(rt.kind)) this.fail(`${name}() needs a list or a map, found ${a(rt.kind)}`)
    const v = callArgs[0]
    const itemType = rt.kind === 'list' ? rt.items ?? ANY : rt.kind === 'object' ? t('string') : ANY
    const inner = new Map(local)
    if (v && v.op === 'id') inner.set(v.args as string, itemType)
    for (const x of callArgs.slice(1)) this.check(x, inner)
    if (name === 'filter') return rt.kind === 'list' ? rt : {kind: 'list', items: ANY}
    if (name === 'map') return {kind: 'list', items: ANY}
    return t('bool')
  }
}
