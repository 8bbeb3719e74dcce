"""LinkedIn Hiring Assistant evaluations of exported applications:
`rest/exportedApplicationEvaluations` (reference §5.9; versioned API only, shape assumed in
core.assumed).

A member's first One-Click Export into a job gets one evaluation when it is made
(`create_for_export`), deterministic from the sandbox's seed, the member and the job: the
same export in a fresh sandbox reads the same. Its text names the job's title and the
member's headline, location and skills (skills follow the member's title: the directory has
none of its own).
"""

from __future__ import annotations

import random
import re
from typing import Any

from sqlalchemy import Connection, func, select
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import (
    EVALUATIONS_FINDER,
    EVALUATIONS_RESOURCE,
    Assessment,
    OverallFit,
    evaluation_record,
    finder_page,
)

from ..errors import ApiError
from ..state import Sandbox
from ..store import evaluations, jobs
from .batch import require_enabled
from .oauth import App
from .restli_http import RestliCall

PARAMETERS = {"q", EVALUATIONS_FINDER, "createdAfter", "start", "count", "fields"}
MAX_COUNT = 100

# What a member with each directory title is taken to know (recruiter/directory.py: TITLES).
SKILLS: dict[str, tuple[str, ...]] = {
    "Software Engineer": ("Python", "SQL", "REST APIs", "Git"),
    "Senior Software Engineer": ("Python", "Distributed systems", "Code review", "Mentoring"),
    "Data Scientist": ("Python", "Statistics", "Machine learning", "SQL"),
    "Product Manager": ("Roadmapping", "User research", "Prioritisation", "Analytics"),
    "Recruiter": ("Sourcing", "Interviewing", "Employer branding", "ATS"),
    "Engineering Manager": ("People management", "Hiring", "Delivery", "Architecture"),
    "Designer": ("Figma", "Interaction design", "Prototyping", "User research"),
    "Sales Director": ("Negotiation", "Pipeline management", "Forecasting", "CRM"),
    "Nurse": ("Patient care", "Triage", "Clinical documentation", "BLS"),
    "Accountant": ("IFRS", "Reconciliation", "Excel", "Audit"),
    "Marketing Lead": ("Campaigns", "SEO", "Analytics", "Content strategy"),
    "DevOps Engineer": ("Kubernetes", "CI/CD", "Terraform", "Linux"),
    "QA Engineer": ("Test automation", "Playwright", "Python", "Exploratory testing"),
    "CTO": ("Architecture", "Hiring", "Strategy", "Distributed systems"),
}
_WORD = re.compile(r"[a-z0-9]+")
_MINOR = {"a", "an", "and", "at", "for", "of", "the", "in", "senior", "junior", "lead"}


# -- creating: one evaluation per One-Click Export into a job ------------------------------------

def create_for_export(conn: Connection, *, seed: int, request_id: str, app_id: int, org: str,
                      person: str, profile: dict[str, Any], job: str, now: int) -> None:
    """Hiring Assistant evaluates the application the export created (an ATS export into a
    job; CRM pipelines and exports without a job have no application to evaluate). Once
    per member and job (ASSUMED: LinkedIn documents none): exporting the member into the
    job again evaluates nothing new, so the ATS is not handed the same evaluation twice."""
    if conn.execute(select(evaluations.c.id).where(
            evaluations.c.app_id == app_id, evaluations.c.org == org,
            evaluations.c.person == person, evaluations.c.job == job).limit(1)).first():
        return
    posting = conn.execute(select(jobs.c.body).where(jobs.c.org == org,
                                                     jobs.c.external_id == job)).scalar()
    body = assess(seed, profile, dict(posting or {}), job)
    conn.execute(evaluations.insert().values(request_id=request_id, app_id=app_id, org=org,
                                             person=person, job=job, body=body,
                                             created_at=now))


def _skills_for(title: str, rng: random.Random) -> tuple[str, ...]:
    """What a job asks for: the skills of the directory title closest to its own (most
    words in common; ties drawn), else three drawn from all."""
    if title in SKILLS:
        return SKILLS[title]
    scored = sorted((len(_words(title) & _words(known)), known) for known in SKILLS)
    best = scored[-1][0]
    if best == 0:
        return tuple(rng.sample(sorted({s for v in SKILLS.values() for s in v}), 3))
    return SKILLS[rng.choice([known for score, known in scored if score == best])]


def _words(text: str | None) -> set[str]:
    return set(_WORD.findall((text or "").lower())) - _MINOR


