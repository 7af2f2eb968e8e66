"""How a number is written as text: ECMAScript ``Number::toString`` (radix 10).

The browser player writes numbers with JavaScript's ``String(x)``; this module produces the same
bytes so both renderers agree. The digits are the shortest decimal string that reads back as
the same double (Python's ``repr`` and JavaScript pick the same digits); only the layout rules
differ, and they are ECMA-262 section 6.1.6.1.20:

- NaN -> ``"NaN"``, +0 and -0 -> ``"0"``, infinities -> ``"Infinity"`` / ``"-Infinity"``;
- with ``k`` significant digits and the decimal point after ``n`` of them: ``k <= n <= 21`` ->
  the digits then ``n - k`` zeros; ``0 < n <= 21`` -> a point inside the digits;
  ``-6 < n <= 0`` -> ``"0."``, ``-n`` zeros, the digits; otherwise exponent form
  ``d[.ddd]e+x`` / ``e-x``.
"""

from __future__ import annotations

import decimal
import math

_TWO_POW_53 = 2.0**53


def number_to_string(x: float) -> str:
    """``x`` written exactly as JavaScript's ``String(x)`` writes it.

    >>> [number_to_string(v) for v in (1500.0, 0.1, -0.0, 1e21, 1e-7, 0.1 + 0.2)]
    ['1500', '0.1', '0', '1e+21', '1e-7', '0.30000000000000004']
    """
    if math.isnan(x):
        return "NaN"
    if x == 0:
        return "0"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x < 0:
        return "-" + number_to_string(-x)
    if x < _TWO_POW_53 and x == int(x):  # the common case: a whole number below 2**53
        return str(int(x))
    sign_digits_exp = decimal.Decimal(repr(x)).as_tuple()
    digits = "".join(map(str, sign_digits_exp.digits)).rstrip("0")
    exponent = int(sign_digits_exp.exponent)  # finite by the checks above: never 'n' / 'F'
    # value = 0.digits * 10**n
    n = len("".join(map(str, sign_digits_exp.digits))) + exponent
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
