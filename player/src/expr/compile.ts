/**
 * Compiling expressions: CEL parsed by `@marcbachmann/cel-js` (`parse(source).ast`), then
 * evaluated by OpenReel's own closures over that AST, exactly as the Python side parses with
 * cel-python's grammar and evaluates with its own closures. Why not cel-js's evaluator: OpenReel
 * departs from stock CEL in most operators (every number a double, `7 / 2 == 3.5`, `==` across
 * kinds, null for unbound names, `has(name)`, `default()` catching failures, `decide()`), and
 * cel-js's int/uint/double split cannot be switched off, so the AST is the shared layer.
 *
 * Only cel-js's parser module is bundled (with no macro registry, so `has`, `all`, `map`, ...
 * arrive as plain calls and OpenReel compiles them itself); its evaluator, type checker and
 * function registry stay out of the player (about 50 KB less).
 *
 * Load-time checks done here: nesting and length (OR-E205, OR-E204, before parsing), syntax
 * (OR-E201), unknown names (OR-E202), unknown functions and wrong call forms (OR-E203),
 * `decide()` without a quoted name and unusable literal arguments (OR-E207). The full type
 * checker of `openreel.expr._check` is NOT mirrored: bundles are compiled by the Python side,
 * which refuses such templates before the player ever sees them.
 */
import type {ASTNode} from '@marcbachmann/cel-js'
import {Parser} from 'cel-js-parser'
import {OpenReelError} from '../errors.ts'
import {FUNCTIONS, KNOWN, MACROS} from './functions.ts'
import {usableLocale} from './format.ts'
import {KindChecker, type NameType} from './check.ts'
import {MAX_DEPTH, MAX_LENGTH, nestingProblem, splitText} from './scan.ts'

export {MAX_DEPTH, MAX_LENGTH, hasInterpolation, splitText} from './scan.ts'
import {BINARY, index as indexOp, iterate, neg, not, select} from './ops.ts'
import {Failure, hasKey, isMap, kindOf, newMap, toPlain, toText, type Value} from './values.ts'

const parser = new Parser(
  {maxAstNodes: 100_000, maxDepth: 250, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32},
  {findMacro: () => null, enableOptionalTypes: false},
)


/**
 * The per-viewer activation: values and decision arms; unbound names read as null. `locale` is
 * what formatting uses when called without a locale (or with null): `view.locale` when OpenReel
 * knows it, else its language, else en-US (null).
 */
export interface Env {
  values: Record<string, Value>
  decisions: Record<string, string>
  locale: string | null
}

function viewLocale(values: Record<string, Value>): string | null {
  const view = values.view
  return isMap(view) && typeof view.locale === 'string' ? view.locale : null
}

export function makeEnv(values: Record<string, Value>, decisions: Record<string, string> = {}): Env {
  return {values, decisions, locale: usableLocale(viewLocale(values))}
}

export function childEnv(env: Env, extra: Record<string, Value>): Env {
  const values = {...env.values, ...extra}
  const locale = 'view' in extra && viewLocale(values) !== null ? usableLocale(viewLocale(values)) : env.locale
  return {values, decisions: env.decisions, locale}
}

/** The argument position of the locale of the formatting functions. */
const LOCALE_ARG: Record<string, number> = {format_number: 1, format_currency: 2, format_date: 2}

type Locals = Record<string, Value>
type Fn = (env: Env, loc: Locals) => Value

/** Facts about an expression used to mark layers static or dynamic. */
export interface Analysis {
  roots: Set<string>
  /** `root.field` paths read (only the first field is kept: `theme.accent`). */
  names: Set<string>
  decisions: Set<string>
}

export class Expression {
  constructor(
    readonly source: string,
    private readonly fn: Fn,
    readonly analysis: Analysis,
    readonly where: string | null,
  ) {}

  /** The raw value (internal representation). Failures become OR-E208. */
  raw(env: Env): Value {
    try {
      return this.fn(env, {})
    } catch (e) {
      if (e instanceof Failure) throw new OpenReelError('OR-E208', `${e.message} in \`${shown(this.source)}\``, this.where)
      if (e instanceof RangeError) throw new OpenReelError('OR-E208', `too deep in \`${shown(this.source)}\``, this.where)
      throw e
    }
  }

  evaluate(env: Env): Value {
    const v = this.raw(env)
    try {
      return toPlain(v)
    } catch (e) {
      if (e instanceof OpenReelError) throw new OpenReelError(e.code, `${e.detail} in \`${shown(this.source)}\``, this.where)
      throw e
    }
  }
}

export function shown(source: string): string {
  const flat = source.split(/\s+/).filter(Boolean).join(' ')
  return flat.length <= 60 ? flat : flat.slice(0, 57) + '...'
}

// --- compiling -------------------------------------------------------------------------------

