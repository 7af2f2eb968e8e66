/**
 * Compile a template once (mirrors `openreel.resolve.compile`): every expression site compiled
 * and keyed by its JSON path, references checked, and layers/scenes marked dynamic when they
 * read data, the view, a decision, a dynamic theme key, the scene or a loop variable.
 */
import {OpenReelError, jsonPath} from '../errors.ts'
import {compileExpression, compileText, hasInterpolation, type Compiled} from '../expr/compile.ts'
import type {NameType} from '../expr/check.ts'
import {checkDefaults} from '../data/validate.ts'
import {parseFps, type Rational} from './rational.ts'
import {readTemplate, type FieldSpec, type Layer, type Template} from './model.ts'

export const DEFAULT_FONT = 'OpenReel Sans'
const ACTION = /^(replay|share|chapter:[A-Za-z0-9_][A-Za-z0-9_.-]*)$/
const ASSET_TYPES = new Set(['image', 'video', 'lottie'])
const ANIMATABLE_COMMON = ['x', 'y', 'width', 'height', 'rotation', 'scale', 'opacity', 'radius']
export const ANIMATABLE: Record<string, Set<string>> = {
  text: new Set([...ANIMATABLE_COMMON, 'size', 'color', 'text']),
  image: new Set(ANIMATABLE_COMMON),
  video: new Set([...ANIMATABLE_COMMON, 'volume']),
  shape: new Set([...ANIMATABLE_COMMON, 'fill', 'stroke_width']),
  lottie: new Set(ANIMATABLE_COMMON),
  group: new Set(ANIMATABLE_COMMON),
  button: new Set(ANIMATABLE_COMMON),
}
const PRESET_PROPERTIES: Record<string, string> = {'fade-in': 'opacity', 'slide-up': 'y', 'pop-in': 'scale', typewriter: 'text', 'count-up': 'text'}

type Parts = Array<string | number>
type Scope = Map<string, NameType>

const KIND_OF: Record<string, NameType['kind']> = {
  string: 'string', enum: 'string', color: 'string', url: 'string', image: 'string',
  number: 'number', integer: 'number', boolean: 'bool', date: 'timestamp', datetime: 'timestamp',
}
const VIEW: NameType = {kind: 'object', fields: {time: {kind: 'timestamp'}, locale: {kind: 'string'}, tz: {kind: 'string'}}}
const SCENE: NameType = {kind: 'object', fields: {index: {kind: 'number'}, count: {kind: 'number'}, repeat_index: {kind: 'number'}, repeat_count: {kind: 'number'}}}

/** The expression kind of a data field (mirrors `openreel.resolve.scope.field_type`). */
function fieldType(spec: FieldSpec): NameType {
  if (spec.type === 'list') return {kind: 'list', items: spec.items ? fieldType(spec.items) : {kind: 'any'}}
  if (spec.type === 'object') return {kind: 'object', fields: Object.fromEntries(Object.entries(spec.fields ?? {}).map(([k, f]) => [k, fieldType(f)]))}
  return {kind: KIND_OF[spec.type] ?? 'any'}
}

function themeType(model: Template): NameType {
  const fields: Record<string, NameType> = {}
  for (const [k, v] of Object.entries(model.theme.default)) {
    fields[k] = typeof v === 'boolean' ? {kind: 'bool'} : typeof v === 'number' ? {kind: 'number'} : String(v).includes('{{') ? {kind: 'any'} : {kind: 'string'}
  }
  return {kind: 'object', fields}
}

/** The element type of a repeat over a plain dotted path, else any. */
function repeatItemType(source: string, scope: Scope): NameType {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$/.exec(source)
  if (!m) return {kind: 'any'}
  let kind: NameType | undefined
  m[1]!.split('.').forEach((name, k) => {
    if (k === 0) kind = scope.get(name)
    else kind = kind && kind.kind === 'object' && kind.fields ? kind.fields[name] : undefined
  })
  return kind && kind.kind === 'list' ? kind.items ?? {kind: 'any'} : {kind: 'any'}
}

