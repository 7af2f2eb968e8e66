/**
 * Errors with OpenReel's stable codes (the same codes as `openreel.errors`). Messages never
 * contain viewer data values; `path` is a JSON path such as `$.scenes[0].layers[1].text`.
 */
export class OpenReelError extends Error {
  readonly code: string
  readonly path: string | null
  readonly related: OpenReelError[]
  /** The message without the code and path. */
  readonly detail: string

  constructor(code: string, message: string, path: string | null = null, related: OpenReelError[] = []) {
    super(`${code}${path ? ` at ${path}` : ''}: ${message}`)
    this.name = 'OpenReelError'
    this.code = code
    this.detail = message
    this.path = path
    this.related = related
  }
}

/** `$.a[0].b` from path parts, as `openreel.errors.json_path` writes it. */
export function jsonPath(parts: ReadonlyArray<string | number>): string {
  let out = '$'
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += `.${p}`
    else out += `['${p}']`
  }
  return out
}
