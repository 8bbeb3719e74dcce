"""The LinkedIn pollers: every 30 minutes by default (seeds: SmartRecruiters, PageUp, Comeet),
and on demand. One round for a tenant:

1. seats: pulled from LinkedIn and (re)mapped (`seats.py`);
2. per mapped seat: InMail history (`conversationEvents`) and Recruiter notes
   (`prospectNotes`); per active seat: stub profiles (`mailStubs`); unmapped seats are not read,
   and lose their cursors so that mapping them later back-fills their history;
3. LinkedIn's matches of a slice of the candidates (`matches.py`), then per contract: member
   account closures;
4. LinkedIn Hiring Assistant's evaluations of exported applications (`evaluations.py`): on the
   versioned API only (the unversioned /v2 has no such resource), for an RSC tenant's
   organization, from a cursor on their creation time;
5. items that waited for their candidate, and failed ones, are applied again.

What each stream reads, and how its items are applied, is declared in `streams.py`.
Each (seat, resource) moves through time in windows of at most 12 hours (LinkedIn's limit)
from a stored cursor (`sync_cursors`, e.g. `in:mail:123`); a window's items and the cursor move
commit together, so a crash or restart repeats at most one window, and `inbound_items` makes
the repeat harmless: nothing missed, nothing doubled. A window ends `settle_ms` before now so
that items written at its edge are visible when it is read.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from recruitlink.core.limits import family_of
from recruitlink.crypto import SecretBox
from recruitlink.errors import (
    LinkedInRequestError,
    LinkedInThrottled,
    PollBusy,
    PollDeferred,
    RecruitlinkError,
    TerminalError,
)
from recruitlink.linkedin import LinkedInClient
from recruitlink.linkedin.budget import RateBudget
from recruitlink.linkedin.pool import ClientPool, HasPool, pool_of
from recruitlink.store import Store, Writer, connections
from recruitlink.store import inbound_items as items
from recruitlink.store.cursors import forget_cursors, get_cursor, set_cursor, take_timed_claim
from recruitlink.store.inbound_poll import enabled_unpaused_tenants
from recruitlink.store.inbound_seats import PolledSeat, active_seats, mapped_user_of

from . import history, matches
from .seats import SeatReport, pull_seats, refresh_seats
from .streams import (
    BY_ITEM,
    BY_KIND,
    KINDS,
    NO_EVALUATIONS_FOR_CRM,
    NO_EVALUATIONS_ON_V2,
    STREAMS,
    WINDOW_MS,
    InboundStream,
    Target,
    of_scope,
)

__all__ = ["EVALUATIONS_CURSOR", "KINDS", "NO_EVALUATIONS_FOR_CRM", "NO_EVALUATIONS_ON_V2",
           "NO_EVALUATIONS_RESOURCE", "PollBusy", "PollDeferred", "PollReport", "Poller",
           "reapply", "windows"]

SETTLE_MS = 2_000
OVERLAP_MS = 10 * 60 * 1000
"""Each read starts this far before its cursor: an item LinkedIn shows late (clocks apart,
indexing delay) is still read; `inbound_items` makes the re-read harmless."""
LEASE_MS = 10 * 60 * 1000
"""One poll round per tenant at a time (servers, API and CLI alike); renewed per window."""
MAX_BUDGET_WAIT_S = 5.0
DEFAULT_INTERVAL_S = 30 * 60.0
DEFAULT_BACKFILL_DAYS = 30.0
EVALUATIONS_CURSOR = BY_KIND["evaluations"].cursor
LAST_ROUND = "poll:last"
LEASE = "poll:lease"
NO_EVALUATIONS_RESOURCE = ("LinkedIn does not serve Hiring Assistant evaluations to this "
                           "application: {}")


@dataclass
class PollReport:
    tenant_id: int
    skipped: str | None = None
    seats: SeatReport | None = None
    fetched: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    windows: int = 0
    errors: list[str] = field(default_factory=list)
    """What could not be read this round (one seat or contract), with LinkedIn's reason;
    the rest of the round went on."""
    waiting: dict[str, str] = field(default_factory=dict)
    """Contracts not read because LinkedIn has not enabled them: contract -> why."""
    not_read: dict[str, str] = field(default_factory=dict)
    """Kinds this tenant's LinkedIn does not offer (evaluations on /v2): kind -> why."""

    def as_json(self) -> dict[str, Any]:
        return {"tenant": self.tenant_id, "skipped": self.skipped, "windows": self.windows,
                "seats": self.seats.__dict__ if self.seats else None,
                "fetched": dict(self.fetched), "outcomes": dict(self.outcomes),
                "errors": self.errors, "waiting": self.waiting, "notRead": self.not_read}


