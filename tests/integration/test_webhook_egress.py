"""Deliveries never connect to a link-local, multicast or unspecified address, checked when
sending (DNS rebinding: a host that resolved elsewhere when its endpoint was saved), on SQLite
and PostgreSQL. The name resolution is the only thing replaced (socket.getaddrinfo, for the
test's own names); the sender, its client and the receiver are the real ones. A refused send
is a failed attempt with the reason in the delivery log, tried again like any other."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme
import uvicorn

from recruitlink.runtime.servers import bound_socket, url_of
from recruitlink.store import webhooks
from tests.integration import test_webhook_delivery as delivery_tests
from tests.integration.test_webhook_delivery import (  # noqa: F401 (the autouse fixture too)
    Clock,
    _real_time_now,
    add_endpoint,
    deliver_all,
    deliveries,
    emit,
    make_engine,
)


class Dns:
    """What the test's host names resolve to, and how often each was looked up."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: dict[str, list[str]] = {}
        self.lookups: dict[str, int] = {}
        real = socket.getaddrinfo

        def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
            if host not in self.names:
                return real(host, port, family, type, proto, flags)
            self.lookups[host] = self.lookups.get(host, 0) + 1
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM,
                     socket.IPPROTO_TCP, "", (a, int(port or 0)))
                    for a in self.names[host]]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Dns:
    return Dns(monkeypatch)


def on_host(url: str, host: str) -> str:
    """`url` with its host replaced by `host` (the port and path kept)."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{host}:{parts.port}").geturl()


def test_a_host_resolving_to_a_link_local_address_is_refused_and_retried(
        store, tenant, receiver, dns):
    dns.names["metadata.ats.test"] = ["169.254.169.254"]
    endpoint, _ = add_endpoint(store, tenant, on_host(receiver.url, "metadata.ats.test"))
    engine = make_engine(store, Clock())
    seq = emit(store, tenant, "candidate.updated", "c-1")
    [outcome] = deliver_all(engine)
    reason = "refused: metadata.ats.test resolves to 169.254.169.254, a link-local address"
    assert (outcome.code, outcome.error) == (None, reason)
    delivery = deliveries(store, tenant, endpoint)[seq]
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, reason)
    # tried again like any failure
    assert delivery.next_attempt_at == int((delivery_tests.T0 + 10) * 1000)
    with store.db.read() as conn:
        [attempt] = webhooks.list_attempts(conn, tenant.id, delivery.id)
    assert (attempt.code, attempt.error) == (None, reason)
    assert receiver.received == []


@pytest.mark.parametrize(("host", "kind"), [
    ("169.254.169.254", "link-local"),
    ("[fe80::1]", "link-local"),
    ("[::ffff:169.254.169.254]", "link-local"),
    ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("[64:ff9b::a9fe:a9fe]", "link-local"),  # NAT64: 169.254.169.254 through the gateway
    ("[2002:a9fe:a9fe::]", "link-local"),  # 6to4
])
def test_a_literal_dangerous_address_is_refused(store, tenant, host, kind):
    endpoint, _ = add_endpoint(store, tenant, f"http://{host}:8080/latest/meta-data")
    engine = make_engine(store, Clock())
    seq = emit(store, tenant, "candidate.updated", "c-1")
    [outcome] = deliver_all(engine)
    bare = host.strip("[]")
    assert outcome.error == f"refused: {bare} is a {kind} address"
    assert deliveries(store, tenant, endpoint)[seq].last_error == outcome.error


def test_one_dangerous_address_among_the_answers_refuses_the_host(store, tenant, receiver,
                                                                  dns):
    dns.names["mixed.ats.test"] = ["127.0.0.1", "169.254.169.254"]
    add_endpoint(store, tenant, on_host(receiver.url, "mixed.ats.test"))
    emit(store, tenant, "candidate.updated", "c-1")
    [outcome] = deliver_all(make_engine(store, Clock()))
    assert outcome.error == ("refused: mixed.ats.test resolves to 169.254.169.254, "
                             "a link-local address")
    assert receiver.received == []


def test_the_checked_address_is_the_one_connected_to(store, tenant, receiver, dns):
    """Resolved once per connection: the address checked is the address connected to (a
    second lookup could answer the metadata service), with the URL's host in Host."""
    dns.names["ats.test"] = ["127.0.0.1"]
    endpoint, _ = add_endpoint(store, tenant, on_host(receiver.url, "ats.test"))
    port = urlsplit(receiver.url).port
    engine = make_engine(store, Clock())
    first = emit(store, tenant, "candidate.updated", "c-1")
    assert [o.code for o in deliver_all(engine)] == [200]
    assert dns.lookups == {"ats.test": 1}
    [push] = receiver.wait_for(1)
    assert push.headers["host"] == f"ats.test:{port}"
    dns.names["ats.test"] = ["169.254.169.254"]  # the name rebinds
    engine.close()  # a new connection: resolved and checked again
    second = emit(store, tenant, "candidate.updated", "c-2")
    [outcome] = deliver_all(engine)
    assert outcome.error == "refused: ats.test resolves to 169.254.169.254, a link-local address"
    log = deliveries(store, tenant, endpoint)
    assert (log[first].status, log[second].status) == ("delivered", "pending")
    assert len(receiver.received) == 1


