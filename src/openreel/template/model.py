"""The top-level template model (spec sections 1, 4, 7-11)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from ._types import (
    Color,
    Duration,
    ExprSource,
    Id,
    Identifier,
    Model,
    NumberOrExpr,
    Seconds,
    Text,
    custom_error,
    is_whole_expression,
)
from .animation import Keyframes, parse_easing
from .data_schema import FieldSpec, check_field_names
from .layers import Layer

TransitionType = Literal[
    "cut", "crossfade", "slide-left", "slide-right", "slide-up", "slide-down", "wipe", "zoom"
]
SCALAR_THEME = str | float | bool


class Transition(Model):
    """How a scene enters over the previous one; ``duration`` seconds of overlap."""

    type: TransitionType = "cut"
    duration: Seconds = 0.0
    easing: str = "ease-in-out"

    @field_validator("easing")
    @classmethod
    def _easing(cls, value: str) -> str:
        try:
            parse_easing(value)
        except ValueError as exc:
            raise custom_error("116", "{why}", why=str(exc)) from None
        return value


class AudioTrack(Model):
    """A music or sound track; times in seconds (of the timeline, or of the scene when the
    track is scene-level)."""

    src: Text
    start: Seconds = 0.0
    end: Seconds | None = None
    volume: Annotated[float, Field(ge=0, le=4)] | Keyframes = 1.0
    fade_in: Seconds = 0.0
    fade_out: Seconds = 0.0
    duck: bool = False
    voice: bool = False
    loop: bool = False


class Caption(Model):
    start: Seconds
    end: Seconds
    text: Text

    @model_validator(mode="after")
    def _order(self) -> Caption:
        if self.end <= self.start:
            raise custom_error("123", "a caption must end after it starts")
        return self


class Hotspot(Model):
    """A clickable rectangle during ``[start, end)`` seconds of its scene."""

    x: float
    y: float
    width: Annotated[float, Field(gt=0)]
    height: Annotated[float, Field(gt=0)]
    start: Seconds | None = None
    end: Seconds | None = None
    href: Text | None = None
    action: str | None = None


class Scene(Model):
    id: Id
    duration: Duration
    when: ExprSource | None = None
    repeat: ExprSource | None = None
    as_: Identifier = Field(default="item", alias="as")
    transition: Transition | None = None
    background: Color | None = None
    layers: list[Layer] = Field(default_factory=list)
    audio: list[AudioTrack] = Field(default_factory=list)
    captions: list[Caption] = Field(default_factory=list)
    hotspots: list[Hotspot] = Field(default_factory=list)


class ThemeVariant(Model):
    when: ExprSource
    set: dict[str, SCALAR_THEME]


class Theme(Model):
    default: dict[str, SCALAR_THEME] = Field(default_factory=dict)
    variants: list[ThemeVariant] = Field(default_factory=list)

    @model_validator(mode="after")
    def _keys_declared(self) -> Theme:
        for i, variant in enumerate(self.variants):
            for key in variant.set:
                if key not in self.default:
                    raise custom_error(
                        "104",
                        "variant {i} sets theme key {key!r}, which theme.default lacks",
                        i=i,
                        key=key[:40],
                    )
        return self


class Rule(Model):
    when: ExprSource
    arm: str


Policy = Literal["rules", "ab", "thompson", "ucb1", "epsilon-greedy", "fixed"]


class Decision(Model):
    """A choice among ``arms`` made once per view (spec section 8)."""

    arms: Annotated[tuple[str, ...], Field(min_length=1, max_length=64)]
    policy: Policy = "rules"
    rules: list[Rule] = Field(default_factory=list)
    default: str | None = None
    reward: Literal["cta_click", "complete", "share", "play"] = "cta_click"
    context: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _arms(self) -> Decision:
        if len(set(self.arms)) != len(self.arms):
            raise custom_error("120", "arms must be distinct")
        if self.default is not None and self.default not in self.arms:
            raise custom_error(
                "120", "the default {arm!r} is not one of the arms", arm=self.default[:40]
            )
        for i, rule in enumerate(self.rules):
            if rule.arm not in self.arms:
                raise custom_error(
                    "120",
                    "rule {i} picks {arm!r}, which is not one of the arms",
                    i=i,
                    arm=rule.arm[:40],
                )
        if self.rules and self.policy != "rules":
            raise custom_error("120", "rules are only for policy 'rules'")
        return self

    @property
    def fallback(self) -> str:
        return self.default if self.default is not None else self.arms[0]


class Source(Model):
    """Where the player fetches the viewer's data at the moment of open (spec section 11)."""

    url: str
    token_from: Literal["fragment"] = "fragment"
    timeout_ms: Annotated[int, Field(ge=100, le=30_000)] = 2000
    refresh_s: Annotated[float, Field(ge=1, le=3600)] | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https://[^/\s?#]+", value) or "{token}" not in value:
            raise custom_error("124", "expected an https URL containing {{token}}")
        return value


