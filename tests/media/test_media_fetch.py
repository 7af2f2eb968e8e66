"""The SSRF-safe fetcher against loopback canary servers: RELIABILITY rows 22-27, DNS
rebinding, redirects, allowlists, caps, TLS pinning with SNI and hostname verification."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from mediagen import Canary, image_bytes, respond, start_canary
from PIL import Image

from openreel.errors import MediaError
from openreel.media.fetch import FetchSettings, fetch
from openreel.media.netpolicy import check_address, parse_url

PNG = image_bytes(Image.new("RGB", (8, 8), (1, 2, 3)), "PNG")
Handler = http.server.BaseHTTPRequestHandler


def fixed(table: dict[str, list[str]]) -> Callable[[str], Sequence[str]]:
    def resolve(host: str) -> Sequence[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return resolve


# Loopback is public nowhere; tests open the canary addresses they need explicitly.
OPEN = FetchSettings(
    allow_http=True,
    allowed_ports=None,
    allowed_networks=("127.0.0.0/8",),
    total_timeout_s=3.0,
)
STRICT = FetchSettings(allow_http=True, allowed_ports=None, total_timeout_s=3.0)


def serve_png(h: Handler) -> None:
    respond(h, PNG, content_type="text/plain")  # the header lies; the bytes decide


def redirect(location: str, status: int = 302) -> Callable[[Handler], None]:
    def route(h: Handler) -> None:
        respond(h, b"", status=status, headers={"Location": location})

    return route


def _error(url: str, settings: FetchSettings) -> MediaError:
    with pytest.raises(MediaError) as exc:
        fetch(url, settings)
    assert url not in exc.value.message  # URLs may carry personal data: never echoed
    return exc.value


# --- positive cases ------------------------------------------------------------------------------
def test_fetch_from_an_allowed_loopback_canary(canaries: dict[str, Canary]) -> None:
    canary = canaries["127.0.0.2"]
    canary.routes["/img"] = serve_png
    settings = replace(OPEN, resolver=fixed({"cdn.test": ["127.0.0.2"]}))
    result = fetch(canary.url("/img?x=1", host="cdn.test"), settings)
    assert result.data == PNG
    assert result.content_type == "image/png"
    assert result.redirects == 0
    assert canary.hits == ["/img?x=1"]
    headers = canary.headers[0]
    assert headers["host"] == f"cdn.test:{canary.port}"
    assert headers["accept-encoding"] == "identity"


def test_mixed_case_https_scheme_is_just_https() -> None:
    assert parse_url("HtTpS://Example.COM./a", allow_http=False).scheme == "https"
    assert parse_url("HtTpS://Example.COM./a", allow_http=False).host == "example.com"


def test_three_redirects_are_followed(canaries: dict[str, Canary]) -> None:
    c = canaries["127.0.0.2"]
    for i in range(3):
        nxt = f"/r{i + 1}" if i < 2 else "/img"
        c.routes[f"/r{i}"] = redirect(nxt)
    c.routes["/img"] = serve_png
    result = fetch(c.url("/r0"), OPEN)
    assert result.redirects == 3
    assert result.url.endswith("/img")
    assert c.hits == ["/r0", "/r1", "/r2", "/img"]


# --- row 22: blocked before connect --------------------------------------------------------------
ROW22 = [
    ("http://127.0.0.1:{p}/c", "OR-E420"),
    ("http://localhost:{p}/c", "OR-E420"),
    ("http://[::1]:{p}/c", "OR-E420"),
    ("http://0.0.0.0:{p}/c", "OR-E420"),
    ("http://169.254.169.254/latest/meta-data/", "OR-E420"),
    ("http://10.0.0.1/", "OR-E420"),
    ("http://100.64.0.1/", "OR-E420"),
    ("http://[::ffff:127.0.0.1]:{p}/c", "OR-E420"),
    ("http://[::ffff:7f00:1]:{p}/c", "OR-E420"),
    ("http://[::127.0.0.1]:{p}/c", "OR-E420"),
    ("http://2130706433:{p}/c", "OR-E420"),
    ("http://0177.0.0.1:{p}/c", "OR-E420"),
    ("http://0x7f000001:{p}/c", "OR-E420"),
    ("http://0x7f.0.0.1:{p}/c", "OR-E420"),
    ("http://127.1:{p}/c", "OR-E420"),
    ("http://user@127.0.0.1:{p}/c", "OR-E421"),
    ("http://user:pw@example.com@127.0.0.1:{p}/c", "OR-E421"),
    ("http://192.168.1.1/", "OR-E420"),
    ("http://172.16.0.1/", "OR-E420"),
    ("http://224.0.0.1/", "OR-E420"),
    ("http://255.255.255.255/", "OR-E420"),
    ("http://[fe80::1]/", "OR-E420"),
    ("http://[fc00::1]/", "OR-E420"),
    ("http://[ff02::1]/", "OR-E420"),
    ("http://[64:ff9b::7f00:1]/", "OR-E420"),
    ("http://[2002:7f00:1::]/", "OR-E420"),
    ("http://[fe80::1%25eth0]/", "OR-E421"),
]


@pytest.mark.parametrize(("template", "code"), ROW22, ids=[t for t, _ in ROW22])
def test_row22_internal_destinations_are_blocked_before_connect(
    canaries: dict[str, Canary], template: str, code: str
) -> None:
    canary = canaries["127.0.0.1"]
    canary.routes["/c"] = serve_png
    url = template.format(p=canary.port)
    assert _error(url, STRICT).code == code
    assert all(c.hits == [] for c in canaries.values())


def test_row22_a_name_resolving_to_any_internal_address_is_blocked(
    canaries: dict[str, Canary],
) -> None:
    canaries["127.0.0.1"].routes["/c"] = serve_png
    settings = replace(STRICT, resolver=fixed({"mixed.test": ["93.184.216.34", "127.0.0.1"]}))
    assert _error(canaries["127.0.0.1"].url("/c", host="mixed.test"), settings).code == "OR-E420"
    assert canaries["127.0.0.1"].hits == []


def test_public_addresses_pass_the_policy() -> None:
    for address in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450::1"]:
        assert str(check_address(address)) == address


# --- row 23: redirect to a blocked address -------------------------------------------------------
def test_row23_redirect_to_a_blocked_host_is_refused(canaries: dict[str, Canary]) -> None:
    allowed, blocked = canaries["127.0.0.2"], canaries["127.0.0.3"]
    blocked.routes["/"] = serve_png
    target = blocked.url("/")
    allowed.routes["/go"] = redirect(target)
    settings = replace(
        STRICT,
        allowed_networks=("127.0.0.2/32",),
        resolver=fixed({"cdn.test": ["127.0.0.2"]}),
    )
    assert _error(allowed.url("/go", host="cdn.test"), settings).code == "OR-E420"
    assert allowed.hits == ["/go"]
    assert blocked.hits == []


def test_redirect_limit(canaries: dict[str, Canary]) -> None:
    c = canaries["127.0.0.2"]
    c.routes["/loop"] = redirect("/loop", 301)
    assert _error(c.url("/loop"), OPEN).code == "OR-E424"
    assert c.hits == ["/loop"] * 4  # the first request and 3 followed redirects


def test_redirect_to_a_disallowed_scheme(canaries: dict[str, Canary]) -> None:
    c = canaries["127.0.0.2"]
    c.routes["/f"] = redirect("file:///etc/hostname", 307)
    assert _error(c.url("/f"), OPEN).code == "OR-E421"


# --- row 24: DNS rebinding -----------------------------------------------------------------------
def test_row24_dns_rebinding_uses_the_pinned_first_answer(canaries: dict[str, Canary]) -> None:
    good, evil = canaries["127.0.0.2"], canaries["127.0.0.3"]
    good.routes["/img"] = serve_png
    evil.routes["/img"] = serve_png
    answers = [["127.0.0.2"], ["127.0.0.3"], ["127.0.0.3"]]
    calls: list[str] = []

    def rebinding(host: str) -> Sequence[str]:
        calls.append(host)
        return answers[min(len(calls) - 1, 2)]

    settings = replace(STRICT, allowed_networks=("127.0.0.2/32",), resolver=rebinding)
    url = good.url("/img", host="rebind.test")  # same port on both addresses
    assert fetch(url, settings).data == PNG
    assert calls == ["rebind.test"]  # resolved once; the connection used that answer
    assert good.hits == ["/img"]
    assert evil.hits == []
    assert _error(url, settings).code == "OR-E420"  # the next fetch sees the new answer
    assert evil.hits == []


# --- row 25: schemes -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "FiLe:///etc/hostname",
        "gopher://127.0.0.1:70/_x",
        "ftp://127.0.0.1/x.png",
        "data:image/png;base64," + "A" * 64,
        "jar:http://x/y!/z",
        "//example.com/x.png",
        "example.com/x.png",
        "http://example.com/x.png",
        "HTTP://example.com/x.png",
    ],
)
def test_row25_only_https_by_default(url: str) -> None:
    assert _error(url, FetchSettings()).code == "OR-E421"


def test_http_needs_the_setting(canaries: dict[str, Canary]) -> None:
    canaries["127.0.0.2"].routes["/img"] = serve_png
    url = canaries["127.0.0.2"].url("/img").replace("http://", "HtTp://")
    assert _error(url, replace(OPEN, allow_http=False)).code == "OR-E421"
    assert fetch(url, OPEN).data == PNG


def test_ports_are_limited_by_default(canaries: dict[str, Canary]) -> None:
    settings = replace(OPEN, allowed_ports=frozenset({80, 443}))
    assert _error(canaries["127.0.0.2"].url("/img"), settings).code == "OR-E420"
    assert canaries["127.0.0.2"].hits == []


def test_host_allowlist_applies_to_every_hop(canaries: dict[str, Canary]) -> None:
    c = canaries["127.0.0.2"]
    c.routes["/img"] = serve_png
    c.routes["/away"] = redirect(c.url("/img", host="other.test"))
    settings = replace(
        OPEN,
        allowed_hosts=frozenset({"*.cdn.test"}),
        resolver=fixed({"img.cdn.test": ["127.0.0.2"], "other.test": ["127.0.0.2"]}),
    )
    assert fetch(c.url("/img", host="img.cdn.test"), settings).data == PNG
    assert _error(c.url("/img", host="cdn.test"), settings).code == "OR-E427"
    assert _error(c.url("/away", host="img.cdn.test"), settings).code == "OR-E427"
    assert c.hits == ["/img", "/away"]


# --- row 26: slowloris, endless bodies, lying lengths --------------------------------------------
def _trickle(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "image/png")
    h.end_headers()
    h.wfile.write(PNG[:8])
    for _ in range(100):  # 1 byte per 0.1 s, for up to 10 s
        h.wfile.write(b"\x00")
        h.wfile.flush()
        time.sleep(0.1)


def _slow_headers(h: Handler) -> None:
    h.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for _ in range(100):
        h.wfile.write(b"X")
        h.wfile.flush()
        time.sleep(0.1)


def test_row26_slowloris_body_hits_the_total_time_cap(canaries: dict[str, Canary]) -> None:
    canaries["127.0.0.2"].routes["/slow"] = _trickle
    settings = replace(OPEN, total_timeout_s=1.0)
    start = time.monotonic()
    assert _error(canaries["127.0.0.2"].url("/slow"), settings).code == "OR-E423"
    assert time.monotonic() - start < 1.5


def test_row26_slow_headers_hit_the_total_time_cap(canaries: dict[str, Canary]) -> None:
    canaries["127.0.0.2"].routes["/slowh"] = _slow_headers
    settings = replace(OPEN, total_timeout_s=1.0)
    start = time.monotonic()
    assert _error(canaries["127.0.0.2"].url("/slowh"), settings).code == "OR-E423"
    assert time.monotonic() - start < 1.5


def test_row26_endless_chunked_body_hits_the_byte_cap(canaries: dict[str, Canary]) -> None:
    sent: list[int] = []

    def endless(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"\x89PNG\r\n\x1a\n" + bytes(65_528)
        for _ in range(2000):  # up to 128 MB
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent.append(len(chunk))

    canaries["127.0.0.2"].routes["/endless"] = endless
    settings = replace(OPEN, max_bytes=1_000_000)
    assert _error(canaries["127.0.0.2"].url("/endless"), settings).code == "OR-E422"
    time.sleep(0.2)
    assert sum(sent) < 16_000_000  # the server was stopped early (socket buffers aside)


def test_row26_declared_length_over_the_cap_is_refused_before_reading(
    canaries: dict[str, Canary],
) -> None:
    canaries["127.0.0.2"].routes["/big"] = lambda h: respond(h, PNG, length=10**12)
    assert _error(canaries["127.0.0.2"].url("/big"), OPEN).code == "OR-E422"


def test_row26_short_lying_length_reads_only_that_much(canaries: dict[str, Canary]) -> None:
    body = PNG + bytes(5_000_000)
    canaries["127.0.0.2"].routes["/lie"] = lambda h: respond(h, body, length=len(PNG))
    result = fetch(canaries["127.0.0.2"].url("/lie"), OPEN)
    assert result.data == PNG


def test_truncated_body_is_a_failed_fetch(canaries: dict[str, Canary]) -> None:
    canaries["127.0.0.2"].routes["/cut"] = lambda h: respond(h, PNG[:20], length=1000)
    assert _error(canaries["127.0.0.2"].url("/cut"), OPEN).code == "OR-E426"


def test_http_errors_are_failed_fetches(canaries: dict[str, Canary]) -> None:
    assert _error(canaries["127.0.0.2"].url("/missing"), OPEN).code == "OR-E426"


# --- row 27: content sniffing --------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>not an image</body></html>",
        b'{"image": "no"}',
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        image_bytes(Image.new("RGB", (4, 4)), "TIFF"),
    ],
)
def test_row27_non_images_served_as_png_are_refused(
    canaries: dict[str, Canary], body: bytes
) -> None:
    canaries["127.0.0.2"].routes["/x.png"] = lambda h: respond(h, body, content_type="image/png")
    assert _error(canaries["127.0.0.2"].url("/x.png"), OPEN).code == "OR-E425"


# --- TLS: the pinned address still verifies the host name ----------------------------------------
def _certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    key, cert = tmp / f"{name}.key", tmp / f"{name}.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


@dataclass
class TlsCanary:
    canary: Canary
    client_ctx: ssl.SSLContext
    seen_sni: list[str | None]


@pytest.fixture
def tls_canary(tmp_path: Path) -> Iterator[TlsCanary]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    key, cert = _certificate(tmp_path, "cdn.test")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    seen_sni: list[str | None] = []

    def record(sock: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> None:
        seen_sni.append(name)

    server_ctx.sni_callback = record
    canary = start_canary("127.0.0.2", tls=server_ctx)
    canary.routes["/img"] = serve_png
    yield TlsCanary(canary, ssl.create_default_context(cafile=str(cert)), seen_sni)
    canary.server.shutdown()
    canary.server.server_close()


def test_https_pins_the_address_but_verifies_the_name(tls_canary: TlsCanary) -> None:
    canary = tls_canary.canary
    settings = replace(
        OPEN,
        allow_http=False,
        ssl_context=tls_canary.client_ctx,
        resolver=fixed({"cdn.test": ["127.0.0.2"], "evil.test": ["127.0.0.2"]}),
    )
    result = fetch(canary.url("/img", host="cdn.test", scheme="https"), settings)
    assert result.data == PNG
    assert tls_canary.seen_sni[0] == "cdn.test"
    assert canary.headers[0]["host"] == f"cdn.test:{canary.port}"
    # Same address, another name: the certificate does not match, so nothing is requested.
    evil = canary.url("/img", host="evil.test", scheme="https")
    assert _error(evil, settings).code == "OR-E426"
    assert canary.hits == ["/img"]


def test_a_hanging_resolver_cannot_outlive_the_deadline() -> None:
    release = threading.Event()

    def stuck(host: str) -> Sequence[str]:
        release.wait(5)
        return ["93.184.216.34"]

    settings = FetchSettings(total_timeout_s=0.5, resolver=stuck)
    start = time.monotonic()
    assert _error("https://slow-dns.test/x.png", settings).code == "OR-E423"
    assert time.monotonic() - start < 1.0
    release.set()
