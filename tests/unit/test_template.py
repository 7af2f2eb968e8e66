"""The template model, the loader's paths and errors, and the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openreel.cli import app
from openreel.errors import OpenReelError, TemplateError
from openreel.template import check_relative_path, load_template, validate_document
from openreel.template.schema import json_schema_text

ROOT = Path(__file__).resolve().parents[2]
INVALID = sorted((ROOT / "tests" / "fixtures" / "invalid").iterdir())
runner = CliRunner()


def minimal(**extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "openreel": 1,
        "id": "t",
        "size": [640, 360],
        "scenes": [{"id": "a", "duration": 1, "layers": []}],
    }
    doc.update(extra)
    return doc


def test_there_are_at_least_30_invalid_fixtures() -> None:
    assert len(INVALID) >= 30


@pytest.mark.parametrize("folder", INVALID, ids=[p.name for p in INVALID])
def test_invalid_template_exits_2_with_code_and_path(folder: Path) -> None:
    expect = json.loads((folder / "expect.json").read_text())
    result = runner.invoke(app, ["validate", str(folder), "--json"])
    assert result.exit_code == 2, result.output
    report = json.loads(result.output)
    found = {(e["code"], e["path"]) for e in report["errors"]}
    assert (expect["code"], expect["path"]) in found, found
    assert "Traceback" not in result.output


def test_human_error_output_is_printed_once_without_traceback() -> None:
    folder = ROOT / "tests" / "fixtures" / "invalid" / "bad-color"
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert result.output.count("OR-E105") == 1
    assert "hint:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("example_assets")
@pytest.mark.parametrize("name", ["loyalty-welcome", "year-in-review"])
def test_examples_validate(name: str) -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "examples" / name)])
    assert result.exit_code == 0, result.output


def test_all_errors_are_reported_at_once() -> None:
    doc = minimal(size=[641, 360], background="red", colour=1)
    with pytest.raises(TemplateError) as info:
        validate_document(doc)
    codes = {(e.code, e.path) for e in info.value.errors}
    assert codes == {("OR-E107", "$.size"), ("OR-E105", "$.background"), ("OR-E101", "$.colour")}


def test_fps_accepts_integers_and_rationals() -> None:
    assert validate_document(minimal(fps="30000/1001")).fps == "30000/1001"
    assert validate_document(minimal(fps=24)).fps == 24
    for bad in (0, -30, "abc", 1.5, True, "1/0"):
        with pytest.raises(TemplateError) as info:
            validate_document(minimal(fps=bad))
        assert info.value.code == "OR-E108"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("assets/logo.png", True),
        ("logo.png", True),
        ("../logo.png", False),
        ("assets/../../x", False),
        ("/etc/passwd", False),
        ("~/x", False),
        ("https://x.example/a.png", False),
        ("data:image/png;base64,AAAA", False),
        ("file:///etc/passwd", False),
        ("assets\\logo.png", False),
        ("", False),
    ],
)
def test_relative_paths(value: str, ok: bool) -> None:
    assert (check_relative_path(value) is None) is ok


def test_symlink_out_of_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"x")
    folder = tmp_path / "tpl"
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "logo.png").symlink_to(outside)
    (folder / "template.json").write_text(json.dumps(minimal(assets={"logo": "assets/logo.png"})))
    with pytest.raises(OpenReelError) as info:
        load_template(folder)
    assert info.value.code == "OR-E109"


def test_yaml_and_json_load_the_same_model(tmp_path: Path) -> None:
    doc = minimal()
    (tmp_path / "j").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "j" / "template.json").write_text(json.dumps(doc))
    (tmp_path / "y" / "template.yaml").write_text(
        "openreel: 1\nid: t\nsize: [640, 360]\nscenes:\n  - {id: a, duration: 1, layers: []}\n"
    )
    assert load_template(tmp_path / "j").model == load_template(tmp_path / "y").model


def test_syntax_errors_and_duplicate_keys(tmp_path: Path) -> None:
    (tmp_path / "template.json").write_text('{"openreel": 1, "id": "a", "id": "b"}')
    with pytest.raises(TemplateError) as info:
        load_template(tmp_path)
    assert info.value.code == "OR-E113"
    (tmp_path / "template.json").write_text('{"openreel": 1,,}')
    with pytest.raises(TemplateError) as info:
        load_template(tmp_path)
    assert info.value.code == "OR-E113"
    assert "line 1" in info.value.message


def test_missing_template_folder(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        load_template(tmp_path / "nowhere")
    assert info.value.code == "OR-E100"


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "docs" / "template.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(), "run `make schema` and commit docs/template.schema.json"


def test_schema_command_prints_the_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "scenes" in schema["required"]
