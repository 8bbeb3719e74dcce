"""Module 3, retrieval (RSC-301..305): One-Click Exports taken in by `inbound`, the profile
widget's link and unlink, the widget signed out."""

from __future__ import annotations

import time

from recruitlink.errors import CaseFailed
from recruitlink.inbound.links import link_member, unlink_member
from recruitlink.store import candidate_details

from .harness import Check, Harness, as_json
from .receiver import Processed


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
        result = pushed(run, check, request)
        check.that(result.outcome == "created", f"the export was {result.outcome}: "
                                               f"{result.reason}")
        run.exported_id = str(result.candidate_id)
        row = run.candidate(run.exported_id)
        check.that(row.person_urn == person, f"person URN {row.person_urn}")
        check.that(_jobs_of(run, run.exported_id) == {"J-PUBLIC"},
                   f"applications on {_jobs_of(run, run.exported_id)}")
        source = _source_name(run, row.source_id)
        check.that("LinkedIn" in (source or ""), f"source {as_json(source)}")
        check.that(any("LinkedIn" in t for t in row.tags or []), f"tags {as_json(row.tags)}")
        check.note(f"candidate {run.exported_id} on J-PUBLIC, source {as_json(source)}, "
                   f"tags {as_json(row.tags)}")
        run.sync()
    with run.case("RSC-302") as check:
        row = run.candidate(run.exported_id)
        fields = {name: getattr(row, name) for name in (
            "first_name", "last_name", "headline", "current_title", "current_company",
            "location", "linkedin_url", "person_urn", "tags", "source_id")}
        filled = sorted(k for k, v in fields.items() if v)
        check.that({"first_name", "last_name", "person_urn"} <= set(filled),
                   f"fields ingested: {as_json(filled)}")
        check.note("from One-Click Export: " + ", ".join(filled) + "; contact details "
                   "(email, phone) come from InMail stub profiles (mailStubs)")
    with run.case("RSC-303") as check:
        request = control.export(run.seats()[0], person, job="J-PRIVATE")
        result = pushed(run, check, request)
        check.that(result.outcome == "merged" and result.candidate_id == run.exported_id,
                   f"the re-export was {result.outcome} into {result.candidate_id}")
        with run.store.reader() as conn:
            same = candidate_details.with_person(conn, run.tid, person)
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
                   f"{as_json(record.get('manualMatchedMember'))}")
        check.note(f"linked: LinkedIn holds manualMatchedMember {run.linked_member}")
        unlink_member(run.store, run.tid, "C3")
        run.sync()
        record = run.record_of("candidates", "C3")
        check.that("manualMatchedMember" not in record,
                   "manualMatchedMember is still sent after the unlink")
        check.note("unlinked: no manualMatchedMember any more")
    with run.case("RSC-305") as check:
        info = run.info()
        origin = run.public_url
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


def pushed(run: Harness, check: Check, request_id: str) -> Processed:
    """LinkedIn's push of the export `request_id`, received by the product's push receiver
    (signature checked) and processed by its inbound worker; noted for the report."""
    assert run.receiver is not None and run.control is not None
    result = run.receiver.processed(run.tid, request_id)
    delivery = run.control.push(request_id)
    for _ in range(25):  # LinkedIn marks it delivered once it has the receiver's answer
        if delivery is None or delivery.get("status") != "PENDING":
            break
        time.sleep(0.2)
        delivery = run.control.push(request_id)
    sent = (f"LinkedIn's push {request_id}: {delivery.get('status')} to "
            f"{run.public_url}/linkedin/push/…, answered {delivery.get('lastStatus')}"
            if delivery else f"LinkedIn's push {request_id}: not found in its deliveries")
    if result is None:
        raise CaseFailed(f"{sent}; the product's push receiver never got it processed "
                         f"({delivery.get('lastError') if delivery else 'no delivery'})")
    line = (f"{sent}; signature verified by the receiver; processed by the inbound "
            f"worker: {result.status}, {result.outcome}")
    check.note(line)
    check.that(result.status == "done", f"the push failed: {result.reason}")
    return result


def _jobs_of(run: Harness, candidate_id: str) -> set[str]:
    with run.store.reader() as conn:
        return candidate_details.job_ids_applied_to(conn, run.tid, candidate_id)


def _source_name(run: Harness, source_id: int | None) -> str | None:
    if source_id is None:
        return None
    with run.store.reader() as conn:
        source = candidate_details.source_of(conn, source_id)
    return None if source is None else str(source.name)
