"""A crash inside a batch of candidate notes (issue 14, point 9): the batch stays prepared and
the next step recovers it. Recovery used to treat every record of the batch as possibly sent,
so it DELETEd notes that were never sent (private notes, notes of a confidential candidate)
and recorded LinkedIn's 404s as rejected records. After recovery the ledger's totals must be
a clean run's, with no rejected record that a clean run does not have."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from recruitlink.core import mapping
from recruitlink.core.records import Candidate, Note
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.items import delete_item
from tests.conftest import make_tenant
from tests.integration.test_sync_engine import CONTRACT, run_until_idle

CANDIDATES = 24


class Crash(BaseException):
    """Stands for a SIGKILL: nothing catches it, nothing after it runs."""


def seed(store, tenant_id: int) -> None:
    with store.writer(tenant_id) as w:
        w.records("candidates", [(i, Candidate(
            id=f"C{i}", first_name=f"First{i}", last_name=f"Last{i}",
            # every sixth is confidential (its notes stay home), every seventh invalid
            emails=["not-an-email@"] if i % 7 == 3 else [f"p{i}@example.com"],
            confidential=i % 6 == 1)) for i in range(CANDIDATES)], mode="create")
        w.records("notes", [(i, Note(
            id=f"N{i}", candidate_id=f"C{i}", body=f"Note {i}",
            visibility="private" if i % 5 == 2 else "public")) for i in range(CANDIDATES)],
            mode="create")


def enable(store, engine, li, tenant, org: str) -> None:
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    # One contract per customer: LinkedIn binds a contract to one application.
    contract = CONTRACT + org.rsplit(":", 1)[1]
    connect(store, engine.box, engine, partner, tenant_slug=tenant.slug, organization=org,
            contracts=[contract], public_url="http://127.0.0.1:9")
    partner.close()
    for context in (org, contract):  # company- and contract-level access
        li.control.post("/integrations/status", json={"integrationContext": context,
                                                      "status": "ENABLED"})
    assert refresh_status(store, engine.box, engine, tenant.id)[0] == "ENABLED"


def totals(store, tenant_id: int) -> dict[str, object]:
    """What the sync log and the ledger say a run did."""
    with store.reader() as conn:
        ledger = Counter((r.entity, r.state) for r in conn.execute(select(
            schema.sync_ledger.c.entity, schema.sync_ledger.c.state).where(
            schema.sync_ledger.c.tenant_id == tenant_id)))
        b = schema.sync_batches
        batches = conn.execute(select(
            func.sum(b.c.synced), func.sum(b.c.rejected), func.sum(b.c.retryable),
            func.sum(b.c.skipped)).where(b.c.tenant_id == tenant_id)).one()
        m = schema.sync_milestones
        milestones = {r.name: (r.total, r.done, r.rejected, r.excluded) for r in conn.execute(
            select(m).join(schema.sync_runs, schema.sync_runs.c.id == m.c.run_id).where(
                schema.sync_runs.c.tenant_id == tenant_id))}
        errors = Counter(r.source for r in conn.execute(select(schema.sync_errors.c.source).where(
            schema.sync_errors.c.tenant_id == tenant_id, schema.sync_errors.c.status == "open")))
    return {"ledger": ledger, "batches": tuple(int(x or 0) for x in batches),
            "milestones": milestones, "open errors": errors}


def notes_on_linkedin(li, org: str) -> set[str]:
    body = li.control.get(f"/organizations/{org}/records/atsCandidates/notes",
                          params={"count": 1000}).json()
    return {e["key"]["id"] for e in body["elements"]}


def test_recovery_of_a_crashed_notes_batch_matches_a_clean_run(store, engine, li):
    clean = make_tenant(store, "clean")
    crashed = make_tenant(store, "crashed")
    for tenant, org in ((clean, "urn:li:organization:7101"), (crashed, "urn:li:organization:7102")):
        seed(store, tenant.id)
        enable(store, engine, li, tenant, org)
    run_until_idle(engine, clean.id)

    client = engine.client_for(engine._load(crashed.id))
    real_upsert = client.upsert
    notes_calls = {"n": 0}

    def crash_inside_the_notes_batch(resource, items, **kw):
        if kw.get("child") == "notes":
            notes_calls["n"] += 1
            if notes_calls["n"] == 4:  # three notes are on LinkedIn, the rest never left
                raise Crash()
        return real_upsert(resource, items, **kw)

    client.upsert = crash_inside_the_notes_batch
    try:
        while True:
            engine.step(crashed.id)
    except Crash:
        pass
    finally:
        client.upsert = real_upsert
    with store.reader() as conn:
        prepared = conn.execute(select(schema.sync_batches.c.milestone).where(
            schema.sync_batches.c.tenant_id == crashed.id,
            schema.sync_batches.c.status == "prepared")).scalars().all()
    assert prepared == ["candidate_notes"]

    deletes = []
    real_delete = client.delete

    def counting_delete(resource, keys, **kw):
        deletes.append(keys)
        return real_delete(resource, keys, **kw)

    client.delete = counting_delete
    assert engine.step(crashed.id).kind == "recovered"
    client.delete = real_delete
    run_until_idle(engine, crashed.id)

    expected, after_crash = totals(store, clean.id), totals(store, crashed.id)
    assert after_crash == expected
    assert deletes == []  # nothing the crashed batch did not send is deleted
    assert expected["batches"][1] == sum(n for (e, s), n in expected["ledger"].items()
                                         if s == "rejected")  # only the invalid ones
    with store.reader() as conn:
        kept = {r.external_id for r in conn.execute(
            select(schema.notes.c.external_id).join(
                schema.candidates, schema.candidates.c.id == schema.notes.c.candidate_id).where(
                schema.notes.c.tenant_id == crashed.id, schema.notes.c.visibility != "private",
                schema.candidates.c.confidential.is_(False)))}
    invalid = {f"N{i}" for i in range(CANDIDATES) if i % 7 == 3}
    assert notes_on_linkedin(li, "urn:li:organization:7102") == kept - invalid
    assert notes_on_linkedin(li, "urn:li:organization:7101") == kept - invalid


def test_a_delete_answered_404_as_a_whole_is_already_gone(store, engine, li):
    """LinkedIn answers a DELETE of notes under a candidate it does not hold with a 404 for
    the whole call: the notes are gone, which is what the delete wants (not a rejection)."""
    tenant = make_tenant(store, "gone")
    enable(store, engine, li, tenant, "urn:li:organization:7103")
    info = engine._load(tenant.id)
    parent = mapping.candidate_key("NEVER-SENT", engine._mapping(info))
    note = delete_item("candidate_notes", "notes", 1, "N-never", {"key": "N-never",
                                                                 "parent": parent},
                       info.organization)
    results = engine._sender(info).send([note])
    assert results[0].outcome == "synced", results[0]
