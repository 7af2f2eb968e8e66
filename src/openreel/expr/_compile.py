"""Turns a checked tree into nested Python closures, once per expression.

A compiled expression is a function ``(env, locals) -> value``: ``env`` is the viewer's
:class:`~openreel.expr._env.Env` (converted values and decisions), ``locals`` the variables
bound by enclosing comprehensions. Evaluating it walks no tree and looks nothing up by name
except the data itself. Failures raise :class:`~openreel.expr._ops.Failure`.

Semantics that are the compiler's own (the rest is in ``_ops`` and the function modules):

- A free name that the viewer's data does not bind reads as null.
- ``a || b`` is true if any operand is true, even when another one fails or is not a bool;
  otherwise the first failure is raised; otherwise false. ``&&`` likewise with false.
  Operands are evaluated left to right and evaluation stops at the first deciding operand.
- ``c ? x : y`` needs a bool condition and evaluates only the chosen branch.
- ``has(x)`` is true when the name x is bound and not null. ``has(a.b)`` is true when the
  map ``a`` holds the key ``b`` with a value other than null (an absent optional field of an
  object is bound to null, so it reads as absent); it fails when ``a`` is not a map.
- ``default(x, fallback)`` is ``x`` unless ``x`` is null or fails, then ``fallback``.
- ``decide("name")`` is the arm chosen for the decision; a decision not made fails.
- ``format_number``, ``format_currency`` and ``format_date`` called without a locale, or with
  null, use the Env's locale (see :class:`~openreel.expr._env.Env`).
- Comprehensions run over a list's items or a map's keys: ``all`` / ``exists`` follow the
  ``&&`` / ``||`` rules over the items, ``exists_one`` is true when exactly one item gives true
  (any failure or non-bool fails), ``filter`` keeps the items whose condition is true,
  ``map(x, e)`` and ``map(x, c, e)`` (only items where ``c``) collect ``e``.
- A map literal needs string keys and fails on a repeated key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from . import _nodes as A
from ._functions import FUNCTIONS
from ._ops import BINARY, UNARY, Failure, iterate, select
from ._ops import index as index_op
from ._values import kind_of

if TYPE_CHECKING:
    from ._env import Env

Locals = Mapping[str, object]
Fn = Callable[["Env", Locals], object]


def compile_node(node: A.Node, bound: frozenset[str] = frozenset()) -> Fn:
    """The closure for ``node``; ``bound`` holds the comprehension variables in scope."""
    builder: Callable[[A.Node, frozenset[str]], Fn] = _BUILDERS[type(node)]
    return builder(node, bound)


def root_path(node: A.Node, bound: frozenset[str]) -> tuple[str, tuple[str, ...]] | None:
    """``(root, fields)`` when ``node`` is a free name followed only by field selections."""
    fields: list[str] = []
    while isinstance(node, A.Select):
        fields.append(node.field_name)
        node = node.target
    if isinstance(node, A.Name) and node.name not in bound:
        return node.name, tuple(reversed(fields))
    return None


def path_reader(root: str, fields: tuple[str, ...]) -> Fn:
    """Reads ``root.f1.f2...`` straight from the data: the fast path for a bare name or
    dotted path, with the same semantics as the general closures (``_ops.select``)."""
    if not fields:
        return lambda env, loc: env.values.get(root)

    def read(env: Env, loc: Locals) -> object:
        value = env.values.get(root)
        for name in fields:
            if value.__class__ is dict and name in value:
                value = value[name]
            else:
                value = select(value, name)
        return value

    return read


def _lit(node: A.Lit, bound: frozenset[str]) -> Fn:
    value = node.value
    return lambda env, loc: value


def _name(node: A.Name, bound: frozenset[str]) -> Fn:
    name = node.name
    if name in bound:
        return lambda env, loc: loc[name]
    return lambda env, loc: env.values.get(name)


def _select(node: A.Select, bound: frozenset[str]) -> Fn:
    path = root_path(node, bound)
    if path is not None:
        return path_reader(*path)
    target, name = compile_node(node.target, bound), node.field_name
    return lambda env, loc: select(target(env, loc), name)


def _index(node: A.Index, bound: frozenset[str]) -> Fn:
    target, key = compile_node(node.target, bound), compile_node(node.key, bound)
    return lambda env, loc: index_op(target(env, loc), key(env, loc))


def _call(node: A.Call, bound: frozenset[str]) -> Fn:
    special = _SPECIAL.get(node.name)
    if special is not None:
        return special(node, bound)
    spec = FUNCTIONS[node.name]
    impl = spec.impl
    args = [compile_node(arg, bound) for arg in node.args]
    if spec.locale_arg is not None:
        return _with_locale(impl, args, spec.locale_arg)
    if len(args) == 1:
        (a,) = args
        return lambda env, loc: impl(a(env, loc))
    if len(args) == 2:
        a, b = args
        return lambda env, loc: impl(a(env, loc), b(env, loc))
    return lambda env, loc: impl(*[arg(env, loc) for arg in args])


def _with_locale(impl: Callable[..., object], args: list[Fn], position: int) -> Fn:
    """A formatting call whose locale, when missing or null, is the Env's locale."""

    def call(env: Env, loc: Locals) -> object:
        values = [arg(env, loc) for arg in args]
        values.extend([None] * (position + 1 - len(values)))
        if values[position] is None:
            values[position] = env.locale
        return impl(*values)

    return call


