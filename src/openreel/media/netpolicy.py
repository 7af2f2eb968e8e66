"""Which URLs and IP addresses the fetcher may contact (OWASP SSRF guidance, RELIABILITY rule 7).

A URL passes :func:`parse_url` when: its scheme, compared case-insensitively, is ``https`` (or
``http`` when allowed); it has no user name or password; its host is a DNS name of letters,
digits, ``-``, ``_`` and dots (IDNA-encoded if needed), a strict dotted-quad IPv4 address or a
bracketed IPv6 address without zone. Hosts that *look* numeric but are not strict dotted quads
(``2130706433``, ``0177.0.0.1``, ``0x7f000001``, ``127.1``) are refused, because other parsers
read them as IPv4 addresses (the WHATWG URL rule: a host whose last label is a number).

An address passes :func:`check_address` when it is a public unicast address: IPv4 outside the
IANA special-purpose blocks (this-network, private, CGNAT 100.64/10, loopback, link-local,
IETF, documentation, benchmarking, 6to4 relay, multicast, reserved, broadcast); IPv6 inside
global unicast ``2000::/3`` and outside its special blocks (documentation, 6to4 ``2002::/16``
and Teredo, which embed IPv4, ORCHID, ...). IPv4-mapped (``::ffff:a.b.c.d``), IPv4-compatible
and NAT64 forms are outside ``2000::/3`` and therefore refused too. ``allowed_networks`` (a
test-only escape hatch, e.g. ``127.0.0.0/8`` for loopback canary servers) overrides the
refusal for the addresses it contains.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from openreel.errors import MediaError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4_BLOCKED = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_V6_GLOBAL = ipaddress.IPv6Network("2000::/3")
_V6_BLOCKED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "2001::/23",  # IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4 (embeds an IPv4 address)
        "3fff::/20",  # documentation
    )
)
_HOST = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$")
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: lower-case scheme, ASCII host (no brackets), port, and request path."""

    scheme: str
    host: str
    port: int
    path: str
    literal: IPAddress | None

    @property
    def host_header(self) -> str:
        """The ``Host`` header value (port only when it is not the scheme's default)."""
        host = f"[{self.host}]" if isinstance(self.literal, ipaddress.IPv6Address) else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def _ascii_host(raw: str) -> str:
    host = raw.lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise MediaError("OR-E421", "the URL's host name is not valid") from None
    return host


def parse_url(url: str, *, allow_http: bool) -> Target:
    """Check the syntax-level rules of the module docstring and split ``url``.

    Raises ``OR-E421`` (scheme, user info, malformed) or ``OR-E420`` (ambiguous numeric host).
    """
    if len(url) > 8192 or any(c in url for c in "\x00\r\n\t "):
        raise MediaError("OR-E421", "the URL is malformed")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise MediaError("OR-E421", "the URL is malformed") from None
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if allow_http else ("https",)
    if scheme not in allowed:
        shown = scheme if re.fullmatch(r"[a-z][a-z0-9+.-]{0,20}", scheme) else "?"
        raise MediaError(
            "OR-E421", f"the scheme {shown!r} is not allowed; use {' or '.join(allowed)}"
        )
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise MediaError("OR-E421", "URLs with a user name or password are not allowed")
    raw = parts.hostname or ""
    if not raw:
        raise MediaError("OR-E421", "the URL has no host")
    literal: IPAddress | None = None
    if parts.netloc.split(":")[0].startswith("[") or ":" in raw:
        if "%" in raw:
            raise MediaError("OR-E421", "IPv6 zone identifiers are not allowed")
        try:
            literal = ipaddress.IPv6Address(raw)
        except ValueError:
            raise MediaError("OR-E421", "the URL's IPv6 address is malformed") from None
        host = str(literal)
    else:
        host = _ascii_host(raw)
        if not _HOST.match(host) or len(host) > 253:
            raise MediaError("OR-E421", "the URL's host name is not valid")
        if _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
            try:
                literal = ipaddress.IPv4Address(host)
            except ValueError:
                raise MediaError(
                    "OR-E420", "numeric hosts must be plain dotted IPv4 addresses"
                ) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port if port is not None else DEFAULT_PORTS[scheme], path, literal)


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a public unicast address (see the module docstring)."""
    if isinstance(address, ipaddress.IPv4Address):
        return not any(address in net for net in _V4_BLOCKED) and address != ipaddress.IPv4Address(
            "255.255.255.255"
        )
    return address in _V6_GLOBAL and not any(address in net for net in _V6_BLOCKED)


def parse_networks(networks: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``("127.0.0.0/8", ...)`` as network objects (ValueError on a malformed entry)."""
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def check_address(address: str, allowed_networks: tuple[IPNetwork, ...] = ()) -> IPAddress:
    """The parsed ``address`` if the fetcher may connect to it, else ``OR-E420``."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise MediaError("OR-E420", "the host resolved to a malformed address") from None
    if any(ip.version == net.version and ip in net for net in allowed_networks):
        return ip
    if not is_public(ip):
        raise MediaError("OR-E420", "the destination is not a public address")
    return ip


def host_allowed(host: str, allowlist: Iterable[str]) -> bool:
    """Exact host names, or ``*.example.com`` for any subdomain of example.com (not itself)."""
    for entry in allowlist:
        pattern = entry.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and host != pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False
