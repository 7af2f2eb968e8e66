"""Template + data + decisions -> the resolved timeline (spec section 12). Pure: no I/O.

The resolved timeline is plain JSON: scene instances with absolute ``[start, end)`` frames, every
expression replaced by its value, defaults filled in, presets expanded, colors normalised to
``#rrggbbaa``, and each layer and scene marked ``static`` (reads no data) or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openreel.data import ValidatedData, validate_data
from openreel.errors import DecisionError, ExpressionError, json_path
from openreel.expr import Env, Value
from openreel.template import Template
from openreel.timebase import exact, fps_string, frames_for

from .compile import CompiledTemplate
from .layers import LayerResolver, Props
from .timing import scene_ranges

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
FORMAT_VERSION = 1


@dataclass(frozen=True)
class View:
    """The moment and place of viewing: ``view.time``, ``view.locale``, ``view.tz``.

    Resolving is pure, so the caller supplies the time (the CLI and server pass "now").
    """

    time: dt.datetime = EPOCH
    locale: str | None = None
    tz: str = "UTC"


def resolve(
    ct: CompiledTemplate,
    data: Mapping[str, Any] | ValidatedData,
    decisions: Mapping[str, str] | None = None,
    view: View | None = None,
) -> dict[str, Any]:
    """The resolved timeline of one viewer, as a plain JSON-able dict.

    ``data`` is validated against the template's schema unless it is already a
    :class:`ValidatedData`. ``decisions`` answers ``decide()`` for non-rules policies; rules
    policies are evaluated here.
    """
    model = ct.model
    if not isinstance(data, ValidatedData):
        names = tuple(model.assets)
        data = validate_data(model.data, data, asset_names=names)
    view = view or View()
    locale = view.locale or model.locale
    view_value: dict[str, Value] = {"time": view.time, "locale": locale, "tz": view.tz}
    base = Env.from_plain({**data.values, "view": view_value})
    chosen = _decide(ct, base, decisions or {})
    env = Env.from_plain(
        {**data.values, "view": view_value}, decisions={k: v["arm"] for k, v in chosen.items()}
    )
    theme = _theme(ct, env)
    env = env.child({"theme": theme})
    props = Props(ct, theme)
    scenes, total, scene_envs = _scenes(ct, env, props)
    return {
        "resolved": FORMAT_VERSION,
        "template": model.id,
        "size": list(model.size),
        "fps": fps_string(ct.fps),
        "frames": total,
        "background": props.color(["background"], model.background, env),
        "locale": locale,
        "fonts": dict(model.fonts),
        "assets": dict(model.assets),
        "theme": theme,
        "decisions": chosen,
        "scenes": scenes,
        "audio": _audio(ct, env, props, total, scenes, scene_envs),
        "captions": _captions(ct, env, props, total, scenes, scene_envs),
    }


def _decide(ct: CompiledTemplate, env: Env, given: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in given:
        if name not in ct.model.decisions:
            raise DecisionError(
                "OR-E901",
                f"no decision named {name[:40]!r} in the template",
                path=f"$.decisions.{name[:40]}",
            )
    for name, decision in ct.model.decisions.items():
        if decision.policy == "rules":
            arm, reason = decision.fallback, "default"
            for j, rule in enumerate(decision.rules):
                when = ct.exprs[json_path(["decisions", name, "rules", j, "when"])]
                if _truthy(when.evaluate(env), json_path(["decisions", name, "rules", j])):
                    arm, reason = rule.arm, f"rule {j}"
                    break
            if name in given and given[name] != arm:
                arm, reason = _check_arm(name, given[name], decision.arms), "supplied"
        elif name in given:
            arm, reason = _check_arm(name, given[name], decision.arms), "supplied"
        else:
            arm, reason = decision.fallback, "not supplied: default arm"
        out[name] = {"arm": arm, "policy": decision.policy, "reason": reason}
    return out


def _check_arm(name: str, arm: str, arms: tuple[str, ...]) -> str:
    if arm not in arms:
        raise DecisionError(
            "OR-E902",
            f"{arm[:40]!r} is not an arm of decision {name!r}",
            path=f"$.decisions.{name}",
        )
    return arm


def _truthy(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ExpressionError("OR-E209", "a condition must give true or false", path=where)
    return value


def _theme(ct: CompiledTemplate, env: Env) -> dict[str, Any]:
    model = ct.model
    theme: dict[str, Any] = {}
    for key, value in model.theme.default.items():
        c = ct.exprs.get(json_path(["theme", "default", key]))
        theme[key] = c.evaluate(env) if c is not None else value
    for i, variant in enumerate(model.theme.variants):
        when = ct.exprs[json_path(["theme", "variants", i, "when"])]
        if _truthy(when.evaluate(env), json_path(["theme", "variants", i, "when"])):
            for key, value in variant.set.items():
                c = ct.exprs.get(json_path(["theme", "variants", i, "set", key]))
                theme[key] = c.evaluate(env) if c is not None else value
    return theme


def _scenes(
    ct: CompiledTemplate, env: Env, props: Props
) -> tuple[list[dict[str, Any]], int, list[Env]]:
    model: Template = ct.model
    instances: list[tuple[int, int, int, Env]] = []
    for i, scene in enumerate(model.scenes):
        base = json_path(["scenes", i])
        if scene.repeat is not None:
            items = ct.exprs[f"{base}.repeat"].evaluate(env)
            if not isinstance(items, list):
                raise ExpressionError("OR-E209", "repeat needs a list", path=f"{base}.repeat")
            envs = [env.child({scene.as_: item}) for item in items]
        else:
            envs = [env]
        for k, scene_env in enumerate(envs):
            when = ct.exprs.get(f"{base}.when")
            if when is None or _truthy(when.evaluate(scene_env), f"{base}.when"):
                instances.append((i, k, len(envs), scene_env))
    count = len(instances)
    lengths: list[int] = []
    transitions: list[int] = []
    envs_by_instance: list[Env] = []
    for index, (i, k, n, scene_env) in enumerate(instances):
        scene = model.scenes[i]
        info: dict[str, Value] = {
            "index": float(index),
            "count": float(count),
            "repeat_index": float(k),
            "repeat_count": float(n),
        }
        s_env = scene_env.child({"scene": info})
        envs_by_instance.append(s_env)
        duration = props.number(["scenes", i, "duration"], scene.duration, s_env)
        if duration <= 0:
            raise ExpressionError(
                "OR-E209",
                "a scene duration must be greater than 0",
                path=json_path(["scenes", i, "duration"]),
            )
        lengths.append(frames_for(exact(duration), ct.fps))
        tr = scene.transition
        wanted = 0 if tr is None or tr.type == "cut" else frames_for(exact(tr.duration), ct.fps)
        transitions.append(wanted)
    placements = scene_ranges(lengths, transitions)
    out: list[dict[str, Any]] = []
    for (i, k, _n, _), s_env, place in zip(instances, envs_by_instance, placements, strict=True):
        out.append(
            _scene(
                ct, props, i, k, s_env, place.range.start, place.range.end, place.transition_frames
            )
        )
    total = placements[-1].range.end if placements else 0
    return out, total, envs_by_instance


def _scene(
    ct: CompiledTemplate, props: Props, i: int, k: int, env: Env, start: int, end: int, overlap: int
) -> dict[str, Any]:
    scene = ct.model.scenes[i]
    parts: list[str | int] = ["scenes", i]
    tr = scene.transition
    kind = tr.type if tr is not None and overlap > 0 else "cut"
    easing = list(props.easing(tr.easing)) if tr is not None and overlap > 0 else ["linear"]
    layers = LayerResolver(ct, props, env, start, end)
    return {
        "id": scene.id,
        "source": i,
        "instance": k,
        "start": start,
        "end": end,
        "static": json_path(parts) not in ct.dynamic_paths,
        "transition": {"type": kind, "frames": overlap, "easing": easing},
        "background": (
            props.color([*parts, "background"], scene.background, env)
            if scene.background is not None
            else None
        ),
        "layers": layers.resolve_list(scene.layers, [*parts, "layers"], ct.model.size),
        "hotspots": [
            layers.hotspot(spot, [*parts, "hotspots", j]) for j, spot in enumerate(scene.hotspots)
        ],
    }


def _track(
    props: Props, track: Any, parts: list[str | int], env: Env, offset: int, limit: int
) -> dict[str, Any] | None:
    fps = props.ct.fps
    start = offset + frames_for(exact(track.start), fps)
    end = limit if track.end is None else min(limit, offset + frames_for(exact(track.end), fps))
    if start >= end:
        return None
    volume = track.volume
    if not isinstance(volume, int | float):
        volume = [
            [t, props.number([*parts, "volume", k, 1], v, env), list(e)]
            for k, (t, v, e) in enumerate(volume)
        ]
    return {
        "src": props.asset([*parts, "src"], track.src, env),
        "start": start,
        "end": end,
        "volume": volume,
        "fade_in": track.fade_in,
        "fade_out": track.fade_out,
        "duck": track.duck,
        "voice": track.voice,
        "loop": track.loop,
    }


def _audio(
    ct: CompiledTemplate,
    env: Env,
    props: Props,
    total: int,
    scenes: list[dict[str, Any]],
    envs: list[Env],
) -> list[dict[str, Any]]:
    out = [_track(props, t, ["audio", i], env, 0, total) for i, t in enumerate(ct.model.audio)]
    for sc, s_env in zip(scenes, envs, strict=True):
        for j, t in enumerate(ct.model.scenes[sc["source"]].audio):
            out.append(
                _track(
                    props, t, ["scenes", sc["source"], "audio", j], s_env, sc["start"], sc["end"]
                )
            )
    return [t for t in out if t is not None]


def _captions(
    ct: CompiledTemplate,
    env: Env,
    props: Props,
    total: int,
    scenes: list[dict[str, Any]],
    envs: list[Env],
) -> list[dict[str, Any]]:
    fps = ct.fps
    cues: list[dict[str, Any]] = []

    def add(cap: Any, parts: list[str | int], offset: int, limit: int, env: Env) -> None:
        start = offset + frames_for(exact(cap.start), fps)
        end = min(limit, offset + frames_for(exact(cap.end), fps))
        if start < end:
            cues.append(
                {"start": start, "end": end, "text": props.text([*parts, "text"], cap.text, env)}
            )

    for i, cap in enumerate(ct.model.captions):
        add(cap, ["captions", i], 0, total, env)
    for sc, s_env in zip(scenes, envs, strict=True):
        for j, cap in enumerate(ct.model.scenes[sc["source"]].captions):
            add(cap, ["scenes", sc["source"], "captions", j], sc["start"], sc["end"], s_env)
    cues.sort(key=lambda c: (c["start"], c["end"]))
    return cues