class Compiler {
  readonly analysis: Analysis = {roots: new Set(), names: new Set(), decisions: new Set()}
  constructor(private readonly scope: ReadonlySet<string>, private readonly where: string | null) {}

  fail(code: string, message: string): never {
    throw new OpenReelError(code, message, this.where)
  }

  node(n: ASTNode, bound: ReadonlySet<string>): Fn {
    const args = n.args as unknown
    switch (n.op) {
      case 'value':
        return this.literal(args)
      case 'id':
        return this.name(args as string, bound)
      case '.':
        return this.select(n, bound)
      case '.?':
      case '[?]':
        return this.fail('OR-E201', 'optional field selection (?.) is not part of OpenReel\'s CEL')
      case '[]': {
        const [t, k] = args as [ASTNode, ASTNode]
        const target = this.node(t, bound)
        const key = this.node(k, bound)
        return (env, loc) => indexOp(target(env, loc), key(env, loc))
      }
      case 'call': {
        const [name, callArgs] = args as [string, ASTNode[]]
        return this.call(name, callArgs, bound, false)
      }
      case 'rcall': {
        const [name, receiver, callArgs] = args as [string, ASTNode, ASTNode[]]
        if ((MACROS as readonly string[]).includes(name)) return this.macro(name, receiver, callArgs, bound)
        if (name === 'has' || name === 'default' || name === 'decide') {
          return this.fail('OR-E203', `${name}() is called as ${name}(...), not as a method`)
        }
        return this.call(name, [receiver, ...callArgs], bound, true)
      }
      case 'list': {
        const items = (args as ASTNode[]).map((a) => this.node(a, bound))
        return (env, loc) => items.map((f) => f(env, loc))
      }
      case 'map': {
        const entries = (args as Array<[ASTNode, ASTNode]>).map(([k, v]) => [this.node(k, bound), this.node(v, bound)] as const)
        return (env, loc) => {
          const out = newMap()
          for (const [kf, vf] of entries) {
            const key = kf(env, loc)
            if (typeof key !== 'string') throw new Failure(`map keys must be strings, found a ${kindOf(key)}`)
            if (hasKey(out, key)) throw new Failure('a map literal repeats a key')
            out[key] = vf(env, loc)
          }
          return out
        }
      }
      case '?:': {
        const [c, a, b] = (args as ASTNode[]).map((x) => this.node(x, bound)) as [Fn, Fn, Fn]
        return (env, loc) => {
          const chosen = c(env, loc)
          if (chosen === true) return a(env, loc)
          if (chosen === false) return b(env, loc)
          throw new Failure(`the condition before '?' must be a bool, found a ${kindOf(chosen)}`)
        }
      }
      case '||':
      case '&&':
        return this.logic(n.op, this.flatten(n, n.op).map((x) => this.node(x, bound)))
      case '!_': {
        const operand = this.node(args as ASTNode, bound)
        return (env, loc) => not(operand(env, loc))
      }
      case '-_': {
        const operand = this.node(args as ASTNode, bound)
        return (env, loc) => neg(operand(env, loc))
      }
      default: {
        const op = BINARY[n.op]
        if (op === undefined) return this.fail('OR-E201', `unsupported operator ${n.op}`)
        const [a, b] = (args as [ASTNode, ASTNode]).map((x) => this.node(x, bound)) as [Fn, Fn]
        return (env, loc) => op(a(env, loc), b(env, loc))
      }
    }
  }

  private flatten(n: ASTNode, op: string): ASTNode[] {
    if (n.op !== op) return [n]
    const [a, b] = n.args as [ASTNode, ASTNode]
    return [...this.flatten(a, op), ...this.flatten(b, op)]
  }

