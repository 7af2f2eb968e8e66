"""Read an image's canvas size and frame count from its container structure, decoding nothing.

Written by hand (not Pillow) on purpose: these walks run *before* Pillow sees the bytes, so the
pixel and frame caps are enforced even where Pillow would first emit a bomb warning or decode
frame data to count frames (GIF). Each walk only reads lengths and skips payloads; the number
of structural steps is capped so a hostile file cannot make the walk itself slow.

Every function raises :class:`HeaderError` (a ``ValueError``) when the structure is broken.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

#: Upper bound on chunks/segments/blocks walked in one file.
MAX_STEPS = 200_000


class HeaderError(ValueError):
    """The header structure is truncated or inconsistent."""


@dataclass(frozen=True, slots=True)
class Header:
    """Canvas size, the largest frame rectangle seen, and the number of frames.

    ``frames`` stops counting at ``frame_cap + 1`` (so callers can say "more than N").
    """

    width: int
    height: int
    frames: int
    max_frame_pixels: int


def _need(data: bytes, end: int) -> None:
    if end > len(data):
        raise HeaderError("truncated header")


def png_header(data: bytes, frame_cap: int) -> Header:
    """IHDR size; the APNG frame count from ``acTL`` if present (1 otherwise)."""
    _need(data, 33)
    if data[12:16] != b"IHDR":
        raise HeaderError("PNG without IHDR")
    width, height = struct.unpack(">II", data[16:24])
    frames = 1
    pos = 8
    for _ in range(MAX_STEPS):
        _need(data, pos + 8)
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        if ctype in (b"IDAT", b"IEND"):
            break
        if ctype == b"acTL":
            _need(data, pos + 12)
            frames = struct.unpack(">I", data[pos + 8 : pos + 12])[0]
            break
        pos += 12 + length
    else:
        raise HeaderError("too many PNG chunks")
    return Header(width, height, min(frames, frame_cap + 1), width * height)


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_NO_LENGTH = frozenset({0x01, *range(0xD0, 0xDA)})


def jpeg_header(data: bytes, frame_cap: int) -> Header:
    """Size from the first SOFn segment."""
    del frame_cap
    pos = 2
    for _ in range(MAX_STEPS):
        _need(data, pos + 2)
        if data[pos] != 0xFF:
            raise HeaderError("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _NO_LENGTH:
            pos += 2
            continue
        _need(data, pos + 4)
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF:
            _need(data, pos + 9)
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return Header(width, height, 1, width * height)
        if length < 2:
            raise HeaderError("bad JPEG segment length")
        pos += 2 + length
    raise HeaderError("too many JPEG segments")


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    for _ in range(MAX_STEPS):
        _need(data, pos + 1)
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos
    raise HeaderError("too many GIF sub-blocks")


def gif_header(data: bytes, frame_cap: int) -> Header:
    """Logical screen size; frames counted from image descriptors up to ``frame_cap + 1``."""
    _need(data, 13)
    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos = 13
    if flags & 0x80:
        pos += 3 << ((flags & 7) + 1)
    frames = 0
    biggest = width * height
    for _ in range(MAX_STEPS):
        _need(data, pos + 1)
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image descriptor
            _need(data, pos + 10)
            fw, fh, fflags = struct.unpack("<4xHHB", data[pos + 1 : pos + 10])
            biggest = max(biggest, fw * fh)
            frames += 1
            if frames > frame_cap:
                break
            pos += 10
            if fflags & 0x80:
                pos += 3 << ((fflags & 7) + 1)
            pos = _skip_sub_blocks(data, pos + 1)  # after the LZW minimum code size byte
        else:
            raise HeaderError("unknown GIF block")
    else:
        raise HeaderError("too many GIF blocks")
    if frames == 0:
        raise HeaderError("GIF without image")
    return Header(width, height, frames, biggest)


def _vp8_size(data: bytes, pos: int) -> tuple[int, int]:
    _need(data, pos + 10)
    if data[pos + 3 : pos + 6] != b"\x9d\x01\x2a":
        raise HeaderError("bad VP8 start code")
    w, h = struct.unpack("<HH", data[pos + 6 : pos + 10])
    return w & 0x3FFF, h & 0x3FFF


def _vp8l_size(data: bytes, pos: int) -> tuple[int, int]:
    _need(data, pos + 5)
    if data[pos] != 0x2F:
        raise HeaderError("bad VP8L signature")
    bits = int.from_bytes(data[pos + 1 : pos + 5], "little")
    return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1


def webp_header(data: bytes, frame_cap: int) -> Header:
    """Canvas size from VP8/VP8L/VP8X; frames = number of ``ANMF`` chunks (1 if none)."""
    _need(data, 30)
    ctype = data[12:16]
    if ctype == b"VP8 ":
        w, h = _vp8_size(data, 20)
        return Header(w, h, 1, w * h)
    if ctype == b"VP8L":
        w, h = _vp8l_size(data, 20)
        return Header(w, h, 1, w * h)
    if ctype != b"VP8X":
        raise HeaderError("unknown WebP chunk")
    w = int.from_bytes(data[24:27], "little") + 1
    h = int.from_bytes(data[27:30], "little") + 1
    frames = 0
    biggest = w * h
    pos = 12
    for _ in range(MAX_STEPS):
        if pos + 8 > len(data):
            break
        ctype, length = struct.unpack("<4sI", data[pos : pos + 8])
        if ctype == b"ANMF":
            _need(data, pos + 8 + 12)
            fw = int.from_bytes(data[pos + 14 : pos + 17], "little") + 1
            fh = int.from_bytes(data[pos + 17 : pos + 20], "little") + 1
            biggest = max(biggest, fw * fh)
            frames += 1
            if frames > frame_cap:
                break
        pos += 8 + length + (length & 1)
    else:
        raise HeaderError("too many WebP chunks")
    return Header(w, h, max(frames, 1), biggest)


READERS = {"PNG": png_header, "JPEG": jpeg_header, "GIF": gif_header, "WEBP": webp_header}
