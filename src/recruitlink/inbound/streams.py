"""The inbound streams, declared once: what each poller reads from LinkedIn (finder, cursor,
window, page size) and how one item read is applied. `pollers.py` runs them; adding a poller
is one entry here plus its mapping (the `apply` function).

Three scopes:
- "seat": per mapped (or, for stubs, active) seat, read from a cursor in windows of at most
  12 hours (`timeRange`-style parameters), the cursor moved to each window's end;
- "contract": per enabled contract, everything since the cursor (the newest item's time);
- "organization": the tenant's organization, everything made since the cursor.

Seats (the mapping itself) and LinkedIn's matches are steps of a round, not streams: they
read no items into `inbound_items`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from recruitlink.core.assumed import EVALUATIONS_RESOURCE
from recruitlink.core.limits import family_of
from recruitlink.linkedin import LinkedInClient
from recruitlink.linkedin.versions import is_versioned
from recruitlink.store import Writer

from . import closures, evaluations, history, stubs

PROSPECT_FAMILY = "prospectInteractions"
"""The daily budget LinkedIn's Recruiter reads share (closures are counted with them)."""
Scope = Literal["seat", "contract", "organization"]
Params = list[tuple[str, str]]

NO_EVALUATIONS_ON_V2 = ("LinkedIn's unversioned API (v2) has no Hiring Assistant evaluations: "
                        "set RECRUITLINK_LINKEDIN_API_VERSION to a version (e.g. 202604) to "
                        "read them")
NO_EVALUATIONS_FOR_CRM = ("CRM Connect exports into pipelines, not jobs: LinkedIn's Hiring "
                          "Assistant evaluates applications only")


@dataclass(frozen=True)
class Target:
    """What one read is for: a seat (with its contract), a contract, or an organization."""

    urn: str
    contract: str = ""


Apply = Callable[[Writer, "history.SeatOwner | None", Any, bool], str]
"""(writer, the seat's owner or None, one element, purge closed members) -> outcome."""
Finder = Callable[[Target, int, int], Params]
"""(target, from, to) -> the finder's query parameters for that range."""
WINDOW_MS = 12 * 60 * 60 * 1000
"""LinkedIn answers at most 12 hours per call of a time-range finder (reference §5.5)."""


@dataclass(frozen=True)
class InboundStream:
    kind: str
    """The poll kind a caller asks for (`KINDS`) and the reports count."""
    item: str
    """What one element is in `inbound_items.kind` (a replay finds its stream by it)."""
    resource: str
    scope: Scope
    cursor: str
    """`sync_cursors` name, or its prefix: a seat's or contract's id is appended."""
    page_size: int
    finder: Finder | None
    apply: Apply
    window_ms: int | None = None
    """Read from the cursor to now in windows of at most this (the cursor moves to each
    window's end); None: one read of everything since the cursor."""
    moved_by: str | None = None
    """Unwindowed streams: the element field (epoch ms) the cursor moves forward to."""
    backfills: bool = True
    """With no cursor yet, read the backfill period (else: everything LinkedIn has)."""
    mapped_seats_only: bool = True
    """Seat scope: read only seats mapped to a user (the items are attributed to one); an
    unmapped seat's cursor is forgotten, so mapping it later back-fills."""
    links_candidates: bool = False
    """Read before the other seat streams: its items create or link candidates."""
    unavailable: Callable[[str, str], str | None] = lambda api_version, kind: None
    """(API version, connection kind) -> why this LinkedIn does not offer it, or None."""
    counted_as: str | None = None
    """The rate-budget family its calls count against, when not the resource's own."""

    @property
    def family(self) -> str:
        return self.counted_as or family_of(self.resource)

    def cursor_of(self, target: Target) -> str:
        if self.scope == "organization":
            return self.cursor
        return self.cursor + target.urn.rsplit(":", 1)[-1]

    def fetch(self, client: LinkedInClient, target: Target, begin: int,
              stop: int) -> list[dict[str, Any]]:
        """The elements LinkedIn has for `target` in [begin, stop)."""
        if self.finder is None:  # the client has the resource's own method
            return client.evaluations(target.urn, begin, page_size=self.page_size)
        return client.find(self.resource, self.finder(target, begin, stop),
                           page_size=self.page_size)


