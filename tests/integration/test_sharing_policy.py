"""Consent and field policy (issue 19, part 5) end to end against the sandbox over loopback,
on SQLite and PostgreSQL: a consent rule excludes the candidates without that consent, the
plan says why, and the sync deletes them (and their applications) from LinkedIn; a tag rule
does the same through the API; fields never shared leave LinkedIn's copy; the rules come
back off and the candidates are sent again."""

from __future__ import annotations

import json
import time

from recruitlink.core.records import Candidate
from recruitlink.sync.sharing import set_sharing
from tests.integration.test_data_api import client_for, new_key
from tests.integration.test_sync_engine import connected, records, run_until_idle, seed_small
from tests.integration.test_sync_progress_truth import (  # noqa: F401  (the engine fixture:
    cli,  # its key is the CLI's)
    engine,
)
from tests.support.servers import serve


def now() -> int:
    return int(time.time() * 1000)


def seeded(store, tenant, engine, li) -> None:  # noqa: F811
    seed_small(store, tenant.id)  # C1 (A1), C2 confidential (A2), C3 invalid email (A3)
    with store.writer(tenant.id) as w:
        w.records("candidates", [
            (0, Candidate(id="C4", first_name="Katherine", last_name="Johnson",
                          emails=["kj@example.com"], phones=[{"number": "+1 202 555 0100"}],
                          tags=["Internal"], consents=["linkedin_recruiter", "email"]))],
            mode="create")
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    assert set(records(li, "atsCandidates")) == {"C1", "C4"}
    assert "A1" in records(li, "atsApplications")


def test_a_consent_rule_deletes_the_candidates_without_it_and_the_plan_says_why(
        store, tenant, engine, li):  # noqa: F811
    seeded(store, tenant, engine, li)

    _, change = set_sharing(store.db, tenant.id, required_consent="linkedin_recruiter",
                            at=now())
    assert (change.now_excluded, change.now_shared) == (2, 0)  # C1, C3 (C2 already was)
    plan = cli(store, "sync", "plan", "--tenant", tenant.slug, "--json")
    assert plan.returncode == 0, plan.stderr
    planned = json.loads(plan.stdout)["records"]
    excluded = {r["id"]: r["reason"] for r in planned["candidates"]["excluded"]}
    assert excluded == {"C1": "no consent to 'linkedin_recruiter'",
                        "C2": "confidential candidate",
                        "C3": "no consent to 'linkedin_recruiter'"}
    assert planned["candidates"]["delete"] == ["C1"]  # on LinkedIn: deleted, and why
    assert {"id": "C1", "reason": "no consent to 'linkedin_recruiter'",
            "onLinkedIn": "deleted by the next sync"} in planned["candidates"]["excluded"]
    apps = {r["id"]: r["reason"] for r in planned["applications"]["excluded"]}
    assert apps["A1"] == ("belongs to a candidate not shared: no consent to "
                          "'linkedin_recruiter'")

    run_until_idle(engine, tenant.id)
    assert set(records(li, "atsCandidates")) == {"C4"}
    assert "A1" not in records(li, "atsApplications")

    # The rule off again: C1 and its application are sent again.
    _, change = set_sharing(store.db, tenant.id, clear_consent=True, at=now())
    assert (change.now_excluded, change.now_shared) == (0, 2)
    run_until_idle(engine, tenant.id)
    assert set(records(li, "atsCandidates")) == {"C1", "C4"}
    assert "A1" in records(li, "atsApplications")


def test_fields_never_shared_leave_linkedins_copy(store, tenant, engine, li):  # noqa: F811
    seeded(store, tenant, engine, li)
    held = records(li, "atsCandidates")["C4"]
    assert held.get("phoneNumbers") and held.get("currentJobTitle") is None
    assert records(li, "atsCandidates")["C1"]["currentJobTitle"] == "Engineer"

    shown = cli(store, "policy", "set", "--tenant", tenant.slug,
                "--never-share", "current_title,phones")
    assert shown.returncode == 0, shown.stderr
    assert "never shared phones, current_title" in " ".join(shown.stdout.split())
    run_until_idle(engine, tenant.id)
    held = records(li, "atsCandidates")
    assert not held["C4"].get("phoneNumbers") and not held["C1"].get("phoneNumbers")
    assert "currentJobTitle" not in held["C1"]
    assert held["C4"]["emailAddresses"] == ["kj@example.com"]  # never deniable: required
    assert held["C4"]["firstName"] == "Katherine"

    bad = cli(store, "policy", "set", "--tenant", tenant.slug, "--never-share", "emails")
    assert bad.returncode == 2
    assert "never_shared: 'emails' is not a candidate field" in " ".join(bad.stdout.split())


def test_a_tag_rule_through_the_api(store, tenant, engine, li):  # noqa: F811
    from recruitlink.settings import Settings
    from recruitlink.web import create_app

    app = create_app(Settings(database_url=store.db.url, background_sync=False,
                              pollers=False), store=store)
    with serve(app) as url, client_for(url, new_key(store, tenant)) as api:
        not_yet = api.put("/linkedin/sharing", json={"excludedTags": ["internal"]})
        assert not_yet.status_code == 409, not_yet.text
        assert not_yet.json()["error"]["errors"] == [
            {"field": "tenant", "reason": "not connected to LinkedIn yet"}]
        seeded(store, tenant, engine, li)

        wrong = api.put("/linkedin/sharing", json={"neverShared": ["first_name"]})
        assert wrong.status_code == 422, wrong.text
        assert "neverShared" in wrong.text
        done = api.put("/linkedin/sharing", json={"excludedTags": ["internal"]})
        assert done.status_code == 200, done.text
        assert done.json() == {"neverShared": [], "excludedTags": ["internal"],
                               "requiredConsent": None, "queued": 1, "nowExcluded": 1,
                               "nowShared": 0}
        assert api.get("/linkedin/sharing").json()["excludedTags"] == ["internal"]
    run_until_idle(engine, tenant.id)
    assert set(records(li, "atsCandidates")) == {"C1"}
