from recruitlink.core.policy import Policy
from recruitlink.core.records import Application, Candidate, Job
from recruitlink.store import connections
from tests.integration.test_sync_engine import DESCRIPTION, connected, records, run_until_idle


def test_window_restart_deletes_old_parent_keeps_child(store, tenant, engine, li):
    with store.writer(tenant.id) as w:
        w.records(
            "jobs",
            [(0, Job(id="J1", title="Engineer", description=DESCRIPTION, location="Paris, FR"))],
            mode="create",
        )
        w.records(
            "candidates",
            [
                (
                    0,
                    Candidate(
                        id="C1",
                        first_name="Ada",
                        last_name="L",
                        emails=["ada@example.com"],
                        created_at="2022-01-01T00:00:00Z",
                        modified_at="2022-01-01T00:00:00Z",
                    ),
                )
            ],
            mode="create",
        )
        w.records(
            "applications",
            [(0, Application(id="A1", candidate_id="C1", job_id="J1"))],
            mode="create",
        )
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    print("before:", list(records(li, "atsCandidates")), list(records(li, "atsApplications")))
    with store.db.write() as conn:
        connections.set_policy(conn, tenant.id, Policy(history_window="12m"))
    engine.start_historical(tenant.id)
    run_until_idle(engine, tenant.id)
    print(
        "after 12m re-run:",
        list(records(li, "atsCandidates")),
        list(records(li, "atsApplications")),
    )
