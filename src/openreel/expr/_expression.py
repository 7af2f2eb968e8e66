"""Compiling one expression: limits, parse, check, closures; and evaluating it."""

from __future__ import annotations

from collections.abc import Callable

from openreel.errors import CODES, ExpressionError

from ._check import Checker, CheckProblem
from ._compile import Fn, compile_node, root_path
from ._env import Env
from ._nodes import Lit
from ._ops import Failure
from ._parse import SyntaxProblem, parse
from ._scan import line_column, nesting_problem
from ._types import Limits, NameType, Scope
from ._values import Value, to_plain

Locate = Callable[[int, int], tuple[int, int]]
_NO_LOCALS: dict[str, object] = {}
_PLAIN_SCALARS = (str, float, bool, type(None))


def _same_place(line: int, column: int) -> tuple[int, int]:
    return line, column


def _at(locate: Locate, line: int, column: int) -> str:
    line, column = locate(line, column)
    return f" at column {column}" if line == 1 else f" at line {line}, column {column}"


def shown(source: str) -> str:
    """The source as messages quote it: one line, at most 60 characters."""
    flat = " ".join(source.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


class Expression:
    """One compiled CEL expression. Compile once per template; evaluate once per viewer.

    ``names``: access paths read (``first_name``, ``theme.accent``, ``top_items[].name``);
    ``roots``: the free names read; ``pii_names``: the names read that pass through a ``pii``
    name; ``decisions``: names used in ``decide("...")``; ``functions``: functions and macros
    called; ``result_type``: what the checker knows of the result; ``cost``: the static
    estimate; ``fast_path``: True when the expression is a literal, a name or a dotted path
    (read straight from the data).
    """

    __slots__ = (
        "_fn",
        "_shown",
        "cost",
        "decisions",
        "fast_path",
        "functions",
        "names",
        "pii_names",
        "result_type",
        "roots",
        "source",
        "where",
    )

    def __init__(
        self, source: str, fn: Fn, fast_path: bool, checker: Checker, where: str | None
    ) -> None:
        report = checker.report
        self.source = source
        self.where = where
        self.names = frozenset(report.names)
        self.roots = frozenset(report.roots)
        self.pii_names = frozenset(report.pii_names)
        self.decisions = frozenset(report.decisions)
        self.functions = frozenset(report.functions)
        self.result_type: NameType = report.result
        self.cost = report.cost
        self.fast_path = fast_path
        self._fn = fn
        self._shown = shown(source)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def _raw(self, env: Env) -> object:
        """The value in the expression's own representation (internal; see ``_values``)."""
        try:
            return self._fn(env, _NO_LOCALS)
        except Failure as exc:
            raise ExpressionError("OR-E208", f"{exc} in `{self._shown}`", path=self.where) from None

    def evaluate(self, env: Env) -> Value:
        """The plain value for this viewer (numbers as float; OR-E208 when it fails, OR-E209
        for a value no property can take, such as a duration)."""
        value = self._raw(env)
        if isinstance(value, _PLAIN_SCALARS):
            return value
        try:
            return to_plain(value)
        except ExpressionError as exc:
            raise ExpressionError(
                exc.code, f"{exc.message} in `{self._shown}`", path=self.where, hint=exc.hint
            ) from None


def compile_expression(
    source: str,
    scope: Scope,
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so a shared default is safe
    where: str | None = None,
) -> Expression:
    """Compile CEL ``source`` against ``scope``; every load-time problem raises
    :class:`~openreel.errors.ExpressionError` with its code and ``path=where``:
    OR-E205 nesting, OR-E204 length (both before parsing), OR-E201 syntax, OR-E202 unknown
    name, OR-E203 unknown function, OR-E207 does not fit the scope, OR-E206 cost.

    >>> from openreel.expr import NameType, Env
    >>> e = compile_expression("points * 2 > 100", {"points": NameType("number")})
    >>> e.evaluate(Env.from_plain({"points": 60})), sorted(e.names)
    (True, ['points'])
    """
    return compile_located(source, scope, limits, where, _same_place)


def compile_located(
    source: str, scope: Scope, limits: Limits, where: str | None, locate: Locate
) -> Expression:
    """:func:`compile_expression` reporting positions through ``locate`` (for ``{{ }}``)."""
    deep = nesting_problem(source, limits.max_depth, limits.max_length)
    if deep is not None:
        _, offset = deep
        raise ExpressionError(
            "OR-E205",
            f"brackets nest more than {limits.max_depth} deep"
            f"{_at(locate, *line_column(source, offset))}",
            path=where,
        )
    if len(source) > limits.max_length:
        raise ExpressionError(
            "OR-E204",
            f"the expression has {len(source)} characters, more than {limits.max_length}",
            path=where,
        )
    try:
        tree = parse(source, limits.max_tree_depth)
        checker = Checker(scope, limits)
        checker.check(tree)
    except SyntaxProblem as exc:
        raise ExpressionError(
            exc.code, f"{exc.message}{_at(locate, exc.line, exc.column)}", path=where
        ) from None
    except CheckProblem as exc:
        hint = f"{exc.hint} {CODES[exc.code].hint}" if exc.hint else None
        raise ExpressionError(
            exc.code, f"{exc.message}{_at(locate, exc.line, exc.column)}", path=where, hint=hint
        ) from None
    fast = isinstance(tree, Lit) or root_path(tree, frozenset()) is not None
    return Expression(source, compile_node(tree), fast, checker, where)
