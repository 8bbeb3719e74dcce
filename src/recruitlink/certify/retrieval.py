"""Module 3, retrieval (RSC-301..305): One-Click Exports taken in by `inbound`, the profile
widget's link and unlink, the widget signed out."""

from __future__ import annotations

from sqlalchemy import select

from recruitlink.inbound.exports import process_export
from recruitlink.inbound.links import link_member, unlink_member
from recruitlink.store.schema import applications, candidates, jobs, sources
from recruitlink.sync.engine import now_ms

from .harness import Harness


def retrieval(run: Harness) -> None:
    if run.control is None:
        for case_id in ("RSC-301", "RSC-302", "RSC-303", "RSC-304", "RSC-305"):
            with run.case(case_id) as check:
                check.manual("needs a recruiter in LinkedIn Recruiter: export a member "
                             "(or link one in the profile widget) and look at the ATS")
        return
    control = run.control
    person = str(run.people.exported)
    with run.case("RSC-301") as check:
        seat = run.seats()[0]
        request = control.export(seat, person, job="J-PUBLIC")
        result = process_export(run.store, run.client(), tenant_id=run.tid,
                                organization=run.organization, request_id=request,
                                now_ms=now_ms())
        check.that(result.outcome == "created", f"the export was {result.outcome}: "
                                               f"{result.reason}")
        run.exported_id = str(result.candidate_id)
        row = run.candidate(run.exported_id)
        check.that(row.person_urn == person, f"person URN {row.person_urn}")
        check.that(_jobs_of(run, run.exported_id) == {"J-PUBLIC"},
                   f"applications on {_jobs_of(run, run.exported_id)}")
        source = _source_name(run, row.source_id)
        check.that("LinkedIn" in (source or ""), f"source {source!r}")
        check.that(any("LinkedIn" in t for t in row.tags or []), f"tags {row.tags}")
        check.note(f"candidate {run.exported_id} on J-PUBLIC, source {source!r}, "
                   f"tags {row.tags}")
        run.sync()
    with run.case("RSC-302") as check:
        row = run.candidate(run.exported_id)
        fields = {name: getattr(row, name) for name in (
            "first_name", "last_name", "headline", "current_title", "current_company",
            "location", "linkedin_url", "person_urn", "tags", "source_id")}
        filled = sorted(k for k, v in fields.items() if v)
        check.that({"first_name", "last_name", "person_urn"} <= set(filled),
                   f"fields ingested: {filled}")
        check.note("from One-Click Export: " + ", ".join(filled) + "; contact details "
                   "(email, phone) come from InMail stub profiles (mailStubs)")
    with run.case("RSC-303") as check:
        request = control.export(run.seats()[0], person, job="J-PRIVATE")
        result = process_export(run.store, run.client(), tenant_id=run.tid,
                                organization=run.organization, request_id=request,
                                now_ms=now_ms())
        check.that(result.outcome == "merged" and result.candidate_id == run.exported_id,
                   f"the re-export was {result.outcome} into {result.candidate_id}")
        with run.store.reader() as conn:
            same = conn.execute(select(candidates.c.external_id).where(
                candidates.c.tenant_id == run.tid,
                candidates.c.person_urn == person)).all()
        check.that(len(same) == 1, f"{len(same)} candidates for {person}")
        check.that(_jobs_of(run, run.exported_id) == {"J-PUBLIC", "J-PRIVATE"},
                   f"applications on {_jobs_of(run, run.exported_id)}")
        check.note(f"one candidate {run.exported_id}, on J-PUBLIC and J-PRIVATE")
        run.sync()
    with run.case("RSC-304") as check:
        link_member(run.store, run.tid, "C3", run.linked_member)
        run.sync()
        record = run.record_of("candidates", "C3")
        check.that(record.get("manualMatchedMember") == run.linked_member,
                   f"LinkedIn holds manualMatchedMember "
                   f"{record.get('manualMatchedMember')!r}")
        check.note(f"linked: LinkedIn holds manualMatchedMember {run.linked_member}")
        unlink_member(run.store, run.tid, "C3")
        run.sync()
        record = run.record_of("candidates", "C3")
        check.that("manualMatchedMember" not in record,
                   "manualMatchedMember is still sent after the unlink")
        check.note("unlinked: no manualMatchedMember any more")
    with run.case("RSC-305") as check:
        info = run.info()
        origin = run.settings.public_url.rstrip("/")
        page = control.profile_widget(api_key=str(info.client_id), origin=origin,
                                      context=run.organization, candidate="C1")
        check.that(page.status_code == 200, f"the widget answered {page.status_code}")
        check.that("Sign in" in page.text, "the signed-out widget shows no sign-in prompt")
        framing = page.headers.get("content-security-policy", "")
        check.that(f"frame-ancestors {origin}" in framing,
                   f"the widget may be framed by: {framing}")
        foreign = control.profile_widget(api_key=str(info.client_id),
                                         origin="https://elsewhere.example",
                                         context=run.organization, candidate="C1")
        check.that(foreign.status_code == 403,
                   f"a foreign origin got {foreign.status_code}")
        check.note(f"signed out: a sign-in prompt; framed only by {origin}; another "
                   "origin refused (403). Fit and scrolling: see the product's browser "
                   "tests (tests/e2e/test_widgets_browser.py)")


def _jobs_of(run: Harness, candidate_id: str) -> set[str]:
    with run.store.reader() as conn:
        return {r.external_id for r in conn.execute(
            select(jobs.c.external_id).join(applications, applications.c.job_id == jobs.c.id)
            .join(candidates, candidates.c.id == applications.c.candidate_id)
            .where(candidates.c.tenant_id == run.tid,
                   candidates.c.external_id == candidate_id))}


def _source_name(run: Harness, source_id: int | None) -> str | None:
    if source_id is None:
        return None
    with run.store.reader() as conn:
        return conn.execute(select(sources.c.name).where(sources.c.id == source_id)
                            ).scalar()
