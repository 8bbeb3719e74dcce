"""A candidate's erasure leaves no copy of their personal data anywhere recruitlink keeps it,
on SQLite and PostgreSQL, against the sandbox over loopback. The candidate comes from a
One-Click Export, gets marker values (name, emails, phone, address, LinkedIn URL, a note, a
resume), is refused once by the sync (an error quoting its bad email), has calls LinkedIn
failed kept for support bundles, an imported InMail, a webhook endpoint's deliveries; then it
is erased, and every column of every table of the store is scanned for the markers. Only the
erasure certificate's ids (the candidate's external id, LinkedIn's keys) may remain."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import httpx
from sqlalchemy import select

from recruitlink.core.records import Address, Candidate, Note
from recruitlink.inbound import identity
from recruitlink.runtime.compliance import Compliance
from recruitlink.store import files as stored_files
from recruitlink.store import identity as reviews
from recruitlink.store import schema, webhooks
from recruitlink.store.tenants import create_api_key
from tests.integration.test_compliance import sync_engine  # noqa: F401  (a pytest fixture)
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    engine,
    member,
    server,
    wired,
)
from tests.integration.test_inbound_pollers import exported, inmail, poller
from tests.integration.test_sync_engine import connected, run_until_idle, seed_small

EMAIL = "erase-marker-7731@example.com"
MARKERS = ("erase-marker-7731", "Zyxwvut", "Erasemarker", "+33 6 77 31 77 31",
           "7731 Rue Marqueur", "zyxwvut-erasemarker", "Marker note 7731",
           "resume-bytes-7731", "zyxwvut-cv-7731")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def leaks(store, markers: tuple[str, ...]) -> list[str]:
    """Every (table.column: marker) of the store holding one of the markers."""
    found = []
    with store.reader() as conn:
        for table in schema.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    text = _text(value)
                    found += [f"{table.name}.{column}: {m}" for m in markers if m in text]
    return sorted(set(found))


def _put_resume(store, tenant_id: int, external_id: str) -> None:
    data = b"%PDF-1.4 resume-bytes-7731 Zyxwvut Erasemarker"
    file_id = stored_files.begin(store, tenant_id, "candidates", external_id, slot="resume",
                                 file_name="zyxwvut-cv-7731.pdf",
                                 content_type="application/pdf")
    assert file_id is not None
    stored_files.append(store, file_id, 0, data)
    assert stored_files.finish(store, tenant_id, file_id, size=len(data),
                               sha256=hashlib.sha256(data).hexdigest()) is not None


def test_an_erased_candidate_leaves_no_personal_data_in_any_table(store, tenant, li, wired,
                                                                   engine, server):
    with store.db.write() as conn:
        webhooks.create_endpoint(conn, engine.box, tenant.id, url="http://127.0.0.1:9/hook",
                                 types=[], now_ms=int(time.time() * 1000))
    m, row = exported(store, li, wired["seat"], 40, 2)
    inmail(li, wired["seat"], m["person"])
    poller(store, engine).poll(tenant.id)
    ext = row.external_id
    markers = (*MARKERS, m["person"], m["publicProfileUrl"])

    def candidate(emails: list[str]) -> Candidate:
        return Candidate(id=ext, first_name="Zyxwvut", last_name="Erasemarker", emails=emails,
                         phones=[{"number": "+33 6 77 31 77 31"}],
                         addresses=[Address(line1="7731 Rue Marqueur", city="Paris",
                                            country="FR")],
                         linkedin_url="https://www.linkedin.com/in/zyxwvut-erasemarker",
                         person_urn=m["person"], match_method="one_click_export")

    # A bad email: refused before sending, the error quoting it.
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, candidate(["erase-marker-7731@"]))], mode="update")
        w.records("notes", [(1, Note(id="N7731", candidate_id=ext,
                                     body="Marker note 7731: call Zyxwvut"))], mode="create")
    run_until_idle(engine, tenant.id)
    with store.reader() as conn:
        reasons = [r.reason for r in conn.execute(select(schema.sync_errors)).all()]
    assert any("erase-marker-7731@" in (r or "") for r in reasons), reasons
    # Fixed; LinkedIn then fails the candidate's calls: they are kept for support bundles.
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, candidate([EMAIL]))], mode="update")
    _put_resume(store, tenant.id, ext)
    assert li.control.put("/faults/atsCandidates", json={"error_rate": 1.0}).status_code == 200
    engine.step(tenant.id)
    li.control.delete("/faults")
    with store.reader() as conn:
        kept = conn.execute(select(schema.failed_calls)).all()
    assert kept  # the calls LinkedIn failed are kept for support bundles
    failed_batch = kept[0].batch_id
    with store.reader() as conn:
        assert conn.execute(select(schema.sync_batches.c.last_error).where(
            schema.sync_batches.c.id == failed_batch)).scalar()  # LinkedIn's message
    run_until_idle(engine, tenant.id)
    # A duplicate of them merged into them (its snapshot kept for an unmerge), and a LinkedIn
    # item of their member waiting in the review queue, quoting their name.
    # The duplicate came through the data API with an Idempotency-Key: its answer is kept.
    with store.db.write() as conn:
        api_key = create_api_key(conn, tenant.id, name="erasure", now_ms=0)
    dup = {"id": "D7731", "first_name": "Zyxwvut", "last_name": "Erasemarker",
           "emails": ["erase-marker-7731+dup@example.com"]}
    r = httpx.post(f"{server}/api/v1/candidates", json=dup, timeout=30,
                   headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": "k-7731"})
    assert r.status_code == 201, r.text
    identity.merge(store, tenant.id, ext, "D7731")
    with store.db.write() as conn:
        reviews.queue(conn, tenant.id, kind="stub", li_id="stub-7731", person=m["person"],
                      reason="2 candidates are named Zyxwvut Erasemarker",
                      candidates_=[{"id": ext, "why": "same name"}],
                      payload={"element": {"firstName": "Zyxwvut", "person": m["person"]}},
                      now_ms=int(time.time() * 1000))
        # Another member's item weighs them among its possible candidates.
        reviews.queue(conn, tenant.id, kind="stub", li_id="stub-other", person=None,
                      reason="2 candidates are named Ann Other",
                      candidates_=[{"id": ext, "why": "same name"},
                                   {"id": "C1", "why": "same name"}],
                      payload={"element": {}}, now_ms=int(time.time() * 1000))
    # Everything flowed: the markers are in the store before the erasure (the scan can fail).
    before = leaks(store, markers)
    for table in ("candidates", "notes", "sync_errors", "failed_calls", "files",
                  "file_chunks", "inbox_events", "candidate_merges", "identity_reviews",
                  "host_events", "idempotency_keys"):
        assert any(f.startswith(f"{table}.") for f in before), (table, before)

    certificate = Compliance(engine).erase(tenant.id, ext, process="test")
    run_until_idle(engine, tenant.id)
    left = leaks(store, markers)
    assert left == [], "\n".join(left)
    assert certificate["deleted"]["candidates"] == 1, certificate
    with store.reader() as conn:  # LinkedIn's message about what the batch sent, replaced
        assert conn.execute(select(schema.sync_batches.c.last_error).where(
            schema.sync_batches.c.id == failed_batch)).scalar() == "[erased with its candidate]"
    # The same request sent again is neither answered with the erased data nor run again.
    again = httpx.post(f"{server}/api/v1/candidates", json=dup, timeout=30,
                       headers={"Authorization": f"Bearer {api_key}",
                                "Idempotency-Key": "k-7731"})
    assert again.status_code == 410 and "erased" in again.text, again.text
    assert certificate["scrubbed"]["storedAnswers"] == 1, certificate
    assert certificate["scrubbed"]["merges"] == 1 and certificate["scrubbed"]["reviews"] == 2
    with store.reader() as conn:
        (other,) = reviews.reviews(conn, tenant.id)
    assert other.li_id == "stub-other" and other.candidates == [{"id": "C1", "why": "same name"}]



def test_a_candidate_erased_while_refused_leaves_no_quote_of_its_data(store, tenant, li,
                                                                      sync_engine):
    """C3's email is refused before sending (the error quotes it); erased as it is, nothing
    of it remains: not the ledger's reason, the errors, the events."""
    seed_small(store, tenant.id)
    connected(store, sync_engine, li, tenant)
    run_until_idle(sync_engine, tenant.id)
    markers = ("alan.turing@", "Turing")
    assert any(f.startswith("sync_errors.") for f in leaks(store, markers))
    Compliance(sync_engine).erase(tenant.id, "C3", process="test")
    run_until_idle(sync_engine, tenant.id)
    left = leaks(store, markers)
    assert left == [], "\n".join(left)
