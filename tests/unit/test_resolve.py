"""The resolver on the examples and on focused templates: decisions, themes, static marks,
errors, canonical output and speed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from openreel.cli import app
from openreel.errors import DecisionError, OpenReelError
from openreel.resolve import View, canonical_json, compile_template, resolve
from openreel.template import load_template, validate_document

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def compiled(doc: dict[str, Any]) -> Any:
    return compile_template(validate_document(doc))


def base(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openreel": 1,
        "id": "t",
        "size": [640, 360],
        "fps": 30,
        "data": {
            "name": {"type": "string", "pii": True, "default": "there"},
            "points": {"type": "number", "default": 0},
        },
        "scenes": [
            {
                "id": "a",
                "duration": 1,
                "layers": [
                    {"id": "static", "type": "text", "text": "Hello"},
                    {"id": "dynamic", "type": "text", "text": "Hi {{ name }}"},
                ],
            }
        ],
    }
    doc.update(extra)
    return doc


def test_static_and_dynamic_marks() -> None:
    tl = resolve(compiled(base()), {"name": "Dana"})
    layers = {ly["id"]: ly for ly in tl["scenes"][0]["layers"]}
    assert layers["static"]["static"] is True
    assert layers["dynamic"]["static"] is False
    assert tl["scenes"][0]["static"] is False


def test_layer_in_repeated_scene_is_static_unless_it_reads_the_loop_variable() -> None:
    doc = base()
    doc["data"]["items"] = {"type": "list", "default": ["x", "y"], "items": {"type": "string"}}
    doc["scenes"] = [
        {
            "id": "r",
            "repeat": "items",
            "as": "it",
            "duration": 1,
            "layers": [
                {"id": "frame", "type": "shape"},
                {"id": "label", "type": "text", "text": "{{ it }}"},
            ],
        }
    ]
    tl = resolve(compiled(doc), {})
    assert [sc["instance"] for sc in tl["scenes"]] == [0, 1]
    marks = [(ly["id"], ly["static"]) for ly in tl["scenes"][1]["layers"]]
    assert marks == [("frame", True), ("label", False)]
    assert tl["scenes"][1]["layers"][1]["text"] == "y"


def test_rules_decisions_and_supplied_arms() -> None:
    doc = base(
        decisions={
            "mood": {
                "arms": ["calm", "energetic"],
                "rules": [{"when": "points > 10", "arm": "energetic"}],
                "default": "calm",
            },
            "offer": {"arms": ["a", "b"], "policy": "thompson"},
        }
    )
    doc["scenes"][0]["layers"].append(
        {"id": "d", "type": "text", "text": "{{ decide('mood') }}/{{ decide('offer') }}"}
    )
    ct = compiled(doc)
    tl = resolve(ct, {"points": 11}, {"offer": "b"})
    assert tl["decisions"]["mood"] == {"arm": "energetic", "policy": "rules", "reason": "rule 0"}
    assert tl["decisions"]["offer"] == {"arm": "b", "policy": "thompson", "reason": "supplied"}
    assert tl["scenes"][0]["layers"][2]["text"] == "energetic/b"
    tl = resolve(ct, {"points": 1})
    assert tl["decisions"]["offer"]["reason"] == "not supplied: default arm"
    assert tl["scenes"][0]["layers"][2]["text"] == "calm/a"
    with pytest.raises(DecisionError) as info:
        resolve(ct, {}, {"offer": "zzz"})
    assert info.value.code == "OR-E902"
    with pytest.raises(DecisionError) as info:
        resolve(ct, {}, {"nope": "a"})
    assert info.value.code == "OR-E901"


def test_theme_variants_apply_in_order_and_mark_dependents_dynamic() -> None:
    doc = base(
        theme={
            "default": {"accent": "#111111", "pad": 4},
            "variants": [
                {"when": "points > 0", "set": {"accent": "#222222"}},
                {"when": "points > 5", "set": {"accent": "#333333"}},
            ],
        }
    )
    doc["scenes"][0]["layers"] = [
        {"id": "acc", "type": "shape", "fill": "{{ theme.accent }}"},
        {"id": "pad", "type": "shape", "x": "{{ theme.pad }}"},
    ]
    ct = compiled(doc)
    assert ct.dynamic_theme == frozenset({"accent"})
    tl = resolve(ct, {"points": 9})
    assert tl["theme"]["accent"] == "#333333"
    acc, pad = tl["scenes"][0]["layers"]
    assert acc["fill"] == "#333333ff" and acc["static"] is False
    assert pad["x"] == 4 and pad["static"] is True


def test_locale_comes_from_the_view() -> None:
    doc = base()
    doc["scenes"][0]["layers"] = [{"type": "text", "text": "{{ format_number(1234.5) }}"}]
    ct = compiled(doc)
    assert resolve(ct, {})["scenes"][0]["layers"][0]["text"] == "1,234.5"
    de = resolve(ct, {}, view=View(locale="de-DE"))
    assert de["scenes"][0]["layers"][0]["text"] == "1.234,5"


def test_evaluation_errors_name_the_path_not_the_value() -> None:
    doc = base()
    doc["scenes"][0]["layers"] = [
        {"type": "text", "size": "{{ 10 / (points - points) }}", "text": "{{ name }}"}
    ]
    with pytest.raises(OpenReelError) as info:
        resolve(compiled(doc), {"name": "CANARY-4411", "points": 3})
    assert info.value.code == "OR-E208"
    assert info.value.path == "$.scenes[0].layers[0].size"
    assert "CANARY" not in str(info.value.render()).upper()


def test_wrong_result_type_is_reported() -> None:
    doc = base()
    doc["scenes"][0]["layers"] = [{"type": "shape", "fill": "{{ name }}"}]
    with pytest.raises(OpenReelError) as info:
        resolve(compiled(doc), {"name": "CANARY-4412"})
    assert info.value.code == "OR-E209"
    assert "CANARY" not in info.value.render()


@pytest.mark.usefixtures("example_assets")
@pytest.mark.parametrize("example", ["loyalty-welcome", "year-in-review"])
def test_examples_resolve_for_every_sample_viewer(example: str) -> None:
    folder = ROOT / "examples" / example
    ct = compile_template(load_template(folder))
    viewers = sorted((folder / "viewers").glob("*.json"))
    assert len(viewers) >= 3
    for path in viewers:
        tl = resolve(ct, json.loads(path.read_text(encoding="utf-8")))
        assert tl["frames"] > 0
        for shown in _texts(tl):
            assert not any(word in shown for word in ("None", "null", "undefined")), shown


def _texts(value: Any) -> list[str]:
    """Every string a viewer could see: text, button labels, captions."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(_texts(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_texts(item))
    return found