export interface CompiledTemplate {
  model: Template
  fps: Rational
  exprs: Map<string, Compiled>
  dynamicPaths: Set<string>
  dynamicTheme: Set<string>
  fieldsUsed: Set<string>
}

class Ctx {
  readonly out = new Map<string, Compiled>()
  readonly errors: OpenReelError[] = []
  constructor(readonly template: Template) {}

  compile(parts: Parts, source: string, scope: Scope, bare: boolean): void {
    const where = jsonPath(parts)
    let compiled: Compiled
    try {
      compiled = bare ? compileExpression(source, scope, where) : compileText(source, scope, where)
    } catch (e) {
      if (e instanceof OpenReelError) {
        this.errors.push(e)
        return
      }
      throw e
    }
    const unknown = [...compiled.analysis.decisions].filter((d) => !(d in this.template.decisions)).sort()
    if (unknown.length) this.fail('OR-E120', parts, `decide('${unknown[0]}') names no declared decision`)
    this.out.set(where, compiled)
  }

  fail(code: string, parts: Parts, message: string): void {
    this.errors.push(new OpenReelError(code, message, jsonPath(parts)))
  }
}

/** Compile every `{{ }}` string under `node`, and bare `when`/`repeat` of model objects. */
function walk(ctx: Ctx, node: unknown, parts: Parts, scope: Scope, userDict = false): void {
  if (typeof node === 'string') {
    if (hasInterpolation(node)) ctx.compile(parts, node, scope, false)
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => walk(ctx, item, [...parts, i], scope))
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (!userDict && (key === 'when' || key === 'repeat') && typeof value === 'string') ctx.compile([...parts, key], value, scope, true)
      else walk(ctx, value, [...parts, key], scope, key === 'slots' || key === 'set' || key === 'default')
    }
  }
}

export function* iterLayers(layers: Layer[], parts: Parts): Generator<[Layer, Parts]> {
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!
    const here = [...parts, i]
    yield [layer, here]
    if (layer.type === 'group') yield* iterLayers(layer.layers ?? [], [...here, 'layers'])
  }
}

/** Compile and check `raw` (the template JSON); throws the first problem, carrying the rest. */
export function compileTemplate(raw: unknown): CompiledTemplate {
  const model = readTemplate(raw)
  let fps: Rational
  try {
    fps = parseFps(model.fps)
  } catch (e) {
    throw new OpenReelError('OR-E108', (e as Error).message, '$.fps')
  }
  const ctx = new Ctx(model)
  ctx.errors.push(...checkDefaults(model.data, Object.keys(model.assets)))
  const base: Scope = new Map([...Object.entries(model.data).map(([k, f]) => [k, fieldType(f)] as [string, NameType]), ['view', VIEW]])
  walk(ctx, model.theme.default, ['theme', 'default'], base, true)
  model.theme.variants.forEach((v, i) => {
    ctx.compile(['theme', 'variants', i, 'when'], v.when, base, true)
    walk(ctx, v.set, ['theme', 'variants', i, 'set'], base, true)
  })
  for (const [name, d] of Object.entries(model.decisions)) {
    d.rules.forEach((rule, j) => {
      const parts = ['decisions', name, 'rules', j, 'when']
      ctx.compile(parts, rule.when, base, true)
      const c = ctx.out.get(jsonPath(parts))
      if (c && c.analysis.decisions.size) ctx.fail('OR-E120', parts, 'a rule cannot call decide()')
    })
    d.context.forEach((f, k) => {
      const spec = model.data[f]
      if (spec === undefined) ctx.fail('OR-E120', ['decisions', name, 'context', k], 'context field is not a data field')
      else if (spec.pii) ctx.fail('OR-E120', ['decisions', name, 'context', k], 'context field is pii; decisions may only use non-personal context')
    })
  }
  const themed: Scope = new Map([...base, ['theme', themeType(model)]])
  walk(ctx, model.audio, ['audio'], themed)
  walk(ctx, model.captions, ['captions'], themed)
  const seen = new Set<string>()
  model.scenes.forEach((scene, i) => {
    const parts: Parts = ['scenes', i]
    if (seen.has(scene.id)) ctx.fail('OR-E112', [...parts, 'id'], 'scene id is used twice')
    seen.add(scene.id)
    let outer: Scope = themed
    let inner: Scope = new Map([...themed, ['scene', SCENE]])
    if (scene.repeat !== null) {
      ctx.compile([...parts, 'repeat'], scene.repeat, outer, true)
      const item = repeatItemType(scene.repeat, outer)
      if (scene.as in model.data || ['theme', 'view', 'scene'].includes(scene.as)) ctx.fail('OR-E104', [...parts, 'as'], 'loop variable hides another name')
      outer = new Map([...outer, [scene.as, item]])
      inner = new Map([...inner, [scene.as, item]])
    }
    if (scene.when !== null) ctx.compile([...parts, 'when'], scene.when, outer, true)
    for (const key of ['duration', 'transition', 'background', 'layers', 'audio', 'captions', 'hotspots'] as const) {
      walk(ctx, scene[key], [...parts, key], inner)
    }
  })
  checkReferences(ctx, model)
  if (ctx.errors.length) {
    const [head, ...rest] = ctx.errors
    throw new OpenReelError(head!.code, head!.detail, head!.path, rest)
  }
  const ct: CompiledTemplate = {model, fps, exprs: ctx.out, dynamicPaths: new Set(), dynamicTheme: new Set(), fieldsUsed: new Set()}
  markDynamic(ct)
  return ct
}

