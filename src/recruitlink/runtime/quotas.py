"""A tenant's LinkedIn quotas now: One-Click Exports left this month per Recruiter seat, and
its LinkedIn app's budgets left today and this minute per resource family, the stub-query cap
among them. The Members and Setup pages, `GET /api/v1/linkedin/quotas` and
`recruitlink sync quotas` all read this one answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from recruitlink.core.limits import EXPORTS_PER_SEAT_PER_MONTH, PROSPECT_FAMILY
from recruitlink.core.quotas import (
    Quota,
    family_label,
    month_label,
    month_start_ms,
    next_midnight_ms,
    next_month_ms,
)
from recruitlink.linkedin.budget import RateBudget
from recruitlink.store import connections, member_seats
from recruitlink.store.inbound_events import exports_by_seat

from .context import Runtime


@dataclass(frozen=True)
class SeatExports:
    seat: str
    name: str
    user: str | None
    """The mapped ATS user's name, None when the seat is unmapped."""
    active: bool
    exports: Quota


@dataclass(frozen=True)
class FamilyBudget:
    family: str
    label: str
    today: Quota | None
    """Requests this UTC day, when LinkedIn limits the family per day."""
    minute: Quota | None
    """Records in the last minute (sliding), when LinkedIn limits the family per minute."""
    blocked_until: int | None
    """While LinkedIn's 429 holds the family back: until when (epoch ms)."""

    @property
    def warning(self) -> bool:
        return self.blocked_until is not None or any(
            q is not None and q.warning for q in (self.today, self.minute))


@dataclass(frozen=True)
class Quotas:
    at: int
    month: str
    connected: bool
    seats: list[SeatExports]
    budgets: list[FamilyBudget]

    @property
    def stub_cap(self) -> FamilyBudget | None:
        """The daily budget InMail, stub profile and note reads share."""
        return next((b for b in self.budgets if b.family == PROSPECT_FAMILY), None)

    def warnings(self) -> list[str]:
        """The quotas at 80% or more, in words: a seat's exports this month and a family's
        requests today (the minute's records fill up by design while a sync runs, so only
        a 429 of LinkedIn's is worth a warning there)."""
        out = []
        for s in self.seats:
            q = s.exports
            if q.warning:
                out.append(f"{s.name} has used {q.used:,} of {q.limit:,} One-Click Exports "
                           f"this month ({q.left:,} left until the 1st).")
        for b in self.budgets:
            if b.today is not None and b.today.warning:
                out.append(f"{b.label}: {b.today.used:,} of {b.today.limit:,} LinkedIn "
                           f"requests used today ({b.today.left:,} left until 00:00 UTC).")
            if b.blocked_until is not None:
                out.append(f"{b.label}: LinkedIn throttled these calls; nothing is sent "
                           f"until its Retry-After has passed.")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at, "month": self.month, "connected": self.connected,
            "exportsPerSeatPerMonth": EXPORTS_PER_SEAT_PER_MONTH,
            "seats": [{"seat": s.seat, "name": s.name, "user": s.user, "active": s.active,
                       "exports": s.exports.as_json()} for s in self.seats],
            "budgets": [{"family": b.family, "label": b.label,
                         "today": b.today.as_json() if b.today else None,
                         "minute": b.minute.as_json() if b.minute else None,
                         "blockedUntil": b.blocked_until, "warning": b.warning}
                        for b in self.budgets],
            "warnings": self.warnings(),
        }


def seat_exports(conn: Connection, tenant_id: int, now_ms: int) -> list[SeatExports]:
    """One-Click Exports this month per seat: LinkedIn's seats first (active first, by name),
    then any seat LinkedIn no longer lists that exported this month."""
    used = exports_by_seat(conn, tenant_id, month_start_ms(now_ms))
    month_end = next_month_ms(now_ms)
    seats = []
    for row in member_seats.active_first(conn, tenant_id):
        name = (" ".join(p for p in (row.first_name, row.last_name) if p) or row.user_name
                or row.seat)  # LinkedIn may give a seat holder no name: the mapped user's
        seats.append(SeatExports(row.seat, name, row.user_name, bool(row.active),
                                 Quota(used.pop(row.seat, 0), EXPORTS_PER_SEAT_PER_MONTH,
                                       month_end)))
    for seat, n in sorted(used.items()):  # a seat LinkedIn no longer lists exported this month
        seats.append(SeatExports(seat, seat, None, False,
                                 Quota(n, EXPORTS_PER_SEAT_PER_MONTH, month_end)))
    return seats


def tenant_quotas(runtime: Runtime, tenant_id: int, now_ms: int) -> Quotas:
    settings = runtime.engine_settings()
    with runtime.store.reader() as conn:
        state = connections.connection(conn, tenant_id)
        seats = seat_exports(conn, tenant_id, now_ms)
    client_id = state.client_id if state is not None and state.status != "DISCONNECTED" \
        else None
    budgets = []
    if client_id:
        budget = RateBudget(runtime.store.db, client_id, settings.limits,
                            window_ms=settings.rate_window_ms, clock=lambda: now_ms / 1000)
        midnight = next_midnight_ms(now_ms)
        for family, usage in budget.usage().items():
            limit = usage.limit
            budgets.append(FamilyBudget(
                family, family_label(family),
                today=None if limit.per_day is None else Quota(
                    usage.requests_today, limit.per_day, midnight),
                minute=None if limit.per_minute is None else Quota(
                    usage.records_in_window, limit.per_minute,
                    now_ms + settings.rate_window_ms),
                blocked_until=usage.blocked_until))
    return Quotas(now_ms, month_label(now_ms), bool(client_id), seats, budgets)
