"""Apply one recruitlink event to the example ATS's database, exactly once in effect.

Events are thin: they carry ids and what changed. For a created or updated record the ATS reads
the record from recruitlink's data API (its current state: an event applied late still brings
the newest data) and upserts it; a deletion, a refusal or a rejection is applied from the event
alone. The same function serves webhook deliveries and the change feed.

- An event already in `inbox` (same id: a retried or replayed delivery) is not applied again.
- An event older than the last one applied to its record (`versions`) changes nothing: per
  record, only newer events win.
- The read from recruitlink happens before the transaction; if recruitlink cannot be reached
  the event is not recorded, so the delivery is retried (the receiver answers 503).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .db import Database, set_state
from .recruitlink_api import Recruitlink

Fetched = dict[str, Any] | None


class BadEvent(ValueError):
    """The body is not an event (no id, cursor or type)."""


@dataclass(frozen=True)
class Event:
    id: str
    cursor: int
    type: str
    data: dict[str, Any]

    @classmethod
    def parse(cls, envelope: Any) -> Event:
        if not isinstance(envelope, dict):
            raise BadEvent("the body is not a JSON object")
        try:
            data = envelope.get("data") or {}
            if not isinstance(data, dict):
                raise BadEvent("`data` is not an object")
            return cls(str(envelope["id"]), int(envelope["cursor"]), str(envelope["type"]),
                       data)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, BadEvent):
                raise
            raise BadEvent(f"not an event: {type(exc).__name__} {exc}") from None

    @property
    def subject(self) -> str:
        return self.type.split(".", 1)[0]

    @property
    def action(self) -> str:
        return self.type.rsplit(".", 1)[-1]

    def subject_id(self) -> str:
        value = self.data.get(self.subject)
        if isinstance(value, dict):  # {"candidate": {"id": ...}} as well as {"candidate": "C1"}
            value = value.get("id")
        return "" if value is None else str(value)

    @property
    def record_key(self) -> str:
        """What newer events overwrite: one record's state (a candidate, a seat's mapping,
        the integration's status). Other events (a refusal, a rejection, a milestone) are
        facts of their own, never superseded."""
        if self.subject in RECORDS or self.subject == "seat":
            return f"{self.subject}:{self.subject_id()}"
        if self.type == "integration.status_changed":
            return "integration:status"
        return f"event:{self.id}"


RECORDS = {"candidate": "candidates", "application": "applications", "note": "notes",
           "interaction": "interactions"}
"""Event subject -> recruitlink's data API entity (read back on created/updated)."""


def apply_event(db: Database, api: Recruitlink | None, envelope: Any, *, via: str) -> str:
    """Apply the event; what happened: applied, duplicate, superseded or ignored."""
    event = Event.parse(envelope)
    if db.query("SELECT 1 FROM inbox WHERE event_id = ?", (event.id,)):
        return "duplicate"
    fetched: Fetched = None
    if (event.subject in RECORDS and event.action in ("created", "updated") and api
            and not _superseded(db, event)):
        fetched = api.get(RECORDS[event.subject], event.subject_id())
    with db.write() as conn:
        if conn.execute("SELECT 1 FROM inbox WHERE event_id = ?", (event.id,)).fetchone():
            return "duplicate"
        newest = conn.execute("SELECT cursor FROM versions WHERE record_key = ?",
                              (event.record_key,)).fetchone()
        if newest is not None and newest["cursor"] >= event.cursor:
            outcome = "superseded"
        else:
            handler = HANDLERS.get(event.type) or HANDLERS.get(f"{event.subject}.*")
            outcome = handler(conn, event, fetched) if handler else "ignored"
            conn.execute("INSERT INTO versions (record_key, cursor) VALUES (?, ?) "
                         "ON CONFLICT (record_key) DO UPDATE SET cursor = excluded.cursor",
                         (event.record_key, event.cursor))
        conn.execute(
            "INSERT INTO inbox (event_id, cursor, type, record_key, outcome, via, applied_order) "
            "VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(applied_order), 0) + 1 FROM inbox))",
            (event.id, event.cursor, event.type, event.record_key, outcome, via))
    return outcome


def _superseded(db: Database, event: Event) -> bool:
    """A newer event of the same record was applied already."""
    newest = db.query("SELECT cursor FROM versions WHERE record_key = ?", (event.record_key,))
    return bool(newest) and int(newest[0]["cursor"]) >= event.cursor


# -- one handler per event type: (conn, event, the record read from recruitlink) -> outcome ----

