"""Explainable identity's actions (issue 19, part 3): merge two candidates and undo it, and
resolve a review item, a stub profile or a One-Click Export (link it to a candidate, create
one, or merge candidates and link).

A merge moves the merged candidate's applications, notes, InMails and other activity,
pipeline memberships and files to the kept one, fills the kept one's empty fields, then
deletes the merged one: the changelog carries all of it, so the sync re-sends the moved
records under the kept candidate, updates it and deletes the merged one on LinkedIn. The merge
is kept (`candidate_merges`) with what moved, so an unmerge re-creates the merged candidate
(a new create on LinkedIn) and moves exactly those records back.

Errors name the field: LookupError for an unknown candidate, review or merge (404); ValueError
for a request the records' state refuses (409); errors.IdentityRequestInvalid (a ValueError)
for a request that is wrong in itself (422).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from recruitlink.core import export_rules, stub_rules
from recruitlink.core import identity as rules
from recruitlink.core.export_rules import CandidateView
from recruitlink.core.records import Application as ApplicationRecord
from recruitlink.core.records import Candidate, Interaction, Note, ProjectMembership
from recruitlink.errors import IdentityRequestInvalid
from recruitlink.store import Store, Writer, entity
from recruitlink.store import identity as stored
from recruitlink.store import inbound_inbox as inbox
from recruitlink.store import inbound_items as items
from recruitlink.store.inbound_candidates import view_of, views_by_email, views_by_member
from recruitlink.store.records import Mode, get_record

from . import announce
from .exports import announce_export, apply_export, export_details
from .stubs import apply_decision, phone_region

MERGE = announce.MERGE
ACTIONS = ("link", "create", "merge")
MODELS: dict[str, Any] = {"applications": ApplicationRecord, "notes": Note,
                          "interactions": Interaction, "project_memberships": ProjectMembership}


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    kept: str
    merged: str
    moved: dict[str, list[str]]


def _write(w: Writer, name: str, models: list[Any], mode: Mode = "upsert") -> None:
    for outcome in w.records(name, list(enumerate(models)), mode):
        if outcome.status == "rejected":
            raise ValueError("; ".join(f"{name}.{e['field']}: {e['reason']}"
                                       for e in outcome.errors))


def _move(w: Writer, moved: dict[str, list[str]], to: str) -> None:
    """Re-parent records to candidate `to`, each entity in one bulk write."""
    for name, ids in moved.items():
        if name in MODELS and ids:
            _write(w, name, [MODELS[name](id=external_id, candidate_id=to) for external_id in ids])


def merge_candidates(w: Writer, kept: str, merged: str, *, reason: str | None = None,
                     field_names: tuple[str, str] = ("kept", "merged")) -> MergeResult:
    """Merge candidate `merged` into `kept` (external ids)."""
    conn = w.conn
    rows = []
    for name, external_id in zip(field_names, (kept, merged), strict=True):
        row = stored.candidate_row(conn, w.tenant_id, external_id)
        if row is None:
            raise LookupError(f"{name}: no candidate {external_id!r} in this tenant")
        rows.append(row)
    kept_row, merged_row = rows
    (kept_jobs, kept_projects), (merged_jobs, merged_projects) = (
        stored.targets(conn, kept_row.id), stored.targets(conn, merged_row.id))
    problems = rules.merge_conflicts(kept, merged, kept_jobs, merged_jobs, kept_projects,
                                     merged_projects)
    if problems:  # named as the caller names the merged candidate
        raise ValueError("; ".join(p.replace("merged:", f"{field_names[1]}:", 1)
                                   for p in problems))
    spec = entity("candidates")
    kept_rec = get_record(conn, spec, tenant_id=w.tenant_id, external_id=kept) or {}
    merged_rec = get_record(conn, spec, tenant_id=w.tenant_id, external_id=merged) or {}
    moved = stored.children(conn, merged_row.id)
    _move(w, moved, kept)
    moved["files"] = stored.move_files(conn, w.changes, w.tenant_id, merged_row.id,
                                       kept_row.id)
    plan = rules.plan_merge(kept_rec, merged_rec, merged_id=merged)
    if plan.assign:
        _write(w, "candidates", [Candidate(id=kept, **plan.assign)], "update")
    announce.records_moved(conn, w.tenant_id, moved, candidate=kept, source=MERGE,
                           merged=merged)
    announce.delete(w, "candidates", merged, source=MERGE, kept=kept)
    announce.candidate_updated(conn, w.tenant_id, kept, plan.assign, source=MERGE,
                               merged=merged)
    merge_id = stored.record_merge(conn, w.tenant_id, kept=kept, merged=merged,
                                   snapshot=merged_rec, moved=moved,
                                   kept_before={"before": plan.before, "wrote": plan.assign},
                                   reason=reason, now_ms=w.now_ms)
    return MergeResult(merge_id, kept, merged, moved)


def unmerge(w: Writer, merge_id: int) -> MergeResult:
    """Undo a merge: the merged candidate again, with the records that moved (those still
    on the kept candidate), and the kept one's fields as before."""
    conn = w.conn
    row = stored.merge(conn, w.tenant_id, merge_id, lock=True)
    if row is None:
        raise LookupError(f"merge: no merge {merge_id} in this tenant")
    if row.unmerged_at is not None:
        raise ValueError(f"merge: merge {merge_id} was already undone")
    kept_row = stored.candidate_row(conn, w.tenant_id, row.kept)
    if kept_row is None:
        raise ValueError(f"merge: the kept candidate {row.kept!r} no longer exists")
    if stored.candidate_row(conn, w.tenant_id, row.merged) is not None:
        raise ValueError(f"merge: a candidate {row.merged!r} exists again")
    snapshot = {k: v for k, v in row.snapshot.items() if k != "modified_at"}
    _write(w, "candidates", [Candidate(**snapshot)], "create")
    merged_row = stored.candidate_row(conn, w.tenant_id, row.merged)
    still = stored.children(conn, kept_row.id)
    back = {name: [i for i in ids if i in set(still.get(name, ()))]
            for name, ids in row.moved.items() if name in MODELS}
    _move(w, back, row.merged)
    back["files"] = stored.move_files(conn, w.changes, w.tenant_id, kept_row.id,
                                      merged_row.id, only=list(row.moved.get("files", [])))
    current = get_record(conn, entity("candidates"), tenant_id=w.tenant_id,
                         external_id=row.kept) or {}
    restore = rules.plan_unmerge(current, row.kept_before["wrote"], row.kept_before["before"])
    if restore:
        _write(w, "candidates", [Candidate(id=row.kept, **restore)], "update")
    announce.candidate_created(conn, w.tenant_id, row.merged, source=MERGE, unmerged=merge_id)
    announce.records_moved(conn, w.tenant_id, back, candidate=row.merged, source=MERGE,
                           unmerged=merge_id)
    announce.candidate_updated(conn, w.tenant_id, row.kept, restore, source=MERGE,
                               unmerged=merge_id)
    stored.mark_unmerged(conn, w.tenant_id, merge_id, w.now_ms)
    return MergeResult(merge_id, row.kept, row.merged, back)