@pytest.mark.usefixtures("example_assets")
def test_inspect_json_is_canonical_and_summary_marks_pii() -> None:
    folder = ROOT / "examples" / "loyalty-welcome"
    viewer = folder / "viewers" / "dana.json"
    result = runner.invoke(
        app,
        ["inspect", str(folder), "--data", str(viewer), "--json", "--now", "2026-01-01T00:00:00Z"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == canonical_json(json.loads(result.output))
    summary = runner.invoke(app, ["inspect", str(folder), "--data", str(viewer)])
    assert summary.exit_code == 0
    assert "first_name (pii)" in summary.output
    assert "Dana" not in summary.output  # the summary shows structure, not the viewer's data


def test_cli_data_errors_never_print_pii(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    doc = base()
    doc["data"]["email"] = {
        "type": "string",
        "pii": True,
        "pattern": "^[^@]+@[^@]+$",
        "max_length": 12,
    }
    (folder / "template.json").write_text(json.dumps(doc))
    canary = "CANARY-77Q@@example"
    data = tmp_path / "viewer.json"
    data.write_text(json.dumps({"name": 12345, "email": canary}))
    for extra in ([], ["--json"]):
        result = runner.invoke(app, ["validate", str(folder), "--data", str(data), *extra])
        assert result.exit_code == 2
        assert "OR-E30" in result.output
        assert canary.lower() not in result.output.lower()
        assert "12345" not in result.output


@pytest.mark.usefixtures("example_assets")
def test_resolving_the_loyalty_example_is_fast() -> None:
    """The issue asks for < 5 ms; on a loaded CI machine allow headroom, report the median."""
    folder = ROOT / "examples" / "loyalty-welcome"
    ct = compile_template(load_template(folder))
    data = json.loads((folder / "viewers" / "dana.json").read_text(encoding="utf-8"))
    for _ in range(5):
        resolve(ct, data)
    times = []
    for _ in range(50):
        start = time.perf_counter()
        resolve(ct, data)
        times.append(time.perf_counter() - start)
    times.sort()
    assert times[len(times) // 2] < 0.005
