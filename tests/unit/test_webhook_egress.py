"""Which addresses a webhook delivery may connect to (hooks/egress.py): link-local (cloud
metadata), multicast, unspecified and reserved ones never; loopback, private and public ones
yes."""

from __future__ import annotations

import ipaddress

import pytest

from recruitlink.core.webhook_urls import danger


@pytest.mark.parametrize(("address", "kind"), [
    ("169.254.169.254", "link-local"),
    ("169.254.0.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("::ffff:169.254.169.254", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("255.255.255.255", "reserved"),
    ("240.0.0.1", "reserved"),
    ("fd00:ec2::254", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
])
def test_dangerous_addresses(address, kind):
    assert danger(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "10.0.0.5", "172.16.3.4",
    "192.168.1.20", "fd12:3456::1", "100.64.0.1", "93.184.216.34", "2606:4700::1111",
])
def test_loopback_private_and_public_addresses_are_allowed(address):
    assert danger(ipaddress.ip_address(address)) is None
