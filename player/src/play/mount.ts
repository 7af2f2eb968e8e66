/**
 * `mount(element, options)`: load the bundle's manifest, start the data fetch, the fonts and
 * the images at once, compile the template, resolve with the viewer's data (or fall back), and
 * draw the first frame only when everything it shows is loaded.
 */
import {OpenReelError} from '../errors.ts'
import {compileTemplate} from '../resolve/compile.ts'
import type {Source} from '../resolve/model.ts'
import {fetchSource, parseFragment} from './data.ts'
import {absolute, type BundleManifest} from './manifest.ts'
import {Media} from './media.ts'
import {Player, drawPoster, loadPoster, type DataOrigin, type MountOptions} from './player.ts'

async function loadManifest(bundle: string | BundleManifest, base: string | undefined): Promise<[BundleManifest, string]> {
  if (typeof bundle !== 'string') return [bundle, base ?? document.baseURI]
  const url = absolute(bundle, base ?? document.baseURI)
  const response = await fetch(url, {credentials: 'omit'})
  if (!response.ok) throw new OpenReelError('OR-E426', 'the bundle manifest could not be loaded')
  return [(await response.json()) as BundleManifest, url]
}

/** Mount a player in `element`. Resolves when the first frame has been drawn. */
export async function mount(element: HTMLElement, options: MountOptions): Promise<Player> {
  const [manifest, base] = await loadManifest(options.bundle, options.base)
  const fragment = parseFragment(options.fragment ?? (typeof location !== 'undefined' ? location.hash : ''))
  const templateRef = manifest.template
  // the manifest may carry the template itself (one round trip less before the first frame)
  const templatePromise = manifest.template_document !== undefined
    ? Promise.resolve(manifest.template_document)
    : fetch(absolute(templateRef.url, base), {integrity: templateRef.integrity, credentials: 'omit'}).then((r) => r.json())
  // fonts and images start loading now, while the template and the data are on their way
  const early = new Media(manifest, base)
  const fontsEarly = early.loadFonts()
  early.warmAssets()
  // start fetching the viewer's data at once, in parallel with the template and fonts
  const token = options.source?.token ?? fragment.token
  let dataPromise: Promise<{data: unknown; origin: DataOrigin} | null> = Promise.resolve(null)
  if (options.data !== undefined) dataPromise = Promise.resolve({data: options.data, origin: 'inline'})
  else if (fragment.data !== undefined) dataPromise = Promise.resolve({data: fragment.data, origin: 'fragment'})
  let fetchFailed: string | null = null
  const fetchData = (source: Source): void => {
    dataPromise = fetchSource(source, token!).then((got) => {
      if (got.ok) return {data: got.data, origin: 'source' as const}
      fetchFailed = got.code
      return null
    })
  }
  const override = (s: Source): Source => ({...s, ...(options.source?.url ? {url: options.source.url} : {}), ...(options.source?.timeout_ms ? {timeout_ms: options.source.timeout_ms} : {})})
  const wantsFetch = options.data === undefined && fragment.data === undefined && !!token
  // the manifest names the source, so the data is fetched in parallel with the template
  const earlySource = wantsFetch && manifest.source ? override({token_from: 'fragment', refresh_s: null, ...manifest.source}) : null
  if (earlySource) fetchData(earlySource)
  const raw = await templatePromise
  const compiled = compileTemplate(raw)
  const source = compiled.model.source ? override(compiled.model.source) : null
  if (wantsFetch && source && !earlySource) fetchData(source)
  const player = new Player(element, manifest, base, compiled, options, fragment.view, early)
  loadPoster(player)
  player.layout()
  drawPoster(player)
  const fonts = fontsEarly
  // while the data is on its way, resolve once with the defaults: it warms the JIT and the Intl
  // formatters (a cold resolve costs 20 to 30 ms, a warm one 2 to 3 ms); skipped if the data is
  // already here
  let arrived = false
  void dataPromise.then(() => {
    arrived = true
  })
  await Promise.resolve()
  if (!arrived) player.warmUp()
  const got = await dataPromise
  performance.mark?.('openreel-data')
  if (fetchFailed) player.events.emit('error', 0, {code: fetchFailed})
  player.setData(got?.data ?? {}, got?.origin ?? 'defaults')
  performance.mark?.('openreel-resolved')
  await Promise.all([fonts, player.preloadMedia()])
  performance.mark?.('openreel-media')
  player.ready = true
  player.draw()
  if (token && source) player.startLive(token)
  if (options.autoplay) player.requestPlay()
  return player
}