# -- the review queue ------------------------------------------------------------------------

def resolve_review(w: Writer, review_id: int, action: str, candidate: str | None = None,
                   merge: list[str] | None = None) -> dict[str, Any]:
    """Resolve a review item: "link" it to `candidate`, "create" a new candidate from it, or
    "merge" the candidates `merge` into `candidate` and link it to `candidate`."""
    conn = w.conn
    if action not in ACTIONS:
        raise IdentityRequestInvalid(f"action: must be one of {', '.join(ACTIONS)}, not {action!r}")
    item = stored.review(conn, w.tenant_id, review_id, lock=True)
    if item is None:
        raise LookupError(f"review: no review item {review_id} in this tenant")
    if item.status != stored.OPEN:
        raise ValueError(f"review: item {review_id} is already resolved ({item.resolution})")
    if action != "create" and not candidate:
        raise IdentityRequestInvalid(f"candidate: required to {action}")
    if action == "merge" and not merge:
        raise IdentityRequestInvalid("merge: the candidates to merge into candidate are required")
    if action != "merge" and merge:
        raise IdentityRequestInvalid("merge: only with action merge")
    element = item.payload["element"]
    merges = [merge_candidates(w, candidate, other, reason=f"review item {review_id}",
                               field_names=("candidate", "merge")).merge_id
              for other in merge or [] if candidate]
    chosen = None
    if candidate:
        chosen = view_of(conn, w.tenant_id, candidate)
        if chosen is None:
            raise LookupError(f"candidate: no candidate {candidate!r} in this tenant")
    evidence = f"linked by an admin in the review queue (item {review_id}: {item.reason})"
    if item.kind == "export":
        result_id, outcome = _apply_export(w, element, chosen, evidence)
    else:
        result_id, outcome = _apply_stub(w, item.li_id, element, chosen, evidence)
    done = {"link": f"linked to candidate {candidate}",
            "create": f"created candidate {result_id}",
            "merge": f"merged {', '.join(merge or [])} into {candidate} and linked to it"}
    stored.resolve(conn, w.tenant_id, review_id, done[action], w.now_ms)
    return {"id": review_id, "kind": item.kind, "action": action, "candidate": result_id,
            "outcome": outcome, "merges": merges, "resolution": done[action]}


