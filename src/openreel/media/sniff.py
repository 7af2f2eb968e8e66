"""Identify a file's real format from its first bytes (never from its name or a header).

:func:`sniff` reads magic numbers only. It names the formats OpenReel accepts (images: PNG,
JPEG, GIF, WEBP; media containers: MP4 (ISO BMFF / QuickTime), MATROSKA (also WebM), MP3, OGG,
WAV, FLAC) and, so that error messages can say what was found, a set of formats that are always
refused (TIFF, PSD, PDF, EPS, HLS playlists, ffconcat scripts, SVG, HTML, ...). Everything else
is ``"unknown"``. The result for the accepted media containers carries the FFmpeg demuxer name
that must be passed explicitly to PyAV, so FFmpeg never auto-probes user bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["image", "media", "other"]

#: ISO BMFF major brands that are still images, not video (HEIF/AVIF).
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"})
#: First box types a QuickTime file may start with when it has no ``ftyp``.
_QT_BOXES = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_TEXT_PREFIX = re.compile(rb"^(?:\xef\xbb\xbf)?\s*", re.ASCII)


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What :func:`sniff` found.

    ``name`` is an upper-case format name (``"PNG"``, ``"MP4"``, ``"TIFF"``, ``"unknown"``);
    ``mime`` its media type (``application/octet-stream`` when unknown); ``demuxer`` the FFmpeg
    input format to open it with (only for accepted audio/video containers).
    """

    name: str
    kind: Kind
    mime: str
    demuxer: str | None = None


UNKNOWN = Sniffed("unknown", "other", "application/octet-stream")

_IMAGES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}

#: Accepted audio/video containers: name -> (mime, FFmpeg demuxer).
_MEDIA = {
    "MP4": ("video/mp4", "mov"),
    "MATROSKA": ("video/x-matroska", "matroska"),
    "WEBM": ("video/webm", "matroska"),
    "MP3": ("audio/mpeg", "mp3"),
    "OGG": ("audio/ogg", "ogg"),
    "WAV": ("audio/wav", "wav"),
    "FLAC": ("audio/flac", "flac"),
}

#: Extensions users give files, mapped to the format name they promise.
EXTENSIONS = {
    "png": "PNG",
    "apng": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jpe": "JPEG",
    "jfif": "JPEG",
    "gif": "GIF",
    "webp": "WEBP",
    "mp4": "MP4",
    "m4v": "MP4",
    "m4a": "MP4",
    "mov": "MP4",
    "mkv": "MATROSKA",
    "mka": "MATROSKA",
    "webm": "WEBM",
    "mp3": "MP3",
    "ogg": "OGG",
    "oga": "OGG",
    "opus": "OGG",
    "wav": "WAV",
    "flac": "FLAC",
}

#: Formats that are the same thing for the purpose of "does the name match the bytes".
_SAME = {"WEBM": "MATROSKA"}


def _image(name: str) -> Sniffed:
    return Sniffed(name, "image", _IMAGES[name])


def _media(name: str) -> Sniffed:
    mime, demuxer = _MEDIA[name]
    return Sniffed(name, "media", mime, demuxer)


def _other(name: str, mime: str = "application/octet-stream") -> Sniffed:
    return Sniffed(name, "other", mime)


def _sniff_bmff(data: bytes) -> Sniffed | None:
    box = data[4:8]
    if box == b"ftyp":
        brand = data[8:12]
        if brand in _IMAGE_BRANDS:
            return _other("AVIF" if brand.startswith(b"avi") else "HEIF", "image/heif")
        return _media("MP4")
    if box in _QT_BOXES and data[:4] != b"\0\0\0\0":
        return _media("MP4")
    return None


def _sniff_riff(data: bytes) -> Sniffed | None:
    if data[:4] != b"RIFF":
        return None
    form = data[8:12]
    if form == b"WEBP":
        return _image("WEBP")
    if form == b"WAVE":
        return _media("WAV")
    return _other("RIFF")


def _sniff_matroska(data: bytes) -> Sniffed:
    # The EBML DocType element (0x4282) says "webm" or "matroska" near the start.
    head = data[:64]
    return _media("WEBM" if b"\x42\x82\x84webm" in head else "MATROSKA")


