"""Reading viewer data from JSON files and CSV rows."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from openreel.data import (
    DataError,
    iter_csv_rows,
    read_csv_row,
    read_json_data,
    validate_data,
)
from openreel.data._model import MAX_DATA_BYTES
from openreel.template import FieldSpec

CSV = (
    "customer_id,first_name,points,vip,joined,top_items,tags\r\n"
    '101,Ana,12,yes,2024-01-02,"[{""name"": ""Mug""}]","[""a"", ""b""]"\r\n'
    "\r\n"
    "102,Bruno,,no,2023-12-31,,\r\n"
    ",,,,,,\r\n"
    "103,Chloé 🌸,7.5,TRUE,2022-06-01,[],\r\n"
)
SCHEMA = {
    "customer_id": FieldSpec(type="string"),
    "first_name": FieldSpec(type="string", pii=True),
    "points": FieldSpec(type="number", optional=True),
    "vip": FieldSpec(type="boolean"),
    "joined": FieldSpec(type="date"),
    "top_items": FieldSpec(
        type="list",
        optional=True,
        items=FieldSpec(type="object", fields={"name": FieldSpec(type="string")}),
    ),
    "tags": FieldSpec(type="list", default=["none"], items=FieldSpec(type="string")),
}


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def test_read_json_data(tmp_path: Path) -> None:
    path = write(tmp_path, "v.json", '\ufeff{"first_name": "Zoë", "n": [1, 2.5]}')
    assert read_json_data(path) == {"first_name": "Zoë", "n": [1, 2.5]}


@pytest.mark.parametrize(
    ("content", "code", "text"),
    [
        ("[1, 2]", "OR-E300", "expected a JSON object, found array"),
        ('{"a": 1,', "OR-E300", "line 1 column 9"),
        ('{"a": NaN}', "OR-E300", "NaN"),
        ('{"a": ' + "1" * 5000 + "}", "OR-E300", "overlong number"),
        ("[" * 100_000 + "]" * 100_000, "OR-E300", "nesting too deep"),
        (b'{"a": "\xff"}', "OR-E300", "UTF-8"),
        ("", "OR-E300", "line 1 column 1"),
    ],
)
def test_read_json_data_refuses(tmp_path: Path, content: str | bytes, code: str, text: str) -> None:
    path = write(tmp_path, "v.json", content)
    with pytest.raises(DataError) as caught:
        read_json_data(path)
    assert caught.value.code == code
    assert text in caught.value.message
    assert caught.value.file == str(path)


def test_read_json_data_size_cap(tmp_path: Path) -> None:
    path = write(tmp_path, "big.json", '{"a": "' + "x" * MAX_DATA_BYTES + '"}')
    with pytest.raises(DataError) as caught:
        read_json_data(path)
    assert caught.value.code == "OR-E311"


def test_read_json_data_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        read_json_data(tmp_path / "nope.json")
    assert caught.value.code == "OR-E300"
    assert "No such file" in caught.value.message


def test_csv_rows_are_numbered_skipping_blank_rows_and_leaving_empty_cells_out(
    tmp_path: Path,
) -> None:
    rows = list(iter_csv_rows(write(tmp_path, "v.csv", CSV)))
    assert [index for index, _ in rows] == [0, 1, 2]
    assert rows[1][1] == {
        "customer_id": "102",
        "first_name": "Bruno",
        "vip": "no",
        "joined": "2023-12-31",
    }
    assert rows[2][1]["first_name"] == "Chloé 🌸"


def test_read_csv_row_by_index_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "v.csv", CSV)
    assert read_csv_row(path)["first_name"] == "Ana"
    assert read_csv_row(path, row=2)["customer_id"] == "103"
    assert read_csv_row(path, key=("customer_id", "102"))["first_name"] == "Bruno"
    assert read_csv_row(path, key=("vip", "TRUE"))["customer_id"] == "103"


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"row": 3}, "expected row 3, found 3 data rows"),
        ({"row": -1}, "numbered from 0"),
        ({"key": ("customer_id", "999")}, "no row has the key's value in column 'customer_id'"),
        ({"key": ("email", "x")}, "no column 'email'"),
    ],
)
def test_read_csv_row_not_found(tmp_path: Path, kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(DataError) as caught:
        read_csv_row(write(tmp_path, "v.csv", CSV), **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == "OR-E310"
    assert text in caught.value.message
    assert "999" not in str(caught.value)


def test_csv_rows_validate_with_coercion(tmp_path: Path) -> None:
    path = write(tmp_path, "v.csv", CSV)
    first = validate_data(SCHEMA, read_csv_row(path), coerce_strings=True, source=str(path))
    assert first.values == {
        "customer_id": "101",
        "first_name": "Ana",
        "points": 12.0,
        "vip": True,
        "joined": datetime.date(2024, 1, 2),
        "top_items": [{"name": "Mug"}],
        "tags": ["a", "b"],
    }
    second = validate_data(SCHEMA, read_csv_row(path, row=1), coerce_strings=True)
    assert second.values["points"] is None
    assert second.values["top_items"] is None
    assert second.values["tags"] == ["none"]
    assert second.values["vip"] is False


@pytest.mark.parametrize(
    ("content", "code", "text"),
    [
        ("", "OR-E300", "header row"),
        ("\r\n,,\r\n", "OR-E300", "header row"),
        ("a,b,a\r\n1,2,3\r\n", "OR-E300", "column 'a' twice"),
        ("a,b\r\n1,2,3\r\n", "OR-E300", "more cells than the header"),
        ('a,b\r\n"1,2\r\n', "OR-E300", "malformed row"),
        ('a\r\n"x"y\r\n', "OR-E300", "malformed row"),
        (b"a,b\r\n\xff,1\r\n", "OR-E300", "UTF-8"),
        ("a\r\n" + "x" * 200_000 + "\r\n", "OR-E311", "field larger"),
    ],
)
def test_malformed_csv(tmp_path: Path, content: str | bytes, code: str, text: str) -> None:
    with pytest.raises(DataError) as caught:
        list(iter_csv_rows(write(tmp_path, "v.csv", content)))
    assert caught.value.code == code
    assert text in caught.value.message


def test_csv_extra_empty_cells_and_header_spaces_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, "v.csv", "\ufeff a , b ,\r\n1,2,,\r\n")
    assert read_csv_row(path) == {"a": "1", "b": "2"}