  private literal(v: unknown): Fn {
    let value: Value
    if (typeof v === 'bigint') value = Number(v)
    else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null) value = v
    else if (typeof v === 'object' && v !== null && 'value' in v && typeof (v as {value: unknown}).value === 'bigint') {
      value = Number((v as {value: bigint}).value) // an unsigned literal such as 1u
    } else return this.fail('OR-E203', 'bytes literals are not part of OpenReel\'s CEL')
    return () => value
  }

  private name(name: string, bound: ReadonlySet<string>): Fn {
    if (bound.has(name)) return (_env, loc) => loc[name] ?? null
    if (!this.scope.has(name)) this.fail('OR-E202', `unknown name '${name.slice(0, 40)}'`)
    this.analysis.roots.add(name)
    return (env) => (hasKey(env.values as never, name) || name in env.values ? env.values[name] ?? null : null)
  }

  private select(n: ASTNode, bound: ReadonlySet<string>): Fn {
    const [t, field] = n.args as [ASTNode, string]
    if (t.op === 'id' && !bound.has(t.args as string)) this.analysis.names.add(`${t.args as string}.${field}`)
    const target = this.node(t, bound)
    return (env, loc) => select(target(env, loc), field)
  }

  private logic(op: '||' | '&&', operands: Fn[]): Fn {
    const decisive = op === '||'
    return (env, loc) => {
      let failure: Failure | null = null
      for (const operand of operands) {
        let value: Value
        try {
          value = operand(env, loc)
        } catch (e) {
          if (!(e instanceof Failure)) throw e
          failure ??= e
          continue
        }
        if (value === decisive) return decisive
        if (typeof value !== 'boolean') failure ??= new Failure(`'${op}' needs bools, found a ${kindOf(value)}`)
      }
      if (failure !== null) throw failure
      return !decisive
    }
  }

  private call(name: string, args: ASTNode[], bound: ReadonlySet<string>, method: boolean): Fn {
    if (name === 'has') return this.has(args, bound)
    if (name === 'default') {
      if (args.length !== 2) this.fail('OR-E207', 'default() takes two arguments')
      const [value, fallback] = args.map((a) => this.node(a, bound)) as [Fn, Fn]
      return (env, loc) => {
        let result: Value
        try {
          result = value(env, loc)
        } catch (e) {
          if (e instanceof Failure) return fallback(env, loc)
          throw e
        }
        return result === null ? fallback(env, loc) : result
      }
    }
    if (name === 'decide') {
      const arg = args[0]
      if (args.length !== 1 || arg === undefined || arg.op !== 'value' || typeof arg.args !== 'string') {
        return this.fail('OR-E207', 'decide() needs the decision name as a quoted string')
      }
      const decision = arg.args
      this.analysis.decisions.add(decision)
      return (env) => {
        const arm = env.decisions[decision]
        if (arm === undefined) throw new Failure(`no arm was chosen for the decision '${decision}'`)
        return arm
      }
    }
    const spec = FUNCTIONS[name]
    if (spec === undefined) {
      if (KNOWN.has(name)) this.fail('OR-E203', `${name}() is only called as list.${name}(x, ...)`)
      return this.fail('OR-E203', `unknown function ${name.slice(0, 40)}()`)
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      this.fail('OR-E207', `${name}() takes ${spec.minArgs}..${spec.maxArgs} arguments, found ${args.length}`)
    }
    for (const [pos, check] of Object.entries(spec.literalChecks ?? {})) {
      const a = args[Number(pos)]
      if (a !== undefined && a.op === 'value' && typeof a.args === 'string') {
        try {
          check(a.args)
        } catch (e) {
          if (e instanceof Failure) this.fail('OR-E207', `${name}(): ${e.message}`)
          throw e
        }
      }
    }
    void method
    const fns = args.map((a) => this.node(a, bound))
    const impl = spec.impl
    const at = LOCALE_ARG[name]
    if (at !== undefined) {
      const given = args[at]
      if ((given === undefined || (given.op === 'value' && given.args === null)) && this.scope.has('view')) {
        this.analysis.roots.add('view')
        this.analysis.names.add('view.locale')
      }
      return (env, loc) => {
        const values = fns.map((f) => f(env, loc))
        while (values.length <= at) values.push(null)
        if (values[at] === null) values[at] = env.locale
        return impl(...values)
      }
    }
    return (env, loc) => impl(...fns.map((f) => f(env, loc)))
  }

  private has(args: ASTNode[], bound: ReadonlySet<string>): Fn {
    const arg = args[0]
    if (args.length !== 1 || arg === undefined) return this.fail('OR-E207', 'has() takes one name or field')
    if (arg.op === 'id') {
      const read = this.name(arg.args as string, bound)
      return (env, loc) => read(env, loc) !== null
    }
    if (arg.op !== '.') return this.fail('OR-E207', 'has() takes a name or a field selection')
    const [t, field] = arg.args as [ASTNode, string]
    if (t.op === 'id' && !bound.has(t.args as string)) this.analysis.names.add(`${t.args as string}.${field}`)
    const target = this.node(t, bound)
    return (env, loc) => {
      const value = target(env, loc)
      if (isMap(value)) return hasKey(value, field) && value[field] !== null
      throw new Failure(`has() needs a map before '.${field}', found a ${kindOf(value)}`)
    }
  }

  private macro(name: string, receiver: ASTNode, args: ASTNode[], bound: ReadonlySet<string>): Fn {
    const varNode = args[0]
    const max = name === 'map' ? 3 : 2
    if (varNode === undefined || varNode.op !== 'id' || args.length < 2 || args.length > max) {
      return this.fail('OR-E207', `${name}() takes a variable name and ${name === 'map' ? 'one or two expressions' : 'a condition'}`)
    }
    const v = varNode.args as string
    const target = this.node(receiver, bound)
    const inner = new Set([...bound, v])
    const body = this.node(args[args.length - 1]!, inner)
    const predicate = args.length === 3 ? this.node(args[1]!, inner) : null
    const boolOf = (value: Value): boolean => {
      if (typeof value === 'boolean') return value
      throw new Failure(`the ${name}() condition must be a bool, found a ${kindOf(value)}`)
    }
    if (name === 'all' || name === 'exists') {
      const decisive = name === 'exists'
      return (env, loc) => {
        let failure: Failure | null = null
        const scope = {...loc}
        for (const item of iterate(target(env, loc), name)) {
          scope[v] = item
          let value: boolean
          try {
            value = boolOf(body(env, scope))
          } catch (e) {
            if (!(e instanceof Failure)) throw e
            failure ??= e
            continue
          }
          if (value === decisive) return decisive
        }
        if (failure !== null) throw failure
        return !decisive
      }
    }
    if (name === 'exists_one') {
      return (env, loc) => {
        const scope = {...loc}
        let count = 0
        for (const item of iterate(target(env, loc), name)) {
          scope[v] = item
          count += boolOf(body(env, scope)) ? 1 : 0
        }
        return count === 1
      }
    }
    if (name === 'filter') {
      return (env, loc) => {
        const scope = {...loc}
        const out: Value[] = []
        for (const item of iterate(target(env, loc), name)) {
          scope[v] = item
          if (boolOf(body(env, scope))) out.push(item)
        }
        return out
      }
    }
    return (env, loc) => {
      const scope = {...loc}
      const out: Value[] = []
      for (const item of iterate(target(env, loc), name)) {
        scope[v] = item
        if (predicate === null || boolOf(predicate(env, scope))) out.push(body(env, scope))
      }
      return out
    }
  }
}

