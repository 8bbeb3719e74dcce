"""Issue 15, point 9: "An exported hiring process starts at the job's first stage; stage
changes show the same current stage on both sides", end to end over loopback, on SQLite and
PostgreSQL: a One-Click Export's application starts at the job's first stage in the ATS and
on LinkedIn; the ATS moves it on through its data API (a stage transition, as a stage change
is recorded); after the sync, LinkedIn's application and the ATS's candidate page show the
same current stage."""

# ruff: noqa: F811  (the fixtures imported from other test modules are parameters here)
from __future__ import annotations

import time
from contextlib import closing

import httpx
from sqlalchemy import select

from recruitlink.store.schema import stage_transitions
from recruitlink.store.tenants import create_api_key
from tests.integration.test_exports_seen import people, signed_in  # noqa: F401
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    ORG,
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.integration.test_inbound_seams import applications_of


def linkedin_stage(li, candidate_id: str) -> list[str | None]:
    view = li.control.get(f"/organizations/{ORG}/candidates/{candidate_id}")
    assert view.status_code == 200, view.text
    return [a["currentStage"] for a in view.json()["applications"]]


def sync(engine, tenant) -> None:
    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)


def exported_at_applied(li, store, tenant, wired, engine, index: int):
    """A member exported into J1 and synced: their candidate row and its one application,
    at the job's first stage on both sides."""
    m = member(li, index)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    assert wait_for_events(store, 3)[2].outcome == "created"
    (row,) = candidate(store, person_urn=m["person"])
    (app,) = applications_of(store, row)
    assert app.current_stage == "Applied"
    sync(engine, tenant)
    assert linkedin_stage(li, row.external_id) == ["Applied"]
    return row, app


def data_api(store, tenant, server) -> httpx.Client:
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="ats", now_ms=0)
    return httpx.Client(base_url=f"{server}/api/v1", timeout=30,
                        headers={"Authorization": f"Bearer {key}"})


def test_an_exported_process_starts_at_the_first_stage_and_moves_the_same_on_both_sides(
        store, tenant, li, server, wired, engine, people):
    row, app = exported_at_applied(li, store, tenant, wired, engine, 130)
    api = data_api(store, tenant, server)
    rita = signed_in(server, tenant, people["rita"])
    with closing(api), closing(rita):
        moved = api.post("/stage-transitions", json={
            "application_id": app.external_id, "stage": "Phone screen",
            "entered_at": "2030-01-01T00:00:00Z"})
        assert moved.status_code == 201, moved.text
        sync(engine, tenant)
        assert linkedin_stage(li, row.external_id) == ["Phone screen"]
        (app,) = applications_of(store, row)
        assert app.current_stage == "Phone screen"
        page = rita.get(f"/t/{tenant.slug}/candidates/{row.external_id}").text
        shown = page.split(f'data-application="{app.external_id}"')[1].split("</div>")[0]
        assert '<b class="stage">Phone screen</b>' in shown, shown

        # A transition entered before the current one is history: the current stage stays.
        older = api.post("/stage-transitions", json={
            "application_id": app.external_id, "stage": "Sourced",
            "entered_at": "2020-01-01T00:00:00Z"})
        assert older.status_code == 201, older.text
        sync(engine, tenant)
        assert linkedin_stage(li, row.external_id) == ["Phone screen"]
        assert applications_of(store, row)[0].current_stage == "Phone screen"


def linkedin_history(li, candidate_id: str) -> list[tuple[str, str]]:
    view = li.control.get(f"/organizations/{ORG}/candidates/{candidate_id}")
    assert view.status_code == 200, view.text
    (application,) = view.json()["applications"]
    return [(s["id"], s["stage"]) for s in application["stages"]]


def test_a_move_by_current_stage_alone_reaches_linkedin_and_the_atss_own_transition_replaces_it(
        store, tenant, li, server, wired, engine):
    """The SmartRecruiters walk: an ATS that moves an application by PATCHing its
    current_stage (as the example host ATS does) saw 'Interview' in recruitlink while
    Recruiter kept 'Applied', since LinkedIn learns stages from transitions only. recruitlink
    now writes the transition; one the ATS writes for the same move later replaces it."""
    row, app = exported_at_applied(li, store, tenant, wired, engine, 131)
    api = data_api(store, tenant, server)
    with closing(api):
        patched = api.patch(f"/applications/{app.external_id}",
                            json={"current_stage": "Interview"})
        assert patched.status_code == 200, patched.text
        with store.reader() as conn:
            stages = [r.stage for r in conn.execute(
                select(stage_transitions.c.stage)
                .where(stage_transitions.c.application_id == app.id)
                .order_by(stage_transitions.c.entered_at))]
        assert stages == ["Applied", "Interview"], stages
        sync(engine, tenant)
        assert linkedin_stage(li, row.external_id) == ["Interview"]
        history = linkedin_history(li, row.external_id)
        assert [s for _, s in history] == ["Applied", "Interview"], history
        assert history[1][0].startswith("recruitlink-stage-"), history

        # The same PATCH again changes nothing (the history already ends there).
        again = api.patch(f"/applications/{app.external_id}", json={"current_stage": "Interview"})
        assert again.status_code == 200, again.text

        # The ATS then records the move itself: its transition takes the stand-in's place.
        own = api.post("/stage-transitions", json={
            "id": "ATS-MOVE-1", "application_id": app.external_id, "stage": "Interview",
            "entered_at": "2030-01-01T00:00:00Z"})
        assert own.status_code == 201, own.text
        sync(engine, tenant)
        assert linkedin_history(li, row.external_id)[1:] == [("ATS-MOVE-1", "Interview")]
        assert len(linkedin_history(li, row.external_id)) == 2
        assert applications_of(store, row)[0].current_stage == "Interview"


def test_a_move_by_current_stage_of_an_application_with_no_history_reaches_linkedin(
        store, tenant, li, server, wired, engine):
    """The SmartRecruiters walk: the example host ATS pushes applications with a
    current_stage and no stage history, so LinkedIn showed no stage before or after a move.
    A move now writes the history the ATS did not: where it began, then where it went."""
    exported_at_applied(li, store, tenant, wired, engine, 132)  # the job J1 is on LinkedIn
    api = data_api(store, tenant, server)
    with closing(api):
        made = api.post("/candidates", json={"id": "C-NOHIST", "first_name": "Nora",
                                             "last_name": "Hist",
                                             "emails": ["nora.hist@example.com"]})
        assert made.status_code == 201, made.text
        made = api.post("/applications", json={"id": "A-NOHIST", "candidate_id": "C-NOHIST",
                                               "job_id": "J1", "current_stage": "Applied"})
        assert made.status_code == 201, made.text
        sync(engine, tenant)
        assert linkedin_stage(li, "C-NOHIST") == [None]  # no history: LinkedIn knows none

        patched = api.patch("/applications/A-NOHIST", json={"current_stage": "Interview"})
        assert patched.status_code == 200, patched.text
        sync(engine, tenant)
        assert linkedin_stage(li, "C-NOHIST") == ["Interview"]
        history = linkedin_history(li, "C-NOHIST")
        assert [s for _, s in history] == ["Applied", "Interview"], history
        assert all(i.startswith("recruitlink-stage-A-NOHIST-") for i, _ in history), history
