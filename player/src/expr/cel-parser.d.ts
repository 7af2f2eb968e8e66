// The parser module of @marcbachmann/cel-js (resolved by build.mjs to lib/parser.js, which the
// package's export map does not list). Only the parser is used: see compile.ts.
declare module 'cel-js-parser' {
  import type {ASTNode} from '@marcbachmann/cel-js'
  export class Parser {
    constructor(
      limits: {maxAstNodes: number; maxDepth: number; maxListElements: number; maxMapEntries: number; maxCallArguments: number},
      registry: {findMacro(name: string, receiver: boolean, args: number): null; enableOptionalTypes: boolean},
    )
    parse(expression: string): ASTNode
  }
}
