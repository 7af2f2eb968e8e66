"""``openreel bundle``: a template compiled into a static, content-addressed folder.

Layout of ``out_dir`` (every name but ``index.html`` and ``bundle.json`` carries the first 16
hex digits of the SHA-256 of its content, so any static host can cache it forever)::

    index.html                    landing page: the player, mounted from a JSON config block
    bundle.json                   the manifest the player reads (URLs relative to it, with SRI;
                                  the template document is inlined to save a round trip)
    player.<h>.js, player.<h>.css the built player (from the package's ``static/``)
    template.<h>.json             the template document as JSON (never any viewer data)
    assets/<name>.<h>.<ext>       the template's assets
    fonts/<h>.<ext>               the template's fonts and OpenReel Sans (regular and bold)
    lottie/lottie.<h>.js, lottie/dotlottie-player.<h>.wasm
                                  the Lottie runtime, only when the template has a Lottie layer
    poster.<h>.jpg                the data-free poster: frame 0 drawn by the server renderer
                                  with the template's defaults (no viewer data), shown by the
                                  player until its first frame with data; absent when the
                                  defaults cannot be resolved (required fields without one)

``index.html`` holds no inline script: its config block (``#openreel-config``, the same format
the server's landing page uses) is data, and the player mounts itself from it. Its
Content-Security-Policy meta tag allows scripts, styles and fonts from the bundle only, images
and media from the bundle, ``data:``, ``blob:`` and https (data-bound images), and connections
only to the bundle itself, the template's ``source`` origin and the events endpoint;
``'wasm-unsafe-eval'`` is added only for a template with Lottie. Every script and stylesheet is
included with Subresource Integrity (SHA-384), and the manifest carries SRI for the template,
assets, fonts and the Lottie runtime.

The template is validated and compiled with the Python resolver first (paths, expressions), so
a bundle never ships a template the player would refuse. Viewer data (``viewers/``) is never
copied.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openreel.fonts import default_font_path
from openreel.resolve import compile_template, iter_layers
from openreel.template import load_template

DEFAULT_FAMILY = "OpenReel Sans"
HASH_CHARS = 16
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class BundleManifest:
    """What :func:`build_bundle` wrote.

    ``files`` maps each written file (relative path, ``/``-separated) to its SRI value;
    ``version`` is a content hash of the template and the assets and fonts it uses (reported in
    events); ``csp`` is the policy of
    ``index.html``; ``lottie`` tells whether the Lottie runtime was included.
    """

    out_dir: Path
    template_id: str
    version: str
    files: dict[str, str] = field(default_factory=dict)
    csp: str = ""
    lottie: bool = False
    connect: tuple[str, ...] = ()

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"


def sri(data: bytes) -> str:
    """The Subresource Integrity value (SHA-384, base64) of ``data``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def static_dir() -> Path:
    """The built player files shipped in the package (``openreel/web/static``)."""
    return Path(str(resources.files("openreel.web") / "static"))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValueError("expected an http(s) URL with a host and no user info")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


class _Writer:
    """Writes content-addressed files and remembers their SRI."""

    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir
        self.files: dict[str, str] = {}

    def put(self, folder: str, stem: str, suffix: str, data: bytes) -> dict[str, str]:
        name = f"{stem}.{content_hash(data)}{suffix}" if stem else f"{content_hash(data)}{suffix}"
        rel = f"{folder}/{name}" if folder else name
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        integrity = sri(data)
        self.files[rel] = integrity
        return {"url": rel, "integrity": integrity}

    def put_fixed(self, rel: str, data: bytes) -> None:
        (self.out / rel).write_bytes(data)
        self.files[rel] = sri(data)


def _uses_lottie(model: Any) -> bool:
    return any(
        getattr(layer, "type", "") == "lottie"
        for i, scene in enumerate(model.scenes)
        for layer, _ in iter_layers(scene.layers, ["scenes", i, "layers"])
    )


def _template_document(loaded_file: Path) -> Any:
    from openreel.template.loader import read_template_document

    document, _ = read_template_document(loaded_file)
    return document


POSTER_QUALITY = 80


def render_poster(template_dir: str | Path) -> bytes | None:
    """Frame 0 of the template resolved with its defaults only (``{}`` as data), as JPEG at
    the template's size, or None when the defaults do not resolve or render (an
    :class:`~openreel.errors.OpenReelError`, e.g. a required field without a default)."""
    from openreel.errors import OpenReelError
    from openreel.pipeline import render_still

    try:
        return render_still(Path(template_dir), {}, 0.0, format="jpeg", quality=POSTER_QUALITY)
    except OpenReelError:
        return None


