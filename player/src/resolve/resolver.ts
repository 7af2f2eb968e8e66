/**
 * Template + data + decisions + view -> the resolved timeline (mirrors
 * `openreel.resolve.resolver`; spec section 12). Pure: no I/O, no clock.
 */
import {OpenReelError, jsonPath} from '../errors.ts'
import {childEnv, makeEnv, type Env} from '../expr/compile.ts'
import {Timestamp, newMap, type Value} from '../expr/values.ts'
import {validateData, type ValidatedData} from '../data/validate.ts'
import type {CompiledTemplate} from './compile.ts'
import {LayerResolver, Props, easingList} from './layers.ts'
import type {AudioTrack, Caption} from './model.ts'
import {exact, fpsString, framesFor} from './rational.ts'
import {sceneRanges} from './timing.ts'

export const FORMAT_VERSION = 1

/** The moment and place of viewing (`view.time`, `view.locale`, `view.tz`). */
export interface View {
  /** epoch milliseconds; default 0 (1970-01-01T00:00:00Z) */
  timeMs?: number
  locale?: string | null
  tz?: string
}

type Out = Record<string, unknown>
type Resolved = Record<string, unknown>

function truthy(value: Value, where: string): boolean {
  if (typeof value !== 'boolean') throw new OpenReelError('OR-E209', 'a condition must give true or false', where)
  return value
}

/** The resolved timeline of one viewer, as plain JSON-able objects. */
export function resolve(ct: CompiledTemplate, data: unknown, decisions: Record<string, string> = {}, view: View = {}, validated?: ValidatedData): Resolved {
  const model = ct.model
  const values = (validated ?? validateData(model.data, data, Object.keys(model.assets))).values
  const locale = view.locale ?? model.locale
  const viewValue = newMap()
  viewValue.time = new Timestamp(view.timeMs ?? 0)
  viewValue.locale = locale
  viewValue.tz = view.tz ?? 'UTC'
  const base: Env = makeEnv({...values, view: viewValue})
  const chosen = decide(ct, base, decisions)
  let env: Env = makeEnv(base.values, Object.fromEntries(Object.entries(chosen).map(([k, v]) => [k, v.arm])))
  const theme = themeOf(ct, env)
  env = childEnv(env, {theme})
  const props = new Props(ct, theme)
  const [scenes, total, envs] = scenesOf(ct, env, props)
  return {
    resolved: FORMAT_VERSION,
    template: model.id,
    size: [...model.size],
    fps: fpsString(ct.fps),
    frames: total,
    background: props.color(['background'], model.background, env),
    locale,
    fonts: {...model.fonts},
    assets: {...model.assets},
    theme,
    decisions: chosen,
    scenes,
    audio: audioOf(ct, env, props, total, scenes, envs),
    captions: captionsOf(ct, env, props, total, scenes, envs),
  }
}

interface Choice {
  arm: string
  policy: string
  reason: string
}

function checkArm(name: string, arm: string, arms: string[]): string {
  if (!arms.includes(arm)) throw new OpenReelError('OR-E902', `the arm is not an arm of decision '${name}'`, `$.decisions.${name}`)
  return arm
}

function decide(ct: CompiledTemplate, env: Env, given: Record<string, string>): Record<string, Choice> {
  const out: Record<string, Choice> = {}
  for (const name of Object.keys(given)) {
    if (!(name in ct.model.decisions)) throw new OpenReelError('OR-E901', 'no such decision in the template', `$.decisions.${name.slice(0, 40)}`)
  }
  for (const [name, d] of Object.entries(ct.model.decisions)) {
    let arm: string
    let reason: string
    if (d.policy === 'rules') {
      arm = d.fallback
      reason = 'default'
      for (let j = 0; j < d.rules.length; j++) {
        const when = ct.exprs.get(jsonPath(['decisions', name, 'rules', j, 'when']))!
        if (truthy(when.evaluate(env), jsonPath(['decisions', name, 'rules', j]))) {
          arm = d.rules[j]!.arm
          reason = `rule ${j}`
          break
        }
      }
      if (name in given && given[name] !== arm) {
        arm = checkArm(name, given[name]!, d.arms)
        reason = 'supplied'
      }
    } else if (name in given) {
      arm = checkArm(name, given[name]!, d.arms)
      reason = 'supplied'
    } else {
      arm = d.fallback
      reason = 'not supplied: default arm'
    }
    out[name] = {arm, policy: d.policy, reason}
  }
  return out
}

function themeOf(ct: CompiledTemplate, env: Env): Record<string, Value> {
  const model = ct.model
  const theme = newMap()
  for (const [key, value] of Object.entries(model.theme.default)) {
    const c = ct.exprs.get(jsonPath(['theme', 'default', key]))
    theme[key] = c !== undefined ? c.evaluate(env) : value
  }
  model.theme.variants.forEach((variant, i) => {
    const when = ct.exprs.get(jsonPath(['theme', 'variants', i, 'when']))!
    if (truthy(when.evaluate(env), jsonPath(['theme', 'variants', i, 'when']))) {
      for (const [key, value] of Object.entries(variant.set)) {
        const c = ct.exprs.get(jsonPath(['theme', 'variants', i, 'set', key]))
        theme[key] = c !== undefined ? c.evaluate(env) : value
      }
    }
  })
  return theme
}

