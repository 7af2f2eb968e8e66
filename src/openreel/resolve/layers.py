"""Resolving layers: every property evaluated, defaulted and normalised."""

from __future__ import annotations

import re
from typing import Any

from openreel.errors import ExpressionError, json_path
from openreel.expr import Env, format_number, number_to_string, to_text
from openreel.template.animation import Preset, parse_easing
from openreel.template.layers import (
    ButtonLayer,
    GroupLayer,
    ImageLayer,
    LayerBase,
    LottieLayer,
    ShapeLayer,
    TextBackground,
    TextLayer,
    VideoLayer,
)
from openreel.template.model import Hotspot
from openreel.timebase import exact, frames_for

from . import presets
from .compile import DEFAULT_FONT, CompiledTemplate

Parts = list[str | int]
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
COMMON_NUMBERS = ("rotation", "scale", "opacity", "radius")


def normalize_color(value: str) -> str:
    """``#RGB`` / ``#RRGGBB`` / ``#RRGGBBAA`` -> lower-case ``#rrggbbaa``."""
    h = value[1:].lower()
    if len(h) == 3:
        h = "".join(c * 2 for c in h) + "ff"
    elif len(h) == 6:
        h += "ff"
    return "#" + h


class Props:
    """Evaluates property values at their JSON paths, checking the type each property needs."""

    def __init__(self, ct: CompiledTemplate, theme: dict[str, Any]) -> None:
        self.ct = ct
        self.theme = theme

    def value(self, parts: Parts, raw: Any, env: Env) -> Any:
        if isinstance(raw, str) and "{{" in raw:
            compiled = self.ct.exprs.get(json_path(parts))
            if compiled is not None:
                return compiled.evaluate(env)
        return raw

    def number(self, parts: Parts, raw: Any, env: Env) -> float:
        v = self.value(parts, raw, env)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ExpressionError("OR-E209", "this property needs a number", path=json_path(parts))
        return v

    def color(self, parts: Parts, raw: Any, env: Env) -> str:
        v = self.value(parts, raw, env)
        if not isinstance(v, str) or not _COLOR.match(v):
            raise ExpressionError(
                "OR-E209",
                "this property needs a color #RGB, #RRGGBB or #RRGGBBAA",
                path=json_path(parts),
            )
        return normalize_color(v)

    def text(self, parts: Parts, raw: Any, env: Env) -> str:
        v = self.value(parts, raw, env)
        return v if isinstance(v, str) else to_text(v)

    def asset(self, parts: Parts, raw: str, env: Env) -> str:
        v = self.text(parts, raw, env)
        if v not in self.ct.model.assets:
            raise ExpressionError(
                "OR-E209",
                "this property needs the name of one of the template's assets",
                path=json_path(parts),
            )
        return v

    def easing(self, text: str) -> tuple[Any, ...]:
        return parse_easing(text)

    def paint(self, parts: Parts, raw: Any, env: Env) -> Any:
        if raw is None:
            return None
        if isinstance(raw, str):
            return self.color(parts, raw, env)
        kind = "linear" if hasattr(raw, "linear") else "radial"
        g = getattr(raw, kind)
        stops = [
            [float(off), self.color([*parts, kind, "stops", i, 1], c, env)]
            for i, (off, c) in enumerate(g.stops)
        ]
        if kind == "linear":
            return {"linear": {"from": list(g.from_), "to": list(g.to), "stops": stops}}
        return {"radial": {"center": list(g.center), "radius": g.radius, "stops": stops}}

    def stroke(self, parts: Parts, raw: Any, env: Env) -> dict[str, Any] | None:
        if raw is None:
            return None
        return {"width": raw.width, "color": self.color([*parts, "color"], raw.color, env)}

    def font(self, family: str | None) -> str:
        if family is not None:
            return family
        themed = self.theme.get("font")
        if isinstance(themed, str) and themed in self.ct.model.fonts:
            return themed
        return DEFAULT_FONT