def build_bundle(
    template_dir: str | Path,
    out_dir: str | Path,
    *,
    events_url: str | None = None,
    poster: bool = True,
) -> BundleManifest:
    """Compile the template in ``template_dir`` into a static bundle in ``out_dir``.

    ``out_dir`` is created (its previous content is replaced). ``events_url`` is where the
    player sends engagement events (http(s); None: no events). With ``poster`` the data-free
    poster of :func:`render_poster` is included (when the defaults resolve). Raises the template's
    :class:`~openreel.errors.TemplateError` / ``ExpressionError`` when it does not compile,
    ``ValueError`` for an events URL that is not http(s), and ``FileNotFoundError`` when the
    package ships no built player (run ``make setup``).
    """
    loaded = load_template(template_dir)
    compile_template(loaded)  # every expression and reference checked, as the player will
    model = loaded.model
    connect = ["'self'"]
    if model.source is not None:
        connect.append(origin_of(model.source.url.replace("{token}", "x")))
    if events_url is not None:
        connect.append(origin_of(events_url))
    static = static_dir()
    player_js = static / "player.js"
    if not player_js.is_file():
        raise FileNotFoundError("the built player is missing from openreel/web/static")
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    w = _Writer(out)
    document = _template_document(Path(loaded.file))
    template_bytes = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    template_ref = w.put("", "template", ".json", template_bytes)
    assets = {
        name: w.put(
            "assets", _SAFE_NAME.sub("_", Path(rel).stem)[:40], Path(rel).suffix.lower(),
            loaded.asset_path(name).read_bytes(),
        )
        for name, rel in model.assets.items()
    }  # fmt: skip
    fonts = {
        family: w.put("fonts", "", Path(rel).suffix.lower(), loaded.font_path(family).read_bytes())
        for family, rel in model.fonts.items()
    }
    fonts.setdefault(DEFAULT_FAMILY, w.put("fonts", "", ".ttf", default_font_path().read_bytes()))
    fonts.setdefault(
        f"{DEFAULT_FAMILY} Bold",
        w.put("fonts", "", ".ttf", default_font_path(bold=True).read_bytes()),
    )
    lottie = _uses_lottie(model)
    lottie_refs = None
    if lottie:
        lottie_refs = {
            "module": w.put("lottie", "lottie", ".js", (static / "lottie.js").read_bytes()),
            "wasm": w.put(
                "lottie", "dotlottie-player", ".wasm",
                (static / "dotlottie-player.wasm").read_bytes(),
            ),
        }  # fmt: skip
    poster_bytes = render_poster(template_dir) if poster else None
    poster_ref = None if poster_bytes is None else w.put("", "poster", ".jpg", poster_bytes)
    js = w.put("", "player", ".js", player_js.read_bytes())
    css = w.put("", "player", ".css", (static / "player.css").read_bytes())
    # the version names what a viewer sees: the template and every file it uses
    used = sorted(ref["integrity"] for ref in [*assets.values(), *fonts.values()])
    version = content_hash(template_bytes + "\n".join(used).encode())
    manifest = {
        "openreel_bundle": 1,
        "template": template_ref,
        "template_document": document,
        "version": version,
        "campaign": model.id,
        "assets": assets,
        "fonts": fonts,
        "lottie": lottie_refs,
        "events": events_url,
        "source": None
        if model.source is None
        else {"url": model.source.url, "timeout_ms": model.source.timeout_ms},
        "poster": poster_ref,
    }
    w.put_fixed("bundle.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
    csp = content_security_policy(connect, lottie=lottie)
    # the page carries the manifest itself: the data fetch starts as soon as the script runs
    config = {"v": 1, "bundle_url": "./", "events_url": events_url, "manifest": manifest}
    preconnect = [c for c in connect[1:2] if model.source is not None]
    first_images = sorted(
        {
            assets[src]["url"]
            for layer, _ in iter_layers(model.scenes[0].layers, ["scenes", 0, "layers"])
            if getattr(layer, "type", "") == "image"
            and (src := getattr(layer, "src", "")) in assets
        }
    )
    page = render_index(
        model.name or model.id, config, js, css, csp,
        fonts=sorted({ref["url"] for ref in fonts.values()}), preconnect=preconnect,
        images=first_images,
    )  # fmt: skip
    w.put_fixed("index.html", page.encode())
    return BundleManifest(
        out_dir=out,
        template_id=model.id,
        version=version,
        files=dict(w.files),
        csp=csp,
        lottie=lottie,
        connect=tuple(connect),
    )


def content_security_policy(connect: list[str], *, lottie: bool) -> str:
    """The bundle page's policy (see the module docstring)."""
    script = "'self' 'wasm-unsafe-eval'" if lottie else "'self'"
    media = "'self' data: blob: https:"
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {script}",
            "style-src 'self'",
            "font-src 'self'",
            f"img-src {media}",
            "media-src 'self' blob:",
            f"connect-src {' '.join(dict.fromkeys(connect))}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


def _json_block(config: dict[str, Any]) -> str:
    text = json.dumps(config, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_index(
    title: str,
    config: dict[str, Any],
    js: dict[str, str],
    css: dict[str, str],
    csp: str,
    *,
    fonts: list[str] | None = None,
    preconnect: list[str] | None = None,
    images: list[str] | None = None,
) -> str:
    """The landing page: CSP, the config block, the player script and stylesheet with SRI;
    fonts and the first scene's literal images preloaded and the brand's data origin
    preconnected (a connection only: no request, no token), so all are ready when the player
    asks."""
    e = html.escape
    hints = "".join(
        f'<link rel="preload" as="font" type="font/ttf" crossorigin href="{e(url)}">'
        for url in fonts or []
    )
    hints += "".join(f'<link rel="preload" as="image" href="{e(url)}">' for url in images or [])
    hints += "".join(f'<link rel="preconnect" href="{e(o)}">' for o in preconnect or [])
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{e(title)}</title>{hints}"
        f'<link rel="stylesheet" href="{e(css["url"])}" integrity="{e(css["integrity"])}">'
        f'<script type="application/json" id="openreel-config">{_json_block(config)}</script>'
        f'<script src="{e(js["url"])}" integrity="{e(js["integrity"])}" defer></script>'
        '</head><body><main id="openreel"></main>'
        "<noscript>This video needs JavaScript.</noscript></body></html>"
    )
