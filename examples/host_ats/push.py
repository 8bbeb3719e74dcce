"""The ATS's own records -> recruitlink's data API (bulk upserts by id), jobs first, then
candidates, then applications (an application names both). A record is pushed again only
after it changed here; one refused by the data API's validation is put on the fix list with
its field and reason (recruitlink's sync reports later refusals, by LinkedIn, as
`record.rejected` events)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .db import Database
from .recruitlink_api import Recruitlink

BATCH = 500


@dataclass
class PushReport:
    sent: dict[str, int] = field(default_factory=dict)
    refused: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(entity, id, field, reason) refused by the data API."""


def candidate_record(row: sqlite3.Row) -> dict[str, Any]:
    record: dict[str, Any] = {"id": row["id"], "first_name": row["first_name"],
                              "last_name": row["last_name"], "headline": row["headline"]}
    record["emails"] = [row["email"]] if row["email"] else []
    record["phones"] = [{"number": row["phone"]}] if row["phone"] else []
    return record


def job_record(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "title": row["title"], "location": row["location"],
            "description": row["description"], "status": "open"}


def application_record(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "candidate_id": row["candidate_id"], "job_id": row["job_id"],
            "current_stage": row["stage"]}


ENTITIES = (("jobs", "SELECT * FROM jobs WHERE pushed = 0", job_record),
            ("candidates", "SELECT * FROM candidates WHERE pushed = 0 AND deleted = 0",
             candidate_record),
            ("applications", "SELECT * FROM applications WHERE pushed = 0 AND deleted = 0",
             application_record))


def push_changes(db: Database, api: Recruitlink) -> PushReport:
    report = PushReport()
    for entity, query, to_record in ENTITIES:
        rows = db.query(query)
        for start in range(0, len(rows), BATCH):
            records = [to_record(r) for r in rows[start:start + BATCH]]
            results = api.bulk_upsert(entity, records)
            with db.write() as conn:
                for record, result in zip(records, results, strict=True):
                    if result["status"] == "rejected":
                        for error in result.get("errors") or [{}]:
                            report.refused.append((entity, record["id"],
                                                   str(error.get("field", "")),
                                                   str(error.get("reason", "refused"))))
                        continue
                    conn.execute(f"UPDATE {entity} SET pushed = 1 WHERE id = ?",
                                 (record["id"],))
                    report.sent[entity] = report.sent.get(entity, 0) + 1
    return report


def add_job(db: Database, job_id: str, title: str, *, location: str = "",
            description: str = "") -> None:
    with db.write() as conn:
        conn.execute("INSERT INTO jobs (id, title, location, description) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
                     " location = excluded.location, description = excluded.description,"
                     " pushed = 0", (job_id, title, location, description))


def add_candidate(db: Database, candidate_id: str, first_name: str, last_name: str, *,
                  email: str | None = None, phone: str | None = None,
                  headline: str | None = None) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO candidates (id, first_name, last_name, email, phone, headline)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " first_name = excluded.first_name, last_name = excluded.last_name,"
            " email = excluded.email, phone = excluded.phone, headline = excluded.headline,"
            " pushed = 0", (candidate_id, first_name, last_name, email, phone, headline))


def add_application(db: Database, application_id: str, candidate_id: str, job_id: str, *,
                    stage: str = "New") -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO applications (id, candidate_id, job_id, stage) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET stage = excluded.stage, pushed = 0",
            (application_id, candidate_id, job_id, stage))


def move_application(db: Database, application_id: str, stage: str) -> bool:
    """Move an application to another stage (sent on the next push; recruitlink writes the
    stage transition LinkedIn needs). False when there is no such application."""
    with db.write() as conn:
        moved = conn.execute("UPDATE applications SET stage = ?, pushed = 0"
                             " WHERE id = ? AND deleted = 0", (stage, application_id))
    return moved.rowcount == 1
