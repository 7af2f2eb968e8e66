"""Compile a template once: every expression compiled and checked, every reference checked.

A :class:`CompiledTemplate` is built once per template version and reused for every viewer. It
maps the JSON path of each expression site (``$.scenes[1].layers[0].text``) to its compiled
form, knows which layers and scenes depend on data (``static`` / ``dynamic``), and which data
fields the template reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pydantic import BaseModel

from openreel.data import check_defaults
from openreel.errors import OpenReelError, TemplateError, combine, json_path
from openreel.expr import (
    Expression,
    Limits,
    NameType,
    TextTemplate,
    compile_expression,
    compile_text,
    has_interpolation,
)
from openreel.template import LoadedTemplate, Template
from openreel.template.animation import ANIMATABLE_BY_TYPE, PRESET_PROPERTIES, Preset
from openreel.template.layers import ButtonLayer, GroupLayer, LayerBase, ShapeLayer, TextLayer
from openreel.timebase import parse_fps

from . import scope as scopes

DEFAULT_FONT = "OpenReel Sans"
BARE_FIELDS = frozenset({"when", "repeat"})
ACTION = re.compile(r"^(replay|share|chapter:[A-Za-z0-9_][A-Za-z0-9_.-]*)$")
_DOTTED = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$")
_ASSET_FIELDS = {"image": "src", "video": "src", "lottie": "src"}

Compiled = Expression | TextTemplate
Parts = list[str | int]


@dataclass
class CompiledTemplate:
    """A template ready to resolve for any viewer."""

    model: Template
    fps: Fraction
    file: str | None = None
    loaded: LoadedTemplate | None = None
    exprs: dict[str, Compiled] = field(default_factory=dict)
    dynamic_paths: set[str] = field(default_factory=set)  # layers and scenes that read data
    dynamic_theme: frozenset[str] = frozenset()
    fields_used: frozenset[str] = frozenset()

    def pii_fields_used(self) -> frozenset[str]:
        return frozenset(f for f in self.fields_used if self.model.data[f].pii)


@dataclass
class _Ctx:
    template: Template
    limits: Limits
    file: str | None
    out: dict[str, Compiled] = field(default_factory=dict)
    errors: list[OpenReelError] = field(default_factory=list)

    def compile(
        self, parts: Parts, source: str, scope: Mapping[str, NameType], *, bare: bool
    ) -> None:
        where = json_path(parts)
        try:
            compiled: Compiled = (
                compile_expression(source, scope, limits=self.limits, where=where)
                if bare
                else compile_text(source, scope, limits=self.limits, where=where)
            )
        except OpenReelError as exc:
            self.errors.extend(e.with_file(self.file) if self.file else e for e in exc.errors)
            return
        unknown = sorted(d for d in compiled.decisions if d not in self.template.decisions)
        if unknown:
            self.fail("OR-E120", parts, f"decide({unknown[0]!r}) names no declared decision")
        self.out[where] = compiled

    def fail(self, code: str, parts: Parts, message: str) -> None:
        self.errors.append(TemplateError(code, message, file=self.file, path=json_path(parts)))


def _walk(ctx: _Ctx, node: Any, parts: Parts, scope: Mapping[str, NameType]) -> None:
    """Compile every expression site under ``node`` (bare fields and ``{{ }}`` strings)."""
    if isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            key = info.alias or name
            value = getattr(node, name)
            if name in BARE_FIELDS and isinstance(value, str):
                ctx.compile([*parts, key], value, scope, bare=True)
            else:
                _walk(ctx, value, [*parts, key], scope)
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            _walk(ctx, item, [*parts, i], scope)
    elif isinstance(node, dict):
        for key, item in node.items():
            _walk(ctx, item, [*parts, key], scope)
    elif isinstance(node, str) and has_interpolation(node):
        ctx.compile(parts, node, scope, bare=False)


def compile_template(
    template: Template | LoadedTemplate, *, limits: Limits | None = None
) -> CompiledTemplate:
    """Compile and check ``template``; raises an error carrying every problem found."""
    loaded: LoadedTemplate | None
    if isinstance(template, LoadedTemplate):
        loaded, model, file = template, template.model, template.file
    else:
        loaded, model, file = None, template, None
    ctx = _Ctx(model, limits or Limits(), file)
    ctx.errors.extend(
        e.with_file(file) if file else e
        for e in check_defaults(model.data, asset_names=tuple(model.assets))
    )
    base = scopes.data_scope(model)
    with_decide = base
    # theme values and variants, then decision rules: data and view only
    _walk(ctx, model.theme.default, ["theme", "default"], base)
    for i, variant in enumerate(model.theme.variants):
        ctx.compile(["theme", "variants", i, "when"], variant.when, with_decide, bare=True)
        _walk(ctx, variant.set, ["theme", "variants", i, "set"], base)
    for name, decision in model.decisions.items():
        for j, rule in enumerate(decision.rules):
            parts: Parts = ["decisions", name, "rules", j, "when"]
            ctx.compile(parts, rule.when, base, bare=True)
            compiled = ctx.out.get(json_path(parts))
            if compiled is not None and compiled.decisions:
                ctx.fail("OR-E120", parts, "a rule cannot call decide()")
        for k, ctx_field in enumerate(decision.context):
            spec = model.data.get(ctx_field)
            if spec is None:
                ctx.fail(
                    "OR-E120",
                    ["decisions", name, "context", k],
                    f"context field {ctx_field[:40]!r} is not a data field",
                )
            elif spec.pii:
                ctx.fail(
                    "OR-E120",
                    ["decisions", name, "context", k],
                    f"context field {ctx_field!r} is pii; decisions may only use "
                    "non-personal context",
                )
    themed = scopes.extend(base, theme=scopes.theme_type(model))
    _walk(ctx, model.audio, ["audio"], themed)
    _walk(ctx, model.captions, ["captions"], themed)
    _compile_scenes(ctx, model, themed)
    _check_references(ctx, model)
    error = combine(ctx.errors)
    if error is not None:
        raise error
    ct = CompiledTemplate(
        model=model, fps=parse_fps(model.fps), file=file, loaded=loaded, exprs=ctx.out
    )
    _mark_dynamic(ct)
    return ct


def _compile_scenes(ctx: _Ctx, model: Template, themed: Mapping[str, NameType]) -> None:
    seen: set[str] = set()
    for i, scene in enumerate(model.scenes):
        parts: Parts = ["scenes", i]
        if scene.id in seen:
            ctx.fail("OR-E112", [*parts, "id"], f"scene id {scene.id!r} is used twice")
        seen.add(scene.id)
        outer = themed
        inner = scopes.extend(themed, scene=scopes.SCENE_TYPE)
        if scene.repeat is not None:
            ctx.compile([*parts, "repeat"], scene.repeat, outer, bare=True)
            item_type = _repeat_item_type(ctx, scene.repeat, outer, [*parts, "repeat"])
            if scene.as_ in model.data or scene.as_ in {"theme", "view", "scene"}:
                ctx.fail(
                    "OR-E104", [*parts, "as"], f"loop variable {scene.as_!r} hides another name"
                )
            outer = scopes.extend(outer, **{scene.as_: item_type})
            inner = scopes.extend(inner, **{scene.as_: item_type})
        if scene.when is not None:
            ctx.compile([*parts, "when"], scene.when, outer, bare=True)
        for name, info in type(scene).model_fields.items():
            if name not in {"when", "repeat", "id", "as_"}:
                _walk(ctx, getattr(scene, name), [*parts, info.alias or name], inner)


def _repeat_item_type(
    ctx: _Ctx, source: str, scope: Mapping[str, NameType], parts: Parts
) -> NameType:
    """The element type of a repeat over a plain field path; refuses a path that is no list."""
    m = _DOTTED.match(source)
    if not m:
        return NameType("any")
    kind: NameType | None = None
    for k, name in enumerate(m.group(1).split(".")):
        if k == 0:
            kind = scope.get(name)
        elif kind is not None and kind.kind == "object" and kind.fields is not None:
            kind = kind.fields.get(name)
        else:
            kind = None
        if kind is None:
            return NameType("any")  # unknown names are reported by the expression compiler
    if kind is None or kind.kind == "any":
        return NameType("any")
    if kind.kind != "list":
        ctx.fail("OR-E209", parts, f"repeat needs a list, and {m.group(1)!r} is a {kind.kind}")
        return NameType("any")
    return kind.items or NameType("any")


def iter_layers(layers: list[Any], parts: Parts) -> Iterator[tuple[LayerBase, Parts]]:
    """Every layer with its path, groups' children after their group."""
    for i, layer in enumerate(layers):
        here = [*parts, i]
        yield layer, here
        if isinstance(layer, GroupLayer):
            yield from iter_layers(layer.layers, [*here, "layers"])