def _has(node: A.Call, bound: frozenset[str]) -> Fn:
    arg = node.args[0]
    if isinstance(arg, A.Name):
        read = _name(arg, bound)
        return lambda env, loc: read(env, loc) is not None
    if not isinstance(arg, A.Select):  # pragma: no cover - the checker refuses other forms
        raise TypeError("has() argument not checked")
    target, name = compile_node(arg.target, bound), arg.field_name

    def has_field(env: Env, loc: Locals) -> object:
        value = target(env, loc)
        if isinstance(value, dict):
            return value.get(name) is not None
        raise Failure(f"has() needs a map before '.{name}', found a {kind_of(value)}")

    return has_field


def _default(node: A.Call, bound: frozenset[str]) -> Fn:
    value, fallback = (compile_node(arg, bound) for arg in node.args)

    def default(env: Env, loc: Locals) -> object:
        try:
            result = value(env, loc)
        except Failure:
            return fallback(env, loc)
        return fallback(env, loc) if result is None else result

    return default


def _decide(node: A.Call, bound: frozenset[str]) -> Fn:
    arg = node.args[0]
    if not isinstance(arg, A.Lit):  # pragma: no cover - the checker refuses other forms
        raise TypeError("decide() argument not checked")
    name = str(arg.value)

    def decide(env: Env, loc: Locals) -> object:
        arm = env.decisions.get(name)
        if arm is None:
            raise Failure(f"no arm was chosen for the decision '{name}'")
        return arm

    return decide


_SPECIAL: dict[str, Callable[[A.Call, frozenset[str]], Fn]] = {
    "has": _has,
    "default": _default,
    "decide": _decide,
}


def _logic(node: A.Logic, bound: frozenset[str]) -> Fn:
    operands = [compile_node(operand, bound) for operand in node.operands]
    decisive = node.op == "||"  # the value that decides: true for ||, false for &&
    op = node.op

    def logic(env: Env, loc: Locals) -> object:
        failure: Failure | None = None
        for operand in operands:
            try:
                value = operand(env, loc)
            except Failure as exc:
                failure = failure or exc
                continue
            if value is decisive:
                return decisive
            if not isinstance(value, bool):
                failure = failure or Failure(f"'{op}' needs bools, found a {kind_of(value)}")
        if failure is not None:
            raise failure
        return not decisive

    return logic


def _cond(node: A.Cond, bound: frozenset[str]) -> Fn:
    branches = [(compile_node(c, bound), compile_node(v, bound)) for c, v in node.branches]
    otherwise = compile_node(node.otherwise, bound)

    def cond(env: Env, loc: Locals) -> object:
        for condition, value in branches:
            chosen = condition(env, loc)
            if chosen is True:
                return value(env, loc)
            if chosen is not False:
                raise Failure(f"the condition before '?' must be a bool, found a {kind_of(chosen)}")
        return otherwise(env, loc)

    return cond


