/**
 * Stand-ins for the two modules of @marcbachmann/cel-js that its parser imports but OpenReel
 * does not use: the operator table (the parser only needs each operator's name; cel-js's
 * checks and evaluators stay out of the bundle) and `UnsignedInt` (a `1u` literal; OpenReel reads
 * every number as a double). `build.mjs` points the parser's imports here.
 */
const NAMES = ['value', 'id', '.', '.?', '[]', '[?]', 'call', 'rcall', 'list', 'map', 'comprehension', '?:', '||', '&&', '!_', '-_',
  '!=', '==', 'in', '+', '-', '*', '/', '%', '<', '<=', '>', '>=']
const ALIASES: Record<string, string> = {
  '.': 'fieldAccess', '.?': 'optionalFieldAccess', '[]': 'bracketAccess', '[?]': 'optionalBracketAccess',
  '?:': 'ternary', '!_': 'unaryNot', '-_': 'unaryMinus',
}

export const OPERATORS: Record<string, {name: string}> = {}
for (const name of NAMES) {
  OPERATORS[name] = {name}
  const alias = ALIASES[name]
  if (alias) OPERATORS[alias] = OPERATORS[name]!
}

export class UnsignedInt {
  readonly value: bigint
  constructor(value: string | bigint) {
    this.value = typeof value === 'bigint' ? value : BigInt(value)
  }
}
