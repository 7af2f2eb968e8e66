"""The load-time checker: names in scope, types, names read, decisions, cost.

Walks the tree of ``_ast`` once and reports the first problem as a :class:`CheckProblem`
(code, message, line, column). What it computes:

- **names read**: access paths rooted at a free identifier: ``.field`` per field selection
  (``theme.accent``; an index by a string literal counts as a field: ``theme["accent"]``),
  ``[]`` per index chosen at run time and per comprehension item (``top_items[0].name`` and
  ``top_items.map(i, i.name)`` both read ``top_items[].name``). A path is recorded where its
  value is used other than to select into it, so only the longest paths appear; a
  comprehension's list is recorded too (it is read whole). Comprehension variables never
  appear themselves, only through their list's path. A formatting call without a locale (or
  with a literal null) reads the viewer's: ``view.locale`` is recorded when ``view`` is in
  scope.
- **types**: the kind of every node from the :class:`NameType` of the names, used to refuse
  field access that does not fit the scope, calls with arguments of a wrong kind and operators
  that cannot apply (``"Hi " + points``) - OR-E207. Kind ``any`` turns the checks off.
- **cost**: every node costs 1 (an operator chain one per operator); a comprehension costs its
  list plus ``n x`` its body, where ``n`` is the list's ``max_items`` (or the length of a list
  literal, or ``Limits.default_list_size``); nested comprehensions multiply.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import _nodes as A
from ._format import FormatProblem
from ._functions import FUNCTIONS, KNOWN, MACROS, SPECIAL
from ._ops import Failure
from ._types import ANY, BOOL, NULL, NUMBER, STRING, Kind, Limits, NameType, Scope


class CheckProblem(Exception):
    """A load-time problem; ``hint`` (a suggestion) goes before the code's default hint."""

    def __init__(self, code: str, message: str, node: A.Node, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = node.line
        self.column = node.column
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Info:
    type: NameType
    path: str | None = None
    pii: bool = False
    cost: int = 1


@dataclass
class Report:
    result: NameType = ANY
    cost: int = 0
    names: set[str] = field(default_factory=set)
    roots: set[str] = field(default_factory=set)
    pii_names: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)


_CONCRETE_ORDERED = frozenset({"number", "string", "bool", "timestamp"})