def _check_references(ctx: _Ctx, model: Template) -> None:
    fonts = set(model.fonts) | {DEFAULT_FONT}
    scene_ids = {s.id for s in model.scenes}

    def link(parts: Parts, href: str | None, action: str | None) -> None:
        if href is not None and action is not None:
            ctx.fail("OR-E115", parts, "give either href or action, not both")
        if href is not None and not has_interpolation(href) and not href.startswith("https://"):
            ctx.fail("OR-E115", [*parts, "href"], "links must be https URLs")
        if action is not None:
            if not ACTION.match(action):
                ctx.fail("OR-E115", [*parts, "action"], f"unknown action {action[:40]!r}")
            elif action.startswith("chapter:") and action[8:] not in scene_ids:
                ctx.fail("OR-E115", [*parts, "action"], f"no scene {action[8:]!r} to jump to")

    for i, track in enumerate(model.audio):
        _asset_ref(ctx, model, track.src, ["audio", i, "src"])
    for i, scene in enumerate(model.scenes):
        for j, track in enumerate(scene.audio):
            _asset_ref(ctx, model, track.src, ["scenes", i, "audio", j, "src"])
        for j, spot in enumerate(scene.hotspots):
            link(["scenes", i, "hotspots", j], spot.href, spot.action)
        ids: set[str] = set()
        for layer, parts in iter_layers(scene.layers, ["scenes", i, "layers"]):
            kind = getattr(layer, "type", "")
            if layer.id is not None:
                if layer.id in ids:
                    ctx.fail("OR-E112", [*parts, "id"], f"layer id {layer.id!r} is used twice")
                ids.add(layer.id)
            if kind in _ASSET_FIELDS:
                _asset_ref(ctx, model, getattr(layer, "src"), [*parts, "src"])  # noqa: B009
            font = getattr(layer, "font", None)
            if kind == "button":
                font = layer.style.font  # type: ignore[attr-defined]
                link(parts, layer.href, layer.action)  # type: ignore[attr-defined]
            if font is not None and font not in fonts:
                ctx.fail("OR-E111", [*parts, "font"], f"font {font[:40]!r} is not declared")
            if isinstance(layer, ShapeLayer) and layer.shape == "path" and not layer.path:
                ctx.fail("OR-E103", [*parts, "path"], "a path shape needs SVG path data")
            if layer.start is not None and layer.end is not None and layer.end <= layer.start:
                ctx.fail("OR-E123", [*parts, "end"], "a layer must end after it starts")
            _check_animate(ctx, layer, kind, parts)