function checkReferences(ctx: Ctx, model: Template): void {
  const fonts = new Set([...Object.keys(model.fonts), DEFAULT_FONT])
  const sceneIds = new Set(model.scenes.map((s) => s.id))
  const link = (parts: Parts, href: string | null, action: string | null): void => {
    if (href !== null && action !== null) ctx.fail('OR-E115', parts, 'give either href or action, not both')
    if (href !== null && !hasInterpolation(href) && !href.startsWith('https://')) ctx.fail('OR-E115', [...parts, 'href'], 'links must be https URLs')
    if (action !== null) {
      if (!ACTION.test(action)) ctx.fail('OR-E115', [...parts, 'action'], 'unknown action')
      else if (action.startsWith('chapter:') && !sceneIds.has(action.slice(8))) ctx.fail('OR-E115', [...parts, 'action'], 'no such scene to jump to')
    }
  }
  const asset = (src: string, parts: Parts): void => {
    if (!hasInterpolation(src) && !(src in model.assets)) ctx.fail('OR-E111', parts, "not one of the template's assets")
  }
  model.audio.forEach((t, i) => asset(t.src, ['audio', i, 'src']))
  model.scenes.forEach((scene, i) => {
    scene.audio.forEach((t, j) => asset(t.src, ['scenes', i, 'audio', j, 'src']))
    scene.hotspots.forEach((h, j) => link(['scenes', i, 'hotspots', j], h.href, h.action))
    const ids = new Set<string>()
    for (const [layer, parts] of iterLayers(scene.layers, ['scenes', i, 'layers'])) {
      if (layer.id !== null) {
        if (ids.has(layer.id)) ctx.fail('OR-E112', [...parts, 'id'], 'layer id is used twice')
        ids.add(layer.id)
      }
      if (ASSET_TYPES.has(layer.type)) asset(layer.src as string, [...parts, 'src'])
      let font = (layer.font as string | null | undefined) ?? null
      if (layer.type === 'button') {
        const style = layer.style as {font: string | null}
        font = style.font
        link(parts, layer.href as string | null, layer.action as string | null)
      }
      if (font !== null && !fonts.has(font)) ctx.fail('OR-E111', [...parts, 'font'], 'font is not declared')
      if (layer.type === 'shape' && layer.shape === 'path' && !layer.path) ctx.fail('OR-E103', [...parts, 'path'], 'a path shape needs SVG path data')
      if (layer.start !== null && layer.end !== null && layer.end <= layer.start) ctx.fail('OR-E123', [...parts, 'end'], 'a layer must end after it starts')
      const allowed = ANIMATABLE[layer.type] ?? new Set()
      for (const [prop, anim] of Object.entries(layer.animate)) {
        const where = [...parts, 'animate', prop]
        if (!allowed.has(prop)) ctx.fail('OR-E104', where, `cannot be animated on a ${layer.type} layer`)
        else if (!Array.isArray(anim) && PRESET_PROPERTIES[anim.preset] !== prop) ctx.fail('OR-E118', where, `preset ${anim.preset} animates ${PRESET_PROPERTIES[anim.preset]}`)
        else if (!Array.isArray(anim) && anim.preset === 'count-up' && anim.value === null) ctx.fail('OR-E103', [...where, 'value'], 'count-up needs the number to count to')
      }
    }
  })
}

