// Builds the player bundle (dist/player.js, an IIFE exposing window.OpenReel) or, with --tests,
// the node test files (dist-test/*.test.mjs). With --out DIR the bundle is also copied there
// together with a hash of player/src (the Python package checks that the shipped build is fresh).
import {build} from 'esbuild'
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, copyFileSync, rmSync} from 'node:fs'
import {join, relative} from 'node:path'

const here = new URL('.', import.meta.url).pathname

/** `cel-js-parser` -> @marcbachmann/cel-js/lib/parser.js (not in the package's export map). */
const celParser = {
  name: 'cel-js-parser',
  setup(b) {
    b.onResolve({filter: /^cel-js-parser$/}, () => ({path: join(here, 'node_modules', '@marcbachmann', 'cel-js', 'lib', 'parser.js')}))
    // the parser's operator table and UnsignedInt are replaced by src/expr/cel-shims.ts
    b.onResolve({filter: /^\.\/(operators|functions)\.js$/}, (args) =>
      args.importer.endsWith(join('cel-js', 'lib', 'parser.js')) ? {path: join(here, 'src', 'expr', 'cel-shims.ts')} : undefined)
  },
}

/** sha256 over every file under src/ plus build.mjs, package.json and package-lock.json (sorted
 * relative paths and contents): what the shipped build depends on. */
export function sourceHash() {
  const files = []
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else files.push(path)
    }
  }
  walk(join(here, 'src'))
  files.push(join(here, 'package-lock.json'), join(here, 'package.json'), join(here, 'build.mjs'))
  files.sort()
  const h = createHash('sha256')
  for (const f of files) {
    h.update(relative(here, f).split('\\').join('/'))
    h.update('\0')
    h.update(readFileSync(f))
    h.update('\0')
  }
  return h.digest('hex')
}

const args = process.argv.slice(2)
if (args.includes('--tests')) {
  rmSync(join(here, 'dist-test'), {recursive: true, force: true})
  const entries = readdirSync(join(here, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => join(here, 'test', f))
  await build({
    entryPoints: entries, outdir: join(here, 'dist-test'), bundle: true, platform: 'node',
    format: 'esm', target: 'node20', outExtension: {'.js': '.mjs'}, logLevel: 'warning', plugins: [celParser],
  })
} else {
  const outdir = join(here, 'dist')
  mkdirSync(outdir, {recursive: true})
  await build({
    entryPoints: [join(here, 'src', 'index.ts')], outfile: join(outdir, 'player.js'), bundle: true,
    format: 'iife', globalName: 'OpenReel', target: ['chrome100', 'firefox100', 'safari15'],
    minify: true, legalComments: 'none', logLevel: 'warning',
    // the Lottie runtime is loaded lazily from the bundle's own files, never bundled here
    external: ['@lottiefiles/dotlottie-web'], plugins: [celParser],
  })
  await build({
    entryPoints: [join(here, 'src', 'lottie-entry.ts')], outfile: join(outdir, 'lottie.js'), bundle: true,
    format: 'esm', target: ['chrome100', 'firefox100', 'safari15'], minify: true, legalComments: 'none', logLevel: 'warning',
  })
  copyFileSync(join(here, 'node_modules', '@lottiefiles', 'dotlottie-web', 'dist', 'dotlottie-player.wasm'), join(outdir, 'dotlottie-player.wasm'))
  copyFileSync(join(here, 'src', 'player.css'), join(outdir, 'player.css'))
  const hash = sourceHash()
  writeFileSync(join(outdir, 'source-hash.txt'), hash + '\n')
  const at = args.indexOf('--out')
  if (at >= 0) {
    const dest = args[at + 1]
    mkdirSync(dest, {recursive: true})
    for (const f of ['player.js', 'player.css', 'lottie.js', 'dotlottie-player.wasm']) copyFileSync(join(outdir, f), join(dest, f))
    copyFileSync(join(outdir, 'source-hash.txt'), join(dest, 'source-hash.txt'))
  }
}
