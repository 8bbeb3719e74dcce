"""Where a delivery may connect, checked at the moment of sending.

An endpoint's URL is checked when it is saved (core/webhook_urls.py), but a host name can
resolve elsewhere later (DNS rebinding: a name that answered a public address at creation
answers 169.254.169.254, a cloud's metadata service, at delivery). So the delivery client
resolves the host once per connection, refuses the connection when any address it got is
dangerous, and connects to the very addresses it checked (the Host header and the TLS server
name stay the URL's host: httpcore takes them from the request, not from the socket).

Dangerous: link-local (169.254.0.0/16, fe80::/10: metadata services), multicast, unspecified
(0.0.0.0/8, ::), reserved (240.0.0.0/4, the broadcast address) and the few cloud metadata
addresses outside those ranges. Loopback and private ranges stay allowed: vendors run their
ATS beside recruitlink or on their private network.

Through a proxy (HTTPS_PROXY) the proxy connects, not us: the host is checked before the
request (an address the proxy resolves differently later is the proxy's egress rules' to
refuse).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from httpx._utils import get_environment_proxies

from recruitlink.core.webhook_urls import danger
from recruitlink.errors import RefusedAddress


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to now, in the resolver's order, once each."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:  # mapped by httpx to a ConnectError, as an unknown host always was
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(host: str, port: int) -> list[str]:
    """`host`'s addresses, or RefusedAddress naming the first dangerous one (one is enough:
    which address a connection takes is the resolver's choice)."""
    addresses = resolve(host, port)
    for text in addresses:
        kind = danger(ipaddress.ip_address(text))
        if kind is not None:
            raise RefusedAddress(host, text.split("%")[0], kind)
    return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend that connects only to checked addresses."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        failed: httpcore.ConnectError | None = None
        for address in checked_addresses(host, port):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address,
                                               socket_options)
            except httpcore.ConnectError as exc:  # the next address, as create_connection
                failed = exc
        raise failed or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("deliveries go over TCP only")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on a connection pool whose connections go through GuardedBackend."""

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        # httpx builds its pool without a way to pass a network backend: build it again.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=GuardedBackend())


class CheckedProxyTransport(httpx.BaseTransport):
    """A proxy's transport: the proxy connects, so the host is checked before the request."""

    def __init__(self, proxy: str, limits: httpx.Limits) -> None:
        self._inner = httpx.HTTPTransport(proxy=proxy, limits=limits)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        checked_addresses(url.host, url.port or (443 if url.scheme == "https" else 80))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def guarded_client_transports(limits: httpx.Limits
                              ) -> tuple[httpx.BaseTransport, dict[str, httpx.BaseTransport]]:
    """(the direct transport, mounts for the proxies HTTPS_PROXY / NO_PROXY name): hosts
    NO_PROXY excludes take the direct transport, as httpx does by default."""
    direct = GuardedTransport(limits)
    mounts: dict[str, httpx.BaseTransport] = {
        pattern: direct if proxy is None else CheckedProxyTransport(proxy, limits)
        for pattern, proxy in get_environment_proxies().items()}
    return direct, mounts
