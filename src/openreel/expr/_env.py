"""The per-viewer activation: values converted once, reused by every expression."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._values import Value, from_plain

_NO_DECISIONS: Mapping[str, str] = MappingProxyType({})


class Env:
    """The values (and decision arms) expressions read for one viewer.

    Build it once per viewer with :meth:`from_plain` (which converts every value once: ints
    to floats, dates to calendar dates, ...) and reuse it for every expression; bind loop
    variables or scene information with :meth:`child`, which copies only the top-level
    name table. A name the data does not bind reads as null. Treat an Env as immutable.

    >>> env = Env.from_plain({"points": 1500}, decisions={"mood": "calm"})
    >>> env.child({"item": {"name": "Tea"}}).values["item"]
    {'name': 'Tea'}
    """

    __slots__ = ("decisions", "values")

    def __init__(self, values: dict[str, object], decisions: Mapping[str, str]) -> None:
        """Internal: ``values`` must already be converted (use :meth:`from_plain`)."""
        self.values = values
        self.decisions = decisions

    @classmethod
    def from_plain(
        cls, values: Mapping[str, Value], *, decisions: Mapping[str, str] | None = None
    ) -> Env:
        arms = _NO_DECISIONS if not decisions else MappingProxyType(dict(decisions))
        for arm in arms.values():
            if not isinstance(arm, str):
                raise TypeError(f"a decision arm must be a string, found {type(arm).__name__}")
        return cls({name: from_plain(value) for name, value in values.items()}, arms)

    def child(self, extra: Mapping[str, Value]) -> Env:
        """This Env with ``extra`` names added (or replaced); the parent is unchanged."""
        values = dict(self.values)
        for name, value in extra.items():
            values[name] = from_plain(value)
        return Env(values, self.decisions)

    def __repr__(self) -> str:  # never show values: they may be personal data
        return f"Env(names={sorted(self.values)}, decisions={sorted(self.decisions)})"
