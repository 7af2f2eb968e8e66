"""Linear scans of source text, before any parsing.

- :func:`nesting_problem`: the bracket nesting (``(``, ``[``, ``{``) of CEL source, skipping
  string literals and ``//`` comments, looking at no more than ``max_length + 1`` characters
  and stopping as soon as ``max_depth`` is exceeded. So an over-long or over-deep source is
  refused in time proportional to the limits, not to its size.
- :func:`split_text`: a string property cut into literal text and ``{{ expr }}`` parts. An
  interpolation ends at the first ``}}`` outside string literals and outside braces opened
  inside it (so ``{{ {"a": 1}["a"] }}`` works). A ``{{`` without its ``}}`` is OR-E210. There is
  no escape: write a literal ``{{`` as ``{{ "{{" }}``.
"""

from __future__ import annotations

_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_QUOTES = frozenset("\"'")


def _skip_string(text: str, i: int, stop: int) -> int:
    """Index just after the string literal whose quote is at ``text[i]`` (``stop`` when
    unterminated). Backslash escapes the next character, as in cel-python's lexer."""
    quote = text[i]
    triple = text[i : i + 3] == quote * 3
    end_mark = quote * 3 if triple else quote
    j = i + len(end_mark)
    while j < stop:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if not triple and ch == "\n":
            return j
        if text.startswith(end_mark, j):
            return j + len(end_mark)
        j += 1
    return stop


def nesting_problem(source: str, max_depth: int, max_length: int) -> tuple[int, int] | None:
    """``(depth, index)`` of the first bracket that nests deeper than ``max_depth``."""
    stop = min(len(source), max_length + 1)
    depth = 0
    i = 0
    while i < stop:
        ch = source[i]
        if ch in _QUOTES:
            i = _skip_string(source, i, stop)
            continue
        if ch == "/" and source.startswith("//", i):
            newline = source.find("\n", i, stop)
            i = stop if newline < 0 else newline
            continue
        if ch in _OPEN:
            depth += 1
            if depth > max_depth:
                return depth, i
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
    return None


class Unclosed(Exception):
    """``{{`` at ``start`` has no ``}}``; or the expression inside exceeds ``limit`` chars."""

    def __init__(self, start: int, too_long: bool) -> None:
        super().__init__(start)
        self.start = start
        self.too_long = too_long


def _closing(text: str, start: int, limit: int) -> int:
    """Index of the ``}}`` closing the interpolation whose content starts at ``start``; looks
    at no more than ``limit + 2`` characters."""
    depth = 0
    i = start
    end = min(len(text), start + limit + 2)
    while i < end:
        ch = text[i]
        if ch in _QUOTES:
            i = _skip_string(text, i, end)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0 and text.startswith("}}", i):
                return i
            depth = max(0, depth - 1)
        i += 1
    raise Unclosed(start - 2, too_long=end < len(text))


def split_text(text: str, max_length: int) -> list[tuple[str, int, bool]]:
    """``[(piece, offset, is_expression)]`` in order; expression pieces are the source between
    the braces. Raises :class:`Unclosed`."""
    parts: list[tuple[str, int, bool]] = []
    position = 0
    while True:
        opening = text.find("{{", position)
        if opening < 0:
            break
        if opening > position:
            parts.append((text[position:opening], position, False))
        closing = _closing(text, opening + 2, max_length)
        parts.append((text[opening + 2 : closing], opening + 2, True))
        position = closing + 2
    if position < len(text):
        parts.append((text[position:], position, False))
    return parts


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1
