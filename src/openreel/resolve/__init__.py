"""Template + data + decisions -> the resolved timeline. Pure: no I/O, no skia, no av.

>>> from openreel.template import validate_document
>>> ct = compile_template(validate_document({
...     "openreel": 1, "id": "hi", "size": [640, 360], "fps": 30,
...     "data": {"name": {"type": "string", "default": "there"}},
...     "scenes": [{"id": "a", "duration": 1.5,
...                 "layers": [{"type": "text", "text": "Hi {{ name }}"}]}]}))
>>> timeline = resolve(ct, {"name": "Dana"})
>>> timeline["frames"], timeline["scenes"][0]["layers"][0]["text"]
(45, 'Hi Dana')
"""

from .canonical import canonical_json
from .compile import DEFAULT_FONT, CompiledTemplate, compile_template, iter_layers
from .resolver import View, resolve
from .timing import ease, sample, scene_ranges, transition_progress

__all__ = [
    "DEFAULT_FONT",
    "CompiledTemplate",
    "View",
    "canonical_json",
    "compile_template",
    "ease",
    "iter_layers",
    "resolve",
    "sample",
    "scene_ranges",
    "transition_progress",
]
