"""Stable error codes and the one error type hierarchy of OpenReel.

Every error a user can cause carries a stable code (``OR-Exxx``), a message naming what was
expected and what was found (never the value of a ``pii`` field), a location (file and JSON
path) and a one-line hint. The same codes are used by the CLI, the Python API, the HTTP API and
the player's console. ``docs/errors.md`` documents every code in :data:`CODES`; a test keeps
the two in agreement.

Ranges: ``E1xx`` template, ``E2xx`` expressions, ``E3xx`` viewer data, ``E4xx`` media and
fetching, ``E5xx`` rendering, ``E6xx`` service and links, ``E7xx`` analytics, ``E8xx`` batch,
``E9xx`` decisions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What a code means and the default hint shown with it."""

    title: str
    hint: str


CODES: dict[str, CodeInfo] = {
    # --- E1xx: template -----------------------------------------------------------------------
    "OR-E100": CodeInfo(
        "template not found", "Pass a folder holding template.json or template.yaml."
    ),
    "OR-E101": CodeInfo(
        "unknown key", "Remove the key or check its spelling; unknown keys are errors."
    ),
    "OR-E102": CodeInfo("wrong type", "Use a value of the type the format expects at this path."),
    "OR-E103": CodeInfo("missing property", "Add the required property."),
    "OR-E104": CodeInfo("invalid value", "Use one of the values the format allows at this path."),
    "OR-E105": CodeInfo("invalid color", "Write colors as #RGB, #RRGGBB or #RRGGBBAA."),
    "OR-E106": CodeInfo("invalid duration", "Durations and times are seconds, greater than zero."),
    "OR-E107": CodeInfo("invalid size", "size is [width, height]: even integers from 16 to 4096."),
    "OR-E108": CodeInfo(
        "invalid fps", 'fps is a positive integer or a rational like "30000/1001".'
    ),
    "OR-E109": CodeInfo(
        "path outside the template",
        "Use a relative path inside the template folder (no .., no URL).",
    ),
    "OR-E110": CodeInfo("missing file", "Add the file to the template folder or fix the path."),
    "OR-E111": CodeInfo("unknown asset", 'Declare the asset or font under "assets" / "fonts".'),
    "OR-E112": CodeInfo(
        "duplicate id", "Give every scene, and every layer within a scene, its own id."
    ),
    "OR-E113": CodeInfo(
        "unreadable template file", "Fix the JSON or YAML syntax at the position shown."
    ),
    "OR-E114": CodeInfo("unsupported format version", 'Set "openreel": 1.'),
    "OR-E115": CodeInfo(
        "invalid link", "Links are https URLs, or the actions replay, share or chapter:<scene id>."
    ),
    "OR-E116": CodeInfo(
        "invalid easing",
        "Use linear, hold, ease-in, ease-out, ease-in-out, cubic-bezier(a, b, c, d) "
        "or spring(...).",
    ),
    "OR-E117": CodeInfo(
        "invalid keyframes", "Keyframes are [time, value, easing?] in increasing time."
    ),
    "OR-E118": CodeInfo("unknown preset", "Use fade-in, slide-up, pop-in, typewriter or count-up."),
    "OR-E119": CodeInfo(
        "invalid gradient", "A gradient needs at least two stops with offsets 0..1."
    ),
    "OR-E120": CodeInfo("invalid decision", "Check the decision's arms, policy and rules."),
    "OR-E121": CodeInfo("invalid data schema", "Check the field's type, default and constraints."),
    "OR-E122": CodeInfo("template too large", "Keep template files under the size limit."),
    "OR-E123": CodeInfo("invalid range", "Check that start is before end and values lie in range."),
    "OR-E124": CodeInfo("invalid source", "source.url is an https URL that contains {token}."),
    # --- E2xx: expressions --------------------------------------------------------------------
    "OR-E201": CodeInfo("expression syntax error", "Check the CEL syntax near the position shown."),
    "OR-E202": CodeInfo(
        "unknown name", 'Use a data field, theme, scene, view, a loop variable or decide("name").'
    ),
    "OR-E203": CodeInfo("unknown function", "Use a CEL standard function or one of OpenReel's."),
    "OR-E204": CodeInfo("expression too long", "Shorten the expression or move logic into data."),
    "OR-E205": CodeInfo("expression nested too deeply", "Flatten the expression."),
    "OR-E206": CodeInfo(
        "expression too costly", "Reduce comprehensions over lists or lower max_items."
    ),
    "OR-E207": CodeInfo(
        "expression does not fit the schema", "Check the field names and types the expression uses."
    ),
    "OR-E208": CodeInfo(
        "expression failed", "Guard the expression (default(), has(), a condition) for this data."
    ),
    "OR-E209": CodeInfo(
        "expression gave the wrong type",
        "Make the expression produce the type this property needs.",
    ),
    "OR-E210": CodeInfo("unclosed interpolation", "Close every {{ with }}."),
    # --- E3xx: viewer data --------------------------------------------------------------------
    "OR-E300": CodeInfo("unreadable data", "Pass a JSON object, or a CSV file with a header row."),
    "OR-E301": CodeInfo(
        "missing field", "Send the field, or mark it optional or give it a default."
    ),
    "OR-E302": CodeInfo("wrong type", "Send a value of the field's type."),
    "OR-E303": CodeInfo("constraint broken", "Send a value within the field's constraints."),
    "OR-E304": CodeInfo("value not allowed", "Send one of the field's enum values."),
    "OR-E305": CodeInfo("too many items", "Send at most max_items list items."),
    "OR-E306": CodeInfo("invalid color", "Send colors as #RGB, #RRGGBB or #RRGGBBAA."),
    "OR-E307": CodeInfo("invalid URL", "Send an https URL."),
    "OR-E308": CodeInfo(
        "invalid date", "Send dates as YYYY-MM-DD and datetimes as ISO 8601 with offset."
    ),
    "OR-E309": CodeInfo("unknown field ignored", "Remove fields the template does not declare."),
    "OR-E310": CodeInfo("row not found", "Pick a row that exists in the file."),
    "OR-E311": CodeInfo("data too large", "Send less data; the limit protects the renderer."),
    # --- E4xx: media and fetching (server renderer) ---------------------------------------------
    "OR-E400": CodeInfo(
        "unsupported media format",
        "Use PNG, JPEG, WebP or GIF images, MP4/MOV or WebM/MKV video, MP3/M4A/Ogg/WAV/FLAC audio.",
    ),
    "OR-E401": CodeInfo(
        "media format mismatch", "Give the file the extension of its real format, or convert it."
    ),
    "OR-E402": CodeInfo(
        "media has too many pixels", "Scale the image or video down below the pixel limit."
    ),
    "OR-E403": CodeInfo(
        "media too long", "Shorten the video or audio, or use fewer animation frames."
    ),
    "OR-E404": CodeInfo("media has too many streams", "Keep one video and one audio stream."),
    "OR-E405": CodeInfo("media file too large", "Compress the file below the size limit."),
    "OR-E406": CodeInfo("media truncated or corrupt", "Upload the complete, valid file again."),
    "OR-E407": CodeInfo("media decoding failed", "Re-encode the file with a common encoder."),
    "OR-E408": CodeInfo(
        "unsupported media codec",
        "Use H.264, HEVC, VP8, VP9 or AV1 video and AAC, MP3, Opus, Vorbis, FLAC or PCM audio.",
    ),
    "OR-E409": CodeInfo(
        "media decoding exceeded its time or memory limit", "Use a smaller or simpler file."
    ),
    "OR-E420": CodeInfo(
        "fetch destination blocked",
        "Use a public https host; private, loopback and odd IP notations are refused.",
    ),
    "OR-E421": CodeInfo("URL not allowed", "Use an https URL without user name or password."),
    "OR-E422": CodeInfo("fetched file too large", "Serve a smaller file."),
    "OR-E423": CodeInfo("fetch timed out", "Serve the file faster or from a closer host."),
    "OR-E424": CodeInfo("too many redirects", "Link to the final address of the file."),
    "OR-E425": CodeInfo(
        "fetched content is not an allowed type", "Serve a PNG, JPEG, WebP or GIF image."
    ),
    "OR-E426": CodeInfo("fetch failed", "Check that the URL answers 200 with the whole file."),
    "OR-E427": CodeInfo("host not allowed", "Use a host on the configured allowlist."),
    # --- E5xx: rendering ----------------------------------------------------------------------
    "OR-E500": CodeInfo(
        "layer could not be prepared", "Check the layer's media; it was left out of the render."
    ),
    "OR-E501": CodeInfo(
        "Lottie slot not applied",
        "Use slot ids the Lottie file declares, with a value of the slot's kind.",
    ),
    "OR-E502": CodeInfo(
        "audio track left out", "Check the track's media; the render continued without it."
    ),
    "OR-E503": CodeInfo(
        "invalid output size", "Give --size as WxH, even integers from 16 to 4096."
    ),
    "OR-E504": CodeInfo(
        "invalid time range", "Give --from and --to in seconds, with 0 <= from < to <= duration."
    ),
    "OR-E505": CodeInfo(
        "unsupported output format",
        "Write videos as .mp4 (.mov / .webm for transparency), stills as .png, .jpg or .webp.",
    ),
    "OR-E506": CodeInfo("asset unreadable", "Check that the asset file exists and is readable."),
    "OR-E507": CodeInfo("encoding failed", "Check free disk space and the output folder."),
    # --- E6xx: service and links --------------------------------------------------------------
    "OR-E600": CodeInfo(
        "API key missing or invalid",
        "Send Authorization: Bearer <key>; create a key with `openreel keys create`.",
    ),
    "OR-E601": CodeInfo("not found", "Check the id; list what exists with the matching GET."),
    "OR-E602": CodeInfo("conflict", "The resource exists or is immutable; create a new one."),
    "OR-E603": CodeInfo("request body too large", "Send a smaller body; the limit is shown."),
    "OR-E604": CodeInfo(
        "unsupported content type", "Send one of the content types the endpoint lists."
    ),
    "OR-E605": CodeInfo("invalid request", "Fix the field named at this path; see docs/server.md."),
    "OR-E606": CodeInfo(
        "unsafe or unreadable archive",
        "Upload a zip or tar of the template folder: relative paths only, no links, within limits.",
    ),
    "OR-E607": CodeInfo("link invalid or expired", "Ask the sender for a new link."),
    "OR-E608": CodeInfo(
        "claim looks like personal data",
        "Links carry pseudonymous ids only: use a random view id, never an email, phone or name.",
    ),
    "OR-E609": CodeInfo("too many requests", "Slow down and retry after the Retry-After seconds."),
    "OR-E610": CodeInfo(
        "template version not published", "Publish the template version before using it."
    ),
    "OR-E611": CodeInfo("internal error", "Retry later; the server log names the failure type."),
    "OR-E612": CodeInfo(
        "feature not available",
        "This server mode needs a part that is not installed or built yet; see docs/server.md.",
    ),
    "OR-E613": CodeInfo(
        "trigger callback not delivered",
        "The callback URL refused, failed or was unreachable; the dead-letter file keeps it.",
    ),
    # --- E7xx: analytics ----------------------------------------------------------------------
    "OR-E700": CodeInfo(
        "malformed event batch",
        'Send UTF-8 JSON: {"v": 1, "events": [...]} as docs/events.schema.json describes.',
    ),
    "OR-E701": CodeInfo(
        "event batch too large",
        "Send at most 512 KB (after decompression) and 1000 events a batch.",
    ),
    "OR-E702": CodeInfo("event too large", "Keep each event under 32 KB."),
    "OR-E703": CodeInfo(
        "invalid event", "Fix the field named at this path; see docs/analytics.md."
    ),
    "OR-E704": CodeInfo("unsupported event schema version", 'Send "v": 1.'),
    "OR-E705": CodeInfo("unsupported content encoding", "Send the batch uncompressed or gzip."),
    "OR-E706": CodeInfo(
        "event queue full", "Retry later with backoff; the store is behind on writes."
    ),
    "OR-E707": CodeInfo("no events for this campaign", "Check the campaign id and the store path."),
    "OR-E708": CodeInfo(
        "event store unavailable",
        "Check the store path; one process at a time may open a DuckDB file for writing.",
    ),
    "OR-E709": CodeInfo(
        "invalid scene spans", "Give scenes as (id, start_s, end_s), in order, not overlapping."
    ),
    "OR-E710": CodeInfo(
        "unknown decision", "Use a decision name that the campaign's events carry."
    ),
    "OR-E711": CodeInfo(
        "webhook delivery failed", "Check the receiver; the payload is kept in the dead-letter log."
    ),
    "OR-E712": CodeInfo("invalid simulation settings", "Check the simulated traffic settings."),
    # --- E8xx: batch --------------------------------------------------------------------------
    # --- E9xx: decisions ----------------------------------------------------------------------
    "OR-E901": CodeInfo(
        "unknown decision", "Supply arms only for decisions the template declares."
    ),
    "OR-E902": CodeInfo("unknown arm", "Supply one of the decision's arms."),
}


