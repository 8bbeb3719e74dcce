"""Explainable identity (issue 19, part 3) against the sandbox over loopback, on SQLite and
PostgreSQL: an ambiguous stub profile is queued, not applied; resolving it links, creates or
merges; a merge and its unmerge keep every application, note and InMail, and after each sync
LinkedIn holds the right candidates with their own applications."""

from __future__ import annotations

import time

from recruitlink.core.records import Application, Candidate, Interaction, Job, Note
from recruitlink.inbound.identity import merge_candidates, resolve_review, unmerge
from recruitlink.inbound.stubs import apply_stub
from recruitlink.store import entity
from recruitlink.store import identity as stored
from recruitlink.store.records import get_record
from tests.integration.test_host_events_inbound_exports import INBOUND_TYPES, host_events
from tests.integration.test_sync_engine import (
    DESCRIPTION,
    connected,
    records,
    run_until_idle,
    seed_small,
)
from tests.integration.test_sync_progress_truth import engine  # noqa: F401  (fixture)

PERSON = "urn:li:person:jane-doe-42"
HOST_TYPES = (*INBOUND_TYPES, "application.updated")


def now() -> int:
    return int(time.time() * 1000)


def stub(li_id: str, person: str, first: str, last: str, **more: str) -> dict:
    return {"id": li_id, "owner": "urn:li:seat:1", "person": person, "firstName": first,
            "lastName": last, "createdAt": now(), **more}


def seeded(store, tenant) -> None:
    seed_small(store, tenant.id)
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J4", title="Analyst", description=DESCRIPTION,
                                   location="Lille, FR", availability="public",
                                   published_at="2025-01-01T00:00:00Z"))], "create")
        w.records("candidates", [
            (0, Candidate(id="K1", first_name="Jane", last_name="Doe",
                          emails=["jane@old.example"])),
            (1, Candidate(id="K2", first_name="JANE", last_name="Doe",
                          emails=["jd@other.example"], phones=[{"number": "+1 415 555 0134"}])),
            (2, Candidate(id="R1", first_name="John", last_name="Roe")),
            (3, Candidate(id="R2", first_name="John", last_name="Roe")),
            (4, Candidate(id="Q1", first_name="Max", last_name="Poe")),
            (5, Candidate(id="Q2", first_name="Max", last_name="Poe"))], "create")
        w.records("applications", [
            (0, Application(id="AK1", candidate_id="K1", job_id="J1")),
            (1, Application(id="AK2", candidate_id="K2", job_id="J4"))], "create")
        w.records("notes", [(0, Note(id="NK2", candidate_id="K2", body="Call back"))], "create")
        w.records("interactions", [(0, Interaction(
            id="IK2", candidate_id="K2", type="inmail", origin="linkedin",
            occurred_at="2025-03-01T00:00:00Z", subject="Re: Analyst"))], "create")


def candidate(store, tenant, external_id):
    with store.reader() as conn:
        return get_record(conn, entity("candidates"), tenant_id=tenant.id,
                          external_id=external_id)


def children(store, tenant, external_id) -> dict:
    with store.reader() as conn:
        row = stored.candidate_row(conn, tenant.id, external_id)
        return stored.children(conn, row.id)


def apps_on_linkedin(li) -> dict:
    """Application id -> the candidate LinkedIn files it under."""
    return {k: r["atsCandidateId"] for k, r in records(li, "atsApplications").items()}


