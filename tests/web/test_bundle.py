"""``build_bundle``: layout, content addressing, SRI, CSP, no viewer data, Lottie only when used."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from openreel.errors import OpenReelError
from openreel.web import build_bundle, fragment_for, sri

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "loyalty-welcome"
HASHED = re.compile(r"\.[0-9a-f]{16}\.")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, example_assets: Any) -> Any:
    out = tmp_path_factory.mktemp("bundle") / "b"
    return build_bundle(EXAMPLE, out, events_url="https://events.openreel.test/api/events")


def test_layout_is_content_addressed_and_every_sri_is_right(built: Any) -> None:
    out: Path = built.out_dir
    names = set(built.files)
    assert {"index.html", "bundle.json"} <= names
    for rel, integrity in built.files.items():
        data = (out / rel).read_bytes()
        assert integrity == sri(data), rel
        if rel not in ("index.html", "bundle.json"):
            assert HASHED.search(Path(rel).name) or re.fullmatch(
                r"[0-9a-f]{16}\.\w+", Path(rel).name
            )
            digest = hashlib.sha256(data).hexdigest()[:16]
            assert digest in rel, rel
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == names


def test_manifest_points_at_real_files_with_their_sri(built: Any) -> None:
    manifest = json.loads((built.out_dir / "bundle.json").read_text())
    refs = [manifest["template"], *manifest["assets"].values(), *manifest["fonts"].values()]
    refs += list((manifest["lottie"] or {}).values())
    for ref in refs:
        assert built.files[ref["url"]] == ref["integrity"]
    assert set(manifest["assets"]) == set(
        json.loads((EXAMPLE / "template.json").read_text())["assets"]
    )
    assert {"OpenReel Sans", "OpenReel Sans Bold", "Inter", "Inter Bold"} <= set(manifest["fonts"])
    assert manifest["events"] == "https://events.openreel.test/api/events"
    assert manifest["version"] == built.version


def test_template_is_the_document_and_no_viewer_data_is_shipped(built: Any) -> None:
    manifest = json.loads((built.out_dir / "bundle.json").read_text())
    shipped = json.loads((built.out_dir / manifest["template"]["url"]).read_bytes())
    assert shipped == json.loads((EXAMPLE / "template.json").read_text())
    values: list[str] = []
    for viewer in (EXAMPLE / "viewers").glob("*.json"):
        for value in json.loads(viewer.read_text()).values():
            if isinstance(value, str) and len(value) >= 4 and value not in json.dumps(shipped):
                values.append(value)
    assert values, "the example viewers should hold values the template does not"
    for path in built.out_dir.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            for value in values:
                assert value.encode() not in blob, (value, path.name)
    assert not any("viewers" in rel for rel in built.files)


def test_index_has_csp_sri_and_no_inline_script(built: Any) -> None:
    page = (built.out_dir / "index.html").read_text()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    assert policy == built.csp
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"].split() == [
        "'self'", "https://crm.brand.example", "https://events.openreel.test",
    ]  # fmt: skip
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"  # the example uses Lottie
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page)
    for attrs, body in scripts:
        if 'type="application/json"' in attrs:
            json.loads(body)
        else:
            assert body == "" and "integrity=" in attrs and 'src="player.' in attrs
    assert re.search(r'<link rel="stylesheet" href="player\.[0-9a-f]{16}\.css" integrity=', page)
    # hints: fonts and the first scene's images preloaded, the brand origin preconnected
    preloads = re.findall(r'<link rel="preload" as="(\w+)"[^>]*href="([^"]+)"', page)
    assert {kind for kind, _ in preloads} == {"font", "image"}
    assert all(href in built.files for _, href in preloads)
    assert '<link rel="preconnect" href="https://crm.brand.example">' in page
    block = re.search(r'id="openreel-config">(.*?)</script>', page)
    assert block is not None
    config = json.loads(block.group(1))
    assert config["manifest"] == json.loads((built.out_dir / "bundle.json").read_text())


def test_lottie_runtime_only_when_the_template_uses_it(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    layers = [{"type": "text", "text": "Hi"}]
    doc = {"openreel": 1, "id": "plain", "size": [320, 180],
           "scenes": [{"id": "s", "duration": 1, "layers": layers}]}  # fmt: skip
    (folder / "template.json").write_text(json.dumps(doc))
    manifest = build_bundle(folder, tmp_path / "out")
    assert manifest.lottie is False
    assert not any(rel.startswith("lottie/") for rel in manifest.files)
    assert "wasm-unsafe-eval" not in manifest.csp
    assert "connect-src 'self';" in manifest.csp
    assert json.loads((tmp_path / "out" / "bundle.json").read_text())["lottie"] is None


def test_a_broken_template_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    layers = [{"type": "text", "text": "{{ nope }}"}]
    doc = {"openreel": 1, "id": "bad", "size": [320, 180],
           "scenes": [{"id": "s", "duration": 1, "layers": layers}]}  # fmt: skip
    (folder / "template.json").write_text(json.dumps(doc))
    with pytest.raises(OpenReelError) as info:
        build_bundle(folder, tmp_path / "out")
    assert info.value.code == "OR-E202"
    assert not (tmp_path / "out").exists()


def test_events_url_must_be_http(tmp_path: Path, example_assets: Any) -> None:
    with pytest.raises(ValueError, match="http"):
        build_bundle(EXAMPLE, tmp_path / "out", events_url="javascript:alert(1)")


def test_fragment_is_base64url_json_without_padding() -> None:
    data = {"first_name": "Zoë", "points": 12}
    fragment = fragment_for(data)
    assert fragment.startswith("d=") and "=" not in fragment[2:] and "+" not in fragment
    raw = fragment[2:] + "=" * (-len(fragment[2:]) % 4)
    assert json.loads(base64.urlsafe_b64decode(raw)) == data
