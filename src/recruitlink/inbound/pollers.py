"""The LinkedIn pollers: every 30 minutes by default (seeds: SmartRecruiters, PageUp, Comeet),
and on demand. One round for a tenant:

1. seats: pulled from LinkedIn and (re)mapped (`seats.py`);
2. per mapped seat: InMail history (`conversationEvents`) and Recruiter notes
   (`prospectNotes`); per active seat: stub profiles (`mailStubs`); unmapped seats are not read,
   and lose their cursors so that mapping them later back-fills their history;
3. per contract: member account closures;
4. items that waited for their candidate, and failed ones, are applied again.

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

from sqlalchemy import Connection, delete, select

from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import Store
from recruitlink.store.schema import connections as connection_rows
from recruitlink.store.schema import linkedin_seats, sync_cursors, users
from recruitlink.sync import connections
from recruitlink.sync.budget import RateBudget
from recruitlink.sync.engine import SyncEngine
from recruitlink.sync.ledger import get_cursor, set_cursor

from . import closures, history, items, stubs
from .seats import SeatReport, pull_seats, refresh_seats

WINDOW_MS = 12 * 60 * 60 * 1000
"""LinkedIn answers at most 12 hours per call (reference §5.5)."""
SETTLE_MS = 2_000
DEFAULT_INTERVAL_S = 30 * 60.0
DEFAULT_BACKFILL_DAYS = 30.0
FAMILY = "prospectInteractions"
LAST_ROUND = "poll:last"
KINDS = ("seats", "inmails", "notes", "stubs", "closures")

# (cursor prefix, resource, time-range parameters, page size)
_SEAT_READS = {
    "inmails": ("in:mail:", "conversationEvents", ("timeRange.start", "timeRange.end"), 50),
    "notes": ("in:note:", "prospectNotes", ("cutoffDate", "beforeDate"), 100),
    "stubs": ("in:stub:", "mailStubs", ("createdDateStart", "createdDateEnd"), 50),
}


@dataclass
class PollReport:
    tenant_id: int
    skipped: str | None = None
    seats: SeatReport | None = None
    fetched: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    windows: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"tenant": self.tenant_id, "skipped": self.skipped, "windows": self.windows,
                "seats": self.seats.__dict__ if self.seats else None,
                "fetched": dict(self.fetched), "outcomes": dict(self.outcomes)}


@dataclass(frozen=True)
class _Seat:
    seat: str
    seat_id: str
    contract: str
    person: str | None
    user_external_id: str | None


def windows(start: int, end: int) -> Iterator[tuple[int, int]]:
    """[start, end) cut into consecutive windows of at most 12 hours."""
    while start < end:
        stop = min(start + WINDOW_MS, end)
        yield start, stop
        start = stop


def _seats(conn: Connection, tenant_id: int) -> list[_Seat]:
    rows = conn.execute(
        select(linkedin_seats.c.seat, linkedin_seats.c.contract, linkedin_seats.c.person,
               users.c.external_id.label("user"))
        .outerjoin(users, (users.c.id == linkedin_seats.c.user_id)
                   & users.c.active.is_not(False))
        .where(linkedin_seats.c.tenant_id == tenant_id, linkedin_seats.c.active.is_(True))
        .order_by(linkedin_seats.c.seat))
    return [_Seat(r.seat, r.seat.rsplit(":", 1)[-1], r.contract, r.person, r.user)
            for r in rows]


def _forget_unmapped(conn: Connection, tenant_id: int, seats: list[_Seat]) -> None:
    """Unmapped seats are not read; their cursors go, so a later mapping back-fills."""
    for seat in seats:
        if seat.user_external_id is None:
            conn.execute(delete(sync_cursors).where(
                sync_cursors.c.tenant_id == tenant_id,
                sync_cursors.c.name.in_([p + seat.seat_id for p, *_ in _SEAT_READS.values()
                                         if p != "in:stub:"])))


class Poller:
    """Runs poll rounds against LinkedIn for the tenants of one store."""

    def __init__(self, store: Store, box: SecretBox, engine: SyncEngine, *,
                 backfill_days: float = DEFAULT_BACKFILL_DAYS, settle_ms: int = SETTLE_MS,
                 clock: Callable[[], float] = time.time) -> None:
        self.store, self.box, self.engine = store, box, engine
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
            tenants = [r.tenant_id for r in conn.execute(
                select(connection_rows.c.tenant_id).where(
                    connection_rows.c.status == "ENABLED",
                    connection_rows.c.paused.is_(False)))]
            return [t for t in tenants
                    if now - (get_cursor(conn, t, LAST_ROUND) or 0) >= interval_s * 1000]

    def run_due(self, interval_s: float) -> list[PollReport]:
        return [self.poll(t) for t in self.due(interval_s)]

    # -- one round ----------------------------------------------------------------------------

    def poll(self, tenant_id: int, kinds: tuple[str, ...] = KINDS,
             on_window: Callable[[PollReport], None] | None = None) -> PollReport:
        report = PollReport(tenant_id)
        info = connections.load_required(self.store, tenant_id, self.box)
        if info.status != "ENABLED" or info.paused:
            report.skipped = "paused" if info.paused else f"integration {info.status}"
            return report
        client = self.engine.client_for(info)
        budget = self.engine.budget_for(info)
        contracts = [c["urn"] for c in info.contracts if not c.get("paused")]
        if "seats" in kinds and contracts:
            report.seats = refresh_seats(self.store, tenant_id, pull_seats(client, contracts),
                                         self._now())
        with self.store.db.write() as conn:
            seats = [s for s in _seats(conn, tenant_id) if s.contract in contracts]
            _forget_unmapped(conn, tenant_id, seats)
        for kind in ("stubs", "inmails", "notes"):  # stubs first: they link candidates
            if kind not in kinds:
                continue
            for seat in seats:
                if kind != "stubs" and seat.user_external_id is None:
                    continue
                self._read_seat(client, budget, info.tenant_id, kind, seat, report, on_window)
        if "closures" in kinds:
            purge = info.policy.closed_members == "purge"
            for contract in contracts:
                self._read_closures(client, budget, tenant_id, contract, purge, report)
        self._settle_kept(tenant_id, report)
        with self.store.db.write() as conn:
            set_cursor(conn, tenant_id, LAST_ROUND, self._now(), self._now())
        return report

    def _fetch(self, client: LinkedInClient, budget: RateBudget, resource: str,
               params: list[tuple[str, str]], page_size: int) -> list[dict[str, Any]]:
        budget.acquire(FAMILY, 1)
        return client.find(resource, params, page_size=page_size)

    def _read_seat(self, client: LinkedInClient, budget: RateBudget, tenant_id: int, kind: str,
                   seat: _Seat, report: PollReport,
                   on_window: Callable[[PollReport], None] | None) -> None:
        prefix, resource, (start_name, end_name), page_size = _SEAT_READS[kind]
        cursor_name = prefix + seat.seat_id
        end = self._now() - self.settle_ms
        with self.store.reader() as conn:
            start = get_cursor(conn, tenant_id, cursor_name)
        if start is None:
            start = end - self.backfill_ms
        owner = history.SeatOwner(seat.seat, seat.person, seat.user_external_id or "")
        for begin, stop in windows(start, end):
            if kind == "inmails":
                params = [("q", "criteria"), ("viewer", seat.seat)]
            else:
                params = [("q", "contract" if kind == "stubs" else "criteria"),
                          ("contract", seat.contract), ("owners", seat.seat)]
            params += [(start_name, str(begin)), (end_name, str(stop))]
            found = self._fetch(client, budget, resource, params, page_size)
            report.fetched[kind] += len(found)
            with self.store.writer(tenant_id) as w:
                for element in found:
                    if kind == "inmails":
                        outcome = history.apply_inmail(w, owner, element, w.now_ms)
                    elif kind == "notes":
                        outcome = history.apply_note(w, owner, element, w.now_ms)
                    else:
                        outcome = stubs.apply_stub(w, element, w.now_ms)
                    report.outcomes[f"{kind}:{outcome}"] += 1
                set_cursor(w.conn, tenant_id, cursor_name, stop, w.now_ms)
            report.windows += 1
            if on_window is not None:
                on_window(report)

    def _read_closures(self, client: LinkedInClient, budget: RateBudget, tenant_id: int,
                       contract: str, purge: bool, report: PollReport) -> None:
        cursor_name = "in:closed:" + contract.rsplit(":", 1)[-1]
        with self.store.reader() as conn:
            since = get_cursor(conn, tenant_id, cursor_name) or 0
        found = self._fetch(client, budget, "closedMemberProfiles",
                            [("q", "contract"), ("contract", contract), ("since", str(since))],
                            100)
        report.fetched["closures"] += len(found)
        with self.store.writer(tenant_id) as w:
            latest = since
            for element in found:
                outcome = closures.apply_closure(w, element, purge, w.now_ms)
                report.outcomes[f"closures:{outcome}"] += 1
                closed_at = element.get("closedAt")
                if isinstance(closed_at, int):
                    latest = max(latest, closed_at)
            # `since` is inclusive: the same millisecond is read again, and skipped.
            set_cursor(w.conn, tenant_id, cursor_name, latest, w.now_ms)

    def _settle_kept(self, tenant_id: int, report: PollReport) -> None:
        """Apply the items that waited for their candidate and now have one."""
        with self.store.writer(tenant_id) as w:
            for row in items.waiting_with_candidates(w.conn, tenant_id):
                report.outcomes[f"waited:{_reapply(w, row.kind, row.payload)}"] += 1

    def replay_failed(self, tenant_id: int) -> Counter[str]:
        """The admin's retry of items the store refused (and of waiting ones)."""
        done: Counter[str] = Counter()
        with self.store.writer(tenant_id) as w:
            for row in items.failed(w.conn, tenant_id):
                done[_reapply(w, row.kind, row.payload)] += 1
        return done


def _reapply(w: Any, kind: str, payload: dict[str, Any] | None) -> str:
    if not payload:
        return "no payload"
    element = payload.get("element") or {}
    if kind == "stub":
        return stubs.apply_stub(w, element, w.now_ms)
    if kind == "closure":
        # A replayed closure notifies; purging stays the admin's explicit choice.
        return closures.apply_closure(w, element, False, w.now_ms)
    owner = history.SeatOwner(**payload.get("owner", {}))
    if kind == "inmail":
        return history.apply_inmail(w, owner, element, w.now_ms)
    return history.apply_note(w, owner, element, w.now_ms)