def _sniff_binary(data: bytes) -> Sniffed | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image("PNG")
    if data.startswith(b"\xff\xd8\xff"):
        return _image("JPEG")
    if data.startswith((b"GIF87a", b"GIF89a")):
        return _image("GIF")
    riff = _sniff_riff(data)
    if riff is not None:
        return riff
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return _sniff_matroska(data)
    if len(data) >= 12:
        bmff = _sniff_bmff(data)
        if bmff is not None:
            return bmff
    if data.startswith(b"OggS"):
        return _media("OGG")
    if data.startswith(b"fLaC"):
        return _media("FLAC")
    if data.startswith(b"ID3") or (len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE6 == 0xE2):
        # An ID3 tag, or an MPEG audio layer III frame sync (11 set bits, layer bits 01).
        return _media("MP3")
    table: tuple[tuple[bytes, str, str], ...] = (
        (b"II*\x00", "TIFF", "image/tiff"),
        (b"MM\x00*", "TIFF", "image/tiff"),
        (b"8BPS", "PSD", "image/vnd.adobe.photoshop"),
        (b"%PDF", "PDF", "application/pdf"),
        (b"%!PS", "EPS", "application/postscript"),
        (b"\xc5\xd0\xd3\xc6", "EPS", "application/postscript"),
        (b"SIMPLE  =", "FITS", "image/fits"),
        (b"BM", "BMP", "image/bmp"),
        (b"\x00\x00\x01\x00", "ICO", "image/x-icon"),
        (b"\x00\x00\x00\x0cjP  ", "JPEG2000", "image/jp2"),
        (b"\xff\x0a", "JPEGXL", "image/jxl"),
        (b"\x00\x00\x00\x0cJXL ", "JPEGXL", "image/jxl"),
        (b"qoif", "QOI", "image/qoi"),
        (b"\x1f\x8b", "GZIP", "application/gzip"),
        (b"PK\x03\x04", "ZIP", "application/zip"),
        (b"G", "MPEGTS", "video/mp2t"),
    )
    for magic, name, mime in table:
        if data.startswith(magic):
            if name == "MPEGTS" and not (len(data) > 188 and data[188] == 0x47):
                continue
            return _other(name, mime)
    return None


def _sniff_text(data: bytes) -> Sniffed | None:
    head = data[:512]
    match = _TEXT_PREFIX.match(head)
    start = match.end() if match else 0
    text = head[start:].lower()
    table: tuple[tuple[bytes, str, str], ...] = (
        (b"#extm3u", "HLS", "application/vnd.apple.mpegurl"),
        (b"ffconcat", "FFCONCAT", "text/plain"),
        (b"<svg", "SVG", "image/svg+xml"),
        (b"<!doctype html", "HTML", "text/html"),
        (b"<html", "HTML", "text/html"),
        (b"<?xml", "XML", "application/xml"),
        (b"<", "HTML", "text/html"),
        (b"{", "JSON", "application/json"),
        (b"[", "JSON", "application/json"),
        (b"file ", "FFCONCAT", "text/plain"),
        (b"v=0", "SDP", "application/sdp"),
    )
    for prefix, name, mime in table:
        if text.startswith(prefix):
            if name == "XML" and b"<svg" in text:
                return _other("SVG", "image/svg+xml")
            return _other(name, mime)
    return None


def sniff(data: bytes) -> Sniffed:
    """The format of ``data`` judged from its magic bytes.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(8)).name
    'PNG'
    >>> sniff(b"#EXTM3U\\n#EXTINF:1,\\nhttp://x/a.ts\\n").name
    'HLS'
    >>> sniff(b"\\x00\\x00\\x00\\x18ftypisom\\x00\\x00\\x02\\x00").demuxer
    'mov'
    """
    return _sniff_binary(data) or _sniff_text(data) or UNKNOWN


def name_format(name: str | None) -> str | None:
    """The format a file name's extension promises (``"clip.MOV"`` -> ``"MP4"``), or None."""
    if not name or "." not in name:
        return None
    return EXTENSIONS.get(name.rsplit(".", 1)[1].lower())


def same_format(a: str, b: str) -> bool:
    """Whether two format names denote the same container (WebM is Matroska)."""
    return _SAME.get(a, a) == _SAME.get(b, b)