def _check_animate(ctx: _Ctx, layer: LayerBase, kind: str, parts: Parts) -> None:
    allowed = ANIMATABLE_BY_TYPE.get(kind, frozenset())
    for prop, anim in layer.animate.items():
        where = [*parts, "animate", prop]
        if prop not in allowed:
            ctx.fail(
                "OR-E104",
                where,
                f"{prop!r} cannot be animated on a {kind} layer; "
                f"use one of {', '.join(sorted(allowed))}",
            )
        elif isinstance(anim, Preset) and prop not in PRESET_PROPERTIES[anim.preset]:
            ctx.fail(
                "OR-E118",
                where,
                f"preset {anim.preset!r} animates "
                f"{', '.join(sorted(PRESET_PROPERTIES[anim.preset]))}, not {prop!r}",
            )
        elif isinstance(anim, Preset) and anim.preset == "count-up" and anim.value is None:
            ctx.fail("OR-E103", [*where, "value"], "count-up needs the number to count to")
        elif prop == "text" and not isinstance(anim, Preset) and not isinstance(layer, TextLayer):
            ctx.fail("OR-E104", where, "only text layers animate text")


def _asset_ref(ctx: _Ctx, model: Template, src: str, parts: Parts) -> None:
    if not has_interpolation(src) and src not in model.assets:
        ctx.fail("OR-E111", parts, f"{src[:40]!r} is not one of the template's assets")