def test_ambiguous_stubs_are_queued_then_linked_created_or_merged_and_unmerged(
        store, tenant, engine, li):  # noqa: F811
    seeded(store, tenant)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    assert {"K1", "K2"} <= set(records(li, "atsCandidates"))

    with store.writer(tenant.id) as w:
        assert apply_stub(w, stub("s1", PERSON, "Jane", "Doe",
                                  emailAddress="jane@new.example"), now()) == "review"
        assert apply_stub(w, stub("s2", "urn:li:person:roe", "John", "Roe"), now()) == "review"
        assert apply_stub(w, stub("s3", "urn:li:person:poe", "Max", "Poe"), now()) == "review"
        # Brought in again (a poller re-reads its window): still one item, still not applied.
        assert apply_stub(w, stub("s1", PERSON, "Jane", "Doe"), now()) == "already"
    with store.reader() as conn:
        queued = stored.reviews(conn, tenant.id)
    assert [r.li_id for r in queued] == ["s1", "s2", "s3"]
    assert [c["id"] for c in queued[0].candidates] == ["K1", "K2"]
    assert "2 candidates are named Jane Doe" in queued[0].reason
    for cid in ("K1", "K2", "R1", "R2", "Q1", "Q2"):  # nothing applied, nobody guessed
        assert candidate(store, tenant, cid)["person_urn"] is None

    ids = {r.li_id: r.id for r in queued}
    with store.writer(tenant.id) as w:
        linked = resolve_review(w, ids["s2"], "link", "R2")
        created = resolve_review(w, ids["s3"], "create")
        merged = resolve_review(w, ids["s1"], "merge", "K1", ["K2"])
    assert linked["candidate"] == "R2" and created["candidate"] not in ("Q1", "Q2")
    r2 = candidate(store, tenant, "R2")
    assert (r2["person_urn"], r2["match_method"]) == ("urn:li:person:roe", "manual")
    assert r2["linked_at"] is not None and "review queue" in r2["link_evidence"]
    new = candidate(store, tenant, created["candidate"])
    assert new["person_urn"] == "urn:li:person:poe"
    assert new["link_evidence"] == "InMail contact share: created from the member's stub profile"
    with store.reader() as conn:
        assert stored.reviews(conn, tenant.id) == []
    try:
        with store.writer(tenant.id) as w:
            resolve_review(w, ids["s1"], "create")
        raise AssertionError("resolved twice")
    except ValueError as exc:
        assert "already resolved" in str(exc)

    # The merge: K2's application, note and InMail are K1's; K2 is gone; K1 is the member's.
    assert candidate(store, tenant, "K2") is None
    k1 = candidate(store, tenant, "K1")
    assert k1["person_urn"] == PERSON
    assert k1["emails"] == ["jane@old.example", "jd@other.example", "jane@new.example"]
    assert k1["phones"] == [{"number": "+1 415 555 0134"}]
    assert children(store, tenant, "K1") == {
        "applications": ["AK1", "AK2"], "notes": ["NK2"], "interactions": ["IK2"],
        "project_memberships": []}
    # The host ATS hears of it: K2 deleted into K1, its records now K1's.
    merge_events = {(e.type, e.subject_id): e.data
                    for e in host_events(store, tenant.id, HOST_TYPES)
                    if e.data.get("source") == "admin_merge"}
    assert merge_events[("candidate.deleted", "K2")]["kept"] == "K1"
    assert merge_events[("application.updated", "AK2")]["candidate"] == "K1"
    assert merge_events[("interaction.updated", "IK2")]["candidate"] == "K1"
    run_until_idle(engine, tenant.id)
    on_li = records(li, "atsCandidates")
    assert "K1" in on_li and "K2" not in on_li
    apps = apps_on_linkedin(li)
    assert (apps["AK1"], apps["AK2"]) == ("K1", "K1")

    with store.writer(tenant.id) as w:
        (merge_id,) = merged["merges"]
        back = unmerge(w, merge_id)
    assert back.moved["applications"] == ["AK2"]
    k2 = candidate(store, tenant, "K2")
    assert k2["phones"] == [{"number": "+1 415 555 0134"}] and k2["first_name"] == "JANE"
    assert children(store, tenant, "K2") == {
        "applications": ["AK2"], "notes": ["NK2"], "interactions": ["IK2"],
        "project_memberships": []}
    assert candidate(store, tenant, "K1")["phones"] == []
    assert candidate(store, tenant, "K1")["emails"] == ["jane@old.example", "jane@new.example"]
    # The stub's own email stays with K1, the candidate it was linked to.
    assert candidate(store, tenant, "K1")["person_urn"] == PERSON
    back_events = [(e.type, e.subject_id, e.data.get("candidate"))
                   for e in host_events(store, tenant.id, HOST_TYPES) if "unmerged" in e.data]
    assert ("candidate.created", "K2", "K2") in back_events
    assert ("application.updated", "AK2", "K2") in back_events
    run_until_idle(engine, tenant.id)
    on_li = records(li, "atsCandidates")
    assert {"K1", "K2"} <= set(on_li)
    apps = apps_on_linkedin(li)
    assert (apps["AK1"], apps["AK2"]) == ("K1", "K2")
    try:
        with store.writer(tenant.id) as w:
            unmerge(w, merge_id)
        raise AssertionError("unmerged twice")
    except ValueError as exc:
        assert "already undone" in str(exc)


def test_a_merge_is_refused_when_both_are_in_process_for_one_job(store, tenant):
    seeded(store, tenant)
    with store.writer(tenant.id) as w:
        w.records("applications", [(0, Application(id="AK2b", candidate_id="K2",
                                                   job_id="J1"))], "create")
    try:
        with store.writer(tenant.id) as w:
            merge_candidates(w, "K1", "K2")
        raise AssertionError("merged")
    except ValueError as exc:
        assert str(exc) == "merged: both candidates are in process for job J1"
    assert candidate(store, tenant, "K2") is not None
