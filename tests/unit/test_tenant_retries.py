"""runtime/retries.py: a failing tenant's work waits by the one retry policy
(`Settings.retry_tenants`), per tenant, again from the first wait once it went through."""

from __future__ import annotations

from recruitlink.core.backoff import Backoff
from recruitlink.runtime.retries import TERMINAL_RECHECK_S, TenantRetries
from recruitlink.settings import Settings


def test_the_waits_follow_the_settings_policy_per_tenant() -> None:
    retries = TenantRetries(Settings().retry_tenants)  # 5 s, doubling, at most 300 s
    assert [retries.failed(1) for _ in range(8)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert retries.failed(2) == 5  # another tenant's failures are its own
    retries.succeeded(1)
    assert (retries.failures(1), retries.failed(1)) == (0, 5)


def test_a_poll_waits_at_most_its_interval_and_a_said_wait_wins() -> None:
    retries = TenantRetries(Backoff(7.0, 3.0, None, None))
    assert [retries.failed(1, cap_s=30.0) for _ in range(3)] == [7, 21, 30]
    assert retries.failed(1, wait_s=TERMINAL_RECHECK_S) == TERMINAL_RECHECK_S
    assert retries.failures(1) == 4  # the said wait counts as a failure too
    capped = TenantRetries(Backoff(5.0, 2.0, 8.0, None))
    assert [capped.failed(1, cap_s=60.0) for _ in range(3)] == [5, 8, 8]  # the lower cap