Handler = Callable[[sqlite3.Connection, Event, Fetched], str]


def _first(values: Any, key: str | None = None) -> str | None:
    if not values:
        return None
    first = values[0]
    return str(first.get(key) if key and isinstance(first, dict) else first)


def upsert_candidate(conn: sqlite3.Connection, event: Event, record: Fetched) -> str:
    if record is None:
        return "gone"  # deleted in recruitlink since: its deletion event follows
    conn.execute(
        "INSERT INTO candidates (id, first_name, last_name, email, phone, headline, person_urn,"
        " origin, pushed) VALUES (?, ?, ?, ?, ?, ?, ?, 'linkedin', 1) "
        "ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name,"
        " last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,"
        " headline = excluded.headline, person_urn = excluded.person_urn, deleted = 0",
        (record["id"], record.get("first_name"), record.get("last_name"),
         _first(record.get("emails")), _first(record.get("phones"), "number"),
         record.get("headline"), record.get("person_urn")))
    return "applied"


def upsert_application(conn: sqlite3.Connection, event: Event, record: Fetched) -> str:
    if record is None:
        return "gone"
    conn.execute(
        "INSERT INTO applications (id, candidate_id, job_id, stage, origin, pushed) "
        "VALUES (?, ?, ?, ?, 'linkedin', 1) ON CONFLICT (id) DO UPDATE SET"
        " candidate_id = excluded.candidate_id, job_id = excluded.job_id,"
        " stage = excluded.stage, deleted = 0",
        (record["id"], record.get("candidate_id"), record.get("job_id"),
         record.get("current_stage")))
    return "applied"


def upsert_activity(conn: sqlite3.Connection, event: Event, record: Fetched) -> str:
    if record is None:
        return "gone"
    summary = record.get("subject") or record.get("type") or (record.get("body") or "")[:200]
    conn.execute(
        "INSERT INTO activities (id, kind, candidate_id, summary) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (kind, id) DO UPDATE SET candidate_id = excluded.candidate_id,"
        " summary = excluded.summary, deleted = 0",
        (record["id"], event.subject, record.get("candidate_id"), summary))
    return "applied"


def mark_deleted(conn: sqlite3.Connection, event: Event, record: Fetched) -> str:
    if event.subject in ("candidate", "application"):
        conn.execute(f"UPDATE {RECORDS[event.subject]} SET deleted = 1 WHERE id = ?",
                     (event.subject_id(),))
    else:
        conn.execute("UPDATE activities SET deleted = 1 WHERE kind = ? AND id = ?",
                     (event.subject, event.subject_id()))
    return "applied"


def note_problem(conn: sqlite3.Connection, event: Event, record: Fetched) -> str:
    """A refused export or a record LinkedIn (or validation) rejected: on the fix list."""
    data = event.data
    entity: Any
    if event.type == "export.refused":
        entity, record_id, field = "member", data.get("person"), None
    else:
        entity, record_id, field = data.get("entity"), data.get("id"), data.get("field")
    conn.execute(
        "INSERT INTO problems (event_id, kind, entity, record_id, field, reason, at) "
        "VALUES (?, ?, ?, ?, ?, ?, datetime('now'))",
        (event.id, event.type, entity, None if record_id is None else str(record_id), field,
         str(data.get("reason") or "no reason given")))
    return "applied"


def note_integration(conn: sqlite3.Connection, event: Event, record: Fetched) -> str:
    data = event.data
    if event.type == "integration.status_changed":
        status = data.get("to") or data.get("status")
        if status is not None:
            set_state(conn, "integration_status", str(status))
    elif event.type == "sync.milestone_reached":
        set_state(conn, "sync_milestone", str(data.get("label") or data.get("milestone")))
    return "applied"


HANDLERS: dict[str, Handler] = {
    "candidate.created": upsert_candidate,
    "candidate.updated": upsert_candidate,
    "candidate.deleted": mark_deleted,
    "application.created": upsert_application,
    "application.updated": upsert_application,
    "application.deleted": mark_deleted,
    "note.created": upsert_activity,
    "note.updated": upsert_activity,
    "note.deleted": mark_deleted,
    "interaction.created": upsert_activity,
    "interaction.updated": upsert_activity,
    "interaction.deleted": mark_deleted,
    "export.refused": note_problem,
    "record.rejected": note_problem,
    "integration.*": note_integration,
    "sync.*": note_integration,
    "disconnect.*": note_integration,
}
"""Types not listed (a newer recruitlink's) are recorded as `ignored`: the receiver keeps up."""
