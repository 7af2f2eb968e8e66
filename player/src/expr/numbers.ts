/**
 * How a number is written as text: JavaScript's `String(x)` (so -0 is "0"), the rule that
 * `openreel.expr.number_to_string` reproduces in Python.
 */
export function numberToString(x: number): string {
  return String(x)
}