def _time_range(finder: str, scope_params: Callable[[Target], Params],
                names: tuple[str, str]) -> Finder:
    def params(target: Target, begin: int, stop: int) -> Params:
        return [("q", finder), *scope_params(target), (names[0], str(begin)),
                (names[1], str(stop))]
    return params


def _owned(target: Target) -> Params:
    return [("contract", target.contract), ("owners", target.urn)]


def _closed_since(target: Target, since: int, _: int) -> Params:
    return [("q", "contract"), ("contract", target.urn), ("since", str(since))]


def _evaluations_unavailable(api_version: str, kind: str) -> str | None:
    if not is_versioned(api_version):
        return NO_EVALUATIONS_ON_V2
    if kind != "RSC":
        return NO_EVALUATIONS_FOR_CRM
    return None


def _owned_by_seat(kind: str, owner: history.SeatOwner | None) -> history.SeatOwner:
    if owner is None:
        raise ValueError(f"{kind} need the seat's mapped user")
    return owner


# The apply functions are looked up when called (not bound here), so a test may stand in one.
STREAMS: tuple[InboundStream, ...] = (
    InboundStream(
        kind="inmails", item="inmail", resource="conversationEvents", scope="seat",
        cursor="in:mail:", page_size=50, window_ms=WINDOW_MS,
        finder=_time_range("criteria", lambda t: [("viewer", t.urn)],
                           ("timeRange.start", "timeRange.end")),
        apply=lambda w, owner, element, purge: history.apply_inmail(
            w, _owned_by_seat("inmails", owner), element, w.now_ms)),
    InboundStream(
        kind="notes", item="note", resource="prospectNotes", scope="seat", cursor="in:note:",
        page_size=100, window_ms=WINDOW_MS,
        finder=_time_range("criteria", _owned, ("cutoffDate", "beforeDate")),
        apply=lambda w, owner, element, purge: history.apply_note(
            w, _owned_by_seat("notes", owner), element, w.now_ms)),
    InboundStream(
        kind="stubs", item="stub", resource="mailStubs", scope="seat", cursor="in:stub:",
        page_size=50, window_ms=WINDOW_MS, mapped_seats_only=False, links_candidates=True,
        finder=_time_range("contract", _owned, ("createdDateStart", "createdDateEnd")),
        apply=lambda w, owner, element, purge: stubs.apply_stub(w, element, w.now_ms)),
    InboundStream(
        kind="closures", item="closure", resource="closedMemberProfiles", scope="contract",
        cursor="in:closed:", page_size=100, finder=_closed_since, moved_by="closedAt",
        backfills=False, counted_as=PROSPECT_FAMILY,
        apply=lambda w, owner, element, purge: closures.apply_closure(w, element, purge,
                                                                       w.now_ms)),
    InboundStream(
        kind="evaluations", item="evaluation", resource=EVALUATIONS_RESOURCE,
        scope="organization", cursor="in:eval", page_size=100, finder=None,
        moved_by="createdAt", unavailable=_evaluations_unavailable,
        apply=lambda w, owner, element, purge: evaluations.apply_evaluation(w, element)),
)

BY_KIND = {s.kind: s for s in STREAMS}
BY_ITEM = {s.item: s for s in STREAMS}
KINDS = ("seats", *(s.kind for s in STREAMS))
"""What a poll round can read: the seats, then every stream."""


def of_scope(scope: Scope, kinds: Sequence[str] = KINDS) -> list[InboundStream]:
    """The streams of one scope among `kinds`, in reading order (candidate-linking first)."""
    return sorted((s for s in STREAMS if s.scope == scope and s.kind in kinds),
                  key=lambda s: not s.links_candidates)
