"""Module 4, ACLs (RSC-401..404; CRM-155..161): the ACL visibility switched on through
`sync.visibility`, a hiring-team user taken off and put back, restricted pipelines."""

from __future__ import annotations

from recruitlink.core.records import User
from recruitlink.sync.visibility import set_visibility

from .harness import Check, Harness, as_json


def acls(run: Harness) -> None:
    crm = run.options.kind == "CRM"
    first = "CRM-155" if crm else "RSC-401"
    with run.case(first) as check:
        set_visibility(run.engine, run.tid, "acls")
        run.sync()
        secure = [r for r in run.ledger("job_acls")
                  if (r.li_key.get("key") or {}).get("atsEntityId") == "J-SECURE"]
        check.that(len(secure) == 2, f"{len(secure)} ACL records for J-SECURE, expected 2")
        found = [record for _row, record in run.read_back(secure)]
        check.that(all(r is not None for r in found), "an ACL is not on LinkedIn")
        check.note("J-SECURE: an ACL per hiring-team member, read back")
        if not crm:
            _assignees(run, check, {"U1": True, "U2": True})
            _picker(run, check, first=True, second=True)
    if crm:
        with run.case("CRM-156") as check:
            _assignees(run, check, {"U1": True, "U2": True})
        with run.case("CRM-157") as check:
            run.viewers(check, None)
        with run.case("CRM-158") as check:
            _finder(run, check, present=True)
    else:
        with run.case("RSC-402") as check:
            sent = [e for m, p, b in run.recorder.sent if p.endswith("simpleJobPostings")
                    for e in (b or {}).get("elements") or []
                    if e.get("externalJobPostingId") == "J-SECURE" and "title" in e]
            check.that(sent and sent[-1].get("accessRestricted") is True,
                       "J-SECURE was not sent accessRestricted")
            record = run.record_of("applications", "A3")
            check.that(record.get("atsJobPostingId") == "J-SECURE",
                       f"A3 is on {record.get('atsJobPostingId')}")
            check.note("J-SECURE sent accessRestricted; its application A3 is on "
                       "LinkedIn under it, so only the ACL's users see it")
    removed, restored = ("CRM-159", "CRM-160") if crm else ("RSC-403", "RSC-404")
    with run.case(removed) as check:
        run.write("users", User(id="U1", active=False))
        run.sync()
        _assignees(run, check, {"U1": False, "U2": True})
        if not crm:
            _picker(run, check, first=False, second=True)
    with run.case(restored) as check:
        run.write("users", User(id="U1", active=True))
        run.sync()
        _assignees(run, check, {"U1": True, "U2": True})
        if not crm:
            _picker(run, check, first=True, second=True)


def _assignees(run: Harness, check: Check, expected: dict[str, bool]) -> None:
    rows = run.ledger("users", list(expected))
    held = {ext: False for ext in expected}
    for row, record in run.read_back(rows):
        held[row.external_id] = record is not None
    check.that(held == expected, f"assignees on LinkedIn: {as_json(held)}, "
                                   f"expected {as_json(expected)}")
    check.note(f"assignees read back: {as_json(held)}")


def _finder(run: Harness, check: Check, *, present: bool) -> None:
    """The assignee finder (what Recruiter asks for a member) lists J-SECURE's ACL."""
    (row,) = run.ledger("users", ["U1"])
    key = row.li_key["key"]
    found = run.client().find("atsEntityAclAssignees", [
        ("q", "criteria"), ("assignee", key["assignee"]),
        ("dataProvider", key["dataProvider"]),
        ("integrationContext", key["integrationContext"])])
    check.that(bool(found) == present, f"the assignee finder lists {as_json(found)}")
    check.note(f"assignee finder for {key['assignee']}: {len(found)} ACL(s)")


def _picker(run: Harness, check: Check, *, first: bool, second: bool) -> None:
    if run.control is None:
        check.manual("look at the One-Click Export job picker of each hiring-team "
                     "member in Recruiter")
        return
    seats = run.seats()
    shown = [("J-SECURE" in run.control.picker(s)) for s in seats]
    expected = [first, second, False]
    check.that(shown == expected, f"J-SECURE in the export picker of the hiring team's "
                                  f"seats and an outsider's: {as_json(shown)}, "
                                  f"expected {as_json(expected)}")
    check.note(f"export picker shows J-SECURE to U1, U2, an outsider: {as_json(shown)}")


def crm_pipelines(run: Harness) -> None:
    with run.case("CRM-161") as check:
        run.reconcile(check, "projects", ["P-OTHER", "P-SHARED"])
        record = run.record_of("projects", "P-SHARED")
        check.that(record.get("accessRestricted") is False,
                   f"P-SHARED accessRestricted {record.get('accessRestricted')}")
        private = run.ledger("projects", ["P-PRIVATE"])
        check.that(all(r.state == "excluded" for r in private),
                   f"P-PRIVATE is {[r.state for r in private]}")
        check.that(not any(run.on_linkedin("projects", ["P-PRIVATE"]).values()),
                   "P-PRIVATE is on LinkedIn")
        check.note("P-PRIVATE (not shared with every recruiter) not sent")
