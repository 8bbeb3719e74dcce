"""Sign-in budgets: failed sign-ins counted in the database, so every server shares them.

Three budgets, each a number of failures per `signin_window_seconds`:
- account: one workspace and email (`signin_failures_per_account`): guessing one password;
- address: one client address, an IPv6 one by its /64 (`signin_failures_per_address`): one
  machine trying many accounts;
- all: every failure together (`signin_failures_global`): guessing spread over many
  addresses. It can lock everyone out for a window, so its default is high.
While any budget is spent, sign-in is refused (even with the right password) until its window
ends; a success clears its account's count. An attempt is counted before its password is
checked, in the transaction that checks the budgets (`attempt`), and taken back if it is
refused or the password is right: sign-ins sent all at once cannot all pass the check before
any of them is counted (25 of 60 concurrent guesses got a password check with a budget of
10). Windows are fixed (aligned to their length), so a burst across a boundary can reach
twice a budget. Counters are rows of `signin_failures` keyed by a keyed hash (no email or
address is stored); older windows are deleted as new failures come in. Nothing is kept in
memory.

The client address is uvicorn's: behind a reverse proxy, start uvicorn trusting it
(`FORWARDED_ALLOW_IPS`, default 127.0.0.1) so X-Forwarded-For gives the real client.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from recruitlink.settings import Settings
from recruitlink.store import Store, signin_failures

from .security import keyed_hash

SCOPES = ("account", "address", "all")
_WHY = {
    "account": "Too many failed attempts for this email in this workspace",
    "address": "Too many failed sign-ins from your network address",
    "all": "Too many failed sign-ins on this site: sign-in is paused for everyone",
}


@dataclass(frozen=True)
class Refusal:
    scope: str
    retry_after: int
    """Seconds until the window ends (Retry-After)."""
    until_ms: int

    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        at = datetime.fromtimestamp(self.until_ms / 1000, UTC).strftime("%H:%M UTC")
        return f"{_WHY[self.scope]}: try again in {minutes} minute(s), at {at}."


def address_key(address: str | None) -> str:
    """What the address budget counts by: the address; an IPv6 address's /64 (one customer's
    network: an attacker with one has billions of addresses)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Attempt:
    """A sign-in counted by `SignInBudgets.attempt`: its budget keys and window."""
    keys: dict[str, str]
    window_start: int


class SignInBudgets:
    def __init__(self, store: Store, settings: Settings,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.window_ms = max(1, int(settings.signin_window_seconds * 1000))
        self.limits = {"account": settings.signin_failures_per_account,
                       "address": settings.signin_failures_per_address,
                       "all": settings.signin_failures_global}

    def _keys(self, workspace: str, email: str, address: str | None) -> dict[str, str]:
        def hashed(text: str) -> str:
            return keyed_hash(self.settings, "signin-budget", text)
        return {"account": hashed(f"{workspace}\x00{email.lower()}"),
                "address": hashed(address_key(address)), "all": "all"}

    def _window(self) -> tuple[int, int]:
        now = int(self.clock() * 1000)
        return now, now - now % self.window_ms

    def attempt(self, workspace: str, email: str, address: str | None
                ) -> tuple[Refusal | None, Attempt]:
        """Count this sign-in as a failure now and say whether it may go on: the refusal
        (the attempt then not counted), or None and the attempt to pass to `succeeded` if the
        password turns out right. One write: concurrent attempts are counted one by one."""
        keys = self._keys(workspace, email, address)
        now, start = self._window()
        with self.store.db.write() as conn:
            signin_failures.add_failure(conn, keys, start)
            counts = signin_failures.counts(conn, keys, start)
            for scope in SCOPES:
                if counts.get(scope, 0) > self.limits[scope]:
                    signin_failures.take_back(conn, keys, start)
                    until = start + self.window_ms
                    refusal = Refusal(scope, max(1, math.ceil((until - now) / 1000)), until)
                    return refusal, Attempt(keys, start)
        return None, Attempt(keys, start)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the account's failures are forgiven, and this attempt is
        no failure of its address nor of everyone's."""
        with self.store.db.write() as conn:
            signin_failures.take_back(conn, {k: v for k, v in attempt.keys.items()
                                             if k != "account"}, attempt.window_start)
            signin_failures.forgive(conn, "account", attempt.keys["account"])