def windows(start: int, end: int, size: int = WINDOW_MS) -> Iterator[tuple[int, int]]:
    """[start, end) cut into consecutive windows of at most `size` (12 hours)."""
    while start < end:
        stop = min(start + size, end)
        yield start, stop
        start = stop


def _forget_unmapped(conn: Connection, tenant_id: int, seats: list[PolledSeat]) -> None:
    """Unmapped seats are not read; their cursors go, so a later mapping back-fills."""
    for seat in seats:
        if seat.user_external_id is None:
            forget_cursors(conn, tenant_id, [
                s.cursor_of(Target(seat.seat)) for s in STREAMS
                if s.scope == "seat" and s.mapped_seats_only])


class Poller:
    """Runs poll rounds against LinkedIn for the tenants of one store."""

    def __init__(self, store: Store, box: SecretBox, pool: ClientPool | HasPool, *,
                 backfill_days: float = DEFAULT_BACKFILL_DAYS, settle_ms: int = SETTLE_MS,
                 clock: Callable[[], float] = time.time) -> None:
        """`pool`: the process's LinkedIn clients and budgets (or what carries them: the
        sync engine)."""
        self.store, self.box, self.pool = store, box, pool_of(pool)
        self.backfill_ms = int(backfill_days * 24 * 3600 * 1000)
        self.settle_ms = settle_ms
        self.clock = clock

    def _now(self) -> int:
        return int(self.clock() * 1000)

    # -- scheduling ---------------------------------------------------------------------------

    def due(self, interval_s: float) -> list[int]:
        """ENABLED, unpaused tenants whose last round is at least `interval_s` old."""
        now = self._now()
        with self.store.reader() as conn:
            tenants = enabled_unpaused_tenants(conn)
            return [t for t in tenants
                    if now - (get_cursor(conn, t, LAST_ROUND) or 0) >= interval_s * 1000]

    def run_due(self, interval_s: float) -> list[PollReport]:
        return [self.poll(t) for t in self.due(interval_s)]

    # -- one round ----------------------------------------------------------------------------

    def poll(self, tenant_id: int, kinds: tuple[str, ...] = KINDS,
             on_window: Callable[[PollReport], None] | None = None) -> PollReport:
        """One round; PollBusy if another is running for the tenant, PollDeferred when
        LinkedIn's budget is spent (the cursors keep what was read)."""
        report = PollReport(tenant_id)
        info = connections.load_required(self.store, tenant_id, self.box)
        if info.status != "ENABLED" or info.paused:
            report.skipped = "paused" if info.paused else f"integration {info.status}"
            return report
        if not self._take_lease(tenant_id):
            raise PollBusy(f"a poll round of tenant {info.tenant_slug} is already running")
        try:
            self._round(info, kinds, report, on_window)
        finally:
            self._release_lease(tenant_id)
        return report

    def _round(self, info: connections.ConnectionInfo, kinds: tuple[str, ...],
               report: PollReport, on_window: Callable[[PollReport], None] | None) -> None:
        tenant_id = info.tenant_id
        client = self.pool.client_for(info)
        budget = self.pool.budget_for(info)
        # A contract LinkedIn has not enabled answers 403: it waits, with its reason.
        ready = {s.contract: s for s in info.contract_states()}
        contracts = []
        for c in info.contracts:
            state = ready[str(c["urn"])]
            if not state.may_sync:
                report.waiting[state.contract] = state.reason or state.status
            elif not c.get("paused"):
                contracts.append(state.contract)
        if "seats" in kinds and contracts:
            pulled: list[dict[str, Any]] = []
            read: list[str] = []
            for contract in contracts:
                try:
                    for found in pull_seats(client, [contract]):
                        pulled.append({**found, "contract": found.get("contract") or contract})
                    read.append(contract)
                except TerminalError as exc:
                    report.errors.append(f"seats of {contract}: {exc.message}")
            report.seats = refresh_seats(self.store, tenant_id, pulled, self._now(),
                                         contracts=read)
        with self.store.db.write() as conn:
            seats = [s for s in active_seats(conn, tenant_id) if s.contract in contracts]
            _forget_unmapped(conn, tenant_id, seats)
        for stream in of_scope("seat", kinds):  # stubs first: they link candidates
            for seat in seats:
                if stream.mapped_seats_only and seat.user_external_id is None:
                    continue
                try:
                    self._read_seat(client, budget, tenant_id, stream, seat, report, on_window)
                except TerminalError as exc:  # this seat only; the others are still read
                    report.errors.append(f"{stream.kind} of {seat.seat}: {exc.message}")
        by_contract = of_scope("contract", kinds)
        if by_contract:
            purge = info.policy.closed_members == "purge"
            # LinkedIn's matches first, so a closure finds the candidates only matched.
            try:
                found = matches.read_matches(self.store, client, budget, tenant_id,
                                             now_ms=self._now())
                for outcome, count in found.items():
                    report.outcomes[f"matches:{outcome}"] += count
            except RecruitlinkError as exc:  # matches are read again next round
                if isinstance(exc, LinkedInThrottled):
                    budget.block(family_of(matches.RESOURCE), exc.retry_after)
                report.errors.append(f"matches: {exc.message}")
            for stream in by_contract:
                for contract in contracts:
                    try:
                        self._read_since(client, budget, tenant_id, stream, Target(contract),
                                         report, purge=purge)
                    except TerminalError as exc:
                        report.errors.append(f"{stream.kind} of {contract}: {exc.message}")
        for stream in of_scope("organization", kinds):
            self._read_organization(info, client, budget, stream, report)
        self._settle_kept(tenant_id, report)
        if set(KINDS) <= set(kinds):  # a partial poll does not stand for a round
            with self.store.db.write() as conn:
                set_cursor(conn, tenant_id, LAST_ROUND, self._now(), self._now())

    def _take_lease(self, tenant_id: int) -> bool:
        with self.store.db.write() as conn:
            return take_timed_claim(conn, tenant_id, LEASE, now_ms=self._now(),
                                    hold_ms=LEASE_MS)

    def _renew_lease(self, conn: Connection, tenant_id: int) -> None:
        set_cursor(conn, tenant_id, LEASE, self._now() + LEASE_MS, self._now())

    def _release_lease(self, tenant_id: int) -> None:
        with self.store.db.write() as conn:
            set_cursor(conn, tenant_id, LEASE, 0, self._now())

    def _budgeted(self, budget: RateBudget, family: str, resource: str,
                  call: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        wait = budget.try_acquire(family, 1)
        if wait > MAX_BUDGET_WAIT_S:  # never hold the server's background thread for hours
            raise PollDeferred(f"LinkedIn's {family} budget is spent for {wait:.0f}s", wait)
        if wait > 0:
            time.sleep(wait)
            budget.acquire(family, 1)
        try:
            return call()
        except LinkedInThrottled as exc:
            budget.block(family, exc.retry_after)
            raise PollDeferred(f"LinkedIn throttled {resource}: {exc.message}",
                               exc.retry_after or 60.0) from exc

    def _fetch(self, client: LinkedInClient, budget: RateBudget, stream: InboundStream,
               target: Target, begin: int, stop: int) -> list[dict[str, Any]]:
        return self._budgeted(budget, stream.family, stream.resource,
                              lambda: stream.fetch(client, target, begin, stop))

    def _read_seat(self, client: LinkedInClient, budget: RateBudget, tenant_id: int,
                   stream: InboundStream, seat: PolledSeat, report: PollReport,
                   on_window: Callable[[PollReport], None] | None) -> None:
        """A windowed stream of one seat, from its cursor to now."""
        assert stream.window_ms is not None
        target = Target(seat.seat, seat.contract)
        cursor_name = stream.cursor_of(target)
        end = self._now() - self.settle_ms
        with self.store.reader() as conn:
            start = get_cursor(conn, tenant_id, cursor_name)
        start = end - self.backfill_ms if start is None else min(start, end) - OVERLAP_MS
        owner = history.SeatOwner(seat.seat, seat.person, seat.user_external_id or "")
        for begin, stop in windows(start, end, stream.window_ms):
            found = self._fetch(client, budget, stream, target, begin, stop)
            report.fetched[stream.kind] += len(found)
            with self.store.writer(tenant_id) as w:
                for element in found:
                    outcome = _apply_one(w, stream, owner, element)
                    report.outcomes[f"{stream.kind}:{outcome}"] += 1
                set_cursor(w.conn, tenant_id, cursor_name, stop, w.now_ms)
                self._renew_lease(w.conn, tenant_id)
            report.windows += 1
            if on_window is not None:
                on_window(report)

    def _read_since(self, client: LinkedInClient, budget: RateBudget, tenant_id: int,
                    stream: InboundStream, target: Target, report: PollReport, *,
                    purge: bool = False) -> None:
        """An unwindowed stream: everything since its cursor (less an overlap: a re-read
        item is matched by LinkedIn's id), stored with the cursor move."""
        cursor_name = stream.cursor_of(target)
        with self.store.reader() as conn:
            cursor = get_cursor(conn, tenant_id, cursor_name)
        if cursor is None:
            since = self._now() - self.backfill_ms if stream.backfills else 0
        else:
            # `since` is inclusive: the same millisecond is read again, and skipped.
            since = max(0, cursor - OVERLAP_MS)
        found = self._fetch(client, budget, stream, target, since, self._now())
        report.fetched[stream.kind] += len(found)
        with self.store.writer(tenant_id) as w:
            # The cursor only moves forward: the overlap is re-read, never written back.
            latest = since if cursor is None else cursor
            for element in found:
                outcome = _apply_one(w, stream, None, element, purge=purge)
                report.outcomes[f"{stream.kind}:{outcome}"] += 1
                moved = element.get(stream.moved_by or "") if isinstance(element, dict) else None
                if isinstance(moved, int):
                    latest = max(latest, moved)
            set_cursor(w.conn, tenant_id, cursor_name, latest, w.now_ms)

    def _read_organization(self, info: connections.ConnectionInfo, client: LinkedInClient,
                           budget: RateBudget, stream: InboundStream,
                           report: PollReport) -> None:
        """A stream of the tenant's organization (Hiring Assistant evaluations), when this
        LinkedIn offers it; a failed read is read again next round."""
        why_not = stream.unavailable(self.pool.api_version, info.kind)
        if why_not is not None:
            report.not_read[stream.kind] = why_not
            return
        try:
            self._read_since(client, budget, info.tenant_id, stream, Target(info.organization),
                             report)
        except TerminalError as exc:
            if isinstance(exc, LinkedInRequestError) and exc.status == 404:
                # A LinkedIn (or API version) without the resource: nothing to read, not a
                # fault of this round.
                report.not_read[stream.kind] = NO_EVALUATIONS_RESOURCE.format(exc.message)
            else:
                report.errors.append(f"{stream.kind} of {info.organization}: {exc.message}")

    def _settle_kept(self, tenant_id: int, report: PollReport) -> None:
        """Apply the items that waited for their candidate and now have one."""
        with self.store.writer(tenant_id) as w:
            for row in items.waiting_with_candidates(w.conn, tenant_id):
                report.outcomes[f"waited:{reapply(w, row.kind, row.payload)}"] += 1

    def replay_failed(self, tenant_id: int) -> Counter[str]:
        """The admin's retry of the items kept as failed (500 per call)."""
        done: Counter[str] = Counter()
        with self.store.writer(tenant_id) as w:
            for row in items.failed(w.conn, tenant_id):
                done[reapply(w, row.kind, row.payload)] += 1
        return done


def _apply_one(w: Writer, stream: InboundStream, owner: history.SeatOwner | None,
               element: Any, *, purge: bool = False) -> str:
    """Apply one item in its own savepoint: an item the code cannot handle is kept as failed
    with its reason and payload (replayable), and the rest of the window goes on."""
    try:
        with w.conn.begin_nested():
            return stream.apply(w, owner, element, purge)
    except Exception as exc:  # kept, never lost: see the docstring
        li_id = str(element.get("id") or element.get("person") or "")[:200] if isinstance(
            element, dict) else ""
        if not li_id:
            return items.FAILED
        items.record(w.conn, w.tenant_id, stream.item, li_id, outcome=items.FAILED,
                     now_ms=w.now_ms, reason=f"{type(exc).__name__}: {exc}",
                     payload={"owner": owner.__dict__ if owner else None, "element": element})
        return items.FAILED


def _current_owner(w: Writer, owner: dict[str, Any] | None) -> history.SeatOwner | None:
    """The seat's mapping now (it may have changed since the item was read)."""
    if not owner:
        return None
    user = mapped_user_of(w.conn, w.tenant_id, owner["seat"])
    return history.SeatOwner(owner["seat"], owner.get("person"), user) if user else None


SEAT_UNMAPPED = "seat unmapped"
"""`reapply`'s answer for an InMail or note whose seat has no user now."""


def reapply(w: Any, kind: str, payload: dict[str, Any] | None) -> str:
    """Apply a kept item again (waiting, failed, or replayed by a person); what it became."""
    if not payload:
        return "no payload"
    element = payload.get("element") or {}
    stream = BY_ITEM[kind]
    # Through _apply_one, as when first read: an item the code cannot handle is kept as
    # failed with its reason, never lost, and never fails the caller (a page, the CLI).
    if stream.scope != "seat" or not stream.mapped_seats_only:
        # A replayed closure notifies; purging stays the admin's explicit choice.
        return _apply_one(w, stream, None, element, purge=False)
    owner = _current_owner(w, payload.get("owner"))
    if owner is None:
        return SEAT_UNMAPPED  # kept; applied when the seat is mapped again
    return _apply_one(w, stream, owner, element)
