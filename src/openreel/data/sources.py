"""Reading raw viewer data from a JSON file or from CSV rows.

Readers return raw values (strings for CSV cells); :func:`validate_data` checks them, with
``coerce_strings=True`` for CSV. Errors name the file and a position (line, column, row
number), never a cell's content: a data file holds personal data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from openreel.errors import DataError

from ._describe import kind, quote
from ._model import MAX_DATA_BYTES


def read_json_data(path: Path) -> dict[str, Any]:
    """The JSON object in ``path`` (UTF-8, a byte-order mark allowed).

    Raises :class:`DataError` ``OR-E300`` when the file cannot be read, is not UTF-8 JSON, uses
    ``NaN``/``Infinity``, nests too deeply or is not an object; ``OR-E311`` when it is larger
    than 1 MiB. Duplicate keys keep the last value, as in JavaScript.
    """
    file = str(path)
    data = _read_bytes(path)
    if isinstance(data, str):
        raise DataError("OR-E300", f"cannot read the file ({data})", file=file)
    if len(data) > MAX_DATA_BYTES:
        raise DataError(
            "OR-E311", f"expected at most {MAX_DATA_BYTES} bytes of JSON, found more", file=file
        )
    document, problem = _parse_json(data)
    if problem is not None:
        raise DataError("OR-E300", problem, file=file)
    if not isinstance(document, dict):
        raise DataError(
            "OR-E300", f"expected a JSON object, found {kind(document)}", file=file, path="$"
        )
    return document


# The helpers below turn exceptions into plain reasons, and the callers raise DataError outside
# any ``except`` block: the underlying exception (whose attributes may hold the file's bytes)
# is then not even kept as the DataError's ``__context__``.


def _read_bytes(path: Path) -> bytes | str:
    """The file's first MAX_DATA_BYTES + 1 bytes, or why it cannot be read."""
    try:
        with path.open("rb") as stream:
            return stream.read(MAX_DATA_BYTES + 1)
    except OSError as exc:
        return _os_reason(exc)


def _parse_json(data: bytes) -> tuple[object, str | None]:
    """The decoded document, or None and why it is not UTF-8 JSON."""
    try:
        return json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant), None
    except UnicodeDecodeError as exc:
        return None, f"expected UTF-8 text, found an invalid byte at offset {exc.start}"
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        return None, f"expected JSON, found a syntax error at {where} ({exc.msg})"
    except RecursionError:
        return None, "expected JSON, found nesting too deep"
    except ValueError:  # NaN / Infinity, or an integer with thousands of digits
        return None, "expected plain JSON, found NaN, Infinity or an overlong number"


def _no_constant(name: str) -> object:
    raise ValueError("NaN and Infinity are not JSON")


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_csv_row(path: Path, *, row: int = 0, key: tuple[str, str] | None = None) -> dict[str, Any]:
    """One data row of a CSV file as ``{column: cell}``, empty cells left out (absent).

    ``row`` is the 0-based data row (after the header, not counting rows whose cells are all
    empty); ``key=("customer_id", "123")`` picks instead the first row whose ``customer_id``
    cell is exactly ``"123"``. Cells are strings; list and object fields hold JSON text.
    Raises :class:`DataError` ``OR-E310`` when no such row (or key column) exists, and the
    errors of :func:`iter_csv_rows`. The key's value is never echoed in a message.
    """
    file = str(path)
    if key is None and row < 0:
        raise DataError("OR-E310", f"rows are numbered from 0, found {row}", file=file)
    count = 0
    with _open(path) as stream:
        reader = csv.reader(stream, strict=True)
        header = _header(reader, file)
        if key is not None and key[0] not in header:
            raise DataError("OR-E310", f"the file has no column {quote(key[0])}", file=file)
        for index, cells in _rows(reader, header, file):
            if key is None and index == row:
                return cells
            if key is not None and cells.get(key[0]) == key[1]:
                return cells
            count = index + 1
    if key is not None:
        raise DataError(
            "OR-E310", f"no row has the key's value in column {quote(key[0])}", file=file
        )
    raise DataError(
        "OR-E310", f"expected row {row}, found {count} data rows (numbered from 0)", file=file
    )


def iter_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every data row of a CSV file, streamed, as ``(row number from 0, {column: cell})``.

    The first row that has a non-empty cell is the header (names stripped of surrounding
    spaces; columns with an empty name are ignored; a repeated name is ``OR-E300``). Rows
    whose cells are all empty are skipped and not numbered. Empty cells are left out. A row
    with non-empty cells beyond the header, a malformed row or non-UTF-8 text is ``OR-E300``;
    a row or cell larger than 1 MiB (or 128 KiB for a cell) is ``OR-E311``.
    """
    file = str(path)
    with _open(path) as stream:
        reader = csv.reader(stream, strict=True)
        header = _header(reader, file)
        yield from _rows(reader, header, file)


def _open(path: Path) -> TextIO:
    stream: TextIO | None = None
    reason = ""
    try:
        stream = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        reason = _os_reason(exc)
    if stream is None:
        raise DataError("OR-E300", f"cannot read the file ({reason})", file=str(path))
    return stream


def _next_cells(reader: Any, file: str) -> list[str] | None:
    """The next row's cells, or None at the end; reading problems become DataError."""
    code, problem = "OR-E300", ""
    try:
        return next(reader, None)
    except csv.Error as exc:
        why = str(exc)  # the csv module's messages name characters and limits, never cells
        code = "OR-E311" if "field larger" in why else "OR-E300"
        problem = f"expected CSV, found a malformed row at line {reader.line_num} ({why})"
    except UnicodeDecodeError:
        problem = f"expected UTF-8 text, found an invalid byte near line {reader.line_num + 1}"
    raise DataError(code, problem, file=file)


def _header(reader: Any, file: str) -> list[str]:
    while (cells := _next_cells(reader, file)) is not None:
        if any(cells):
            names = [c.strip() for c in cells]
            seen: set[str] = set()
            for name in names:
                if name and name in seen:
                    raise DataError(
                        "OR-E300", f"the header names column {quote(name)} twice", file=file
                    )
                seen.add(name)
            return names
    raise DataError("OR-E300", "expected a header row, found an empty file", file=file)


def _rows(reader: Any, header: list[str], file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    index = 0
    width = len(header)
    while (cells := _next_cells(reader, file)) is not None:
        if not any(cells):
            continue
        if len(cells) > width and any(cells[width:]):
            raise DataError(
                "OR-E300",
                f"row {index} (line {reader.line_num}) has more cells than the header "
                f"({len(cells)} > {width})",
                file=file,
            )
        if sum(len(c) for c in cells) > MAX_DATA_BYTES:
            raise DataError(
                "OR-E311", f"row {index} holds more than {MAX_DATA_BYTES} characters", file=file
            )
        yield (
            index,
            {name: cell for name, cell in zip(header, cells, strict=False) if name and cell},
        )
        index += 1
