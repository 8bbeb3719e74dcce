"""What the host ATS is told of LinkedIn-side activity: one function per kind of change, each
writing its event (`store.host_events.emit`) in the caller's transaction, so the change and
its event commit together or not at all.

Payloads carry the ATS's external ids, LinkedIn's ids where useful (person and seat URNs,
the push's request id) and what changed: the new values of the fields written, as the data
API shows them. Nothing else of the member: a vendor that wants the whole record reads it
from the data API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Connection

from recruitlink.store import Writer, entity
from recruitlink.store.changelog import ChangeSet, Confidentiality, Op
from recruitlink.store.host_events import emit
from recruitlink.store.records import delete_record

# Where a change came from (`source` in every payload).
EXPORT = "one_click_export"
STUB = "stub_profile"
INMAIL = "inmail"
NOTE = "recruiter_note"
CLOSURE = "member_closure"
PURGE_POLICY = "member_closure_purge"
PURGE_ADMIN = "admin_purge"
ERASURE = "erasure"  # a per-candidate erasure (runtime/compliance.py)
RETENTION = "retention"  # imported history past the policy's retention
MERGE = "admin_merge"  # an admin merged or unmerged candidates (explainable identity)
MATCH = "linkedin_match"  # LinkedIn's own match of a synced candidate, read back

SUBJECTS = {"candidates": "candidate", "applications": "application", "notes": "note",
            "interactions": "interaction"}
"""The store's entities the host ATS hears of, and their event subject."""


def values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Field values as JSON, as the store keeps them (a phone is `{"number": ...}`, without
    its empty parts); a field set to nothing stays, as None."""
    return {name: None if value is None else to_jsonable_python(value, exclude_none=True)
            for name, value in fields.items()}


def _ids(**ids: Any) -> dict[str, Any]:
    """The optional ids of a payload, those known."""
    return {k: v for k, v in ids.items() if v is not None}


def candidate_created(conn: Connection, tenant_id: int, candidate: str, *, source: str,
                      **ids: Any) -> int:
    return emit(conn, tenant_id, "candidate.created", candidate,
                {"candidate": candidate, "source": source, **_ids(**ids)})


def candidate_updated(conn: Connection, tenant_id: int, candidate: str,
                      changed: Mapping[str, Any], *, source: str, **ids: Any) -> int:
    """`changed`: each field written with its new value (a list field: the whole list)."""
    return emit(conn, tenant_id, "candidate.updated", candidate,
                {"candidate": candidate, "changed": values(changed), "source": source,
                 **_ids(**ids)})


def application_created(conn: Connection, tenant_id: int, application: str, *,
                        candidate: str, job: str, stage: str | None, source: str,
                        **ids: Any) -> int:
    return emit(conn, tenant_id, "application.created", application,
                {"application": application, "candidate": candidate, "job": job,
                 "stage": stage, "source": source, **_ids(**ids)})


def records_moved(conn: Connection, tenant_id: int, moved: Mapping[str, list[str]], *,
                  candidate: str, source: str, **ids: Any) -> None:
    """Records a merge or unmerge moved to `candidate`: an `.updated` event each for those
    the host ATS hears of (applications, notes, InMails)."""
    for name, external_ids in moved.items():
        subject = SUBJECTS.get(name)
        if subject is None or name == "candidates":
            continue
        for external_id in external_ids:
            emit(conn, tenant_id, f"{subject}.updated", external_id,
                 {subject: external_id, "candidate": candidate,
                  "changed": {"candidate_id": candidate}, "source": source, **_ids(**ids)})


def export_refused(conn: Connection, tenant_id: int, *, request_id: str, reason: str | None,
                   seat: str | None = None, person: str | None = None,
                   candidate: str | None = None) -> int:
    """A One-Click Export that did not land: refused by the rules, or failed for good."""
    return emit(conn, tenant_id, "export.refused", request_id,
                {"request": request_id, "reason": reason or "refused",
                 "seat": seat, "person": person, **_ids(candidate=candidate)})


def history_item(conn: Connection, tenant_id: int, subject: str, external_id: str, *,
                 created: bool, source: str, **ids: Any) -> int:
    """An imported InMail (`interaction`) or Recruiter note (`note`), new or changed."""
    type_ = f"{subject}.{'created' if created else 'updated'}"
    return emit(conn, tenant_id, type_, external_id,
                {subject: external_id, "source": source, **_ids(**ids)})


def seat_mapping_changed(conn: Connection, tenant_id: int, seat: str, *, user: str | None,
                         previous_user: str | None, mapping: str | None, active: bool,
                         person: str | None, change: str | None) -> int:
    return emit(conn, tenant_id, "seat.mapping_changed", seat,
                {"seat": seat, "user": user, "previous_user": previous_user,
                 "mapping": mapping, "active": active, "person": person, "change": change})


class _Recorder(ChangeSet):
    """Passes every change on to the writer's change set, keeping the deletions in order (the
    dependents before the record they depended on)."""

    def __init__(self, target: ChangeSet) -> None:
        super().__init__(target.tenant_id)
        self.target = target
        self.deleted: list[tuple[str, str]] = []
        self.refs: list[tuple[str, int, str]] = []

    def add(self, entity: str, entity_id: int, external_id: str, op: Op,
            confidentiality: Confidentiality | None = None) -> None:
        self.target.add(entity, entity_id, external_id, op, confidentiality)
        if op == "delete":
            self.deleted.append((entity, external_id))
            self.refs.append((entity, entity_id, external_id))


def delete(w: Writer, name: str, external_id: str, *, source: str, **ids: Any) -> bool:
    """Delete a record and what depends on it, as `Writer.delete` does, with a `.deleted`
    event for each of them the host ATS hears of (an application, a note, an InMail of a
    purged candidate: the vendor deletes them too). False: there was no such record."""
    return delete_all(w, name, external_id, source=source, **ids) is not None


def delete_all(w: Writer, name: str, external_id: str, *, source: str,
               **ids: Any) -> list[tuple[str, int, str]] | None:
    """`delete`, returning what it deleted: (entity, id, external id), the dependents first
    (None: there was no such record)."""
    recorder = _Recorder(w.changes)
    if not delete_record(w.conn, recorder, entity(name), tenant_id=w.tenant_id,
                         external_id=external_id, now_ms=w.now_ms):
        return None
    for gone_entity, gone_id in recorder.deleted:
        subject = SUBJECTS.get(gone_entity)
        if subject is None:
            continue  # stage history, memberships...: gone with their parent's event
        data: dict[str, Any] = {subject: gone_id, "source": source, **_ids(**ids)}
        if gone_entity != name:
            data[SUBJECTS.get(name, name)] = external_id  # the record whose deletion took it
        emit(w.conn, w.tenant_id, f"{subject}.deleted", gone_id, data)
    return recorder.refs
