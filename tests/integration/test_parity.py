"""Live parity end to end (issue 19, part 1): store -> sync -> sandbox over loopback, records
altered, deleted and kept behind recruitlink's back in the sandbox (its control API), found
by one parity round, repaired by reconcile; on SQLite and PostgreSQL. And parity within
LinkedIn's limits: with low throttles, parity and the sync together get no 429."""

from __future__ import annotations

import threading
import time

import pytest

from recruitlink.core.limits import copy_limits
from recruitlink.core.records import Application, Candidate
from recruitlink.crypto import SecretBox
from recruitlink.errors import Stopped
from recruitlink.linkedin import LinkedInClient
from recruitlink.sync import parity
from recruitlink.sync.connect import connect
from recruitlink.sync.control import disconnect
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.conftest import both_families
from tests.integration.test_sync_engine import (
    CONTRACT,
    ORG,
    connected,
    records,
    run_until_idle,
    seed_small,
)


def make_engine(store, li, **settings) -> SyncEngine:
    return SyncEngine(store, SecretBox("test-key"), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000",
        job_task_poll_s=0.0, backoff_s=0.01, idle_sleep_s=0.01, **settings))


@pytest.fixture
def engine(store, li, linkedin_api_version):
    eng = make_engine(store, li, api_version=linkedin_api_version)
    yield eng
    eng.close()


def seed_more(store, tenant_id: int) -> None:
    """Beside seed_small's C1 and A1 (synced): two more candidates and an application."""
    with store.writer(tenant_id) as w:
        w.records("candidates", [
            (0, Candidate(id="C4", first_name="Marie", last_name="Curie",
                          emails=["marie@example.com"], current_title="Physicist")),
            (1, Candidate(id="C5", first_name="Emmy", last_name="Noether",
                          emails=["emmy@example.com"])),
        ], mode="create")
        w.records("applications", [
            (0, Application(id="A4", candidate_id="C4", job_id="J1")),
        ], mode="create")


def candidate_key(candidate_id: str) -> dict:
    return {"atsCandidateId": candidate_id, "dataProvider": "ATS", "integrationContext": ORG}


def application_key(application_id: str) -> dict:
    return {"atsJobApplicationId": application_id, "dataProvider": "ATS",
            "integrationContext": ORG}


def drift_of(engine, tenant_id) -> set[tuple[str, str, str]]:
    return {(d["entity"], d["id"], d["kind"])
            for d in parity.status(engine, tenant_id)["drift"]}