# --- static / dynamic --------------------------------------------------------------------------


def _reads_data(
    compiled: Compiled, model: Template, dynamic_theme: frozenset[str], loop_vars: frozenset[str]
) -> bool:
    if compiled.decisions:
        return True
    for root in compiled.roots:
        if root in model.data or root in loop_vars or root in ("view", "scene"):
            return True
    theme_keys = {n.split(".")[1] for n in compiled.names if n.startswith("theme.")}
    if "theme" in compiled.roots and not theme_keys:
        return bool(dynamic_theme)
    return bool(theme_keys & dynamic_theme)


def _implicitly_dynamic(layer: LayerBase, dynamic_theme: frozenset[str]) -> bool:
    """Dependencies no expression shows: a font taken from a dynamic ``theme.font``, and a
    count-up formatted in the viewer's locale."""
    font = layer.style.font if isinstance(layer, ButtonLayer) else getattr(layer, "font", "")
    if font is None and "font" in dynamic_theme:
        return True
    return any(
        isinstance(anim, Preset) and anim.preset == "count-up" and anim.format == "number"
        for anim in layer.animate.values()
    )


def _mark_dynamic(ct: CompiledTemplate) -> None:
    model = ct.model
    none: frozenset[str] = frozenset()
    dyn_theme: set[str] = set()
    for key in model.theme.default:
        c = ct.exprs.get(json_path(["theme", "default", key]))
        if c is not None and _reads_data(c, model, none, none):
            dyn_theme.add(key)
    for i, variant in enumerate(model.theme.variants):
        when = ct.exprs[json_path(["theme", "variants", i, "when"])]
        if _reads_data(when, model, none, none):
            dyn_theme.update(variant.set)
        for key in variant.set:
            c = ct.exprs.get(json_path(["theme", "variants", i, "set", key]))
            if c is not None and _reads_data(c, model, none, none):
                dyn_theme.add(key)
    ct.dynamic_theme = frozenset(dyn_theme)
    used: set[str] = set()
    for c in ct.exprs.values():
        used.update(r for r in c.roots if r in model.data)
    ct.fields_used = frozenset(used)
    for i, scene in enumerate(model.scenes):
        loop = frozenset({scene.as_}) if scene.repeat is not None else none
        scene_path = json_path(["scenes", i])
        scene_dynamic = False
        for layer, parts in iter_layers(scene.layers, ["scenes", i, "layers"]):
            path = json_path(parts)
            if _implicitly_dynamic(layer, ct.dynamic_theme) or any(
                _reads_data(c, model, ct.dynamic_theme, loop)
                for p, c in ct.exprs.items()
                if p.startswith(path + ".") or p.startswith(path + "[")
            ):
                ct.dynamic_paths.add(path)
                scene_dynamic = True
        for name in ("duration", "background"):
            c = ct.exprs.get(f"{scene_path}.{name}")
            if c is not None and _reads_data(c, model, ct.dynamic_theme, loop):
                scene_dynamic = True
        if scene_dynamic:
            ct.dynamic_paths.add(scene_path)
