"""Which URLs a webhook endpoint may have: the one check the admin page, the API and the CLI
share (the delivery worker POSTs to what they stored).

An endpoint's URL is an absolute http(s) URL with a host (the store's one URL check,
`linkedin_schema.http_url_problem`), at most `MAX_LENGTH` characters, with no credentials in
it (they would sit in the database and the pages in clear: authenticate the deliveries by
their signature instead) and no fragment (never sent). Deliveries carry personal data, so
plain http is taken only to this machine (loopback: a receiver beside recruitlink, tests),
unless the deployment allows it (`Settings.webhook_allow_http`, e.g. a private network).
Link-local, multicast, unspecified, reserved and cloud metadata addresses (`danger`, which
the delivery client also applies to the address it connects to: hooks/egress.py) are refused
whatever the setting: nothing receives webhooks there, and 169.254.169.254 is a cloud's
metadata service.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from .linkedin_schema import http_url_problem

MAX_LENGTH = 2000
"""The longest URL kept (the column's size)."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "fd00:ec2::254",  # AWS's metadata service over IPv6 (a unique local address)
    "100.100.100.200",  # Alibaba Cloud's metadata service (shared address space)
))
NUMERIC_V4 = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+)){0,3}",
                        re.ASCII)
"""A host of 1 to 4 decimal, octal or hex numbers: an IPv4 address to inet_aton."""
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # 0.x.x.x reaches this machine on Linux
CARRIERS = tuple(ipaddress.ip_network(n) for n in (
    "64:ff9b::/96",  # NAT64's well-known prefix (RFC 6052): the gateway connects to a.b.c.d
    "64:ff9b:1::/48",  # NAT64 for local use (RFC 8215), a.b.c.d in the last 32 bits as above
    "::/96",  # IPv4-compatible (deprecated, ::a.b.c.d); :: and ::1 are judged as themselves
))
"""IPv6 prefixes whose last 32 bits are the IPv4 address the network delivers to."""


def carried(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address reaches the network as: ::ffff:a.b.c.d, NAT64
    (64:ff9b::a.b.c.d), IPv4-compatible (::a.b.c.d), 6to4 (2002:AABB:CCDD::) and Teredo's
    client. 64:ff9b::a9fe:a9fe is 169.254.169.254 to a network with a NAT64 gateway."""
    found = [a for a in (address.ipv4_mapped, address.sixtofour,
                         address.teredo[1] if address.teredo else None) if a is not None]
    if int(address) > 1 and any(address in net for net in CARRIERS):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def danger(address: Address) -> str | None:
    """What kind of address deliveries never go to `address` is, or None if they may. An
    IPv6 address carrying an IPv4 one (`carried`) is judged by the IPv4 address too."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = carried(address)
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:a.b.c.d is a.b.c.d to the network
        else:
            kind = next(filter(None, map(danger, inner)), None)
            if kind is not None:
                return kind
    if address in METADATA:
        return "cloud metadata"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified or address in THIS_NETWORK:
        return "unspecified"
    if isinstance(address, ipaddress.IPv4Address) and address.is_reserved:
        return "reserved"  # 240.0.0.0/4 and the broadcast address (IPv6's "reserved" has ::1)
    return None


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `host` names without a lookup: an IP address, or a number the resolver
    reads as IPv4 (inet_aton's forms: 2852039166, 0xa9fea9fe, 169.254.43518, 0251.0376.0.1
    are all 169.254.x.x to getaddrinfo, so they are judged as that address)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not NUMERIC_V4.fullmatch(host):
            return None
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))  # parsing only, no lookup
        except OSError:
            return None
    # ::ffff:127.0.0.1 is 127.0.0.1 to the network: judge the IPv4 address it carries.
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return mapped or address


def is_loopback(host: str) -> bool:
    """`localhost` (and its subdomains, RFC 6761) or a loopback address."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _address(name)
    return address is not None and address.is_loopback


def url_problem(url: str, *, allow_http: bool = False) -> str | None:
    """Why `url` cannot be a webhook endpoint's URL, or None when it can."""
    if not url:
        return "is required"
    if len(url) > MAX_LENGTH:
        return f"is {len(url)} characters long; at most {MAX_LENGTH}"
    problem = http_url_problem(url)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        return ("must not hold credentials (user:password@): deliveries are authenticated "
                "by their signature")
    if parts.fragment or url.endswith("#"):
        return "must not have a fragment (#...): it is never sent"
    host = parts.hostname or ""
    address = _address(host)
    kind = danger(address) if address is not None else None
    if kind is not None:
        named = host if host == str(address) or ":" in host else f"{host} ({address})"
        return f"must not point at {named} (a {kind} address: deliveries never go there)"
    if parts.scheme.lower() == "http" and not allow_http and not is_loopback(host):
        return ("must use https (plain http is taken only to this machine: localhost, "
                "127.0.0.1, [::1]; RECRUITLINK_WEBHOOK_ALLOW_HTTP=true allows it elsewhere)")
    return None