def _suggest(name: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else None


def _a(kind: str) -> str:
    """``kind`` with its article: "a number", "an object"."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _same(types: list[NameType]) -> NameType:
    kinds = {t.kind for t in types} - {"null"}
    if len(kinds) == 1:
        return next(t for t in types if t.kind != "null")
    return NULL if not kinds else ANY


def _string_literal(node: A.Node) -> str | None:
    return node.value if isinstance(node, A.Lit) and isinstance(node.value, str) else None


def _is_null_literal(node: A.Node) -> bool:
    return isinstance(node, A.Lit) and node.value is None


def _literal_type(value: object) -> NameType:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    return NULL


class Checker:
    def __init__(self, scope: Scope, limits: Limits) -> None:
        self.scope = scope
        self.limits = limits
        self.report = Report()

    def check(self, node: A.Node) -> Report:
        info = self.visit(node, {})
        self.use(info)
        self.report.result = info.type
        self.report.cost = info.cost
        if info.cost > self.limits.max_cost:
            raise CheckProblem(
                "OR-E206",
                f"the estimated cost {info.cost} is over the limit {self.limits.max_cost}"
                " (comprehensions cost their body once per list item)",
                node,
            )
        return self.report

    def use(self, info: Info) -> None:
        if info.path is not None:
            self.report.names.add(info.path)
            if info.pii:
                self.report.pii_names.add(info.path)

    def visit(self, node: A.Node, local: Mapping[str, Info]) -> Info:
        method = getattr(self, "_" + type(node).__name__)
        result: Info = method(node, local)
        return result

    def _expect(self, info: Info, kinds: frozenset[Kind], what: str, node: A.Node) -> None:
        kind = info.type.kind
        if kind != "any" and kind not in kinds:
            raise CheckProblem("OR-E207", f"{what}, found {_a(kind)}", node)

    # --- leaves ----------------------------------------------------------------------------
    def _Lit(self, node: A.Lit, local: Mapping[str, Info]) -> Info:
        return Info(_literal_type(node.value))

    def _Name(self, node: A.Name, local: Mapping[str, Info]) -> Info:
        if node.name in local:
            return local[node.name]
        known = self.scope.get(node.name)
        if known is None:
            candidates = [*self.scope, *local]
            raise CheckProblem(
                "OR-E202", f"unknown name '{node.name}'", node, _suggest(node.name, candidates)
            )
        self.report.roots.add(node.name)
        return Info(known, node.name, known.pii)

    # --- member access ---------------------------------------------------------------------
    def _field(self, target: Info, name: str, node: A.Node) -> Info:
        t = target.type
        if t.kind == "object":
            if t.fields is None:
                found = ANY
            elif name in t.fields:
                found = t.fields[name]
            else:
                hint = _suggest(name, list(t.fields))
                raise CheckProblem("OR-E207", f"no field '{name}' here", node, hint)
        elif t.kind == "any":
            found = ANY
        else:
            raise CheckProblem("OR-E207", f"{_a(t.kind)} has no field '{name}'", node)
        path = f"{target.path}.{name}" if target.path is not None else None
        return Info(found, path, target.pii or found.pii, target.cost + 1)

    def _Select(self, node: A.Select, local: Mapping[str, Info]) -> Info:
        return self._field(self.visit(node.target, local), node.field_name, node)

    def _Index(self, node: A.Index, local: Mapping[str, Info]) -> Info:
        target = self.visit(node.target, local)
        kind = target.type.kind
        literal = _string_literal(node.key)
        if literal is not None and kind in ("object", "any"):  # a["f"] reads the field f
            return self._field(target, literal, node)
        key = self.visit(node.key, local)
        self.use(key)
        if kind == "list":
            self._expect(key, frozenset({"number"}), "a list index must be a number", node.key)
            found = target.type.items or ANY
        elif kind == "object":
            self._expect(key, frozenset({"string"}), "a map key must be a string", node.key)
            fields = target.type.fields
            found = _same(list(fields.values())) if fields else ANY
        elif kind == "any":
            found = ANY
        else:
            raise CheckProblem("OR-E207", f"cannot index {_a(kind)}", node)
        path = f"{target.path}[]" if target.path is not None else None
        return Info(found, path, target.pii or found.pii, target.cost + key.cost + 1)

    # --- calls -----------------------------------------------------------------------------
    def _Call(self, node: A.Call, local: Mapping[str, Info]) -> Info:
        name = node.name
        if (name in SPECIAL or name in MACROS) and node.method == (name in SPECIAL):
            form = f"{name}(...)" if name in SPECIAL else f"list.{name}(x, ...)"
            raise CheckProblem("OR-E201", f"{name}() is called as {form}", node)
        if name == "has":
            return self._has(node, local)
        if name == "default":
            return self._default(node, local)
        if name == "decide":
            return self._decide(node)
        spec = FUNCTIONS.get(name)
        if spec is None:
            hint = _suggest(name, sorted(KNOWN))
            raise CheckProblem("OR-E203", f"unknown function '{name}'", node, hint)
        self.report.functions.add(name)
        count = len(node.args)
        if not spec.min_args <= count <= spec.max_args:
            want = (
                str(spec.min_args)
                if spec.min_args == spec.max_args
                else f"{spec.min_args} to {spec.max_args}"
            )
            raise CheckProblem("OR-E207", f"{name}() takes {want} arguments, found {count}", node)
        args = [self.visit(arg, local) for arg in node.args]
        for position, (arg, info) in enumerate(zip(node.args, args, strict=True)):
            self.use(info)
            allowed = spec.params[position]
            if allowed is not None:
                wanted = " or ".join(_a(k) for k in sorted(allowed - {"null"}))
                self._expect(
                    info, allowed, f"{name}() needs {wanted} as argument {position + 1}", arg
                )
            check = spec.literal_checks.get(position)
            literal = _string_literal(arg)
            if check is not None and literal is not None:
                try:
                    check(literal)
                except (Failure, FormatProblem) as exc:
                    raise CheckProblem("OR-E207", f"{exc} (found {literal!r})", arg) from None
        at = spec.locale_arg
        if at is not None and (count <= at or _is_null_literal(node.args[at])):
            self._viewer_locale(node)
        result = _same([args[1].type, args[2].type]) if name == "plural" else spec.result
        return Info(result, cost=1 + sum(a.cost for a in args))

    def _viewer_locale(self, node: A.Node) -> None:
        """A formatting call without a locale reads the viewer's: record ``view.locale``."""
        view = self.scope.get("view")
        if view is None:
            return
        try:
            info = self._field(Info(view, "view", view.pii), "locale", node)
        except CheckProblem:
            return
        self.report.roots.add("view")
        self.use(info)

    def _has(self, node: A.Call, local: Mapping[str, Info]) -> Info:
        self.report.functions.add("has")
        arg = node.args[0] if len(node.args) == 1 else None
        if isinstance(arg, A.Name):
            info = self.visit(arg, local)
        elif isinstance(arg, A.Select):
            info = self._field(self.visit(arg.target, local), arg.field_name, arg)
        else:
            raise CheckProblem("OR-E201", "has() takes a name or a field, as in has(a.b)", node)
        self.use(info)
        return Info(BOOL, cost=info.cost + 1)

    def _default(self, node: A.Call, local: Mapping[str, Info]) -> Info:
        self.report.functions.add("default")
        if len(node.args) != 2:
            raise CheckProblem("OR-E207", "default() takes 2 arguments: (value, fallback)", node)
        value, fallback = (self.visit(arg, local) for arg in node.args)
        self.use(value)
        self.use(fallback)
        return Info(_same([value.type, fallback.type]), cost=1 + value.cost + fallback.cost)

    def _decide(self, node: A.Call) -> Info:
        self.report.functions.add("decide")
        name = _string_literal(node.args[0]) if len(node.args) == 1 else None
        if name is None:
            raise CheckProblem(
                "OR-E207", "decide() takes the decision's name as a quoted string", node
            )
        self.report.decisions.add(name)
        return Info(STRING)

    def _Comprehension(self, node: A.Comprehension, local: Mapping[str, Info]) -> Info:
        self.report.functions.add(node.macro)
        target = self.visit(node.target, local)
        self.use(target)
        t = target.type
        if t.kind == "list":
            item = Info(
                t.items or ANY,
                f"{target.path}[]" if target.path else None,
                target.pii or (t.items is not None and t.items.pii),
            )
        elif t.kind == "object":
            item = Info(STRING)
        elif t.kind == "any":
            item = Info(ANY)
        else:
            raise CheckProblem(
                "OR-E207", f"{node.macro}() needs a list or a map, found {_a(t.kind)}", node
            )
        inner = {**local, node.var: item}
        body = self.visit(node.body, inner)
        self.use(body)
        each = body.cost + 1
        if node.predicate is not None:
            predicate = self.visit(node.predicate, inner)
            self.use(predicate)
            self._expect(
                predicate, frozenset({"bool"}), "a map() condition must be a bool", node.predicate
            )
            each += predicate.cost
        if node.macro != "map":
            self._expect(
                body, frozenset({"bool"}), f"a {node.macro}() body must be a bool", node.body
            )
        count = t.max_items if t.kind == "list" and t.max_items is not None else None
        count = self.limits.default_list_size if count is None else count
        cost = 1 + target.cost + count * each
        if node.macro == "map":
            return Info(NameType("list", items=body.type, max_items=t.max_items), cost=cost)
        if node.macro == "filter":  # a sublist of the same items: keeps the list's path
            kept = t if t.kind == "list" else NameType("list", items=STRING)
            return Info(kept, target.path if t.kind == "list" else None, target.pii, cost)
        return Info(BOOL, cost=cost)

    # --- operators and literals ------------------------------------------------------------
    def _Unary(self, node: A.Unary, local: Mapping[str, Info]) -> Info:
        operand = self.visit(node.operand, local)
        self.use(operand)
        current = Info(operand.type)
        for op in reversed(node.ops):
            if op == "!":
                self._expect(current, frozenset({"bool"}), "'!' needs a bool", node)
                current = Info(BOOL)
            else:
                self._expect(current, frozenset({"number"}), "'-' needs a number", node)
                current = Info(NUMBER if current.type.kind == "number" else ANY)
        return Info(current.type, cost=operand.cost + len(node.ops))

    def _Chain(self, node: A.Chain, local: Mapping[str, Info]) -> Info:
        left = self.visit(node.first, local)
        self.use(left)
        cost = left.cost
        current = left.type
        for op, operand in node.rest:
            right = self.visit(operand, local)
            self.use(right)
            cost += right.cost + 1
            current = binary_type(op, current, right.type, operand)
        return Info(current, cost=cost)

    def _Logic(self, node: A.Logic, local: Mapping[str, Info]) -> Info:
        cost = len(node.operands) - 1
        for operand in node.operands:
            info = self.visit(operand, local)
            self.use(info)
            self._expect(info, frozenset({"bool"}), f"'{node.op}' needs bools", operand)
            cost += info.cost
        return Info(BOOL, cost=cost)

    def _Cond(self, node: A.Cond, local: Mapping[str, Info]) -> Info:
        cost = len(node.branches)
        values: list[NameType] = []
        for condition, value in node.branches:
            c, v = self.visit(condition, local), self.visit(value, local)
            self.use(c)
            self.use(v)
            self._expect(
                c, frozenset({"bool"}), "the condition before '?' must be a bool", condition
            )
            values.append(v.type)
            cost += c.cost + v.cost
        otherwise = self.visit(node.otherwise, local)
        self.use(otherwise)
        return Info(_same([*values, otherwise.type]), cost=cost + otherwise.cost)

    def _ListLit(self, node: A.ListLit, local: Mapping[str, Info]) -> Info:
        items = [self.visit(item, local) for item in node.items]
        for info in items:
            self.use(info)
        item_type = _same([i.type for i in items]) if items else None
        return Info(
            NameType("list", items=item_type, max_items=len(items)),
            cost=1 + sum(i.cost for i in items),
        )

    def _MapLit(self, node: A.MapLit, local: Mapping[str, Info]) -> Info:
        fields: dict[str, NameType] | None = {}
        cost = 1
        for key_node, value_node in node.entries:
            key, value = self.visit(key_node, local), self.visit(value_node, local)
            self.use(key)
            self.use(value)
            self._expect(key, frozenset({"string"}), "map keys must be strings", key_node)
            cost += key.cost + value.cost
            if fields is not None and isinstance(key_node, A.Lit):
                fields[str(key_node.value)] = value.type
            else:
                fields = None
        return Info(NameType("object", fields=fields), cost=cost)


def binary_type(op: str, a: NameType, b: NameType, node: A.Node) -> NameType:
    """The result type of ``a op b``; OR-E207 when the operator cannot apply to these kinds."""
    ka, kb = a.kind, b.kind
    if op in ("==", "!="):
        return BOOL
    if op == "in":
        if kb not in ("list", "object", "any"):
            raise CheckProblem("OR-E207", f"'in' needs a list or a map, found {_a(kb)}", node)
        return BOOL
    if "any" in (ka, kb):
        return BOOL if op in ("<", "<=", ">", ">=") else ANY
    if op in ("<", "<=", ">", ">="):
        if ka != kb or ka not in _CONCRETE_ORDERED:
            raise CheckProblem("OR-E207", f"'{op}' cannot compare {_a(ka)} and {_a(kb)}", node)
        return BOOL
    if op == "+" and ka == kb and ka in ("number", "string"):
        return a
    if op == "+" and ka == kb == "list":
        total = None if a.max_items is None or b.max_items is None else a.max_items + b.max_items
        return NameType("list", items=_same([a.items or ANY, b.items or ANY]), max_items=total)
    if op == "-" and ka == kb == "timestamp":
        return ANY  # a duration
    if op in ("-", "*", "/", "%") and ka == kb == "number":
        return NUMBER
    hint = None
    if op == "+" and {ka, kb} == {"string", "number"}:
        hint = "Turn the number into text with string(x) or format_number(x)."
    raise CheckProblem("OR-E207", f"'{op}' cannot combine {_a(ka)} and {_a(kb)}", node, hint)