function readsData(c: Compiled, model: Template, dynamicTheme: Set<string>, loopVars: Set<string>): boolean {
  const a = c.analysis
  if (a.decisions.size) return true
  for (const root of a.roots) if (root in model.data || loopVars.has(root) || root === 'view' || root === 'scene') return true
  const themeKeys = [...a.names].filter((n) => n.startsWith('theme.')).map((n) => n.split('.')[1]!)
  if (a.roots.has('theme') && themeKeys.length === 0) return dynamicTheme.size > 0
  return themeKeys.some((k) => dynamicTheme.has(k))
}

/** Dependencies no expression shows: a font taken from a dynamic `theme.font`, and a count-up
 * formatted in the viewer's locale. */
function implicitlyDynamic(layer: Layer, dynamicTheme: Set<string>): boolean {
  const font = layer.type === 'button' ? (layer.style as {font: string | null}).font : layer.type === 'text' ? (layer.font ?? null) : ''
  if (font === null && dynamicTheme.has('font')) return true
  return Object.values(layer.animate).some((a) => !Array.isArray(a) && a.preset === 'count-up' && a.format === 'number')
}

function markDynamic(ct: CompiledTemplate): void {
  const model = ct.model
  const none = new Set<string>()
  for (const key of Object.keys(model.theme.default)) {
    const c = ct.exprs.get(jsonPath(['theme', 'default', key]))
    if (c && readsData(c, model, none, none)) ct.dynamicTheme.add(key)
  }
  model.theme.variants.forEach((v, i) => {
    const when = ct.exprs.get(jsonPath(['theme', 'variants', i, 'when']))!
    if (readsData(when, model, none, none)) for (const k of Object.keys(v.set)) ct.dynamicTheme.add(k)
    for (const k of Object.keys(v.set)) {
      const c = ct.exprs.get(jsonPath(['theme', 'variants', i, 'set', k]))
      if (c && readsData(c, model, none, none)) ct.dynamicTheme.add(k)
    }
  })
  for (const c of ct.exprs.values()) for (const r of c.analysis.roots) if (r in model.data) ct.fieldsUsed.add(r)
  const entries = [...ct.exprs.entries()]
  model.scenes.forEach((scene, i) => {
    const loop = scene.repeat !== null ? new Set([scene.as]) : none
    const scenePath = jsonPath(['scenes', i])
    let sceneDynamic = false
    for (const [layer, parts] of iterLayers(scene.layers, ['scenes', i, 'layers'])) {
      const path = jsonPath(parts)
      if (implicitlyDynamic(layer, ct.dynamicTheme) || entries.some(([p, c]) => (p.startsWith(path + '.') || p.startsWith(path + '[')) && readsData(c, model, ct.dynamicTheme, loop))) {
        ct.dynamicPaths.add(path)
        sceneDynamic = true
      }
    }
    for (const name of ['duration', 'background']) {
      const c = ct.exprs.get(`${scenePath}.${name}`)
      if (c && readsData(c, model, ct.dynamicTheme, loop)) sceneDynamic = true
    }
    if (sceneDynamic) ct.dynamicPaths.add(scenePath)
  })
}
