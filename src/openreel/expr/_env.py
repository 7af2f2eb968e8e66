"""The per-viewer activation: values converted once, reused by every expression."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._format import usable_locale
from ._values import Value, from_plain

_NO_DECISIONS: Mapping[str, str] = MappingProxyType({})


class Env:
    """The values (and decision arms) expressions read for one viewer.

    Build it once per viewer with :meth:`from_plain` (which converts every value once: ints
    to floats, dates to calendar dates, ...) and reuse it for every expression; bind loop
    variables or scene information with :meth:`child`, which copies only the top-level
    name table. A name the data does not bind reads as null. Treat an Env as immutable.

    ``locale`` is what ``format_number``, ``format_currency`` and ``format_date`` use when
    called without a locale (or with null): the ``locale`` given to :meth:`from_plain`, else
    ``view.locale`` from the values; an unknown tag falls back to its language (``"de-XX"``
    -> ``"de"``), else to ``"en-US"`` (None).

    >>> env = Env.from_plain({"points": 1500, "view": {"locale": "de-DE"}})
    >>> env.child({"item": {"name": "Tea"}}).values["item"], env.locale
    ({'name': 'Tea'}, 'de-DE')
    """

    __slots__ = ("decisions", "locale", "values")

    def __init__(
        self, values: dict[str, object], decisions: Mapping[str, str], locale: str | None = None
    ) -> None:
        """Internal: ``values`` must already be converted (use :meth:`from_plain`)."""
        self.values = values
        self.decisions = decisions
        self.locale = locale

    @classmethod
    def from_plain(
        cls,
        values: Mapping[str, Value],
        *,
        decisions: Mapping[str, str] | None = None,
        locale: str | None = None,
    ) -> Env:
        arms = _NO_DECISIONS if not decisions else MappingProxyType(dict(decisions))
        for arm in arms.values():
            if not isinstance(arm, str):
                raise TypeError(f"a decision arm must be a string, found {type(arm).__name__}")
        converted = {name: from_plain(value) for name, value in values.items()}
        return cls(converted, arms, usable_locale(locale or _view_locale(converted)))

    def child(self, extra: Mapping[str, Value]) -> Env:
        """This Env with ``extra`` names added (or replaced); the parent is unchanged. Binding
        a new ``view`` also takes its locale."""
        values = dict(self.values)
        for name, value in extra.items():
            values[name] = from_plain(value)
        locale = self.locale
        if "view" in extra and _view_locale(values) is not None:
            locale = usable_locale(_view_locale(values))
        return Env(values, self.decisions, locale)

    def __repr__(self) -> str:  # never show values: they may be personal data
        return f"Env(names={sorted(self.values)}, decisions={sorted(self.decisions)})"


def _view_locale(values: Mapping[str, object]) -> str | None:
    view = values.get("view")
    locale = view.get("locale") if isinstance(view, dict) else None
    return locale if isinstance(locale, str) else None