def _apply_export(w: Writer, element: dict[str, Any], chosen: CandidateView | None,
                  evidence: str) -> tuple[str | None, str]:
    export = export_rules.parse_export(element)
    result = apply_export(w, export, w.now_ms, element=element, chosen=chosen,
                          create=chosen is None, evidence=evidence if chosen else None)
    if result.outcome not in ("created", "merged"):
        raise ValueError(f"review: the export could not be applied: {result.reason}")
    result = replace(result, seat=export.exporter.seat, details=export_details(export))
    announce_export(w, export.request_id, export, result)
    row = stored.candidate_row(w.conn, w.tenant_id, result.candidate_id or "")
    inbox.reviewed(w.conn, w.tenant_id, export.request_id, outcome=result.outcome,
                   reason=result.reason, candidate_id=row.id if row is not None else None)
    return result.candidate_id, result.outcome


def _apply_stub(w: Writer, li_id: str, element: dict[str, Any], chosen: CandidateView | None,
                evidence: str) -> tuple[str | None, str]:
    conn = w.conn
    stub = stub_rules.parse_stub(element)
    if chosen is not None:
        decision = stub_rules.decide_stub(
            stub, views_by_member(conn, w.tenant_id, stub.person),
            views_by_email(conn, w.tenant_id, stub.email), [], phone_region=phone_region(w),
            chosen=chosen)
    else:
        decision = stub_rules.decide_stub(stub, [], [], [], phone_region=phone_region(w))
    outcome = apply_decision(w, li_id, element, stub, decision, w.now_ms,
                             evidence=evidence if chosen else None)
    if outcome in (items.FAILED, items.REFUSED):
        raise ValueError(f"review: the stub could not be applied ({outcome}); see the "
                         "LinkedIn items page")
    result_id = chosen.id if chosen is not None else items.candidate_external_id_of(
        conn, w.tenant_id, "stub", li_id)
    return result_id, outcome


def review_json(row: Any) -> dict[str, Any]:
    """A review item as the API and CLI show it."""
    element = row.payload.get("element") or {}
    profile = element.get("candidate") if row.kind == "export" else element
    profile = profile if isinstance(profile, dict) else {}
    exporter = element.get("exporter") if row.kind == "export" else None
    return {"id": row.id, "kind": row.kind, "linkedin_id": row.li_id, "person": row.person,
            "name": f"{profile.get('firstName', '')} {profile.get('lastName', '')}".strip(),
            "email": element.get("emailAddress"),
            "job": element.get("externalJobPostingId") or element.get("externalPipelineId"),
            "exporter": " ".join(p for p in (exporter.get("firstName"), exporter.get(
                "lastName")) if isinstance(p, str)) if isinstance(exporter, dict) else None,
            "reason": row.reason,
            "candidates": row.candidates, "status": row.status,
            "resolution": row.resolution, "created_at": row.created_at,
            "resolved_at": row.resolved_at}


# -- one transaction each, for the pages, the API and the CLI -------------------------------

def list_reviews(store: Store, tenant_id: int, *, status: str | None = stored.OPEN
                 ) -> list[dict[str, Any]]:
    with store.reader() as conn:
        return [review_json(r) for r in stored.reviews(conn, tenant_id, status=status)]


def resolve(store: Store, tenant_id: int, review_id: int, action: str,
            candidate: str | None = None, merge: list[str] | None = None) -> dict[str, Any]:
    with store.writer(tenant_id) as w:
        return resolve_review(w, review_id, action, candidate, merge)


def merge(store: Store, tenant_id: int, kept: str, merged: str) -> MergeResult:
    with store.writer(tenant_id) as w:
        return merge_candidates(w, kept, merged)


def undo_merge(store: Store, tenant_id: int, merge_id: int) -> MergeResult:
    with store.writer(tenant_id) as w:
        return unmerge(w, merge_id)


def merges_into(store: Store, tenant_id: int, kept: str) -> list[dict[str, Any]]:
    """The merges into a candidate not undone, newest first, as the API shows them."""
    with store.reader() as conn:
        return [merge_json(r) for r in stored.merges_of(conn, tenant_id, kept)]


def merge_json(row: Any) -> dict[str, Any]:
    snapshot = row.snapshot or {}
    return {"id": row.id, "kept": row.kept, "merged": row.merged,
            "merged_name": " ".join(p for p in (snapshot.get("first_name"),
                                                snapshot.get("last_name")) if p),
            "moved": row.moved, "moved_summary": rules.moved_summary(row.moved),
            "reason": row.reason, "merged_at": row.merged_at,
            "unmerged_at": row.unmerged_at}


def result_json(result: MergeResult) -> dict[str, Any]:
    return {"merge": result.merge_id, "kept": result.kept, "merged": result.merged,
            "moved": result.moved, "moved_summary": rules.moved_summary(result.moved)}
