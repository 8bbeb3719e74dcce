"""The push inbox as people read it: every export and status push with its outcome in words,
the reason, who exported whom into what, and the ATS user mapped to the exporting seat.
Filters and keyset paging (by event id, newest first; never OFFSET or a full COUNT), for the
admin's Exports page and the recruiter's own list (`seat_user`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from recruitlink.core import export_changes
from recruitlink.core.assumed import EXPORT_PUSH, STATUS_PUSH
from recruitlink.core.export_rules import named_target
from recruitlink.core.integration_status import status_changes
from recruitlink.store import inbound_events as stored

PAGE_SIZE = 50
RECENT_MS = 7 * 86_400_000
"""How far back the recruiter's notice of refused exports looks."""
NOTICE_CAP = 100
TYPES = (("", "Any push"), (EXPORT_PUSH, "Exports"), (STATUS_PUSH, "Integration status changes"))
MY_TYPES = (("", "Any push"), (EXPORT_PUSH, "Exports"))
"""A recruiter's own list holds exports only (a status push has no exporting seat): no Push
filter is offered there, and only these values are taken from an address."""
RESULTS = (("", "Any outcome"), ("problem", "Refused or failed"),
           ("refused", "Refused by recruitlink"), ("failed", "Failed (can be replayed)"),
           ("waiting", "Waiting or in progress"), ("taken", "Created or merged"))


