"""The bundle compiler: a template as a static folder the browser player opens.

>>> from openreel.web import build_bundle  # doctest: +SKIP
>>> manifest = build_bundle("examples/loyalty-welcome", "out/bundle")  # doctest: +SKIP

The built player (TypeScript in ``player/``) ships in ``openreel/web/static``; see
:mod:`openreel.web.bundle` for the bundle's layout and security policy, and
:mod:`openreel.web.serve` for ``openreel preview``.
"""

from .bundle import BundleManifest, build_bundle, content_security_policy, sri, static_dir
from .serve import PreviewServer, fragment_for

__all__ = [
    "BundleManifest",
    "PreviewServer",
    "build_bundle",
    "content_security_policy",
    "fragment_for",
    "sri",
    "static_dir",
]
