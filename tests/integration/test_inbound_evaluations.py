"""LinkedIn Hiring Assistant evaluations end to end, over loopback, on SQLite and PostgreSQL:
a recruiter exports a member into a job in the sandbox's Recruiter, the export becomes a
candidate and an application (push, worker), and the poller brings LinkedIn's evaluation of
that application onto them, once however often it re-reads; on the unversioned /v2 family
the poller says plainly that there are none to read."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.core.records import Candidate
from recruitlink.inbound.pollers import (
    EVALUATIONS_CURSOR,
    NO_EVALUATIONS_ON_V2,
    NO_EVALUATIONS_RESOURCE,
    Poller,
)
from recruitlink.sandbox.api.evaluations import evaluation_json
from recruitlink.sandbox.store import evaluations as sandbox_evaluations
from recruitlink.settings import Settings
from recruitlink.store import accounts, schema
from recruitlink.store.tenants import create_api_key
from recruitlink.sync.engine import SyncEngine
from recruitlink.sync.ledger import get_cursor
from recruitlink.web import create_app
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    KEY,
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.support.evaluations_route import refuse_evaluations
from tests.support.servers import serve

PASSWORD = "correct horse battery"

pytestmark = pytest.mark.usefixtures("wired")


def poller(store, engine: SyncEngine) -> Poller:
    return Poller(store, engine.box, engine, backfill_days=1, settle_ms=0)


def evaluations_of(store, **where: Any) -> list[Any]:
    e = schema.linkedin_evaluations
    with store.reader() as conn:
        query = select(e).order_by(e.c.id)
        for name, value in where.items():
            query = query.where(getattr(e.c, name) == value)
        return conn.execute(query).all()


def application_id(store, candidate_id: int, job: str) -> int:
    with store.reader() as conn:
        return conn.execute(
            select(schema.applications.c.id).join(
                schema.jobs, schema.jobs.c.id == schema.applications.c.job_id)
            .where(schema.applications.c.candidate_id == candidate_id,
                   schema.jobs.c.external_id == job)).scalar_one()


def test_an_export_into_a_job_brings_its_evaluation_onto_candidate_and_application(
        store, tenant, li, wired, engine):
    m = member(li, 20)
    made = export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    (row,) = candidate(store, person_urn=m["person"])

    report = poller(store, engine).poll(tenant.id)
    assert report.fetched["evaluations"] == 1, report
    assert report.outcomes["evaluations:stored"] == 1, report.outcomes
    assert "evaluations" not in report.not_read
    (stored,) = evaluations_of(store, tenant_id=tenant.id)
    assert stored.request_id == made["requestId"] and stored.person == m["person"]
    assert stored.candidate_id == row.id
    assert stored.application_id == application_id(store, row.id, "J1")
    assert stored.job_external_id == "J1"
    assert stored.overall_fit in ("STRONG_FIT", "GOOD_FIT", "PARTIAL_FIT", "NOT_A_FIT")
    assert "Staff Engineer" in stored.summary and m["headline"] in stored.summary
    assert [set(q) for q in stored.qualifications] == [
        {"requirement", "assessment", "evidence"}] * 3
    # As LinkedIn holds it: the sandbox's own copy, field for field.
    with li.sandbox.store.tx() as conn:
        li_side = [evaluation_json(r) for r in conn.execute(select(sandbox_evaluations))]
    assert [(e["id"], e["summary"], e["qualifications"], e["createdAt"]) for e in li_side] == [
        (stored.li_id, stored.summary, stored.qualifications, stored.evaluated_at)]

    # Re-polled (the overlap re-reads it): still one, unchanged; the cursor never goes back.
    before = cursor_of(store, tenant.id)
    assert before == stored.evaluated_at
    for _ in range(2):
        again = poller(store, engine).poll(tenant.id)
        assert again.outcomes["evaluations:stored"] == 0, again.outcomes
        assert cursor_of(store, tenant.id) == before
    assert len(evaluations_of(store, tenant_id=tenant.id)) == 1


def cursor_of(store, tenant_id: int) -> int | None:
    with store.reader() as conn:
        return get_cursor(conn, tenant_id, EVALUATIONS_CURSOR)


def test_an_evaluation_read_before_its_candidate_waits_and_is_linked_later(
        store, tenant, li, wired, engine):
    m = member(li, 21)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    (first,) = candidate(store, person_urn=m["person"])
    with store.writer(tenant.id) as w:  # gone from the ATS before the poller reads
        assert w.delete("candidates", first.external_id)
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["evaluations:waiting"] == 1, report.outcomes
    (kept,) = evaluations_of(store, tenant_id=tenant.id)
    assert kept.candidate_id is None and kept.application_id is None

    # Exported again (into J2): the new candidate gets both evaluations, each on its own.
    export(li, wired["seat"], m["person"], externalJobPostingId="J2")
    wait_for_events(store, 4)
    (row,) = candidate(store, person_urn=m["person"])
    later = poller(store, engine).poll(tenant.id)
    assert later.outcomes["evaluations:stored"] == 1, later.outcomes
    found = evaluations_of(store, tenant_id=tenant.id)
    assert [(e.job_external_id, e.candidate_id) for e in found] == [("J1", row.id),
                                                                     ("J2", row.id)]
    assert found[0].application_id is None  # its application went with the old candidate
    assert found[1].application_id == application_id(store, row.id, "J2")

    # Deleting the candidate deletes its evaluations.
    with store.writer(tenant.id) as w:
        assert w.delete("candidates", row.external_id)
    assert evaluations_of(store, tenant_id=tenant.id) == []


def test_the_unversioned_family_has_no_evaluations_and_says_so(store, tenant, li, wired,
                                                               engine):
    m = member(li, 22)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    engine.settings = replace(engine.settings, api_version="v2")
    report = poller(store, engine).poll(tenant.id)
    assert report.not_read == {"evaluations": NO_EVALUATIONS_ON_V2}
    assert "RECRUITLINK_LINKEDIN_API_VERSION" in NO_EVALUATIONS_ON_V2
    assert report.fetched["evaluations"] == 0 and not report.errors
    assert evaluations_of(store, tenant_id=tenant.id) == []


def test_a_confidential_candidate_gets_no_evaluation(store, tenant, li, wired, engine):
    secret = member(li, 26)
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="SECRET", first_name="Sam", last_name="Hidden",
                                               person_urn=secret["person"],
                                               match_method="manual", confidential=True))],
                  mode="create")
    export(li, wired["seat"], secret["person"], externalJobPostingId="J2")
    wait_for_events(store, 3)
    report = poller(store, engine).poll(tenant.id)
    assert report.fetched["evaluations"] == 1
    assert report.outcomes["evaluations:skipped"] == 1, report.outcomes
    assert evaluations_of(store, tenant_id=tenant.id) == []


def test_a_linkedin_without_the_resource_is_not_an_error_of_the_round(store, tenant, li,
                                                                      wired, engine):
    refuse_evaluations(li.app)
    report = poller(store, engine).poll(tenant.id)
    assert not report.errors, report.errors
    reason = report.not_read["evaluations"]
    assert reason.startswith(NO_EVALUATIONS_RESOURCE.format("")) and "404" in reason
    assert report.as_json()["notRead"] == {"evaluations": reason}


def signed_in(url: str, store, tenant, email: str) -> httpx.Client:
    with store.writer(tenant.id) as w:
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    r = client.post("/login", data={"workspace": tenant.slug, "email": email,
                                    "password": PASSWORD})
    if r.status_code != 303:
        client.close()
        raise AssertionError(r.text)
    return client


def test_the_data_api_reads_a_candidates_evaluations(store, tenant, li, wired, engine, server):
    m = member(li, 23)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    (row,) = candidate(store, person_urn=m["person"])
    poller(store, engine).poll(tenant.id)
    (stored,) = evaluations_of(store, tenant_id=tenant.id)
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="tests", now_ms=int(time.time() * 1000))
    with httpx.Client(base_url=f"{server}/api/v1/linkedin", timeout=30,
                      headers={"Authorization": f"Bearer {key}"}) as api:
        body = api.get("/evaluations", params={"candidate": row.external_id}).json()
        (found,) = body["evaluations"]
        assert body["candidate"] == row.external_id and body["unavailable"] is None
        assert found["id"] == stored.li_id and found["job"] == "J1"
        assert found["jobTitle"] == "Staff Engineer" and found["application"]
        assert (found["overallFit"], found["summary"], found["qualifications"],
                found["evaluatedAt"]) == (stored.overall_fit, stored.summary,
                                          stored.qualifications, stored.evaluated_at)
        missing = api.get("/evaluations", params={"candidate": "NOPE"})
        assert missing.status_code == 404
        assert missing.json()["error"]["errors"][0]["field"] == "candidate"
        assert api.get("/evaluations").status_code == 422


def test_on_the_unversioned_family_the_page_and_api_say_there_are_none(store, tenant, li,
                                                                         wired):
    m = member(li, 24)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    (row,) = candidate(store, person_urn=m["person"])
    settings = Settings(secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                        linkedin_api_version="v2", background_sync=False, pollers=False,
                        inbound_worker=False)
    with serve(create_app(settings, store)) as url:
        page = signed_in(url, store, tenant, wired["seat"]["emailAddress"])
        try:
            html = page.get(f"/t/{tenant.slug}/candidates/{row.external_id}").text
        finally:
            page.close()
        assert 'id="evaluations-unavailable"' in html
        assert "unversioned API (v2), which has none" in html
        with store.db.write() as conn:
            key = create_api_key(conn, tenant.id, name="v2", now_ms=int(time.time() * 1000))
        body = httpx.get(f"{url}/api/v1/linkedin/evaluations",
                         params={"candidate": row.external_id},
                         headers={"Authorization": f"Bearer {key}"}).json()
    assert body == {"candidate": row.external_id, "evaluations": [],
                    "unavailable": NO_EVALUATIONS_ON_V2}


def test_the_cli_polls_evaluations_and_says_why_there_are_none_on_v2(store, tenant, li, wired,
                                                                     monkeypatch):
    for name, value in (("SECRET_KEY", KEY), ("LINKEDIN_API_URL", li.url),
                        ("LINKEDIN_OAUTH_URL", li.url), ("INBOUND_BACKFILL_DAYS", "1")):
        monkeypatch.setenv(f"RECRUITLINK_{name}", value)
    db = ["--database-url", store.db.url]
    m = member(li, 25)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    polled = CliRunner().invoke(cli, ["inbound", "poll", "--tenant", tenant.slug, "--kind",
                                      "evaluations", *db])
    assert polled.exit_code == 0, polled.output
    assert "evaluations" in polled.output and "stored" in polled.output
    assert len(evaluations_of(store, tenant_id=tenant.id)) == 1

    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_VERSION", "v2")
    on_v2 = CliRunner().invoke(cli, ["inbound", "poll", "--tenant", tenant.slug, "--kind",
                                     "evaluations", *db])
    assert on_v2.exit_code == 0, on_v2.output
    assert "evaluations: none to read" in on_v2.output
    assert "unversioned API (v2)" in " ".join(on_v2.output.split())


def test_on_the_unversioned_family_evaluations_fetched_before_are_shown_without_a_contradiction(
        store, tenant, li, wired, engine):
    """Switched from the versioned API to v2: the evaluations already held still show, and the
    note under them says no new ones come, not that none are shown."""
    m = member(li, 25)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    (row,) = candidate(store, person_urn=m["person"])
    poller(store, engine).poll(tenant.id)
    (stored,) = evaluations_of(store, tenant_id=tenant.id)
    settings = Settings(secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                        linkedin_api_version="v2", background_sync=False, pollers=False,
                        inbound_worker=False)
    with serve(create_app(settings, store)) as url:
        page = signed_in(url, store, tenant, wired["seat"]["emailAddress"])
        try:
            html = page.get(f"/t/{tenant.slug}/candidates/{row.external_id}").text
        finally:
            page.close()
    assert f'data-evaluation="{stored.li_id}"' in html
    assert 'id="evaluations-unavailable"' in html
    assert "No new LinkedIn Hiring Assistant evaluations" in html
    assert "evaluations are not" not in html
