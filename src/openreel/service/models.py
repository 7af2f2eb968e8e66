"""Request and response bodies of the management API (unknown fields are refused)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from openreel.service.links import ID_PATTERN, MAX_LIFETIME_S, Audience
from openreel.service.storage import CampaignRow, TemplateVersionRow

Ident = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Mode = Literal["device", "server", "auto"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_origin(value: str) -> str:
    """``scheme://host[:port]`` with scheme http or https and nothing else (lower-cased).

    >>> check_origin("https://Brand.example:8443")
    'https://brand.example:8443'
    """
    parts = urlsplit(value)
    ok = (
        parts.scheme in ("http", "https")
        and parts.hostname
        and not parts.username
        and not parts.password
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and value.isascii()
        and not any(c in value for c in " '\";,")
    )
    if not ok:
        raise ValueError("expected an origin like https://brand.example")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def check_endpoint(value: str) -> str:
    """An http(s) URL without user info, spaces or quotes, at most 2048 characters."""
    parts = urlsplit(value)
    ok = (
        parts.scheme in ("http", "https")
        and parts.hostname
        and not parts.username
        and len(value) <= 2048
        and value.isascii()
        and not any(c in value for c in " '\";,")
    )
    if not ok:
        raise ValueError(
            "expected an http(s) URL like https://crm.brand.example/data?token={token}"
        )
    return value


class TemplateVersionOut(BaseModel):
    id: str
    template_id: str
    digest: str
    status: Literal["draft", "published"]
    size: int
    files: int
    created: int
    published: int | None

    @classmethod
    def of(cls, row: TemplateVersionRow) -> TemplateVersionOut:
        return cls.model_validate(row, from_attributes=True)


class CampaignIn(_In):
    id: Ident | None = Field(None, description="Campaign id; generated when absent.")
    template_version: Ident = Field(description="A published template version id.")
    mode: Mode = "device"
    data_endpoint: str | None = Field(
        None,
        description="Server and auto modes: the brand's endpoint the server pulls a viewer's "
        "data from, with {view_id} or {link} (and optionally {campaign}).",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Origins that may embed the page (frame-ancestors) and serve its media.",
    )
    link_lifetime_s: int | None = Field(None, ge=60, le=MAX_LIFETIME_S)

    @field_validator("data_endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return None if value is None else check_endpoint(value)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return [check_origin(v) for v in value]


class CampaignOut(BaseModel):
    id: str
    template_version: str
    mode: Mode
    data_endpoint: str | None
    allowed_origins: list[str]
    link_lifetime_s: int
    created: int

    @classmethod
    def of(cls, row: CampaignRow) -> CampaignOut:
        return cls(
            id=row.id,
            template_version=row.template_version,
            mode=cast(Mode, row.mode),
            data_endpoint=row.data_endpoint,
            allowed_origins=list(row.allowed_origins),
            link_lifetime_s=row.link_lifetime_s,
            created=row.created,
        )


class LinksIn(_In):
    view_ids: list[Annotated[str, StringConstraints(max_length=256)]] | None = Field(
        None,
        max_length=1000,
        description="Pseudonymous view ids (never emails, phone numbers or names); "
        "generated when absent.",
    )
    count: int = Field(1, ge=1, le=1000, description="How many ids to generate (no view_ids).")
    audience: Audience = "player"
    lifetime_s: int | None = Field(
        None, ge=60, le=MAX_LIFETIME_S, description="At most the campaign's link lifetime."
    )


class LinkOut(BaseModel):
    view_id: str
    jti: str
    url: str
    token: str
    expires: int


class LinksOut(BaseModel):
    links: list[LinkOut]


class RevokeIn(_In):
    jti: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


class KeyOut(BaseModel):
    kid: str


class RenderIn(_In):
    """A render job: a published ``template_version`` with ``data``, or a ``campaign`` and one
    of its signed links (``link``, audience player or hls; the data is then pulled from the
    campaign's data endpoint)."""

    template_version: Ident | None = None
    data: dict[str, Any] | None = Field(None, description="The viewer's data (never stored).")
    campaign: Ident | None = None
    link: Annotated[str, StringConstraints(max_length=2048)] | None = None
    size: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,4}x[0-9]{2,4}$")] | None = Field(
        None, description="Output WxH, even sides from 16 to 4096; default the template's."
    )
    preset: Literal["fast", "balanced", "small"] = "fast"
    audio: bool = True


class RenderOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    template_version: str
    campaign: str | None
    attempts: int
    error_code: str | None
    stage: str | None = None
    frames_done: int | None = None
    frames_total: int | None = None
    output_url: str | None = None
