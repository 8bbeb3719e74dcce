"""Gap 2: job CLOSE tasks (deletes, exclusions, disconnect) are polled until LinkedIn
confirms them, like CREATE and UPDATE; a FAILED task is a rejection of that change (with
LinkedIn's reason, replayable), while the ledger keeps what LinkedIn still holds."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.records import Job
from recruitlink.store import schema
from recruitlink.sync import control
from tests.integration.sync_gaps.conftest import Seen, answer, ledger_row, open_errors
from tests.integration.test_sync_engine import ORG, connected, run_until_idle, seed_small

REFUSED = "ERROR :: /title :: LinkedIn refused this change (test)"


class FailTasks:
    """LinkedIn answers FAILED for the next `times` tasks of one operation."""

    def __init__(self, operation: str, times: int = 1) -> None:
        self.operation = operation
        self.left = times
        self.urns: set[str] = set()

    def __call__(self, seen: Seen) -> httpx.Response | None:
        if seen.resource == "simpleJobPostings" and seen.answer:
            for element, done in zip(seen.body["elements"], seen.answer["elements"],
                                     strict=True):
                if (element["jobPostingOperationType"] == self.operation and self.left
                        and done.get("id")):
                    self.urns.add(done["id"])
                    self.left -= 1
        if seen.resource == "simpleJobPostingTasks" and seen.answer:
            body = seen.answer
            for urn, task in (body.get("results") or {}).items():
                if unquote(urn) in self.urns and task.get("status") != "IN_PROGRESS":
                    task.update(status="FAILED", errorMessage=REFUSED)
            return answer(seen, body)
        return None


def jobs(li) -> dict:
    return {j["externalJobPostingId"]: j
            for j in li.control.get(f"/organizations/{ORG}/jobs").json()["elements"]}


def closes_sent(tamper, external_id: str) -> int:
    return sum(1 for s in tamper.calls("simpleJobPostings") for e in s.body["elements"]
               if e["externalJobPostingId"] == external_id
               and e["jobPostingOperationType"] == "CLOSE")


def batch_outcome(store, row) -> str:
    with store.reader() as conn:
        return conn.execute(select(schema.sync_batch_items.c.outcome).where(
            schema.sync_batch_items.c.batch_id == row.batch_id,
            schema.sync_batch_items.c.entity == "jobs",
            schema.sync_batch_items.c.entity_id == row.entity_id)).scalar()


@pytest.mark.parametrize("change", ["exclude", "delete"])
def test_close_is_polled_until_linkedin_confirms(store, tenant, li, make_engine, change):
    seed_small(store, tenant.id)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    assert jobs(li)["J1"]["state"] == "LISTED"
    li.control.put("/settings", json={"jobTaskDelay": 1.5})

    with store.writer(tenant.id) as w:
        if change == "exclude":
            w.records("jobs", [(0, Job(id="J1", confidential=True))], mode="update")
        else:
            assert w.delete("jobs", "J1")
    assert engine.step(tenant.id).kind == "continuous"
    row = ledger_row(store, "jobs", "J1")
    # LinkedIn took the CLOSE, nothing more: the ledger waits for the task.
    assert row.state == "closing" and row.job_task
    assert row.li_key["confirmed"]["state"] == "LISTED"
    assert not engine.historical_done(tenant.id)
    assert jobs(li)["J1"]["processing"]

    run_until_idle(engine, tenant.id)
    row = ledger_row(store, "jobs", "J1")
    assert (row.state, row.reason) == (("excluded", "confidential job") if change == "exclude"
                                       else ("deleted", None))
    assert row.li_key["state"] == "CLOSED" and "confirmed" not in row.li_key
    assert jobs(li)["J1"]["state"] == "CLOSED" and not jobs(li)["J1"]["processing"]


def test_failed_close_keeps_the_job_listed_and_retry_closes_it(store, tenant, li, make_engine,
                                                               tamper):
    seed_small(store, tenant.id)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    tamper.after.append(FailTasks("CLOSE"))

    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", confidential=True))], mode="update")
    run_until_idle(engine, tenant.id)
    row = ledger_row(store, "jobs", "J1")
    # LinkedIn still lists it: live, so a retry, a later delete or a disconnect closes it.
    assert row.state == "synced" and row.li_key["state"] == "LISTED"
    assert row.reason == REFUSED and row.content_hash is not None
    (error,) = open_errors(store, "J1")
    assert (error.reason, error.source, error.batch_id) == (REFUSED, "linkedin", row.batch_id)
    assert batch_outcome(store, row) == "rejected"

    report = control.retry(engine, tenant.id)
    assert report.tally is not None and report.tally.synced >= 1
    run_until_idle(engine, tenant.id)
    assert closes_sent(tamper, "J1") == 2
    row = ledger_row(store, "jobs", "J1")
    assert (row.state, row.reason) == ("excluded", "confidential job")
    assert open_errors(store, "J1") == []


def test_failed_update_keeps_the_confirmed_version_and_is_replayable(store, tenant, li,
                                                                    make_engine, tamper):
    seed_small(store, tenant.id)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    before = ledger_row(store, "jobs", "J1")
    assert before.state == "synced"
    tamper.after.append(FailTasks("UPDATE"))

    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", title="Principal Engineer"))], mode="update")
    assert engine.step(tenant.id).kind == "continuous"
    sent = ledger_row(store, "jobs", "J1")
    assert sent.state == "submitted" and sent.content_hash != before.content_hash
    assert sent.li_key["confirmed"] == {"state": "LISTED", "hash": before.content_hash}
    run_until_idle(engine, tenant.id)

    row = ledger_row(store, "jobs", "J1")
    # The change is rejected; what LinkedIn holds is still the last confirmed version.
    assert row.state == "synced" and row.reason == REFUSED
    assert row.content_hash == before.content_hash
    assert row.li_key == before.li_key
    (error,) = open_errors(store, "J1")
    assert (error.reason, error.source) == (REFUSED, "linkedin")
    assert batch_outcome(store, row) == "rejected"

    report = control.retry(engine, tenant.id)  # replays the change
    assert report.tally is not None and report.tally.synced >= 1
    run_until_idle(engine, tenant.id)
    row = ledger_row(store, "jobs", "J1")
    assert row.state == "synced" and row.content_hash == sent.content_hash
    assert jobs(li)["J1"]["posting"]["title"] == "Principal Engineer"
    assert open_errors(store, "J1") == []


def test_failed_update_then_exclusion_still_closes_the_job(store, tenant, li, make_engine,
                                                          tamper):
    seed_small(store, tenant.id)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    tamper.after.append(FailTasks("UPDATE"))
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", title="Principal Engineer"))], mode="update")
    run_until_idle(engine, tenant.id)
    assert open_errors(store, "J1")

    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", confidential=True))], mode="update")
    run_until_idle(engine, tenant.id)
    assert closes_sent(tamper, "J1") == 1
    assert jobs(li)["J1"]["state"] == "CLOSED"
    assert ledger_row(store, "jobs", "J1").state == "excluded"


def test_disconnect_waits_for_linkedin_to_confirm_its_closes(store, tenant, li, make_engine):
    seed_small(store, tenant.id)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    li.control.put("/settings", json={"jobTaskDelay": 1.0})

    report = control.disconnect(engine, tenant.id)
    summary = li.control.get(f"/organizations/{ORG}/summary").json()
    assert summary["jobs"] == {"LISTED": 0, "CLOSED": 2, "processing": 0}
    assert report["deleted"]["simpleJobPostings"] == 2  # J1 closed now, J2 was closed
    assert "simpleJobPostings" not in report["failed"] and "pending" not in report
    assert ledger_row(store, "jobs", "J1").state == "deleted"


def test_disconnect_reports_a_close_linkedin_refused(store, tenant, li, make_engine, tamper):
    seed_small(store, tenant.id)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    tamper.after.append(FailTasks("CLOSE"))

    report = control.disconnect(engine, tenant.id)
    assert report["failed"]["simpleJobPostings"] == 1
    assert report["deleted"]["simpleJobPostings"] == 1  # J2 was closed already
    row = ledger_row(store, "jobs", "J1")
    assert row.state == "synced" and row.reason == REFUSED
    assert [e.reason for e in open_errors(store, "J1")] == [REFUSED]
