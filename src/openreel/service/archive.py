"""Safe unpacking of an uploaded template folder (a zip, tar or tar.gz archive).

The format is taken from the bytes (never the file name or ``Content-Type``). Every member is
checked before anything is written: a relative POSIX path (no leading ``/``, no drive or
``:``, no backslash, no ``..``, no NUL, at most 16 levels and 255 bytes a part), a regular file
or a folder (symlinks, hard links, devices and FIFOs are refused), not encrypted, not a
duplicate. The number of files and the total unpacked size are capped, and the size is counted
on the bytes actually written, so a member that lies about its size (a zip bomb) is stopped at
the cap. Files are written with ``open(..., "xb")`` below ``dest`` only; nothing is ever
extracted by the archive library itself. macOS ``__MACOSX/`` and ``.DS_Store`` are skipped.

The digest is SHA-256 over the sorted ``(path, sha256(content))`` pairs, so the same folder
packed by different tools has the same digest. Every problem is ``OR-E606``.
"""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Final

from openreel.errors import ServiceError

_CHUNK: Final = 64 * 1024
MAX_DEPTH: Final = 16
MAX_PART_BYTES: Final = 255
_SKIP: Final = frozenset({"__MACOSX", ".DS_Store"})


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Caps on one archive's unpacked content."""

    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_files: int = 2000


@dataclass(frozen=True, slots=True)
class Unpacked:
    """What :func:`unpack` wrote: the template folder inside ``dest``, counts and digest."""

    root: Path
    files: int
    size: int
    digest: str


def _bad(message: str) -> ServiceError:
    return ServiceError("OR-E606", message)


def safe_member_path(name: str) -> PurePosixPath | None:
    """The checked relative path of a member, or None for a member to skip.

    >>> safe_member_path("tpl/assets/a.png")
    PurePosixPath('tpl/assets/a.png')
    >>> safe_member_path("../etc/passwd")
    Traceback (most recent call last):
    ...
    openreel.errors.ServiceError: OR-E606 unsafe or unreadable archive: a member path ...
    """
    if "\x00" in name or "\\" in name or ":" in name or name.startswith("/"):
        raise _bad("a member path is absolute or holds a forbidden character")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise _bad("a member path climbs out of the folder (..)")
    if len(parts) > MAX_DEPTH or any(len(p.encode("utf-8")) > MAX_PART_BYTES for p in parts):
        raise _bad("a member path is too deep or too long")
    if not parts or any(p in _SKIP for p in parts):
        return None
    return PurePosixPath(*parts)


@dataclass(frozen=True, slots=True)
class _Member:
    path: PurePosixPath
    is_dir: bool
    declared: int
    open: Callable[[], IO[bytes] | None]


def _zip_members(zf: zipfile.ZipFile) -> Iterator[_Member]:
    for info in zf.infolist():
        kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver set no Unix type
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise _bad("the archive holds a link or a special file")
        if info.flag_bits & 0x1:
            raise _bad("the archive is encrypted")
        path = safe_member_path(info.filename)
        if path is None:
            continue
        yield _Member(path, info.is_dir(), info.file_size, partial(zf.open, info))


def _tar_members(tf: tarfile.TarFile) -> Iterator[_Member]:
    for info in tf:
        if not (info.isfile() or info.isdir()):
            raise _bad("the archive holds a link or a special file")
        path = safe_member_path(info.name)
        if path is None:
            continue
        yield _Member(path, info.isdir(), info.size, partial(tf.extractfile, info))


def _copy(src: IO[bytes], out: IO[bytes], budget: int, hasher: hashlib._Hash) -> int:
    written = 0
    while chunk := src.read(_CHUNK):
        written += len(chunk)
        if written > budget:
            raise _bad("the archive unpacks to more than the size limit")
        hasher.update(chunk)
        out.write(chunk)
    return written


def _write_all(
    members: Iterator[_Member], dest: Path, limits: ArchiveLimits
) -> tuple[int, int, list[tuple[PurePosixPath, str]]]:
    seen: set[PurePosixPath] = set()
    files = 0
    size = 0
    listing: list[tuple[PurePosixPath, str]] = []
    for member in members:
        if member.path in seen:
            raise _bad("the archive holds the same path twice")
        seen.add(member.path)
        target = dest.joinpath(*member.path.parts)
        if member.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        files += 1
        if files > limits.max_files:
            raise _bad(f"the archive holds more than {limits.max_files} files")
        if size + member.declared > limits.max_unpacked_bytes:
            raise _bad("the archive unpacks to more than the size limit")
        target.parent.mkdir(parents=True, exist_ok=True)
        src = member.open()
        if src is None:
            raise _bad("a member cannot be read")
        hasher = hashlib.sha256()
        try:
            with src, open(target, "xb") as out:
                size += _copy(src, out, limits.max_unpacked_bytes - size, hasher)
        except FileExistsError:
            raise _bad("a file and a folder share a path") from None
        listing.append((member.path, hasher.hexdigest()))
    return files, size, listing


def _digest(listing: list[tuple[PurePosixPath, str]], prefix: PurePosixPath) -> str:
    """SHA-256 over the sorted (path relative to ``prefix``, content hash) pairs."""
    digest = hashlib.sha256()
    for path, content in sorted((p.relative_to(prefix).as_posix(), c) for p, c in listing):
        digest.update(f"{path}\x00{content}\n".encode())
    return digest.hexdigest()


def _template_root(dest: Path) -> Path:
    names = ("template.json", "template.yaml", "template.yml")
    if any((dest / n).is_file() for n in names):
        return dest
    entries = list(dest.iterdir())
    if len(entries) == 1 and any((entries[0] / n).is_file() for n in names):
        return entries[0]
    raise _bad("no template.json or template.yaml at the top of the archive")


def unpack(data: bytes, dest: Path, limits: ArchiveLimits | None = None) -> Unpacked:
    """Unpack ``data`` into the empty folder ``dest`` (see the module docstring)."""
    lim = limits or ArchiveLimits()
    stream = io.BytesIO(data)
    try:
        if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            with zipfile.ZipFile(stream) as zf:
                files, size, listing = _write_all(_zip_members(zf), dest, lim)
        elif data[:2] == b"\x1f\x8b" or data[257:262] == b"ustar":
            with tarfile.open(fileobj=stream, mode="r:*") as tf:
                files, size, listing = _write_all(_tar_members(tf), dest, lim)
        else:
            raise _bad("the upload is not a zip or tar archive")
    except ServiceError:
        raise
    except (
        zipfile.BadZipFile,
        tarfile.TarError,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
    ) as exc:
        raise _bad(f"the archive is corrupt ({type(exc).__name__})") from None
    if files == 0:
        raise _bad("the archive holds no files")
    root = _template_root(dest)
    prefix = PurePosixPath(*root.relative_to(dest).parts)
    return Unpacked(root=root, files=files, size=size, digest=_digest(listing, prefix))
