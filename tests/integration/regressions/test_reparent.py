from recruitlink.core.records import Application, Candidate, Job, Note
from tests.integration.test_sync_engine import DESCRIPTION, ORG, connected, run_until_idle


def test_note_moves_parent(store, tenant, engine, li):
    with store.writer(tenant.id) as w:
        w.records(
            "jobs",
            [(0, Job(id="J1", title="Engineer", description=DESCRIPTION, location="Paris, FR"))],
            mode="create",
        )
        w.records(
            "candidates",
            [(0, Candidate(id="C1", first_name="Ada", last_name="L", emails=["ada@example.com"]))],
            mode="create",
        )
        w.records(
            "applications",
            [(0, Application(id="A1", candidate_id="C1", job_id="J1"))],
            mode="create",
        )
        w.records(
            "notes", [(0, Note(id="N1", candidate_id="C1", body="Salary: 200k"))], mode="create"
        )
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    with store.writer(tenant.id) as w:
        w.records(
            "notes", [(0, Note(id="N1", candidate_id=None, application_id="A1"))], mode="update"
        )
    run_until_idle(engine, tenant.id)
    with store.writer(tenant.id) as w:  # the author makes it private: must leave LinkedIn
        w.records("notes", [(0, Note(id="N1", visibility="private"))], mode="update")
    run_until_idle(engine, tenant.id)
    view = li.control.get(f"/organizations/{ORG}/candidates/C1").json()
    print(
        "candidate notes:",
        [n["id"] for n in view["notes"]],
        "app notes:",
        [n["id"] for a in view["applications"] for n in a["notes"]],
    )
    assert view["notes"] == []