def _size(value: Any) -> tuple[int, int]:
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise custom_error("107", "expected [width, height] as two integers")
    w, h = value
    for v in (w, h):
        if v % 2 or not 16 <= v <= 4096:
            raise custom_error(
                "107",
                "width and height must be even and within 16..4096, found [{w}, {h}]",
                w=w,
                h=h,
            )
    return (w, h)


def _fps(value: Any) -> int | str:
    from openreel.timebase import parse_fps

    if isinstance(value, bool) or not isinstance(value, int | str):
        raise custom_error(
            "108", "expected a positive integer or a rational string like 30000/1001"
        )
    try:
        parse_fps(value)
    except ValueError as exc:
        raise custom_error("108", "{why}", why=str(exc)) from None
    return value


class Template(Model):
    """A whole template (spec section 1)."""

    openreel: Literal[1]
    id: Id
    name: str | None = None
    size: tuple[int, int]
    fps: int | str = 30
    background: Color = "#000000"
    locale: str = "en-US"
    fonts: dict[str, str] = Field(default_factory=dict)
    assets: dict[str, str] = Field(default_factory=dict)
    data: dict[str, FieldSpec] = Field(default_factory=dict)
    theme: Theme = Field(default_factory=Theme)
    decisions: dict[str, Decision] = Field(default_factory=dict)
    source: Source | None = None
    scenes: Annotated[list[Scene], Field(min_length=1, max_length=500)]
    audio: list[AudioTrack] = Field(default_factory=list)
    captions: list[Caption] = Field(default_factory=list)

    @field_validator("size", mode="before")
    @classmethod
    def _v_size(cls, value: Any) -> tuple[int, int]:
        return _size(value)

    @field_validator("fps", mode="before")
    @classmethod
    def _v_fps(cls, value: Any) -> int | str:
        return _fps(value)

    @field_validator("data")
    @classmethod
    def _v_data(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        check_field_names(value)
        return value

    @field_validator("decisions")
    @classmethod
    def _v_decisions(cls, value: dict[str, Decision]) -> dict[str, Decision]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", name):
                raise custom_error(
                    "120", "decision name {name!r} is not an identifier", name=name[:40]
                )
        return value

    @field_validator("assets", "fonts")
    @classmethod
    def _v_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9 _.-]{0,63}", name):
                raise custom_error(
                    "104",
                    "asset or font name {name!r} has characters outside "
                    "letters, digits, space, '_', '-', '.'",
                    name=name[:40],
                )
        return value

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]


def is_expression(value: object) -> bool:
    """True for a string that is a whole ``{{ expression }}``."""
    return is_whole_expression(value)


__all__ = [
    "AudioTrack",
    "Caption",
    "Decision",
    "Hotspot",
    "NumberOrExpr",
    "Rule",
    "Scene",
    "Source",
    "Template",
    "Theme",
    "ThemeVariant",
    "Transition",
    "is_expression",
]
