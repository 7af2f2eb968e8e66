/**
 * OpenReel's on-device player. The bundle exposes `window.OpenReel`:
 *
 *     const player = await OpenReel.mount(element, {bundle: 'bundle.json'})
 *
 * and the pure pieces the player is built from (`compileTemplate`, `resolve`, `canonicalJson`)
 * for tools and tests. A page holding `<script type="application/json" id="openreel-config">`
 * (`{"bundle_url", "events_url", "campaign", "template_version", "view_id"}`) and an element
 * `#openreel` is mounted automatically: that is how `index.html` of a bundle and the server's
 * landing page start the player, without any inline script.
 */
import {mount} from './play/mount.ts'
import {OpenReelError} from './errors.ts'

export {mount} from './play/mount.ts'
export {Player, type MountOptions} from './play/player.ts'
export {compileTemplate} from './resolve/compile.ts'
export {resolve} from './resolve/resolver.ts'
export {canonicalJson} from './resolve/canonical.ts'
export {OpenReelError} from './errors.ts'
export {base64urlEncode} from './play/data.ts'
export const version = '0.1.0'

interface PageConfig {
  bundle_url?: string
  /** the bundle's manifest itself (a bundle's index.html inlines it: no bundle.json fetch) */
  manifest?: import('./play/manifest.ts').BundleManifest
  events_url?: string | null
  campaign?: string
  template_version?: string
  view_id?: string
  autoplay?: boolean
}

function boot(): void {
  const block = document.getElementById('openreel-config')
  const target = document.getElementById('openreel')
  if (!block || !target) return
  let config: PageConfig
  try {
    config = JSON.parse(block.textContent ?? '{}') as PageConfig
  } catch {
    return
  }
  const base = new URL(config.bundle_url ?? './', document.baseURI).href
  void mount(target, {
    bundle: config.manifest ?? new URL('bundle.json', base).href,
    base,
    ...(config.events_url ? {events: config.events_url} : config.events_url === null ? {events: false as const} : {}),
    ...(config.campaign ? {campaign: config.campaign} : {}),
    ...(config.template_version ? {templateVersion: config.template_version} : {}),
    ...(config.view_id ? {viewId: config.view_id} : {}),
    ...(config.autoplay ? {autoplay: true} : {}),
  }).catch((e: unknown) => {
    // the bundle itself is broken or unreachable: a plain message, never a half-drawn frame
    target.textContent = 'This video cannot be shown right now.'
    const code = e instanceof OpenReelError ? e.code : 'error'
    if (typeof console !== 'undefined') console.error(`OpenReel: ${code}`)
  })
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, {once: true})
  else boot()
}
