"""The expression tree OpenReel checks and compiles (built from cel-python's parse tree).

Nodes are immutable; each knows its source position (1-based line and column) and its
``depth`` (1 for a leaf), which the parser bounds so that walking a tree recursively is safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    line: int
    column: int
    depth: int = field(init=False, default=1)

    def children(self) -> tuple[Node, ...]:
        return ()

    def __post_init__(self) -> None:
        kids = self.children()
        object.__setattr__(self, "depth", 1 + max((k.depth for k in kids), default=0))


@dataclass(frozen=True, slots=True, eq=False)
class Lit(Node):
    value: object


@dataclass(frozen=True, slots=True, eq=False)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Select(Node):
    target: Node
    field_name: str

    def children(self) -> tuple[Node, ...]:
        return (self.target,)


@dataclass(frozen=True, slots=True, eq=False)
class Index(Node):
    target: Node
    key: Node

    def children(self) -> tuple[Node, ...]:
        return (self.target, self.key)


@dataclass(frozen=True, slots=True, eq=False)
class Call(Node):
    """``name(args)``, or ``args[0].name(args[1:])`` when ``method``."""

    name: str
    args: tuple[Node, ...]
    method: bool

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True, slots=True, eq=False)
class Comprehension(Node):
    """``target.macro(var, body)``; ``map`` may have a ``predicate`` before the body."""

    macro: str
    target: Node
    var: str
    body: Node
    predicate: Node | None = None

    def children(self) -> tuple[Node, ...]:
        parts = (self.target, self.body)
        return parts if self.predicate is None else (*parts, self.predicate)


@dataclass(frozen=True, slots=True, eq=False)
class Unary(Node):
    """``ops`` apply right to left: ``!-x`` is ``ops == ("!", "-")``."""

    ops: tuple[str, ...]
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Chain(Node):
    """``first op1 x1 op2 x2 ...`` evaluated left to right (one precedence level)."""

    first: Node
    rest: tuple[tuple[str, Node], ...]

    def children(self) -> tuple[Node, ...]:
        return (self.first, *(x for _, x in self.rest))


@dataclass(frozen=True, slots=True, eq=False)
class Logic(Node):
    op: str  # "&&" or "||"
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True, slots=True, eq=False)
class Cond(Node):
    """``c1 ? v1 : c2 ? v2 : otherwise``."""

    branches: tuple[tuple[Node, Node], ...]
    otherwise: Node

    def children(self) -> tuple[Node, ...]:
        return (*(n for pair in self.branches for n in pair), self.otherwise)


@dataclass(frozen=True, slots=True, eq=False)
class ListLit(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True, eq=False)
class MapLit(Node):
    entries: tuple[tuple[Node, Node], ...]

    def children(self) -> tuple[Node, ...]:
        return tuple(n for pair in self.entries for n in pair)
