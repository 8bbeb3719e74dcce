"""LinkedIn Hiring Assistant evaluations of exported applications (reference §5.9, shape
assumed in core.assumed): read per organization by the pollers on the versioned API, stored
by LinkedIn's id (a re-read updates, never doubles), and linked to the candidate and the
application the One-Click Export created.

The link: the export's push request id names the candidate the export became (the inbox
keeps it); failing that, the one candidate linked to the member. The application is that
candidate's in the evaluated job. An evaluation read before its export was processed is kept
unlinked and waits in `inbound_items`, like an InMail, until a candidate is linked to the
member; the poller then applies it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from recruitlink.core.assumed import ASSESSMENTS, EVALUATION_URN_PREFIX, EXPORT_PUSH, OVERALL_FITS
from recruitlink.store import Writer
from recruitlink.store import inbound_evaluations as kept
from recruitlink.store import inbound_items as items
from recruitlink.store.inbound_candidates import (
    candidate_exists,
    is_confidential,
    linked_to_member,
)

MAX_TEXT = 20_000
FIT_LABELS = {"STRONG_FIT": "Strong fit", "GOOD_FIT": "Good fit", "PARTIAL_FIT": "Partial fit",
              "NOT_A_FIT": "Not a fit"}
ASSESSMENT_LABELS = {"MEETS": "Meets", "PARTIALLY_MEETS": "Partially meets",
                     "DOES_NOT_MEET": "Does not meet", "UNKNOWN": "Unknown"}
assert set(FIT_LABELS) == set(OVERALL_FITS) and set(ASSESSMENT_LABELS) == set(ASSESSMENTS)


@dataclass(frozen=True)
class Evaluation:
    li_id: str
    request_id: str | None
    person: str | None
    job: str | None
    created_at: int
    overall_fit: str
    summary: str
    qualifications: list[dict[str, str]]


def parse(element: Any) -> Evaluation:
    """An `exportedApplicationEvaluations` element, checked; ValueError names the field."""
    if not isinstance(element, Mapping):
        raise ValueError("an evaluation must be a JSON object")
    li_id = element.get("id")
    if not isinstance(li_id, str) or not li_id.startswith(EVALUATION_URN_PREFIX) \
            or len(li_id) > 200:
        raise ValueError(f"id: must be {EVALUATION_URN_PREFIX}<id>")
    created = element.get("createdAt")
    if not isinstance(created, int) or isinstance(created, bool) or created < 0:
        raise ValueError("createdAt: must be epoch milliseconds")
    fit = element.get("overallFit")
    if fit not in OVERALL_FITS:
        raise ValueError(f"overallFit: must be one of {', '.join(OVERALL_FITS)}")
    summary = element.get("summary")
    if not isinstance(summary, str):
        raise ValueError("summary: must be a string")
    job = element.get("job")
    job_id = job.get("externalJobPostingId") if isinstance(job, Mapping) else None
    raw = element.get("qualifications")
    if not isinstance(raw, list):
        raise ValueError("qualifications: must be a list")
    qualifications = []
    for n, q in enumerate(raw):
        if not isinstance(q, Mapping) or not all(
                isinstance(q.get(k), str) for k in ("requirement", "assessment", "evidence")):
            raise ValueError(f"qualifications[{n}]: needs requirement, assessment, evidence")
        if q["assessment"] not in ASSESSMENTS:
            raise ValueError(f"qualifications[{n}].assessment: must be one of "
                             f"{', '.join(ASSESSMENTS)}")
        qualifications.append({k: str(q[k])[:MAX_TEXT] for k in
                               ("requirement", "assessment", "evidence")})
    return Evaluation(li_id=li_id, request_id=_text(element.get("requestId"), 200),
                      person=_text(element.get("candidate"), 100),
                      job=_text(job_id, 200), created_at=created, overall_fit=str(fit),
                      summary=summary[:MAX_TEXT], qualifications=qualifications)


def _text(value: Any, limit: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def apply_evaluation(w: Writer, element: Any) -> str:
    """Store one evaluation: "stored" (new), "updated", "unchanged", "waiting" (stored, not
    linked yet), or "skipped" (its candidate is confidential)."""
    found = parse(element)
    conn, tenant_id = w.conn, w.tenant_id
    candidate_id, application_id = _link(conn, tenant_id, found.request_id, found.person,
                                         found.job)
    if candidate_id is not None and is_confidential(conn, candidate_id):
        # As InMails and notes: a confidential candidate gets nothing from LinkedIn.
        kept.forget(conn, tenant_id, found.li_id)
        items.record(conn, tenant_id, "evaluation", found.li_id, outcome="skipped",
                     now_ms=w.now_ms, candidate_id=candidate_id,
                     reason="confidential candidate")
        return "skipped"
    values = {"request_id": found.request_id, "person": found.person,
              "job_external_id": found.job, "candidate_id": candidate_id,
              "application_id": application_id, "overall_fit": found.overall_fit,
              "summary": found.summary, "qualifications": found.qualifications,
              "evaluated_at": found.created_at}
    row = kept.stored(conn, tenant_id, found.li_id)
    if row is None:
        kept.insert(conn, tenant_id, found.li_id, w.now_ms, **values)
        outcome = "stored"
    elif any(getattr(row, k) != v for k, v in values.items()):
        kept.update_row(conn, row.id, w.now_ms, **values)
        outcome = "updated"
    else:
        outcome = "unchanged"
    if candidate_id is None:
        outcome = items.WAITING
    items.record(conn, tenant_id, "evaluation", found.li_id, outcome=outcome, now_ms=w.now_ms,
                 candidate_id=candidate_id, li_modified_at=found.created_at,
                 person=found.person,
                 payload={"element": dict(element)} if outcome == items.WAITING else None)
    return outcome


def _link(conn: Connection, tenant_id: int, request_id: str | None, person: str | None,
          job: str | None) -> tuple[int | None, int | None]:
    candidate_id = None
    if request_id is not None:
        candidate_id = kept.candidate_of_push(conn, tenant_id, EXPORT_PUSH, request_id)
        if candidate_id is not None and not candidate_exists(conn, candidate_id):
            candidate_id = None  # deleted since
    if candidate_id is None and person is not None:
        found = linked_to_member(conn, tenant_id, person, limit=2)
        if len(found) == 1:  # two candidates for one member: not ours to choose
            candidate_id = found[0].id
    if candidate_id is None or job is None:
        return candidate_id, None
    return candidate_id, kept.application_in_job(conn, tenant_id, candidate_id, job)


def for_candidate(conn: Connection, tenant_id: int, candidate_id: int) -> list[dict[str, Any]]:
    """The candidate's evaluations, newest first, for the candidate page and the API."""
    rows = kept.of_candidate(conn, tenant_id, candidate_id)
    return [{"id": r.li_id, "application": r.application, "job": r.job_external_id,
             "jobTitle": r.job_title, "overallFit": r.overall_fit, "summary": r.summary,
             "qualifications": list(r.qualifications or []), "evaluatedAt": r.evaluated_at}
            for r in rows]