def _unary(node: A.Unary, bound: frozenset[str]) -> Fn:
    operand = compile_node(node.operand, bound)
    ops = [UNARY[op] for op in reversed(node.ops)]

    def unary(env: Env, loc: Locals) -> object:
        value = operand(env, loc)
        for op in ops:
            value = op(value)
        return value

    return unary


def _chain(node: A.Chain, bound: frozenset[str]) -> Fn:
    first = compile_node(node.first, bound)
    rest = [(BINARY[op], compile_node(operand, bound)) for op, operand in node.rest]
    if len(rest) == 1:
        ((op, second),) = rest
        return lambda env, loc: op(first(env, loc), second(env, loc))

    def chain(env: Env, loc: Locals) -> object:
        value = first(env, loc)
        for op, operand in rest:
            value = op(value, operand(env, loc))
        return value

    return chain


def _list(node: A.ListLit, bound: frozenset[str]) -> Fn:
    items = [compile_node(item, bound) for item in node.items]
    return lambda env, loc: [item(env, loc) for item in items]


def _map(node: A.MapLit, bound: frozenset[str]) -> Fn:
    entries = [(compile_node(k, bound), compile_node(v, bound)) for k, v in node.entries]

    def map_literal(env: Env, loc: Locals) -> object:
        out: dict[str, object] = {}
        for key_fn, value_fn in entries:
            key = key_fn(env, loc)
            if not isinstance(key, str):
                raise Failure(f"map keys must be strings, found a {kind_of(key)}")
            if key in out:
                raise Failure("a map literal repeats a key")
            out[key] = value_fn(env, loc)
        return out

    return map_literal


def _comprehension(node: A.Comprehension, bound: frozenset[str]) -> Fn:
    target = compile_node(node.target, bound)
    inner = bound | {node.var}
    body = compile_node(node.body, inner)
    predicate = compile_node(node.predicate, inner) if node.predicate is not None else None
    var, macro = node.var, node.macro

    def bool_of(value: object) -> bool:
        if isinstance(value, bool):
            return value
        raise Failure(f"the {macro}() condition must be a bool, found a {kind_of(value)}")

    def quantifier(env: Env, loc: Locals) -> object:
        decisive = macro == "exists"
        failure: Failure | None = None
        scope = dict(loc)
        for item in iterate(target(env, loc), macro):
            scope[var] = item
            try:
                value = bool_of(body(env, scope))
            except Failure as exc:
                failure = failure or exc
                continue
            if value is decisive:
                return decisive
        if failure is not None:
            raise failure
        return not decisive

    def exists_one(env: Env, loc: Locals) -> object:
        scope = dict(loc)
        count = 0
        for item in iterate(target(env, loc), macro):
            scope[var] = item
            count += bool_of(body(env, scope))
        return count == 1

    def filter_items(env: Env, loc: Locals) -> object:
        scope = dict(loc)
        out: list[object] = []
        for item in iterate(target(env, loc), macro):
            scope[var] = item
            if bool_of(body(env, scope)):
                out.append(item)
        return out

    def map_items(env: Env, loc: Locals) -> object:
        scope = dict(loc)
        out: list[object] = []
        for item in iterate(target(env, loc), macro):
            scope[var] = item
            if predicate is None or bool_of(predicate(env, scope)):
                out.append(body(env, scope))
        return out

    runners: dict[str, Fn] = {
        "all": quantifier,
        "exists": quantifier,
        "exists_one": exists_one,
        "filter": filter_items,
        "map": map_items,
    }
    return runners[macro]


_BUILDERS: dict[type[A.Node], Callable[..., Fn]] = {
    A.Comprehension: _comprehension,
    A.Lit: _lit,
    A.Name: _name,
    A.Select: _select,
    A.Index: _index,
    A.Call: _call,
    A.Logic: _logic,
    A.Cond: _cond,
    A.Unary: _unary,
    A.Chain: _chain,
    A.ListLit: _list,
    A.MapLit: _map,
}
