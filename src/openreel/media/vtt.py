"""WebVTT captions (https://www.w3.org/TR/webvtt1/).

Cue times are written as ``HH:MM:SS.mmm``, rounded half up to the millisecond from their exact
value (floats are read as the decimal they print as). Cue text is escaped so that it can only
ever be text: ``&``, ``<`` and ``>`` become character references (so no cue can contain
``-->`` or markup), carriage returns become line breaks, and blank lines inside a cue (which
would end it) are dropped. Cues are written sorted by start time (stable), as the format
requires; empty cues are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from openreel.media.atomic import write_bytes_atomic
from openreel.timebase import exact

Cue = tuple[float | Fraction, float | Fraction, str]


def timestamp(seconds: float | Fraction) -> str:
    """``HH:MM:SS.mmm`` for a non-negative time.

    >>> timestamp(3661.0005)
    '01:01:01.001'
    """
    value = exact(seconds)
    if value < 0:
        raise ValueError("cue times are not negative")
    ms = int((value * 1000 + Fraction(1, 2)) // 1)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def escape_text(text: str) -> str:
    """Cue text as plain WebVTT text: entities for ``& < >``, no blank lines, no NUL.

    >>> escape_text("a --> <b>&\\n\\nc")
    'a --&gt; &lt;b&gt;&amp;\\nc'
    """
    text = text.replace("\x00", "\ufffd").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line.strip())


def vtt_text(cues: Sequence[Cue]) -> str:
    """The whole WebVTT document for ``cues`` of ``(start_s, end_s, text)``."""
    parts = ["WEBVTT", ""]
    for start, end, text in sorted(cues, key=lambda cue: exact(cue[0])):
        if exact(end) <= exact(start):
            raise ValueError("a cue must end after it starts")
        body = escape_text(text)
        if not body:
            continue
        parts += [f"{timestamp(start)} --> {timestamp(end)}", body, ""]
    return "\n".join(parts)


def write_vtt(path: str | os.PathLike[str], cues: Sequence[Cue]) -> Path:
    """Write ``cues`` as a UTF-8 WebVTT file, atomically."""
    write_bytes_atomic(path, vtt_text(cues).encode("utf-8"))
    return Path(path)
