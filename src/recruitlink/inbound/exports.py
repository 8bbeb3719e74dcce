"""One-Click Export into the ATS/CRM: fetch the export LinkedIn announced, decide with the
seeds' rules (`core.export_rules`), and apply the decision in one store transaction, whose
changelog then syncs the candidate back to LinkedIn with its `manualMatchedMember`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from recruitlink.core import export_changes
from recruitlink.core import export_rules as rules
from recruitlink.core.identity import export_evidence
from recruitlink.core.linkedin_schema import http_url_problem
from recruitlink.core.matching import profile_slug
from recruitlink.core.records import (
    Application,
    Candidate,
    DuplicateAlert,
    Interaction,
    Phone,
    ProjectMembership,
    Source,
    SourceContact,
    StageTransition,
)
from recruitlink.errors import ClaimLost, LinkedInRequestError
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import Store, Writer
from recruitlink.store import identity as reviews
from recruitlink.store import inbound_exports as ats
from recruitlink.store.inbound_candidates import (
    list_fields,
    views_by_last_name,
    views_by_member,
)
from recruitlink.store.inbound_seats import mapped_user_row
from recruitlink.store.records import new_external_id

from . import announce


@dataclass(frozen=True)
class ExportResult:
    outcome: str  # created | merged | failed
    reason: str | None
    """Why it failed; or, created or merged, what was left out (a bad profile URL)."""
    candidate_id: str | None  # external id
    seat: str | None = None
    """The exporting seat (urn:li:seat:N), once the export was read."""
    details: dict[str, Any] | None = None
    """What was exported, for the pages: member, name, job or pipeline (`export_details`),
    and what it changed on the candidate (`changes`)."""
    changes: list[dict[str, Any]] | None = None
    """`core.export_changes`: each field the export changed, as JSON."""
    written: dict[str, Any] | None = None
    """The candidate's fields the export wrote, with their new values (the host ATS's
    `candidate.updated`)."""
    application: tuple[str, str, str | None] | None = None
    """The hiring process it created: (its external id, the job's, its stage)."""
    activity: str | None = None
    """The external id of the activity it added to the candidate (the recruiter's note)."""


def export_details(export: rules.Export) -> dict[str, Any]:
    return {"person": export.person,
            "name": f"{export.candidate.first_name} {export.candidate.last_name}".strip(),
            "job": export.job_id, "pipeline": export.pipeline_id,
            "exporter": export.exporter.name}


def fetch_export(client: LinkedInClient, request_id: str) -> dict[str, Any] | None:
    """The `exportedCandidates` element for a request id, or None if LinkedIn has none."""
    try:
        found = client.find("exportedCandidates", [("q", "request"), ("requestId", request_id)])
    except LinkedInRequestError as exc:
        if exc.status == 404:
            return None
        raise
    return found[0] if found else None


def process_export(store: Store, client: LinkedInClient, *, tenant_id: int, organization: str,
                   request_id: str, now_ms: int,
                   settle: Callable[[Connection, ExportResult], bool] | None = None
                   ) -> ExportResult:
    """`settle` marks the push done in the same transaction as the export's effect, so a
    crash leaves either both or neither; when it returns False (the claim was lost to
    another worker) the effect is rolled back."""
    element = fetch_export(client, request_id)
    if element is None:
        return ExportResult("failed", f"LinkedIn has no export {request_id}", None)
    # Defence in depth (reference §5.1): the export must belong to this tenant's organization.
    if element.get("integrationContext") != organization:
        return ExportResult("failed", "the export belongs to another organization "
                                      f"({element.get('integrationContext')!r})", None)
    try:
        export = rules.parse_export(element)
    except ValueError as exc:
        return ExportResult("failed", f"malformed export: {exc}", None)
    with store.writer(tenant_id) as w:
        applied = apply_export(w, export, now_ms, element=element)
        details = export_details(export)
        # Who the seat was mapped to when it exported (None: nobody): the Exports pages show
        # this, not the mapping of today (a seat mapped afterwards did not export as them).
        mapped = mapped_user_row(w.conn, tenant_id, export.exporter.seat)
        details["seat_user"] = str(mapped.name) if mapped is not None else None
        if applied.changes is not None:
            details["changes"] = applied.changes
        result = replace(applied, seat=export.exporter.seat, details=details)
        announce_export(w, request_id, export, result)
        if settle is not None and not settle(w.conn, result):
            raise ClaimLost(f"push {request_id} was taken over by another worker")
        return result


def announce_export(w: Writer, request_id: str, export: rules.Export,
                    result: ExportResult) -> None:
    """Tell the host ATS what the export did, in its transaction (a queued export: once it is
    resolved)."""
    if result.outcome == "review":
        return
    ids = {"request": request_id, "person": export.person, "seat": export.exporter.seat}
    if result.outcome == "failed" or result.candidate_id is None:
        announce.export_refused(w.conn, w.tenant_id, request_id=request_id,
                                reason=result.reason, seat=export.exporter.seat,
                                person=export.person, candidate=result.candidate_id)
        return
    if result.outcome == "created":
        announce.candidate_created(w.conn, w.tenant_id, result.candidate_id,
                                   source=announce.EXPORT, job=export.job_id,
                                   pipeline=export.pipeline_id, **ids)
    elif result.written:
        announce.candidate_updated(w.conn, w.tenant_id, result.candidate_id, result.written,
                                   source=announce.EXPORT, **ids)
    if result.application is not None:
        application_id, job_id, stage = result.application
        announce.application_created(w.conn, w.tenant_id, application_id,
                                     candidate=result.candidate_id, job=job_id, stage=stage,
                                     source=announce.EXPORT, **ids)
    if result.activity is not None:
        announce.history_item(w.conn, w.tenant_id, "interaction", result.activity,
                              created=True, source=announce.EXPORT,
                              candidate=result.candidate_id, **ids)


def apply_export(w: Writer, export: rules.Export, now_ms: int, *,
                 element: dict[str, Any] | None = None,
                 chosen: rules.CandidateView | None = None, create: bool = False,
                 evidence: str | None = None) -> ExportResult:
    """Apply one export. An ambiguous one is queued for review with `element` (the review
    queue applies it later with an admin's `chosen` candidate, or `create`: a new one, no
    candidate weighed as similar); `evidence`: why its candidate is the member, when an admin
    chose it."""
    conn = w.conn
    kind = ats.tenant_kind(conn, w.tenant_id)
    identity = _by_identity(conn, w.tenant_id, export)
    decision = rules.decide(
        export, [v for v in identity if not create or v.person_urn == export.person],
        [] if create else _similar(conn, w.tenant_id, export),
        kind=kind, target_exists=_target_exists(conn, w.tenant_id, export),
        exporter_user=_seat_user(conn, w.tenant_id, export.exporter.seat),
        default_user=_default_user(conn, w.tenant_id), now_ms=now_ms,
        target_closed=_job_closed(conn, w.tenant_id, export.job_id),
        first_stage=_first_stage(conn, w.tenant_id, export.job_id), chosen=chosen,
        target_title=_target_title(conn, w.tenant_id, export))
    if decision.outcome == "review":
        reviews.queue(conn, w.tenant_id, kind="export", li_id=export.request_id,
                      person=export.person, reason=decision.reason or "ambiguous",
                      candidates_=[{"id": c, "why": why} for c, why in decision.review],
                      payload={"element": element if element is not None else {}},
                      now_ms=now_ms)
        return ExportResult("review", f"queued for review: {decision.reason}", None)
    if decision.outcome == "failed" or decision.write is None:
        return ExportResult("failed", decision.reason, decision.candidate_id)
    candidate_id = decision.candidate_id or new_external_id()
    fields, dropped = _candidate_fields(conn, w.tenant_id, candidate_id, decision.write)
    if "person_urn" in fields:  # a new link: the same URL (a merge) or a new candidate
        fields["link_evidence"] = (evidence or export_evidence(
            "url" if decision.candidate_id else None, person=export.person,
            profile_url=export.candidate.profile_url))[:400]
    if decision.source is not None and decision.candidate_id is None:
        fields.update(_source_fields(w, decision.source))
    _write(w, "candidates", Candidate(id=candidate_id, **fields))
    application = None
    if decision.application is not None:
        app = decision.application
        application_id = new_external_id()
        application = (application_id, app.job_id, app.stage)
        _write(w, "applications", Application(
            id=application_id, candidate_id=candidate_id, job_id=app.job_id,
            source=app.source, current_stage=app.stage, outcome=app.outcome,
            created_at=_when(app.created_at)))
        if app.stage is not None:
            # The stage history LinkedIn shows starts with the same stage as current_stage.
            _write(w, "stage_transitions", StageTransition(
                id=new_external_id(), application_id=application_id, stage=app.stage,
                entered_at=_when(app.created_at)))
    if decision.membership is not None:
        member = decision.membership
        _write(w, "project_memberships", ProjectMembership(
            candidate_id=candidate_id, project_id=member.project_id, source=member.source))
    for alert in decision.alerts:
        first = alert.candidate_id or candidate_id
        if not _alert_exists(conn, w.tenant_id, first, alert.other_candidate_id):
            _write(w, "duplicate_alerts", DuplicateAlert(
                candidate_id=first, other_candidate_id=alert.other_candidate_id,
                reason=alert.reason[:400], status="open"))
    activity = None
    if decision.interaction is not None:
        act = decision.interaction
        activity = new_external_id()
        _write(w, "interactions", Interaction(
            id=activity, candidate_id=candidate_id, user_id=act.user_id,
            project_id=act.project_id,
            type=act.type, occurred_at=_when(act.occurred_at),
            subject=act.subject[:400], content=act.content))
    before = next((v for v in identity if v.id == decision.candidate_id), None)
    changes = export_changes.summarize(
        before, decision, application=_application_line(conn, w.tenant_id, decision.application),
        pipeline=_pipeline_line(conn, w.tenant_id, decision.membership))
    return ExportResult(decision.outcome, "; ".join(dropped) or None, candidate_id,
                        changes=[c.as_json() for c in changes], written=fields,
                        application=application, activity=activity)


def _application_line(conn: Connection, tenant_id: int,
                      app: rules.NewApplication | None) -> str | None:
    """The new hiring process as the candidate page lists it: "Staff Engineer (job J1) at
    stage Applied"."""
    if app is None:
        return None
    where = rules.named_target("job", app.job_id, ats.job_title(conn, tenant_id, app.job_id))
    return f"{where} at stage {app.stage}" if app.stage else where


def _pipeline_line(conn: Connection, tenant_id: int,
                   member: rules.NewMembership | None) -> str | None:
    """The pipeline joined, as the candidate page lists it: "Rust engineers (pipeline P1)"."""
    if member is None:
        return None
    return rules.named_target("pipeline", member.project_id,
                              ats.project_title(conn, tenant_id, member.project_id))


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _write(w: Writer, entity: str, model: Any) -> None:
    outcome = w.records(entity, [(0, model)], "upsert" if model.id else "create")[0]
    if outcome.status == "rejected":
        # The decision was made on what the store holds; a refusal here is a bug or a race.
        problems = "; ".join(f"{e['field']}: {e['reason']}" for e in outcome.errors or [])
        raise ValueError(f"{entity}: {problems}")


# -- what the rules need to know ------------------------------------------------------------

def _url_variants(url: str | None) -> list[str]:
    slug = profile_slug(url)
    if not slug:
        return []
    hosts = ("https://www.linkedin.com", "http://www.linkedin.com", "https://linkedin.com",
             "www.linkedin.com", "linkedin.com")
    return [f"{h}/in/{s}{tail}" for h in hosts for s in {slug, slug.lower()}
            for tail in ("", "/")]


def _by_identity(conn: Connection, tenant_id: int,
                 export: rules.Export) -> list[rules.CandidateView]:
    return views_by_member(conn, tenant_id, export.person,
                           _url_variants(export.candidate.profile_url))


def _similar(conn: Connection, tenant_id: int, export: rules.Export) -> list[rules.CandidateView]:
    return views_by_last_name(conn, tenant_id, export.candidate.last_name)


def _target_exists(conn: Connection, tenant_id: int, export: rules.Export) -> bool:
    if export.job_id is not None:
        return ats.job_exists(conn, tenant_id, export.job_id)
    if export.pipeline_id is not None:
        return ats.project_exists(conn, tenant_id, export.pipeline_id)
    return True


def _target_title(conn: Connection, tenant_id: int, export: rules.Export) -> str | None:
    if export.job_id is not None:
        return ats.job_title(conn, tenant_id, export.job_id)
    if export.pipeline_id is not None:
        return ats.project_title(conn, tenant_id, export.pipeline_id)
    return None


def _job_closed(conn: Connection, tenant_id: int, job_id: str | None) -> bool:
    if job_id is None:
        return False
    return ats.job_status(conn, tenant_id, job_id) == "closed"


def _first_stage(conn: Connection, tenant_id: int, job_id: str | None) -> str | None:
    """The job's first stage: the one its earliest hiring process entered first. None when
    the job has no stage history (the rules then use their default)."""
    if job_id is None:
        return None
    return ats.first_stage(conn, tenant_id, job_id)


def _user_view(row: Any) -> rules.UserView:
    return rules.UserView(id=row.external_id, name=row.name or row.email or row.external_id,
                          email=row.email or "")


def _seat_user(conn: Connection, tenant_id: int, seat: str) -> rules.UserView | None:
    row = mapped_user_row(conn, tenant_id, seat)
    return _user_view(row) if row is not None else None


def _default_user(conn: Connection, tenant_id: int) -> rules.UserView | None:
    row = ats.default_integration_user(conn, tenant_id)
    return _user_view(row) if row is not None else None


def _candidate_fields(conn: Connection, tenant_id: int, candidate_id: str,
                      write: rules.CandidateWrite) -> tuple[dict[str, Any], list[str]]:
    """The full values of the fields the write touches: scalars as assigned, lists as the
    stored list plus the appended values; and why a value is left out. LinkedIn's profile URL
    is linked to on our pages, so one that is not http(s) is dropped, never stored."""
    fields: dict[str, Any] = dict(write.assign)
    dropped: list[str] = []
    url = fields.get("linkedin_url")
    problem = http_url_problem(url) if url else None
    if problem is not None:
        del fields["linkedin_url"]
        dropped.append(f"publicProfileUrl: not stored: {problem}")
    row = list_fields(conn, tenant_id, candidate_id)
    for name, added in write.append.items():
        if not added:
            continue
        current = list(getattr(row, name) or []) if row is not None else []
        if name == "phones":
            fields[name] = [Phone(**p) for p in current] + [Phone(number=n) for n in added]
        else:
            fields[name] = current + list(added)
    return fields, dropped


def _source_fields(w: Writer, attribution: rules.SourceAttribution) -> dict[str, str]:
    """Comeet's source and source contact for a created candidate (reused when the
    recruiter's contact already exists)."""
    found = None
    if attribution.contact_email:
        known = ats.source_contact_by_email(w.conn, w.tenant_id, attribution.contact_email)
        if known is not None:
            found = rules.SourceContactView(*known)
    plan = rules.plan_source(found)
    source_id = plan.source_id
    if source_id is None:
        source_id = new_external_id()
        _write(w, "sources", Source(id=source_id, name=attribution.source_name,
                                    type=attribution.source_type))
    contact_id = plan.contact_id or new_external_id()
    if plan.contact_id is None or plan.link_contact:
        contact = SourceContact(id=contact_id, source_id=source_id)
        if plan.contact_id is None:
            contact = SourceContact(
                id=contact_id, source_id=source_id, user_id=attribution.contact_user_id,
                first_name=attribution.contact_first_name,
                last_name=attribution.contact_last_name,
                email=attribution.contact_email or None)
        _write(w, "source_contacts", contact)
    return {"source_id": source_id, "source_contact_id": contact_id}


def _alert_exists(conn: Connection, tenant_id: int, first: str, second: str) -> bool:
    return ats.duplicate_alert_exists(conn, tenant_id, first, second)