/** The names an expression may read: a set of names, or their kinds (then the kind checker of
 * `check.ts` runs too). */
export type Scope = ReadonlySet<string> | ReadonlyMap<string, NameType>

/** Compile a bare CEL expression against the names in `scope`. */
export function compileExpression(source: string, scopeOrTypes: Scope, where: string | null = null): Expression {
  const scope: ReadonlySet<string> = scopeOrTypes instanceof Map ? new Set(scopeOrTypes.keys()) : (scopeOrTypes as ReadonlySet<string>)
  if (nestingProblem(source) !== null) throw new OpenReelError('OR-E205', `brackets nest more than ${MAX_DEPTH} deep`, where)
  if (source.length > MAX_LENGTH) {
    throw new OpenReelError('OR-E204', `the expression has ${source.length} characters, more than ${MAX_LENGTH}`, where)
  }
  if (!source.trim()) throw new OpenReelError('OR-E201', 'the expression is empty', where)
  let ast: ASTNode
  try {
    ast = parser.parse(source)
  } catch (e) {
    if (e instanceof OpenReelError) throw e
    throw new OpenReelError('OR-E201', `syntax error: ${(e as Error).message.split('\n')[0]}`, where)
  }
  const compiler = new Compiler(scope, where)
  const fn = compiler.node(ast, new Set())
  if (scopeOrTypes instanceof Map) new KindChecker(scopeOrTypes as ReadonlyMap<string, NameType>, where).check(ast)
  return new Expression(source, fn, compiler.analysis, where)
}

/** A string property with `{{ }}` parts. `whole` is set when it is exactly one `{{ expr }}`. */
export class TextTemplate {
  readonly whole: Expression | null
  readonly analysis: Analysis

  constructor(readonly source: string, readonly parts: Array<string | Expression>) {
    const exprs = parts.filter((p): p is Expression => p instanceof Expression)
    this.whole = parts.length === 1 && exprs.length === 1 ? exprs[0]! : null
    this.analysis = {roots: new Set(), names: new Set(), decisions: new Set()}
    for (const e of exprs) {
      for (const k of ['roots', 'names', 'decisions'] as const) for (const x of e.analysis[k]) this.analysis[k].add(x)
    }
  }

  evaluate(env: Env): Value {
    if (this.whole !== null) return this.whole.evaluate(env)
    let out = ''
    for (const part of this.parts) {
      if (typeof part === 'string') {
        out += part
        continue
      }
      const value = part.raw(env)
      try {
        out += typeof value === 'string' ? value : toText(value)
      } catch (e) {
        if (e instanceof OpenReelError) throw new OpenReelError(e.code, `cannot write a ${kindOf(value)} as text in \`${shown(part.source)}\``, part.where)
        throw e
      }
    }
    return out
  }
}

export function compileText(text: string, scope: Scope, where: string | null = null): TextTemplate {
  const parts = splitText(text, where).map(([piece, isExpr]) => (isExpr ? compileExpression(piece, scope, where) : piece))
  return new TextTemplate(text, parts)
}

export type Compiled = Expression | TextTemplate
