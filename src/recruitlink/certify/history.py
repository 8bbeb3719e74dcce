"""Module 2, sync ATS -> LinkedIn (RSC-102, RSC-201..204): the historical sync of the throwaway
tenant, reconciled record by record with what LinkedIn holds, then a new candidate and its
match."""

from __future__ import annotations

from recruitlink.core.records import Candidate
from recruitlink.inbound.matches import read_matches
from recruitlink.sync.engine import now_ms

from .harness import Check, Harness, as_json


def history(run: Harness) -> None:
    with run.section("historical sync"):
        run.say("Historical sync...")
        run.sync()
    if run.has("RSC-102"):
        with run.case("RSC-102") as check:
            sent = _job_elements(run)
            check.that(sent.get("J-PUBLIC") == "PUBLIC",
                       f"J-PUBLIC was sent {sent.get('J-PUBLIC')}")
            check.that(sent.get("J-PRIVATE") == "PRIVATE_TO_ATS_INTEGRATION",
                       f"J-PRIVATE was sent {sent.get('J-PRIVATE')}")
            check.note(f"availability sent: {as_json(sent)}")
    if run.has("RSC-201"):
        with run.case("RSC-201") as check:
            _jobs(run, check)
    if run.has("RSC-202"):
        with run.case("RSC-202") as check:
            run.reconcile(check, "candidates", ["C1", "C2", "C3", "C4"])
    if run.has("RSC-203"):
        with run.case("RSC-203") as check:
            run.reconcile(check, "applications", ["A1", "A2", "A3", "A4"])
            run.reconcile(check, "stage_transitions",
                           ["A1-S0", "A1-S1", "A1-S2", "A2-S0", "A4-S0"])
            run.reconcile(check, "notes", ["AN1", "N1", "N2"])
            run.reconcile(check, "interview_feedback", ["F1"])


def _job_elements(run: Harness) -> dict[str, str]:
    """The availability each job was last sent with."""
    out: dict[str, str] = {}
    for method, path, body in run.recorder.sent:
        if method != "POST" or not path.endswith("simpleJobPostings"):
            continue
        for element in (body or {}).get("elements") or []:
            if "availability" in element:
                out[str(element.get("externalJobPostingId"))] = str(element["availability"])
    return out


def _jobs(run: Harness, check: Check) -> None:
    expected = ["J-CLOSED", "J-PRIVATE", "J-PUBLIC", "J-SECURE"]
    rows = run.ledger("jobs", expected)
    states = {r.external_id: (r.state, (r.li_key or {}).get("state")) for r in rows}
    refused = {r.external_id: r.reason for r in rows if r.state != "synced"}
    check.that(sorted(states) == expected and not refused,
               f"jobs not confirmed: {as_json(refused or states)}")
    check.that(states["J-CLOSED"][1] == "CLOSED", "J-CLOSED is not CLOSED on LinkedIn")
    check.note(f"jobs confirmed by their tasks: {as_json(states)}")
    if run.control is not None:
        summary = run.http.get(f"{run.control.base}/organizations/"
                                f"{run.organization}/summary").json()
        check.that(summary["jobs"] == {"LISTED": 3, "CLOSED": 1, "processing": 0},
                   f"Recruiter lists {as_json(summary['jobs'])}")
        check.note(f"Recruiter lists {as_json(summary['jobs'])}")


def new_candidate(run: Harness) -> None:
    with run.case("RSC-204") as check:
        email = run.people.matched_email or f"certify.new.{run.slug}@example.com"
        run.write("candidates", Candidate(id="C5", first_name="Certify",
                                           last_name="Newcomer", emails=[email]))
        run.sync()
        run.there(check, "candidates", "C5")
        check.note("C5 created after the history: on LinkedIn")
        counts = read_matches(run.store, run.client(), run.engine.budget_for(
            run.info()), run.tid, now_ms=now_ms())
        urn = run.candidate("C5").person_urn
        if run.control is None:
            check.manual(f"LinkedIn's match for {email}: {urn or 'none'} (use a real "
                         "member's email to see the person URN kept)")
            return
        check.that(urn is not None and urn == run.people.matched_person,
                   f"the matched person URN was not kept ({as_json(dict(counts))}, {urn})")
        check.note(f"LinkedIn matched {urn}; kept on the candidate")
