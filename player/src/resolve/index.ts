export {compileTemplate, DEFAULT_FONT, type CompiledTemplate} from './compile.ts'
export {resolve, type View} from './resolver.ts'
export {canonicalJson} from './canonical.ts'
export * from './timing.ts'