@dataclass(frozen=True)
class EventFilter:
    type: str = ""
    result: str = ""

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for paging links), empty ones left out."""
        return {k: v for k, v in (("type", self.type), ("result", self.result)) if v}


def parse_filter(params: Any, types: tuple[tuple[str, str], ...] = TYPES,
                 ) -> tuple[EventFilter, dict[str, str]]:
    """The filter from query parameters, and an error per field that is not one of ours
    (`types`: the pushes the list can hold)."""
    errors: dict[str, str] = {}
    values = {}
    for name, choices in (("type", types), ("result", RESULTS)):
        value = str(params.get(name) or "")
        if value not in {key for key, _ in choices}:
            errors[name] = f"not a {name} this list knows: choose one from the list"
            value = ""
        values[name] = value
    return EventFilter(**values), errors


def outcome_label(status: str, outcome: str | None) -> tuple[str, str]:
    """(a word for the outcome, a css class): what became of the push."""
    if status == "failed":
        return "Failed", "failed"
    if status in ("pending", "processing"):
        return ("Waiting" if status == "pending" else "In progress"), "waiting"
    return {"failed": ("Refused", "refused"), "created": ("Candidate created", "taken"),
            "merged": ("Merged into candidate", "taken"),
            "review": ("Waiting for review", "waiting")}.get(
        outcome or "", ((outcome or "done").capitalize(), "taken"))


@dataclass
class EventPage:
    rows: list[dict[str, Any]]
    newer: int | None
    """`after` for the page of newer events, or None on the newest page."""
    older: int | None
    """`before` for the page of older events, or None on the oldest page."""


def events(conn: Connection, tenant_id: int, flt: EventFilter, *, before: int | None = None,
           after: int | None = None, seat_user: int | None = None,
           size: int = PAGE_SIZE) -> EventPage:
    """A page of the tenant's pushes, newest first. `seat_user`: only exports whose seat is
    mapped to this ATS user (a recruiter's own)."""
    found = stored.page(conn, tenant_id, push_type=flt.type, result=flt.result,
                        before=before, after=after, seat_user=seat_user, size=size)
    if after is not None:  # newer events: read upwards, then show newest first
        rows = list(reversed(found))
        more_newer = len(rows) > size
        rows = rows[-size:] if more_newer else rows
        newer = rows[0].id if more_newer else None
        older = rows[-1].id if rows else None
    else:
        more_older = len(found) > size
        rows = found[:size]
        older = rows[-1].id if more_older and rows else None
        newer = rows[0].id if before is not None and rows else None
    return EventPage(_with_titles(conn, tenant_id, [_row(r) for r in rows]), newer, older)


def _with_titles(conn: Connection, tenant_id: int,
                 rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each export's job or pipeline named as the ATS names it (a recruiter knows positions
    by name, not by id); None when the ATS has no such job or pipeline."""
    for key in ("job", "pipeline"):
        titles = stored.titles(conn, tenant_id, key, {r[key] for r in rows if r[key]})
        for r in rows:
            r[f"{key}_title"] = titles.get(r[key])
    return rows


def _row(r: Any) -> dict[str, Any]:
    label, css = outcome_label(r.status, r.outcome)
    details = dict(r.details or {})
    changes = [c.text for c in status_changes(details.get("changes") or [])]
    if r.type == STATUS_PUSH and r.status == "done":
        # Which feature the push turned on or off, not the tenant's status after it (still
        # "enabled" when one optional feature was turned off). A push processed before the
        # changes were kept says only that the status was checked.
        label = "; ".join(changes) if changes else f"Status checked: {r.outcome}"
    # The user the seat was mapped to when it exported (kept since the push was processed;
    # an older push knows only today's mapping), and today's when it differs.
    then = details.get("seat_user", r.user_name)
    return {"id": r.id, "type": r.type, "request_id": r.request_id, "status": r.status,
            "changes": changes, "outcome": r.outcome, "label": label, "css": css,
            "reason": r.reason, "attempts": r.attempts, "received_at": r.received_at,
            "processed_at": r.processed_at, "seat": r.seat, "user_name": then,
            "seat_now": None if r.type != EXPORT_PUSH or not r.seat or r.user_name == then
            else f"The seat is now mapped to {r.user_name}." if r.user_name
            else "The seat is no longer mapped.",
            "member": details.get("person"), "name": details.get("name"),
            "job": details.get("job"), "pipeline": details.get("pipeline"),
            "exporter": details.get("exporter"), "candidate": r.candidate,
            "replayable": r.status == "failed"}


def recent_refusals(conn: Connection, tenant_id: int, user_id: int, now_ms: int) -> int:
    """How many exports of the seats mapped to this user were refused or failed in the last
    week (at most NOTICE_CAP): the recruiter's notice on their candidates page."""
    return stored.refused_for_user(conn, tenant_id, user_id, now_ms - RECENT_MS, NOTICE_CAP)


@dataclass(frozen=True)
class LastExport:
    """The candidate's last One-Click Export that was taken (created or merged)."""

    outcome: str
    at: int
    exporter: str | None
    """The ATS user the exporting seat was mapped to when it exported; else LinkedIn's name
    of the seat holder."""
    target: str | None
    """The job or pipeline it was exported into: "Nurse (job J1)", or "job J1" when the ATS
    has no such job."""
    changes: tuple[export_changes.FieldChanged, ...] | None
    """Field by field; None for an export processed before changes were kept."""


@dataclass(frozen=True)
class RefusedExport:
    """A One-Click Export of the candidate that recruitlink refused, and why (LinkedIn
    Recruiter only told the exporter it was sent)."""

    at: int
    exporter: str | None
    target: str | None
    """The job or pipeline, as `LastExport.target`."""
    reason: str | None


REFUSED_SHOWN = 5


def refused_exports(conn: Connection, tenant_id: int, candidate_id: int) -> list[RefusedExport]:
    """The candidate's last REFUSED_SHOWN refused exports, newest first."""
    found = []
    for row in stored.refused_exports(conn, tenant_id, candidate_id, REFUSED_SHOWN):
        details = dict(row.details or {})
        found.append(RefusedExport(row.processed_at or row.received_at,
                                   _exported_by(row, details),
                                   _target(conn, tenant_id, details), row.reason))
    return found


def _exported_by(row: Any, details: dict[str, Any]) -> str | None:
    """Who exported: the user the seat was mapped to then (an older push: now), else
    LinkedIn's name of the seat holder."""
    return details.get("seat_user", row.user_name) or details.get("exporter")


def _target(conn: Connection, tenant_id: int, details: dict[str, Any]) -> str | None:
    """The job or pipeline an export went into, named as the ATS names it with its id
    ("Lead UX Designer (job J5)", as on the Exports pages); only the id when the ATS has no
    such job or pipeline."""
    for kind in ("job", "pipeline"):
        if external_id := details.get(kind):
            title = stored.titles(conn, tenant_id, kind, {external_id}).get(external_id)
            return named_target(kind, external_id, title)
    return None


def exported_jobs(conn: Connection, tenant_id: int, candidate_id: int,
                  limit: int = 200) -> set[str]:
    """The jobs (external ids) One-Click Exports put this candidate into: the applications an
    export created or merged into, which LinkedIn's Hiring Assistant evaluates."""
    rows = stored.taken_export_details(conn, tenant_id, candidate_id, limit)
    return {str(d["job"]) for d in rows if isinstance(d, dict) and d.get("job")}


def last_export(conn: Connection, tenant_id: int, candidate_id: int) -> LastExport | None:
    row = stored.last_taken_export(conn, tenant_id, candidate_id)
    if row is None:
        return None
    details = dict(row.details or {})
    return LastExport(row.outcome, row.processed_at or row.received_at,
                      _exported_by(row, details), _target(conn, tenant_id, details),
                      export_changes.from_json(details.get("changes")))
