"""Canonical JSON of a resolved timeline, byte-identical to the player's.

The form is JSON with object keys sorted, no insignificant whitespace, strings escaped as
ECMAScript's ``JSON.stringify`` escapes them (non-ASCII kept as UTF-8), and numbers written as
ECMAScript's ``Number.prototype.toString`` writes them (``1.0`` -> ``1``, ``1e-7`` -> ``1e-7``,
``-0`` -> ``0``), so that a Python resolver and a JavaScript resolver can be compared byte for
byte (in the spirit of RFC 8785).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from openreel.expr import number_to_string


def _number(value: float | int) -> str:
    if isinstance(value, int):
        if abs(value) < 2**53:
            return str(value)
        value = float(value)
    if not math.isfinite(value):
        raise ValueError("canonical JSON has no NaN or infinity")
    if value == 0:
        return "0"
    return number_to_string(value)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int | float):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if not isinstance(key, str):
                raise TypeError("canonical JSON object keys are strings")
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"canonical JSON cannot hold a {type(value).__name__}")


def _utf16_key(key: str) -> bytes:
    # JavaScript sorts strings by UTF-16 code units; this differs from code-point order only
    # for characters beyond the Basic Multilingual Plane.
    return key.encode("utf-16-be")


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value``.

    >>> canonical_json({"b": 1.0, "a": [0.5, -0.0, "é"]})
    '{"a":[0.5,0,"é"],"b":1}'
    """
    out: list[str] = []
    _write(value, out)
    return "".join(out)
