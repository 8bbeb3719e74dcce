"""Backing off a tenant whose sync or poll failed, the same way in both modes (the server's
threads, runtime/background.py; procrastinate's jobs, runtime/queue.py): failures in a row
counted per tenant, the waits from the one retry policy set by RECRUITLINK_RETRY_TENANTS
(`Settings.retry_tenants`, core/backoff.py)."""

from __future__ import annotations

from dataclasses import replace

from recruitlink.core.backoff import Backoff

TERMINAL_RECHECK_S = 300.0
"""A sync stopped by a terminal error waits for a person (or a change of settings), but is
looked at again this often."""


class TenantRetries:
    """One kind of work's failures in a row, per tenant (not shared between processes: each
    backs off what it saw fail)."""

    def __init__(self, policy: Backoff) -> None:
        self.policy = policy
        self._failures: dict[int, int] = {}

    def failed(self, tenant_id: int, *, cap_s: float | None = None,
               wait_s: float | None = None) -> float:
        """The tenant's work failed once more: seconds to wait before trying again, at most
        `cap_s` (a poll: its interval); `wait_s` when LinkedIn (or a terminal error) said how
        long."""
        failures = self._failures.get(tenant_id, 0) + 1
        self._failures[tenant_id] = failures
        policy = self.policy
        if cap_s is not None:
            policy = replace(policy, cap=min(cap_s, policy.cap if policy.cap is not None
                                             else cap_s))
        return policy.delay(failures, retry_after=wait_s)

    def succeeded(self, tenant_id: int) -> None:
        """The tenant's work went through: the next failure waits the first wait again."""
        self._failures.pop(tenant_id, None)

    def failures(self, tenant_id: int) -> int:
        return self._failures.get(tenant_id, 0)
