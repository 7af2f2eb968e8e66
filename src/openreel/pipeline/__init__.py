"""Server render orchestration: template + data -> MP4 / previews / captions / stills.

>>> from openreel.pipeline import RenderOptions, parse_size
>>> RenderOptions(size=parse_size("640x360"), preset="fast").size
(640, 360)
"""

from .options import Progress, ProgressFn, RenderOptions, RenderResult, parse_size
from .render import Prepared, cues_for, frame_range, prepare, render_video, resolve_for
from .still import encode_still, render_still, render_still_file, still_frame

__all__ = [
    "Prepared",
    "Progress",
    "ProgressFn",
    "RenderOptions",
    "RenderResult",
    "cues_for",
    "encode_still",
    "frame_range",
    "parse_size",
    "prepare",
    "render_still",
    "render_still_file",
    "render_video",
    "resolve_for",
    "still_frame",
]
