"""String properties with ``{{ expr }}`` interpolation."""

from __future__ import annotations

from openreel.errors import ExpressionError

from ._env import Env
from ._expression import Expression, compile_located
from ._scan import Unclosed, line_column, split_text
from ._types import Limits, Scope
from ._values import Value, to_text


def has_interpolation(text: str) -> bool:
    """True when ``text`` holds a ``{{`` (an interpolation, or an unclosed one)."""
    return "{{" in text


class TextTemplate:
    """A compiled string property: literal pieces and expressions, in order.

    ``whole`` is set when the text is exactly one ``{{ expr }}`` (nothing before or after the
    braces, not even spaces): :meth:`evaluate` then returns the expression's typed value (a
    number, a list, ...). Otherwise it returns a string, each expression written with
    :func:`~openreel.expr.to_text`.
    """

    __slots__ = (
        "decisions",
        "functions",
        "names",
        "parts",
        "pii_names",
        "roots",
        "source",
        "whole",
    )

    def __init__(self, source: str, parts: tuple[str | Expression, ...]) -> None:
        self.source = source
        self.parts = parts
        expressions = [p for p in parts if isinstance(p, Expression)]
        self.whole = expressions[0] if len(parts) == 1 and expressions else None
        self.names: frozenset[str] = frozenset().union(*(e.names for e in expressions))
        self.roots: frozenset[str] = frozenset().union(*(e.roots for e in expressions))
        self.pii_names: frozenset[str] = frozenset().union(*(e.pii_names for e in expressions))
        self.decisions: frozenset[str] = frozenset().union(*(e.decisions for e in expressions))
        self.functions: frozenset[str] = frozenset().union(*(e.functions for e in expressions))

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(p for p in self.parts if isinstance(p, Expression))

    def __repr__(self) -> str:
        return f"TextTemplate({self.source!r})"

    def evaluate(self, env: Env) -> Value:
        if self.whole is not None:
            return self.whole.evaluate(env)
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part._raw(env)
            try:
                out.append(value if isinstance(value, str) else to_text(value))
            except ExpressionError as exc:
                raise ExpressionError(
                    exc.code,
                    f"{exc.message} in `{part._shown}`",
                    path=part.where,
                    hint=exc.hint,
                ) from None
        return "".join(out)


def compile_text(
    text: str,
    scope: Scope,
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so a shared default is safe
    where: str | None = None,
) -> TextTemplate:
    """Compile every ``{{ expr }}`` of ``text``; positions in errors count in ``text``.

    >>> from openreel.expr import Env, NameType
    >>> t = compile_text("Hi {{ upper(name) }}!", {"name": NameType("string")})
    >>> t.evaluate(Env.from_plain({"name": "Ana"}))
    'Hi ANA!'
    """
    try:
        pieces = split_text(text, limits.max_length)
    except Unclosed as exc:
        line, column = line_column(text, exc.start)
        place = f"column {column}" if line == 1 else f"line {line}, column {column}"
        if exc.too_long:
            raise ExpressionError(
                "OR-E204",
                f"the expression opened at {place} is longer than {limits.max_length} characters",
                path=where,
            ) from None
        raise ExpressionError("OR-E210", f"the {{{{ at {place} has no }}}}", path=where) from None
    parts: list[str | Expression] = []
    for piece, offset, is_expression in pieces:
        if not is_expression:
            parts.append(piece)
            continue
        start_line, start_column = line_column(text, offset)

        def locate(
            line: int, column: int, sl: int = start_line, sc: int = start_column
        ) -> tuple[int, int]:
            return (sl, sc + column - 1) if line == 1 else (sl + line - 1, column)

        parts.append(compile_located(piece, scope, limits, where, locate))
    return TextTemplate(text, tuple(parts))
