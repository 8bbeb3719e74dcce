"""One sync per tenant: the lease a process holds while it sends for the tenant.

The lease is renewed at the start of each batch, in the transaction committing it, and
between the calls of a batch only once a third of its time has passed, not before every
call: a process that stalled past that (a long wait, a stop) always asks again before its
next call, so it never sends on a lease another process may have taken.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from recruitlink.errors import LeaseLost

from .state import LeaseStore


class Lease:
    def __init__(self, state: LeaseStore, owner: str, ttl_s: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.state = state
        self.owner = owner
        self.ttl_s = ttl_s
        self.sleep = sleep
        self._renewed: dict[int, float] = {}  # tenant -> time.monotonic() of the last renewal

    @property
    def ttl_ms(self) -> int:
        return int(self.ttl_s() * 1000)

    def take(self, tenant_id: int) -> bool:
        """Take or renew the lease; False while another live process holds it."""
        started = time.monotonic()
        taken = self.state.take_lease(tenant_id, self.owner, int(time.time() * 1000),
                                      self.ttl_ms)
        if taken:
            self._renewed[tenant_id] = started
        else:
            self._renewed.pop(tenant_id, None)
        return taken

    def held(self, tenant_id: int) -> bool:
        """This process has held the lease without a break until now: renewed less than its
        time ago (counted from before that renewal), so no other process can have taken it
        since."""
        renewed = self._renewed.get(tenant_id)
        return renewed is not None and time.monotonic() - renewed < self.ttl_s()

    def renew(self, tenant_id: int) -> None:
        if not self.take(tenant_id):
            raise LeaseLost(f"another process took over tenant {tenant_id}'s sync")

    def keep(self, tenant_id: int) -> None:
        """Between calls: renew once a third of the lease's time has passed."""
        renewed = self._renewed.get(tenant_id)
        if renewed is None or time.monotonic() - renewed >= self.ttl_s() / 3:
            self.renew(tenant_id)

    def committed(self, tenant_id: int, at: float) -> None:
        """A commit renewed the lease in its transaction (started at monotonic `at`)."""
        self._renewed[tenant_id] = at

    def hold(self, tenant_id: int, timeout_s: float = 120.0) -> None:
        """Wait for the tenant's lease (for control commands that send)."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.renew(tenant_id)
                return
            except LeaseLost as exc:
                if time.monotonic() > deadline:
                    holder = self.state.lease_holder(tenant_id)
                    raise LeaseLost(f"the sync of tenant {tenant_id} is held by "
                                    f"{holder or 'another process'} and did not let go "
                                    f"within {timeout_s:.0f} s") from exc
                self.sleep(0.5)

    def release(self, tenant_id: int) -> None:
        self._renewed.pop(tenant_id, None)
        self.state.release_lease(tenant_id, self.owner)

    def release_all(self) -> None:
        self._renewed.clear()
        self.state.release_leases(self.owner)