class OpenReelError(Exception):
    """An error a user caused, with a stable code, location and hint.

    ``related`` holds further errors found in the same pass (validation reports all of them).

    >>> e = OpenReelError("OR-E105", "expected a color, found 'blue'", path="$.background")
    >>> str(e)
    "OR-E105 invalid color at $.background: expected a color, found 'blue'"
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        hint: str | None = None,
        related: Sequence[OpenReelError] = (),
    ) -> None:
        if code not in CODES:  # a programming error, never user input
            raise KeyError(f"undocumented error code {code}")
        self.code = code
        self.message = message
        self.file = file
        self.path = path
        self.hint = hint if hint is not None else CODES[code].hint
        self.related: tuple[OpenReelError, ...] = tuple(related)
        super().__init__(self.render())

    @property
    def title(self) -> str:
        return CODES[self.code].title

    @property
    def errors(self) -> tuple[OpenReelError, ...]:
        """This error followed by the related ones."""
        return (self, *self.related)

    def where(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        return " ".join(parts)

    def render(self) -> str:
        where = self.where()
        loc = f" at {where}" if where else ""
        return f"{self.code} {self.title}{loc}: {self.message}"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "title": self.title,
            "message": self.message,
            "file": self.file,
            "path": self.path,
            "hint": self.hint,
        }

    def with_file(self, file: str) -> OpenReelError:
        """A copy located in ``file`` (kept if it already names one)."""
        return type(self)(
            self.code,
            self.message,
            file=self.file or file,
            path=self.path,
            hint=self.hint,
            related=[r.with_file(file) for r in self.related],
        )


class TemplateError(OpenReelError):
    """The template is malformed (``OR-E1xx``)."""


class ExpressionError(OpenReelError):
    """An expression is malformed, too costly or failed (``OR-E2xx``)."""


class DataError(OpenReelError):
    """A viewer's data does not satisfy the template's schema (``OR-E3xx``)."""


class MediaError(OpenReelError):
    """Media could not be fetched, probed or decoded safely (``OR-E4xx``)."""


class RenderError(OpenReelError):
    """Rendering or encoding failed (``OR-E5xx``)."""


class ServiceError(OpenReelError):
    """A request to the service was refused (``OR-E6xx``)."""


class AnalyticsError(OpenReelError):
    """An analytics event or batch was refused (``OR-E7xx``)."""


class BatchError(OpenReelError):
    """A batch job failed (``OR-E8xx``)."""


class DecisionError(OpenReelError):
    """A decision could not be made (``OR-E9xx``)."""


def combine(errors: Iterable[OpenReelError]) -> OpenReelError | None:
    """One error carrying all of ``errors`` (the first leads), or None when there are none."""
    items = list(errors)
    if not items:
        return None
    flat = [e for item in items for e in item.errors]
    head = flat[0]
    return type(head)(
        head.code, head.message, file=head.file, path=head.path, hint=head.hint, related=flat[1:]
    )


def json_kind(value: object) -> str:
    """The JSON type name of a value ("string", "number", "array", ...) for messages that must
    say what was found without echoing it; dates read as "date" / "datetime"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    return type(value).__name__


def json_path(parts: Iterable[str | int]) -> str:
    """A JSONPath-like location: ``json_path(["scenes", 0, "layers"]) == "$.scenes[0].layers"``."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out