def assess(seed: int, profile: dict[str, Any], posting: dict[str, Any],
           job: str) -> dict[str, Any]:
    """overallFit, summary and qualifications for a member against a job posting."""
    rng = random.Random(f"{seed}|{profile.get('person')}|{job}")
    title = str(posting.get("title") or f"job {job}")
    member_title = str(profile.get("currentJobTitle") or "")
    headline = str(profile.get("headline") or member_title or "a LinkedIn member")
    skills = SKILLS.get(member_title, ())
    wanted = _skills_for(title, rng)
    shared = [s for s in wanted if s in skills]

    overlap = _words(title) & _words(member_title)
    role: Assessment = ("MEETS" if _words(title) and _words(title) <= _words(member_title)
                        else "PARTIALLY_MEETS" if overlap else "DOES_NOT_MEET")
    skill: Assessment = ("MEETS" if len(shared) >= max(1, len(wanted) - 1)
                         else "PARTIALLY_MEETS" if shared else "DOES_NOT_MEET")
    job_city = str(posting.get("location") or "").split(",")[0].strip()
    member_city = str(profile.get("location") or "").split(",")[0].strip()
    place: Assessment = ("UNKNOWN" if not job_city or not member_city
                         else "MEETS" if job_city.lower() == member_city.lower()
                         else "PARTIALLY_MEETS" if rng.random() < 0.5 else "DOES_NOT_MEET")
    qualifications = [
        {"requirement": f"Experience in a role like {title}", "assessment": role,
         "evidence": f"Current role: {headline}."},
        {"requirement": "Skills: " + ", ".join(wanted), "assessment": skill,
         "evidence": ("Profile lists " + ", ".join(shared) + "." if shared else
                      "None of these appear among the profile's skills ("
                      + (", ".join(skills) or "none listed") + ").")},
        {"requirement": f"Based in or able to work from {job_city or 'the job location'}",
         "assessment": place,
         "evidence": (f"Profile location: {profile.get('location')}."
                      if member_city else "The profile shows no location.")},
    ]
    score = sum({"MEETS": 2, "PARTIALLY_MEETS": 1}.get(q["assessment"], 0)
                for q in qualifications)
    fit: OverallFit = ("STRONG_FIT" if score >= 5 else "GOOD_FIT" if score >= 4
                       else "PARTIAL_FIT" if score >= 2 else "NOT_A_FIT")
    name = str(profile.get("firstName") or "The candidate")
    verdict = {"STRONG_FIT": "a strong fit", "GOOD_FIT": "a good fit",
               "PARTIAL_FIT": "a partial fit", "NOT_A_FIT": "not a fit"}[fit]
    summary = (f"{name} ({headline}) is {verdict} for {title}: "
               + ("the current role matches the position" if role == "MEETS" else
                  "the current role is related to the position" if role == "PARTIALLY_MEETS"
                  else "the current role is in a different field")
               + (f", with {', '.join(shared)} among the skills asked for." if shared else
                  ", and the profile shows none of the skills asked for."))
    return {"overallFit": fit, "summary": summary, "qualifications": qualifications}


# -- the finder ------------------------------------------------------------------------------

def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    if app.is_parent:
        raise ApiError(403, f"Not enough permissions to access: {EVALUATIONS_RESOURCE} needs "
                            "the customer (child) application's token")
    if call.method != "GET" or len(call.segments) != 1:
        raise ApiError(405, f"{EVALUATIONS_RESOURCE} supports only its finder "
                            f"(GET ?q={EVALUATIONS_FINDER})")
    unknown = sorted(set(call.params) - PARAMETERS)
    if unknown:
        raise ApiError(400, f"unknown query parameter(s) for {EVALUATIONS_RESOURCE}: "
                            f"{', '.join(u[:60] for u in unknown[:5])}")
    if call.param("q") != EVALUATIONS_FINDER:
        raise ApiError(400, f"{EVALUATIONS_RESOURCE} needs q={EVALUATIONS_FINDER}")
    context = call.param(EVALUATIONS_FINDER)
    if not context:
        raise ApiError(400, f"{EVALUATIONS_FINDER} is required (urn:li:organization:<id>)")
    if not context.startswith("urn:li:organization:"):
        raise ApiError(400, f"{EVALUATIONS_FINDER} must be urn:li:organization:<id>")
    after = _created_after(call)
    start, count = call.int_param("start", 0), call.int_param("count", 10)
    if count > MAX_COUNT:
        raise ApiError(400, f"count may be at most {MAX_COUNT}")
    with sandbox.store.tx() as conn:
        require_enabled(conn, app.id, [context])
        query = select(evaluations).where(evaluations.c.app_id == app.id,
                                          evaluations.c.org == context,
                                          evaluations.c.created_at > after)
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
        rows = conn.execute(query.order_by(evaluations.c.created_at, evaluations.c.id)
                            .offset(start).limit(count)).all()
    elements = [evaluation_json(r) for r in rows]
    return JSONResponse(finder_page(elements, start=start, count=len(elements),
                                    total=int(total)))


def _created_after(call: RestliCall) -> int:
    raw = call.param("createdAfter")
    if raw is None:
        return -1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 15:
        raise ApiError(400, "createdAfter must be epoch milliseconds")
    return int(raw)


def evaluation_json(row: Any) -> dict[str, Any]:
    body = dict(row.body)
    return evaluation_record(evaluation_id=row.id, integration_context=row.org,
                             request_id=row.request_id, person=row.person, job=row.job,
                             created_at_ms=row.created_at, overall_fit=body["overallFit"],
                             summary=body["summary"], qualifications=body["qualifications"])