function scenesOf(ct: CompiledTemplate, env: Env, props: Props): [Out[], number, Env[]] {
  const model = ct.model
  const instances: Array<[number, number, number, Env]> = []
  model.scenes.forEach((scene, i) => {
    const base = jsonPath(['scenes', i])
    let envs: Env[]
    if (scene.repeat !== null) {
      const items = ct.exprs.get(`${base}.repeat`)!.evaluate(env)
      if (!Array.isArray(items)) throw new OpenReelError('OR-E209', 'repeat needs a list', `${base}.repeat`)
      envs = items.map((item) => childEnv(env, {[scene.as]: item}))
    } else envs = [env]
    envs.forEach((sceneEnv, k) => {
      const when = ct.exprs.get(`${base}.when`)
      if (when === undefined || truthy(when.evaluate(sceneEnv), `${base}.when`)) instances.push([i, k, envs.length, sceneEnv])
    })
  })
  const count = instances.length
  const lengths: number[] = []
  const transitions: number[] = []
  const envsByInstance: Env[] = []
  instances.forEach(([i, k, n, sceneEnv], index) => {
    const scene = model.scenes[i]!
    const info = newMap()
    Object.assign(info, {index, count, repeat_index: k, repeat_count: n})
    const sEnv = childEnv(sceneEnv, {scene: info})
    envsByInstance.push(sEnv)
    const duration = props.number(['scenes', i, 'duration'], scene.duration, sEnv)
    if (duration <= 0) throw new OpenReelError('OR-E209', 'a scene duration must be greater than 0', jsonPath(['scenes', i, 'duration']))
    lengths.push(framesFor(exact(duration), ct.fps))
    const tr = scene.transition
    transitions.push(tr === null || tr.type === 'cut' ? 0 : framesFor(exact(tr.duration), ct.fps))
  })
  const placements = sceneRanges({lengths, transitions})
  const out = instances.map(([i, k], n) => {
    const place = placements[n]!
    return sceneOf(ct, props, i, k, envsByInstance[n]!, place.start, place.end, place.transitionFrames)
  })
  const total = placements.length ? placements[placements.length - 1]!.end : 0
  return [out, total, envsByInstance]
}

function sceneOf(ct: CompiledTemplate, props: Props, i: number, k: number, env: Env, start: number, end: number, overlap: number): Out {
  const scene = ct.model.scenes[i]!
  const parts = ['scenes', i]
  const tr = scene.transition
  const kind = tr !== null && overlap > 0 ? tr.type : 'cut'
  const easing = tr !== null && overlap > 0 ? easingList(tr.easing) : ['linear']
  const layers = new LayerResolver(ct, props, env, start, end)
  return {
    id: scene.id,
    source: i,
    instance: k,
    start,
    end,
    static: !ct.dynamicPaths.has(jsonPath(parts)),
    transition: {type: kind, frames: overlap, easing},
    background: scene.background !== null ? props.color([...parts, 'background'], scene.background, env) : null,
    layers: layers.resolveList(scene.layers, [...parts, 'layers'], ct.model.size),
    hotspots: scene.hotspots.map((spot, j) => layers.hotspot(spot, [...parts, 'hotspots', j])),
  }
}

function trackOf(props: Props, track: AudioTrack, parts: Array<string | number>, env: Env, offset: number, limit: number): Out | null {
  const fps = props.ct.fps
  const start = offset + framesFor(exact(track.start), fps)
  const end = track.end === null ? limit : Math.min(limit, offset + framesFor(exact(track.end), fps))
  if (start >= end) return null
  const volume = typeof track.volume === 'number' ? track.volume : track.volume.map(([t, v, e], k) => [t, props.number([...parts, 'volume', k, 1], v, env), [...e]])
  return {
    src: props.asset([...parts, 'src'], track.src, env),
    start, end, volume,
    fade_in: track.fade_in, fade_out: track.fade_out, duck: track.duck, voice: track.voice, loop: track.loop,
  }
}

function audioOf(ct: CompiledTemplate, env: Env, props: Props, total: number, scenes: Out[], envs: Env[]): Out[] {
  const out = ct.model.audio.map((t, i) => trackOf(props, t, ['audio', i], env, 0, total))
  scenes.forEach((sc, n) => {
    const source = sc.source as number
    ct.model.scenes[source]!.audio.forEach((t, j) => {
      out.push(trackOf(props, t, ['scenes', source, 'audio', j], envs[n]!, sc.start as number, sc.end as number))
    })
  })
  return out.filter((t): t is Out => t !== null)
}

function captionsOf(ct: CompiledTemplate, env: Env, props: Props, total: number, scenes: Out[], envs: Env[]): Out[] {
  const fps = ct.fps
  const cues: Out[] = []
  const add = (cap: Caption, parts: Array<string | number>, offset: number, limit: number, e: Env): void => {
    const start = offset + framesFor(exact(cap.start), fps)
    const end = Math.min(limit, offset + framesFor(exact(cap.end), fps))
    if (start < end) cues.push({start, end, text: props.text([...parts, 'text'], cap.text, e)})
  }
  ct.model.captions.forEach((cap, i) => add(cap, ['captions', i], 0, total, env))
  scenes.forEach((sc, n) => {
    const source = sc.source as number
    ct.model.scenes[source]!.captions.forEach((cap, j) => add(cap, ['scenes', source, 'captions', j], sc.start as number, sc.end as number, envs[n]!))
  })
  cues.sort((a, b) => (a.start as number) - (b.start as number) || (a.end as number) - (b.end as number))
  return cues
}
