"""Atomic publication of output files (RELIABILITY.md rule 3).

Every output is written to a temporary file in the destination folder, flushed with
``fsync``, renamed over the final name with :func:`os.replace` (atomic on POSIX within one file
system), and the folder is ``fsync``-ed so the rename itself survives a crash. A reader thus
sees either no file or the complete file, never a partial one; a failed write leaves no file
under the final name and removes its temporary file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def temp_path_for(final: Path) -> Path:
    """A fresh hidden temporary path next to ``final`` (same folder, so same file system)."""
    return final.with_name(f".{final.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(temp: Path, final: Path) -> None:
    """fsync ``temp``, rename it to ``final``, fsync the folder."""
    _fsync_path(temp)
    os.replace(temp, final)
    _fsync_path(final.parent, directory=True)


@contextlib.contextmanager
def atomic_output(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; publish it as ``final`` when the block succeeds.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (folder / "a.txt").read_text(), [p.name for p in folder.iterdir()]
    ('done', ['a.txt'])
    """
    target = Path(final)
    temp = temp_path_for(target)
    try:
        yield temp
        publish(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_bytes_atomic(final: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``final`` atomically."""
    with atomic_output(final) as temp:
        temp.write_bytes(data)
