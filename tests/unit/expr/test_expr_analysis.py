"""What a compiled expression reports: names read, roots, pii, decisions, functions, types, cost."""

from __future__ import annotations

import pytest

from openreel.errors import ExpressionError
from openreel.expr import Limits, NameType, compile_expression

ITEM = NameType("object", fields={"name": NameType("string"), "price": NameType("number")})
SCOPE = {
    "first_name": NameType("string", pii=True),
    "nick": NameType("string"),
    "items": NameType("list", items=ITEM, max_items=5),
    "secret_list": NameType("list", items=ITEM, pii=True),
    "tags": NameType("list", items=NameType("string")),
    "theme": NameType("object", fields={"accent": NameType("string")}),
    "scene": NameType("object", fields={"index": NameType("number")}),
    "prefs": NameType("object"),
    "anything": NameType("any"),
}


@pytest.mark.parametrize(
    ("source", "names", "roots"),
    [
        ("first_name", {"first_name"}, {"first_name"}),
        ("theme.accent", {"theme.accent"}, {"theme"}),
        ("theme['accent']", {"theme.accent"}, {"theme"}),
        ("items[0].name", {"items[].name"}, {"items"}),
        ("items[0]", {"items[]"}, {"items"}),
        ("items[scene.index].price * 2", {"items[].price", "scene.index"}, {"items", "scene"}),
        ("items.map(i, i.name)", {"items", "items[].name"}, {"items"}),
        ("items.map(i, i)", {"items", "items[]"}, {"items"}),
        (
            "items.filter(i, i.price > 2).map(i, i.name)",
            {"items", "items[].price", "items[].name"},
            {"items"},
        ),
        (
            "items.map(i, tags.map(t, i.name + t))",
            {"items", "items[].name", "tags", "tags[]"},
            {"items", "tags"},
        ),
        ("tags.map(first_name, first_name)", {"tags", "tags[]"}, {"tags"}),  # shadowed
        ("has(nick)", {"nick"}, {"nick"}),
        ("has(theme.accent)", {"theme.accent"}, {"theme"}),
        ("default(nick, first_name)", {"nick", "first_name"}, {"nick", "first_name"}),
        ("size(items) > 2", {"items"}, {"items"}),
        ("prefs.a.b.c", {"prefs.a.b.c"}, {"prefs"}),
        ("anything.x[1].y", {"anything.x[].y"}, {"anything"}),
        ("[1, 2].map(x, x * 2)", set(), set()),
        ("{'gold': 'a'}[nick]", {"nick"}, {"nick"}),
        ("decide('mood') == 'calm'", set(), set()),
        ("'literal'", set(), set()),
    ],
)
def test_names_read(source: str, names: set[str], roots: set[str]) -> None:
    e = compile_expression(source, SCOPE)
    assert e.names == names
    assert e.roots == roots


def test_pii_names() -> None:
    e = compile_expression("first_name + nick + secret_list.map(s, s.name)[0]", SCOPE)
    assert e.pii_names == {"first_name", "secret_list", "secret_list[].name"}
    assert compile_expression("nick", SCOPE).pii_names == frozenset()


def test_decisions_and_functions() -> None:
    e = compile_expression(
        "decide('offer') == 'discount' ? upper(decide('mood')) : items.map(i, i.name).join(', ')",
        SCOPE,
    )
    assert e.decisions == {"offer", "mood"}
    assert e.functions == {"decide", "upper", "map", "join"}


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("first_name", "string"),
        ("size(items)", "number"),
        ("items.map(i, i.price)", "list"),
        ("items.exists(i, i.price > 1)", "bool"),
        ("nick == null", "bool"),
        ("default(nick, 'x')", "string"),
        ("true ? 'a' : 'b'", "string"),
        ("true ? 'a' : 1", "any"),
        ("plural(1, 'a', 'b')", "string"),
        ("{'a': 1}", "object"),
        ("anything", "any"),
    ],
)
def test_result_type(source: str, kind: str) -> None:
    assert compile_expression(source, SCOPE).result_type.kind == kind


def test_result_type_of_map_keeps_item_type_and_size() -> None:
    t = compile_expression("items.map(i, i.price)", SCOPE).result_type
    assert t.items is not None and t.items.kind == "number"
    assert t.max_items == 5


def test_fast_path_flag() -> None:
    assert compile_expression("theme.accent", SCOPE).fast_path
    assert compile_expression("(first_name)", SCOPE).fast_path
    assert compile_expression("'x'", SCOPE).fast_path
    assert not compile_expression("items[0]", SCOPE).fast_path
    assert not compile_expression("upper(nick)", SCOPE).fast_path


def test_cost_counts_nodes_and_multiplies_comprehensions() -> None:
    assert compile_expression("first_name", SCOPE).cost == 1
    assert compile_expression("1 + 2 + 3", SCOPE).cost == 5
    # 1 (map) + 1 (items) + 5 items x (i.name: 2, +1)
    assert compile_expression("items.map(i, i.name)", SCOPE).cost == 17
    # tags has no max_items: default_list_size (100) items
    assert compile_expression("tags.map(t, t)", SCOPE).cost == 1 + 1 + 100 * 2
    small = Limits(default_list_size=10)
    assert compile_expression("tags.map(t, t)", SCOPE, limits=small).cost == 1 + 1 + 10 * 2
    nested = compile_expression("items.map(i, items.map(j, 1))", SCOPE).cost
    assert nested == 1 + 1 + 5 * ((1 + 1 + 5 * 2) + 1)


def test_cost_limit() -> None:
    source = "tags.map(a, tags.map(b, tags.map(c, 1)))"
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE, where="$.scenes[2].when")
    assert info.value.code == "OR-E206"
    assert info.value.path == "$.scenes[2].when"
    compile_expression(source, SCOPE, limits=Limits(max_cost=10**7))  # within a larger budget
