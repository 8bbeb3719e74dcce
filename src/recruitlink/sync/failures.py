"""The failed records, listed the same way by the sync logs page, `recruitlink sync errors`
and the API: entity, record id, field (with its label) and reason in plain words, LinkedIn's
(or our checks') raw message kept beside it. Pages by error id (`after`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from recruitlink.core import field_labels
from recruitlink.store import sync_logs

SOURCES = {"validation": "recruitlink's checks", "linkedin": "LinkedIn", "policy": "policy",
           "transient": "LinkedIn (kept failing)"}


def explained(row: dict[str, Any]) -> dict[str, Any]:
    """An error row with the field's label and the reason in plain words (`reason` stays
    the raw message)."""
    field, reason = field_labels.split_linkedin_message(row.get("field"), row["reason"])
    row["field"] = field
    row["label"] = field_labels.field_label(field)
    row["plain"] = field_labels.explain(field, reason)
    return row


def one_row_per_reason(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Explained rows with the same record, field and plain reason as the row before, folded
    into it (the raw messages kept, one per line): two checks refusing one email address are
    one failure to the person reading the page, not two rows."""
    out: list[dict[str, Any]] = []
    for row in rows:
        last = out[-1] if out else None
        if last is not None and all(last[k] == row[k] for k in (
                "entity", "entity_id", "field", "plain", "source", "status")):
            last["reason"] = f"{last['reason']}\n{row['reason']}"
            continue
        out.append(dict(row))
    return out


def open_failures(conn: Connection, tenant_id: int, *, after: int | None = None,
                  limit: int = 100, entity: str | None = None) -> tuple[list[dict[str, Any]],
                                                                       int | None]:
    """One page of the open errors (one per failed check), oldest first, and the `after` of
    the next page (None: this is the last)."""
    rows = sync_logs.open_errors(conn, tenant_id, after=after, limit=limit + 1,
                                 entity=entity)
    page = [explained(dict(r._mapping)) for r in rows[:limit]]
    return page, (page[-1]["id"] if len(rows) > limit else None)


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    """The API's and the CLI's shape of one failed check."""
    return {"errorId": row["id"], "batchId": row["batch_id"], "entity": row["entity"],
            "id": row["external_id"], "field": row["field"], "fieldLabel": row["label"],
            "reason": row["plain"], "rawMessage": row["reason"],
            "foundBy": SOURCES.get(row["source"], row["source"]),
            "createdAt": row["created_at"]}
