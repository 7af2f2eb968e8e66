/**
 * The bundle manifest written by `openreel bundle` (`bundle.json`, also inlined in index.html):
 * where the template, assets, fonts and the lazily loaded Lottie runtime are, with their
 * Subresource Integrity hashes. URLs are relative to the manifest's own URL.
 */
export interface FileRef {
  url: string
  integrity: string
}

export interface BundleManifest {
  openreel_bundle: 1
  template: FileRef
  /** the template document itself, inlined (saves a round trip); same bytes as `template` */
  template_document?: unknown
  /** template version reported in events (a content hash of the template) */
  version: string
  campaign: string
  assets: Record<string, FileRef>
  /** family -> font file (template fonts, plus "OpenReel Sans" and "OpenReel Sans Bold") */
  fonts: Record<string, FileRef>
  /** present when the template uses Lottie: the ESM runtime and its wasm */
  lottie: {module: FileRef; wasm: FileRef} | null
  /** the events endpoint (absolute URL) or null */
  events: string | null
  /** the template's `source` (no token), so the player can fetch the data while the template loads */
  source?: {url: string; timeout_ms: number} | null
  /** a poster image shown while loading (optional) */
  poster: FileRef | null
}

export function absolute(url: string, base: string): string {
  return new URL(url, base).href
}
