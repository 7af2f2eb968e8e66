"""Magic-byte sniffing: accepted formats get their demuxer, refused ones are named."""

from __future__ import annotations

import pytest
from mediagen import image_bytes, make_av
from PIL import Image

from openreel.media.sniff import name_format, same_format, sniff

_IMG = Image.new("RGB", (4, 4), (1, 2, 3))


@pytest.mark.parametrize(
    ("fmt", "expected", "mime"),
    [
        ("PNG", "PNG", "image/png"),
        ("JPEG", "JPEG", "image/jpeg"),
        ("GIF", "GIF", "image/gif"),
        ("WEBP", "WEBP", "image/webp"),
        ("TIFF", "TIFF", "image/tiff"),
        ("BMP", "BMP", "image/bmp"),
        ("PDF", "PDF", "application/pdf"),
        ("PSD", "PSD", "image/vnd.adobe.photoshop"),
    ],
)
def test_images_are_named_by_their_bytes(fmt: str, expected: str, mime: str) -> None:
    if fmt == "PSD":
        data = b"8BPS\x00\x01" + bytes(20)  # Pillow cannot write PSD
    else:
        data = image_bytes(_IMG, fmt)
    found = sniff(data)
    assert (found.name, found.mime) == (expected, mime)
    assert found.kind == ("image" if expected in {"PNG", "JPEG", "GIF", "WEBP"} else "other")


def test_containers_carry_their_explicit_demuxer() -> None:
    mp4 = make_av(count=2)
    mkv = make_av(count=2, fmt="matroska", codec="ffv1", pix_fmt="yuv420p")
    webm = make_av(
        count=2, fmt="webm", codec="libvpx-vp9", options={"deadline": "realtime", "cpu-used": "8"}
    )
    assert (sniff(mp4).name, sniff(mp4).demuxer) == ("MP4", "mov")
    assert (sniff(mkv).name, sniff(mkv).demuxer) == ("MATROSKA", "matroska")
    assert (sniff(webm).name, sniff(webm).demuxer) == ("WEBM", "matroska")
    assert sniff(b"OggS\x00\x02" + bytes(30)).demuxer == "ogg"
    assert sniff(b"fLaC\x00\x00\x00\x22" + bytes(30)).demuxer == "flac"
    assert sniff(b"ID3\x04\x00\x00" + bytes(30)).demuxer == "mp3"
    assert sniff(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(30)).demuxer == "wav"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1/x.ts\n", "HLS"),
        (b"\xef\xbb\xbf  #EXTM3U\n", "HLS"),
        (b"ffconcat version 1.0\nfile /etc/hostname\n", "FFCONCAT"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
        (b"<?xml version='1.0'?><svg/>", "SVG"),
        (b"<!DOCTYPE html><html></html>", "HTML"),
        (b'{"a": 1}', "JSON"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "EPS"),
        (b"SIMPLE  =                    T", "FITS"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", "AVIF"),
        (b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00", "HEIF"),
        (b"", "unknown"),
        (b"\x00\x01\x02\x03garbage", "unknown"),
    ],
)
def test_refused_formats_are_recognised_for_messages(data: bytes, name: str) -> None:
    found = sniff(data)
    assert found.name == name
    assert found.demuxer is None
    assert found.kind == "other"


def test_names_promise_formats_and_webm_is_matroska() -> None:
    assert name_format("clip.MOV") == "MP4"
    assert name_format("photo.jpeg") == "JPEG"
    assert name_format("archive.tar") is None
    assert name_format(None) is None
    assert name_format("noext") is None
    assert same_format("WEBM", "MATROSKA")
    assert not same_format("PNG", "JPEG")
