"""Parsing: cel-python's CEL grammar, its lark parse tree turned into ``_nodes``.

cel-python parses CEL into a lark tree with one node per grammar rule (``expr`` ->
``conditionalor`` -> ... -> ``primary``), left-recursive for operator chains. This module
drops the pass-through nodes, turns operator chains (``a + b - c``, ``a || b || c``,
``a ? b : c ? d : e``, ``!!x``) into one node each, and reads literals: every number literal
(``1``, ``0x1F``, ``1u``, ``2.5``) becomes a double. Recursion follows real nesting only, and
both the conversion depth and the depth of the result are bounded by
``Limits.max_tree_depth`` (OR-E205), so nothing downstream can exhaust Python's stack.
"""

from __future__ import annotations

from celpy.celparser import CELParser
from celpy.evaluation import celstr
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from ._functions import MACROS
from ._nodes import (
    Call,
    Chain,
    Comprehension,
    Cond,
    Index,
    ListLit,
    Lit,
    Logic,
    MapLit,
    Name,
    Node,
    Select,
    Unary,
)


class SyntaxProblem(Exception):
    """Raised with (code, message, line, column); the caller adds the location."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


_PASS_THROUGH = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication"}
    | {"unary", "member", "primary", "paren_expr"}
)
_CHAIN_OPS = {
    "relation": {
        "relation_lt": "<",
        "relation_le": "<=",
        "relation_gt": ">",
        "relation_ge": ">=",
        "relation_eq": "==",
        "relation_ne": "!=",
        "relation_in": "in",
    },
    "addition": {"addition_add": "+", "addition_sub": "-"},
    "multiplication": {"multiplication_mul": "*", "multiplication_div": "/"}
    | {"multiplication_mod": "%"},
}
_LOGIC = {"conditionalor": "||", "conditionaland": "&&"}
_POSTFIX = frozenset({"member_dot", "member_dot_arg", "member_index"})


def parse(source: str, max_tree_depth: int) -> Node:
    """Parse CEL ``source`` into a :class:`Node` (SyntaxProblem on any error)."""
    if not source.strip():
        raise SyntaxProblem("OR-E201", "the expression is empty")
    CELParser()  # builds cel-python's shared lark parser on first use
    parser = CELParser.CEL_PARSER
    if parser is None:  # pragma: no cover - CELParser() always sets it
        raise RuntimeError("cel-python did not build its parser")
    try:
        tree = parser.parse(source)
    except UnexpectedCharacters as exc:
        char = str(getattr(exc, "char", "?"))[:1]
        raise SyntaxProblem(
            "OR-E201", f"unexpected character {char!r}", exc.line, exc.column
        ) from None
    except UnexpectedEOF:
        raise SyntaxProblem("OR-E201", "the expression ends too early", *_end(source)) from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise SyntaxProblem("OR-E201", "the expression ends too early", *_end(source)) from None
        text = str(exc.token)
        shown = text if len(text) <= 20 else text[:17] + "..."
        raise SyntaxProblem("OR-E201", f"unexpected {shown!r}", exc.line, exc.column) from None
    except LarkError:
        raise SyntaxProblem("OR-E201", "the expression cannot be parsed") from None
    return _Converter(max_tree_depth).convert(tree, 0)


def _end(source: str) -> tuple[int, int]:
    """Line and column just after the last character."""
    text = source.rstrip()
    return text.count("\n") + 1, len(text) - (text.rfind("\n") + 1) + 1


def _pos(item: Tree[Token] | Token) -> tuple[int, int]:
    if isinstance(item, Token):
        return (item.line or 1, item.column or 1)
    meta = item.meta
    if getattr(meta, "empty", True):
        return (1, 1)
    return (meta.line, meta.column)


class _Converter:
    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth

    def _checked(self, node: Node) -> Node:
        if node.depth > self.max_depth:
            raise SyntaxProblem(
                "OR-E205",
                f"the expression nests operations more than {self.max_depth} deep",
                node.line,
                node.column,
            )
        return node

    def convert(self, tree: Tree[Token], depth: int) -> Node:
        if depth > self.max_depth:
            line, column = _pos(tree)
            raise SyntaxProblem(
                "OR-E205",
                f"the expression nests operations more than {self.max_depth} deep",
                line,
                column,
            )
        while tree.data in _PASS_THROUGH and len(tree.children) == 1:
            child = tree.children[0]
            if not isinstance(child, Tree):
                break
            tree = child
        handler = getattr(self, "_" + str(tree.data), None)
        if handler is None:
            line, column = _pos(tree)
            raise SyntaxProblem(
                "OR-E201", _UNSUPPORTED.get(str(tree.data), "unsupported syntax"), line, column
            )
        return self._checked(handler(tree, depth + 1))

    # --- operators -------------------------------------------------------------------------
    def _expr(self, tree: Tree[Token], depth: int) -> Node:
        branches: list[tuple[Node, Node]] = []
        while tree.data == "expr" and len(tree.children) == 3:
            cond, then, rest = tree.children
            branches.append((self.convert(_t(cond), depth), self.convert(_t(then), depth)))
            tree = _t(rest)
        line, column = _pos(tree)
        return Cond(line, column, tuple(branches), self.convert(tree, depth))

    def _logic(self, tree: Tree[Token], depth: int) -> Node:
        kind = tree.data
        operands: list[Tree[Token]] = []
        while tree.data == kind and len(tree.children) == 2:
            left, right = tree.children
            operands.append(_t(right))
            tree = _t(left)
        operands.append(tree)
        line, column = _pos(tree)
        converted = tuple(self.convert(t, depth) for t in reversed(operands))
        return Logic(line, column, _LOGIC[str(kind)], converted)

    _conditionalor = _logic
    _conditionaland = _logic

    def _chain(self, tree: Tree[Token], depth: int) -> Node:
        kind = tree.data
        ops = _CHAIN_OPS[str(kind)]
        rest: list[tuple[str, Tree[Token]]] = []
        while tree.data == kind and len(tree.children) == 2:
            op_tree, right = _t(tree.children[0]), _t(tree.children[1])
            rest.append((ops[str(op_tree.data)], right))
            tree = _t(op_tree.children[0])
        line, column = _pos(tree)
        first = self.convert(tree, depth)
        pairs = tuple((op, self.convert(t, depth)) for op, t in reversed(rest))
        return Chain(line, column, first, pairs)

    _relation = _chain
    _addition = _chain
    _multiplication = _chain

    def _unary(self, tree: Tree[Token], depth: int) -> Node:
        line, column = _pos(tree)
        ops: list[str] = []
        while tree.data == "unary" and len(tree.children) == 2:
            ops.append("!" if _t(tree.children[0]).data == "unary_not" else "-")
            tree = _t(tree.children[1])
        return Unary(line, column, tuple(ops), self.convert(tree, depth))

    # --- member access and calls -----------------------------------------------------------
    def _postfix(self, tree: Tree[Token], depth: int) -> Node:
        chain: list[Tree[Token]] = []
        while True:
            while tree.data == "member" and len(tree.children) == 1:
                tree = _t(tree.children[0])
            if tree.data not in _POSTFIX:
                break
            chain.append(tree)
            tree = _t(tree.children[0])
        node = self.convert(tree, depth)
        for step in reversed(chain):
            node = self._checked(self._apply_postfix(node, step, depth))
        return node

    _member_dot = _postfix
    _member_dot_arg = _postfix
    _member_index = _postfix

    def _apply_postfix(self, target: Node, step: Tree[Token], depth: int) -> Node:
        line, column = _pos(step)
        if step.data == "member_index":
            return Index(line, column, target, self.convert(_t(step.children[1]), depth))
        name_token = step.children[1]
        assert isinstance(name_token, Token)  # the grammar puts an IDENT here
        name = str(name_token)
        line, column = _pos(name_token)
        if step.data == "member_dot":
            return Select(line, column, target, name)
        args = self._args(step.children[2:], depth)
        if name in MACROS:
            return self._comprehension(name, target, args, line, column)
        return Call(line, column, name, (target, *args), method=True)

    def _args(self, rest: list[Tree[Token] | Token], depth: int) -> tuple[Node, ...]:
        if not rest:
            return ()
        return tuple(self.convert(_t(e), depth) for e in _t(rest[0]).children)

    def _comprehension(
        self, macro: str, target: Node, args: tuple[Node, ...], line: int, column: int
    ) -> Node:
        counts = (2, 3) if macro == "map" else (2,)
        if len(args) not in counts or not isinstance(args[0], Name):
            form = "x, body" if macro != "map" else "x, body) or map(x, condition, body"
            raise SyntaxProblem(
                "OR-E201", f"write {macro}({form}) with a variable name x", line, column
            )
        var = args[0].name
        if len(args) == 3:
            return Comprehension(line, column, macro, target, var, args[2], args[1])
        return Comprehension(line, column, macro, target, var, args[1])

    def _ident_arg(self, tree: Tree[Token], depth: int) -> Node:
        name_token = tree.children[0]
        line, column = _pos(name_token)
        args = self._args(tree.children[1:], depth)
        return Call(line, column, str(name_token), args, method=False)

    # --- primaries -------------------------------------------------------------------------
    def _ident(self, tree: Tree[Token], depth: int) -> Node:
        token = tree.children[0]
        line, column = _pos(token)
        return Name(line, column, str(token))

    def _list_lit(self, tree: Tree[Token], depth: int) -> Node:
        line, column = _pos(tree)
        return ListLit(line, column, self._args(tree.children, depth))

    def _map_lit(self, tree: Tree[Token], depth: int) -> Node:
        line, column = _pos(tree)
        parts = [
            self.convert(_t(c), depth)
            for c in (_t(tree.children[0]).children if tree.children else [])
        ]
        entries = tuple(zip(parts[0::2], parts[1::2], strict=True))
        return MapLit(line, column, entries)

    def _literal(self, tree: Tree[Token], depth: int) -> Node:
        token = tree.children[0]
        assert isinstance(token, Token)  # the grammar puts a terminal here
        line, column = _pos(token)
        return Lit(line, column, _literal_value(token, line, column))


def _t(item: Tree[Token] | Token) -> Tree[Token]:
    if not isinstance(item, Tree):  # pragma: no cover - the grammar guarantees trees here
        raise SyntaxProblem("OR-E201", "unexpected token", *_pos(item))
    return item


_UNSUPPORTED = {
    "member_object": "message construction (Name{field: value}) is not supported",
    "dot_ident": "names with a leading '.' are not supported",
    "dot_ident_arg": "calls with a leading '.' are not supported",
}


def _literal_value(token: Token, line: int, column: int) -> object:
    kind, text = token.type, str(token)
    if kind in ("INT_LIT", "UINT_LIT"):
        digits = text.rstrip("uU")
        negative = digits.startswith("-")
        body = digits.lstrip("-")
        number = int(body[2:], 16) if body[:2].lower() == "0x" else int(body, 10)
        try:
            value = float(-number if negative else number)
        except OverflowError:
            value = float("inf")
    elif kind == "FLOAT_LIT":
        value = float(text)
    elif kind in ("STRING_LIT", "MLSTRING_LIT"):
        try:
            return str(celstr(token))
        except (ValueError, UnicodeError):
            raise SyntaxProblem("OR-E201", "invalid escape in a string", line, column) from None
    elif kind == "BOOL_LIT":
        return text == "true"
    elif kind == "NULL_LIT":
        return None
    else:
        raise SyntaxProblem("OR-E201", "bytes literals are not supported", line, column)
    if value in (float("inf"), float("-inf")):
        raise SyntaxProblem("OR-E201", "a number literal is too large", line, column)
    return value
