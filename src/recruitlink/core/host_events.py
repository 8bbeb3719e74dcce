"""The events recruitlink tells the host ATS about: what LinkedIn-side activity changed in the
store, what was refused or rejected, and where the integration stands. One catalogue, read by
the writers (which may only write these types), the change feed and the webhook endpoints
(which subscribe to them), and the pages that list them.

An event's payload carries ids and what changed, never more personal data than the vendor
already has: a stub profile's new email is sent (the vendor's record gains it), a member's
whole profile is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from recruitlink.errors import UnknownEventType


@dataclass(frozen=True)
class EventType:
    name: str
    subject: str  # what the event is about: the entity whose external id it carries
    description: str


EVENT_TYPES: dict[str, EventType] = {t.name: t for t in (
    EventType("candidate.created", "candidate",
              "A candidate was created by LinkedIn-side activity (One-Click Export), or again "
              "by an unmerge."),
    EventType("candidate.updated", "candidate",
              "A candidate was changed by LinkedIn-side activity (export merge, stub profile, "
              "member account closure) or by a merge of candidates; `changed` holds the fields "
              "written with their new values (the data API's names; list fields whole) and "
              "`source` says which activity."),
    EventType("candidate.deleted", "candidate",
              "A candidate was deleted by LinkedIn-side activity (closure purge), or merged into "
              "another (`kept`)."),
    EventType("application.created", "application",
              "An application was created by a One-Click Export into a job."),
    EventType("application.updated", "application",
              "An application was changed by LinkedIn-side activity, or moved to another "
              "candidate by a merge or an unmerge (`candidate`)."),
    EventType("application.deleted", "application",
              "An application was deleted by LinkedIn-side activity."),
    EventType("note.created", "note", "A Recruiter note was imported."),
    EventType("note.updated", "note", "An imported Recruiter note changed."),
    EventType("note.deleted", "note", "An imported Recruiter note was deleted."),
    EventType("interaction.created", "interaction", "An InMail (or reply) was imported."),
    EventType("interaction.updated", "interaction", "An imported InMail changed."),
    EventType("interaction.deleted", "interaction", "An imported InMail was deleted."),
    EventType("export.refused", "export",
              "A One-Click Export was refused; `reason` says why."),
    EventType("record.rejected", "record",
              "A record could not be synced to LinkedIn (refused by LinkedIn, by validation "
              "or by policy); `entity`, `id`, `field` and `reason` say which and why."),
    EventType("integration.status_changed", "integration",
              "The integration's status changed (pending, active, paused, disconnected, ...)."),
    EventType("seat.mapping_changed", "seat",
              "A Recruiter seat was mapped to an ATS user, re-mapped or unmapped."),
    EventType("sync.milestone_reached", "sync",
              "A milestone of the initial sync was reached."),
    EventType("disconnect.report_ready", "integration",
              "A disconnect finished and its report (what was deleted from LinkedIn) is ready."),
)}


def check_type(name: str) -> EventType:
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise UnknownEventType(f"{name!r} is not an event type recruitlink sends") from None


def parse_types(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of event types (`types=` in the feed and endpoint settings).
    Raises ValueError naming the unknown ones."""
    names = tuple(dict.fromkeys(p.strip() for p in (value or "").split(",") if p.strip()))
    unknown = [n for n in names if n not in EVENT_TYPES]
    if unknown:
        raise ValueError("unknown event type(s): " + ", ".join(unknown)
                         + "; known: " + ", ".join(EVENT_TYPES))
    return names


def event_id(seq: int) -> str:
    """The event's id, stable across the feed and every delivery (Standard Webhooks'
    `webhook-id`: a receiver deduplicates by it)."""
    return f"evt_{seq}"


def timestamp(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def envelope(seq: int, type_: str, at_ms: int, data: dict[str, Any]) -> dict[str, Any]:
    """The event as the feed lists it and a webhook delivers it (Standard Webhooks' payload
    shape: type, timestamp, data), plus its id and cursor."""
    return {"id": event_id(seq), "cursor": str(seq), "type": type_,
            "timestamp": timestamp(at_ms), "data": data}
