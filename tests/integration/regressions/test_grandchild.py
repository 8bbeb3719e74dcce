from sqlalchemy import select

from recruitlink.core.records import Application, Candidate, Job, StageTransition
from recruitlink.store import schema
from tests.integration.test_sync_engine import DESCRIPTION, ORG, connected, records, run_until_idle


def test_grandchildren_stay_rejected(store, tenant, engine, li):
    with store.writer(tenant.id) as w:
        w.records(
            "jobs",
            [(0, Job(id="J1", title="Engineer", description=DESCRIPTION, location="Paris, FR"))],
            mode="create",
        )
        w.records(
            "candidates",
            [(0, Candidate(id="C3", first_name="Alan", last_name="T", emails=["alan@"]))],
            mode="create",
        )
        w.records(
            "applications",
            [(0, Application(id="A3", candidate_id="C3", job_id="J1"))],
            mode="create",
        )
        w.records(
            "stage_transitions",
            [
                (
                    0,
                    StageTransition(
                        id="S9", application_id="A3", stage="New", entered_at="2025-02-01T00:00:00Z"
                    ),
                )
            ],
            mode="create",
        )
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    with store.writer(tenant.id) as w:  # the cause is fixed
        w.records(
            "candidates", [(0, Candidate(id="C3", emails=["alan@example.com"]))], mode="update"
        )
    run_until_idle(engine, tenant.id)
    with store.reader() as conn:
        print(
            "ledger:",
            conn.execute(
                select(
                    schema.sync_ledger.c.external_id,
                    schema.sync_ledger.c.state,
                    schema.sync_ledger.c.reason,
                )
            ).all(),
        )
    n = li.control.get(f"/organizations/{ORG}/records/atsApplications/stages").json()["paging"][
        "total"
    ]
    print("stages on LinkedIn:", n, "apps:", list(records(li, "atsApplications")))
    assert n == 1