class LayerResolver:
    """Resolves the layers of one scene instance."""

    def __init__(self, ct: CompiledTemplate, props: Props, env: Env, start: int, end: int) -> None:
        self.ct, self.p, self.env = ct, props, env
        self.start, self.end = start, end

    def resolve_list(
        self, layers: list[Any], parts: Parts, box: tuple[float, float]
    ) -> list[dict[str, Any]]:
        out = []
        for i, layer in enumerate(layers):
            resolved = self.layer(layer, [*parts, i], box, i)
            if resolved is not None:
                out.append(resolved)
        return out

    def _frame(self, seconds: float | None, default: int) -> int:
        if seconds is None:
            return default
        return max(self.start, min(self.end, self.start + frames_for(exact(seconds), self.ct.fps)))

    def layer(
        self, layer: LayerBase, parts: Parts, box: tuple[float, float], index: int
    ) -> dict[str, Any] | None:
        p, env = self.p, self.env
        if layer.when is not None:
            when = self.ct.exprs[json_path([*parts, "when"])].evaluate(env)
            if not isinstance(when, bool):
                raise ExpressionError(
                    "OR-E209",
                    "a condition must give true or false",
                    path=json_path([*parts, "when"]),
                )
            if not when:
                return None
        kind: str = layer.type  # type: ignore[attr-defined]
        width = box[0] if layer.width is None else p.number([*parts, "width"], layer.width, env)
        height = box[1] if layer.height is None else p.number([*parts, "height"], layer.height, env)
        out: dict[str, Any] = {
            "id": layer.id or f"{kind}-{index}",
            "type": kind,
            "static": json_path(parts) not in self.ct.dynamic_paths,
            "start": self._frame(layer.start, self.start),
            "end": self._frame(layer.end, self.end),
            "x": p.number([*parts, "x"], layer.x, env),
            "y": p.number([*parts, "y"], layer.y, env),
            "width": width,
            "height": height,
            "anchor": list(layer.anchor),
            "blend": layer.blend,
            "shadow": None,
        }
        for name in COMMON_NUMBERS:
            out[name] = p.number([*parts, name], getattr(layer, name), env)
        if layer.shadow is not None:
            s = layer.shadow
            out["shadow"] = {
                "x": s.x,
                "y": s.y,
                "blur": s.blur,
                "color": p.color([*parts, "shadow", "color"], s.color, env),
            }
        TYPE_RESOLVERS[kind](self, layer, parts, out)
        out["animate"] = self.animate(layer, parts, out)
        return out

    # --- per type ---------------------------------------------------------------------------

    def _text(self, layer: TextLayer, parts: Parts, out: dict[str, Any]) -> None:
        p, env = self.p, self.env
        bg: Any = layer.background
        if isinstance(bg, str):
            bg = {"color": p.color([*parts, "background"], bg, env), "padding": 0, "radius": 0}
        elif isinstance(bg, TextBackground):
            bg = {
                "color": p.color([*parts, "background", "color"], bg.color, env),
                "padding": bg.padding,
                "radius": bg.radius,
            }
        out.update(
            text=p.text([*parts, "text"], layer.text, env),
            font=p.font(layer.font),
            size=p.number([*parts, "size"], layer.size, env),
            color=p.color([*parts, "color"], layer.color, env),
            align=layer.align,
            valign=layer.valign,
            line_height=layer.line_height,
            max_lines=layer.max_lines,
            fit=layer.fit,
            stroke=p.stroke([*parts, "stroke"], layer.stroke, env),
            background=bg,
        )

    def _image(self, layer: ImageLayer, parts: Parts, out: dict[str, Any]) -> None:
        value = self.p.text([*parts, "src"], layer.src, self.env)
        if value == "":
            src: Any = None
        elif value in self.ct.model.assets:
            src = {"asset": value}
        elif value.startswith("https://"):
            src = {"url": value}
        else:
            raise ExpressionError(
                "OR-E209",
                "an image source must be an asset name or an https URL",
                path=json_path([*parts, "src"]),
            )
        out.update(src=src, fit=layer.fit, focus=list(layer.focus))

    def _video(self, layer: VideoLayer, parts: Parts, out: dict[str, Any]) -> None:
        out.update(
            src={"asset": self.p.asset([*parts, "src"], layer.src, self.env)},
            fit=layer.fit,
            trim=list(layer.trim) if layer.trim else None,
            loop=layer.loop,
            muted=layer.muted,
            volume=layer.volume,
            speed=layer.speed,
        )

    def _shape(self, layer: ShapeLayer, parts: Parts, out: dict[str, Any]) -> None:
        out.update(
            shape=layer.shape,
            path=layer.path,
            fill=self.p.paint([*parts, "fill"], layer.fill, self.env),
            stroke=self.p.stroke([*parts, "stroke"], layer.stroke, self.env),
        )

    def _lottie(self, layer: LottieLayer, parts: Parts, out: dict[str, Any]) -> None:
        slots = {
            k: self.p.value([*parts, "slots", k], v, self.env)
            for k, v in sorted(layer.slots.items())
        }
        src = self.p.asset([*parts, "src"], layer.src, self.env)
        out.update(src={"asset": src}, slots=slots, speed=layer.speed, loop=layer.loop)

    def _button(self, layer: ButtonLayer, parts: Parts, out: dict[str, Any]) -> None:
        p, env, st = self.p, self.env, layer.style
        href = None if layer.href is None else p.text([*parts, "href"], layer.href, env)
        if href is not None and not href.startswith("https://"):
            raise ExpressionError(
                "OR-E209", "a link must be an https URL", path=json_path([*parts, "href"])
            )
        sp: Parts = [*parts, "style"]
        out.update(
            text=p.text([*parts, "text"], layer.text, env),
            href=href,
            action=layer.action,
            style={
                "fill": p.paint([*sp, "fill"], st.fill, env),
                "color": p.color([*sp, "color"], st.color, env),
                "font": p.font(st.font),
                "size": st.size,
                "radius": st.radius,
                "stroke": p.stroke([*sp, "stroke"], st.stroke, env),
            },
        )

    def _group(self, layer: GroupLayer, parts: Parts, out: dict[str, Any]) -> None:
        out["layers"] = self.resolve_list(
            layer.layers, [*parts, "layers"], (out["width"], out["height"])
        )

    def hotspot(self, spot: Hotspot, parts: Parts) -> dict[str, Any]:
        href = None if spot.href is None else self.p.text([*parts, "href"], spot.href, self.env)
        if href is not None and not href.startswith("https://"):
            raise ExpressionError(
                "OR-E209", "a link must be an https URL", path=json_path([*parts, "href"])
            )
        return {
            "x": spot.x,
            "y": spot.y,
            "width": spot.width,
            "height": spot.height,
            "start": self._frame(spot.start, self.start),
            "end": self._frame(spot.end, self.end),
            "href": href,
            "action": spot.action,
        }

    # --- animation --------------------------------------------------------------------------

    def animate(self, layer: LayerBase, parts: Parts, out: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for prop, anim in sorted(layer.animate.items()):
            where: Parts = [*parts, "animate", prop]
            if isinstance(anim, Preset):
                result[prop] = self._preset(anim, prop, where, out)
                continue
            frames = []
            for k, (t, v, easing) in enumerate(anim):
                vp: Parts = [*where, k, 1]
                if prop in ("color", "fill"):
                    value: Any = self.p.color(vp, v, self.env)
                elif prop == "text":
                    value = self.p.text(vp, v, self.env)
                else:
                    value = self.p.number(vp, v, self.env)
                frames.append([t, value, list(easing)])
            result[prop] = frames
        return result

    def _preset(self, preset: Preset, prop: str, where: Parts, out: dict[str, Any]) -> Any:
        d = presets.duration_of(preset)
        name = preset.preset
        if name == "fade-in":
            return presets.fade_in(preset, out["opacity"], d)
        if name == "slide-up":
            return presets.slide_up(preset, out["y"], d)
        if name == "pop-in":
            return presets.pop_in(preset, out["scale"], d)
        if name == "typewriter":
            return presets.typewriter(preset, out["text"], d)
        target = self.p.number([*where, "value"], preset.value, self.env)
        locale = self.env.locale
        steps = max(1, frames_for(exact(d), self.ct.fps))
        if preset.format == "plain":

            def fmt(x: float) -> str:
                return number_to_string(float(x))
        else:

            def fmt(x: float) -> str:
                return format_number(float(x), locale)

        return presets.count_up(preset, target, d, steps, fmt)


TYPE_RESOLVERS: dict[str, Any] = {
    "text": LayerResolver._text,
    "image": LayerResolver._image,
    "video": LayerResolver._video,
    "shape": LayerResolver._shape,
    "lottie": LayerResolver._lottie,
    "button": LayerResolver._button,
    "group": LayerResolver._group,
}