@both_families  # what each family's client makes of LinkedIn's answer is compared alike
def test_drift_behind_our_back_is_found_in_one_round_and_reconciled(store, tenant, engine, li):
    seed_small(store, tenant.id)
    seed_more(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    assert set(records(li, "atsCandidates")) == {"C1", "C4", "C5"}
    assert set(records(li, "atsApplications")) == {"A1", "A4"}

    # A freshly synced tenant is in parity: what LinkedIn adds or normalises is no drift.
    first = parity.run_round(engine, tenant.id, share=0.2, max_records=1000)
    # Read back: the synced records and those the ledger says LinkedIn must not hold
    # (confidential C2, A2); rejected C3 and A3 were never there.
    assert first.checked == {"candidates": 4, "applications": 3}
    assert drift_of(engine, tenant.id) == set()
    figures = {e["entity"]: e for e in parity.status(engine, tenant.id)["entities"]}
    assert figures["candidates"]["parityPercent"] == 100.0

    # Behind recruitlink's back: a candidate edited on LinkedIn, a candidate and an
    # application removed, and a delete LinkedIn answers 204 to but ignores.
    r = li.control.patch("/organizations/" + ORG + "/records/atsCandidates",
                         json={"key": candidate_key("C4"), "set": {"lastName": "Sklodowska"}})
    assert r.status_code == 200, r.text
    assert li.control.request("DELETE", f"/organizations/{ORG}/records/atsCandidates",
                              json={"key": candidate_key("C5")}).status_code == 200
    assert li.control.request("DELETE", f"/organizations/{ORG}/records/atsApplications",
                              json={"key": application_key("A4")}).status_code == 200
    li.control.put("/faults/atsApplications", json={"ignore_deletes": True})
    with store.writer(tenant.id) as w:
        assert w.delete("applications", "A1")
    run_until_idle(engine, tenant.id)
    li.control.delete("/faults")
    assert "A1" in records(li, "atsApplications")  # LinkedIn kept it

    report = parity.run_round(engine, tenant.id, share=0.2, max_records=1000)
    assert report.drift == {"candidates": {"missing": 1, "stale": 1, "extra": 0},
                            "applications": {"missing": 1, "stale": 0, "extra": 1}}
    assert drift_of(engine, tenant.id) == {
        ("candidates", "C4", "stale"), ("candidates", "C5", "missing"),
        ("applications", "A4", "missing"), ("applications", "A1", "extra")}
    status = parity.status(engine, tenant.id)
    (stale,) = [d for d in status["drift"] if d["kind"] == "stale"]
    assert stale["fields"] == ["lastName"]
    figures = {e["entity"]: e for e in status["entities"]}
    assert figures["candidates"]["parityPercent"] == 50.0  # 2 of 4 drifted

    assert parity.reconcile(engine, tenant.id) == {"missing": 2, "stale": 1, "extra": 1}
    assert drift_of(engine, tenant.id) == set()
    run_until_idle(engine, tenant.id)
    held = records(li, "atsCandidates")
    assert set(held) == {"C1", "C4", "C5"}
    assert held["C4"]["lastName"] == "Curie"
    assert set(records(li, "atsApplications")) == {"A4"}

    again = parity.run_round(engine, tenant.id, share=0.2, max_records=1000)
    assert drift_of(engine, tenant.id) == set()
    assert sum(again.checked.values()) == 7


def test_a_pass_in_id_ranges_over_several_rounds(store, tenant, engine, li, monkeypatch):
    monkeypatch.setattr(parity, "SLICE", 1)  # each round: two slices of one record
    seed_small(store, tenant.id)
    seed_more(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    assert li.control.request("DELETE", f"/organizations/{ORG}/records/atsCandidates",
                              json={"key": candidate_key("C5")}).status_code == 200
    seen: set = set()
    checked = 0
    for _ in range(2):  # 4 candidates' ledger rows, 2 per round
        report = parity.run_round(engine, tenant.id, share=1.0, max_records=2)
        checked += report.checked["candidates"]
        seen |= drift_of(engine, tenant.id)
    assert checked == 4
    assert ("candidates", "C5", "missing") in seen
    figures = {e["entity"]: e for e in parity.status(engine, tenant.id)["entities"]}
    assert figures["candidates"]["checked"] == 4  # the pass so far
    # The pass starts over: the drift stays found until reconciled.
    parity.run_round(engine, tenant.id, share=1.0, max_records=2)
    parity.run_round(engine, tenant.id, share=1.0, max_records=2)
    assert ("candidates", "C5", "missing") in drift_of(engine, tenant.id)


def test_a_record_the_sync_sends_while_a_round_waits_is_no_drift(store, tenant, engine, li,
                                                                 monkeypatch):
    """A round judges a slice, then may wait for its share before reading it back; a newer
    version the sync sends meanwhile is not "stale" (the next round judges it afresh)."""
    seed_small(store, tenant.id)
    seed_more(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    read = parity.ReadBack.get
    edited: list[str] = []

    def sync_first(reader, resource, keys):
        if resource == "atsCandidates" and not edited:  # the sync runs while the round waits
            with store.writer(tenant.id) as w:
                w.records("candidates", [(0, Candidate(id="C4", current_title="Chemist"))],
                          mode="update")
            run_until_idle(engine, tenant.id)
            edited.append("C4")
        return read(reader, resource, keys)

    monkeypatch.setattr(parity.ReadBack, "get", sync_first)
    parity.run_round(engine, tenant.id, share=1.0, max_records=1000)
    assert edited == ["C4"]
    assert records(li, "atsCandidates")["C4"]["currentJobTitle"] == "Chemist"
    assert drift_of(engine, tenant.id) == set()
    monkeypatch.setattr(parity.ReadBack, "get", read)
    parity.run_round(engine, tenant.id, share=1.0, max_records=1000)
    assert drift_of(engine, tenant.id) == set()


def test_disconnect_reads_back_through_the_parity_reader(store, tenant, engine, li):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    parity.run_round(engine, tenant.id, share=1.0, max_records=1000)
    assert parity.status(engine, tenant.id)["lastRoundAt"] is not None
    report = disconnect(engine, tenant.id, wait_s=10)
    # C1 and A1 deleted, plus the excluded keys it never sent: all gone when read back.
    assert report["verified"]["checked"] >= 2
    assert report["verified"]["stillPresent"] == {}
    # Reconnected: the old round's figures were of records the disconnect deleted.
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret,
                             api_version=engine.settings.api_version)
    connect(store, engine.box, engine, partner, tenant_slug=tenant.slug, organization=ORG,
            contracts=[CONTRACT], public_url="http://127.0.0.1:9")
    partner.close()
    fresh = parity.status(engine, tenant.id)
    assert fresh["lastRoundAt"] is None and fresh["drift"] == []
    assert all(e["checked"] == 0 and e["checkedAt"] is None and e["parityPercent"] is None
               for e in fresh["entities"]), fresh["entities"]


def test_parity_and_the_sync_within_low_throttles_get_no_429(store, tenant, li):
    """LinkedIn's limits set low (30 requests a day, 100 records a minute per family) on the
    sandbox and in the engine: parity rounds run beside the sync with a fifth of the budget;
    parity spends at most its share of the day, then gives way, and the sync still has the
    rest: it finishes, and LinkedIn answered no 429."""
    per_day, per_minute, share = 30, 100, 0.2
    families = ("atsCandidates", "atsApplications")
    for family in families:
        li.control.put("/throttles", json={"family": family, "perDay": per_day,
                                           "perMinute": per_minute})
    limits = copy_limits()
    for family in families:
        limits[family].per_day, limits[family].per_minute = per_day, per_minute
    sync_engine = make_engine(store, li, limits=limits)
    parity_engine = make_engine(store, li, limits=limits)
    rounds: list = []

    def background_rounds(stop) -> None:
        """Parity rounds until `stop()`; a round that would wait past it gives way."""
        while not stop():
            try:
                rounds.append(parity.run_round(parity_engine, tenant.id, share=share,
                                               max_records=1000, should_stop=stop))
            except Stopped:
                return

    try:
        seed_small(store, tenant.id)
        seed_more(store, tenant.id)
        connected(store, sync_engine, li, tenant)
        done = threading.Event()
        deadline = time.monotonic() + 30
        runner = threading.Thread(target=background_rounds, args=(
            lambda: done.is_set() or time.monotonic() > deadline,))
        runner.start()
        try:
            run_until_idle(sync_engine, tenant.id)
        finally:
            done.set()
            runner.join(30)
        # Parity goes on until its share of the day is spent, then has to wait (and here
        # gives way): each round reads each family once, so within 7 rounds.
        gave_way = threading.Event()

        def give_way() -> bool:  # asked only when a round would have to wait
            gave_way.set()
            return True

        for _ in range(7):
            try:
                rounds.append(parity.run_round(parity_engine, tenant.id, share=share,
                                               max_records=1000, should_stop=give_way))
            except Stopped:
                break
        assert gave_way.is_set()
        # The sync still has its part of the day.
        with store.writer(tenant.id) as w:
            w.records("candidates", [(0, Candidate(id="C4", current_title="Chemist"))],
                      mode="update")
        run_until_idle(sync_engine, tenant.id)
        assert records(li, "atsCandidates")["C4"]["currentJobTitle"] == "Chemist"

        app = next(a for a in li.control.get("/apps").json()
                   if a["uniqueForeignId"] == f"recruitlink-{tenant.slug}")
        usage = li.control.get("/throttles", params={"app": app["key"]}).json()["usage"]
        assert {f: usage[f]["throttled"] for f in families} == dict.fromkeys(families, 0)
        # Parity read, within its share: 6 of the 30 requests per family (counting the
        # sync's, which come first).
        reads = sum(r.calls for r in rounds)
        assert 0 < reads <= len(families) * 6
    finally:
        sync_engine.close()
        parity_engine.close()