def test_loopback_and_private_addresses_stay_allowed(store, tenant, receiver, dns):
    """Vendors run their ATS beside recruitlink: a name answering loopback (IPv4 first, then
    IPv6) is delivered to."""
    dns.names["beside.ats.test"] = ["127.0.0.1", "::1"]
    add_endpoint(store, tenant, on_host(receiver.url, "beside.ats.test"))
    emit(store, tenant, "candidate.updated", "c-1")
    assert [o.code for o in deliver_all(make_engine(store, Clock()))] == [200]


def test_through_a_proxy_the_host_is_checked_before_the_request(store, tenant, dns,
                                                                monkeypatch):
    """HTTP_PROXY set: a link-local URL is refused before the proxy is asked; a host NO_PROXY
    exempts is connected to directly, through the checked addresses."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens: never reached
    monkeypatch.setenv("NO_PROXY", "direct.ats.test")
    dns.names["direct.ats.test"] = ["169.254.169.254"]
    add_endpoint(store, tenant, "http://169.254.169.254/latest/meta-data")
    add_endpoint(store, tenant, "http://direct.ats.test:8080/hooks")
    emit(store, tenant, "candidate.updated", "c-1")
    outcomes = deliver_all(make_engine(store, Clock()))
    assert sorted(o.error or "" for o in outcomes) == [
        "refused: 169.254.169.254 is a link-local address",
        "refused: direct.ats.test resolves to 169.254.169.254, a link-local address"]


@contextmanager
def serve_tls(app, cert: trustme.LeafCert, tmp: Path) -> Iterator[int]:
    """`app` over https on loopback with `cert`; yields the port."""
    key, chain = tmp / "key.pem", tmp / "chain.pem"
    cert.private_key_pem.write_to_path(str(key))
    cert.cert_chain_pems[0].write_to_path(str(chain))
    sock = bound_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           ssl_keyfile=str(key), ssl_certfile=str(chain)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.01)
    try:
        yield int(urlsplit(url_of(sock)).port or 0)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.mark.parametrize("issued_for", ["ats.test", "other.test"])
def test_over_https_the_certificate_is_checked_against_the_urls_host(
        store, tenant, receiver, dns, monkeypatch, tmp_path, issued_for):
    """Connected to the checked address, TLS still names and verifies the URL's host (SNI):
    delivered with a certificate for it, refused with another one."""
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    dns.names["ats.test"] = ["127.0.0.1"]
    with serve_tls(receiver.app(), ca.issue_cert(issued_for), tmp_path) as port:
        endpoint, _ = add_endpoint(store, tenant, f"https://ats.test:{port}/hooks")
        seq = emit(store, tenant, "candidate.updated", "c-1")
        [outcome] = deliver_all(make_engine(store, Clock()))
    if issued_for == "ats.test":
        assert outcome.code == 200
        [push] = receiver.wait_for(1)
        assert push.headers["host"] == f"ats.test:{port}"
    else:
        assert outcome.error is not None and "certificate" in outcome.error.lower()
        assert deliveries(store, tenant, endpoint)[seq].status == "pending"
        assert receiver.received == []
