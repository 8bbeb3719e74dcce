"""The store's write and read paths, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from recruitlink.core.records import Application, Candidate, Job, Note, StageTransition
from recruitlink.store.changelog import read_changes
from recruitlink.store.entities import entity
from recruitlink.store.records import get_record, list_records
from recruitlink.store.schema import changelog
from tests.conftest import make_tenant


def changes(store, tenant_id):
    with store.reader() as conn:
        return [(c.entity, c.external_id, c.op, c.confidentiality)
                for c in read_changes(conn, tenant_id, 0, 10_000)]


def test_create_update_unchanged_and_rejected_in_one_call(store, tenant):
    with store.writer(tenant.id) as w:
        out = w.records("candidates", [
            (0, Candidate(id="C1", first_name="Ada", emails=["ada@example.com"])),
            (1, Candidate(id="C2", first_name="Bob", source_id="nope")),
            (2, Candidate(id="C1", first_name="Dup")),
            (3, Candidate(id="C3")),
        ], mode="upsert")
    assert [o.status for o in out] == ["created", "rejected", "rejected", "rejected"]
    assert out[1].errors == [{"field": "source_id", "reason": "unknown source 'nope'"}]
    assert out[2].errors[0]["field"] == "id" and "more than once" in out[2].errors[0]["reason"]
    assert out[3].errors[0]["field"] == "first_name"
    with store.writer(tenant.id) as w:
        again = w.records("candidates", [
            (0, Candidate(id="C1", first_name="Ada")),
            (1, Candidate(id="C1b", last_name="Lovelace"))], mode="upsert")
    assert [o.status for o in again] == ["unchanged", "created"]
    with store.writer(tenant.id) as w:
        (changed,) = w.records("candidates", [(0, Candidate(id="C1", current_title="CTO"))],
                               mode="upsert")
    assert changed.status == "updated"
    with store.reader() as conn:
        record = get_record(conn, entity("candidates"), tenant_id=tenant.id, external_id="C1")
    assert record["first_name"] == "Ada" and record["current_title"] == "CTO"
    assert record["emails"] == ["ada@example.com"]
    assert changes(store, tenant.id)[-3:] == [
        ("candidates", "C1", "create", None), ("candidates", "C1b", "create", None),
        ("candidates", "C1", "update", None)]


def test_references_uniqueness_and_cascading_delete(store, tenant):
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ada"))], mode="create")
        w.records("jobs", [(0, Job(id="J1", title="Engineer"))], mode="create")
        out = w.records("applications", [
            (0, Application(id="A1", candidate_id="C1", job_id="J1")),
            (1, Application(id="A2", candidate_id="C1", job_id="J1")),
            (2, Application(id="A3", candidate_id="C1", job_id="J404"))], mode="create")
        assert [o.status for o in out] == ["created", "rejected", "rejected"]
        assert out[1].http_status == 409 and out[2].errors[0]["field"] == "job_id"
        w.records("stage_transitions", [
            (0, StageTransition(id="S1", application_id="A1", stage="New",
                                entered_at="2024-01-01T00:00:00Z"))], mode="create")
        w.records("notes", [(0, Note(id="N1", application_id="A1", body="hi")),
                            (1, Note(id="N2", candidate_id="C1", body="hello"))],
                  mode="create")
    before = len(changes(store, tenant.id))
    with store.writer(tenant.id) as w:
        assert w.delete("candidates", "C1")
        assert not w.delete("candidates", "C1")
    deleted = changes(store, tenant.id)[before:]
    assert sorted(deleted) == sorted([
        ("stage_transitions", "S1", "delete", None), ("notes", "N1", "delete", None),
        ("applications", "A1", "delete", None), ("notes", "N2", "delete", None),
        ("candidates", "C1", "delete", None)])
    with store.reader() as conn:
        items, cursor = list_records(conn, entity("jobs"), tenant_id=tenant.id, limit=10)
    assert [i["id"] for i in items] == ["J1"] and cursor is None


def test_confidentiality_changes_are_in_the_changelog(store, tenant):
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", first_name="A", confidential=True))],
                  mode="create")
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", confidential=False))], mode="update")
    assert changes(store, tenant.id)[-2:] == [("candidates", "C1", "create", "entered"),
                                              ("candidates", "C1", "update", "left")]


def test_tenants_never_see_each_other(store, tenant):
    other = make_tenant(store, "globex")
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ada"))], mode="create")
    with store.writer(other.id) as w:
        (out,) = w.records("applications", [
            (0, Application(id="A1", candidate_id="C1", job_id="J1"))], mode="create")
        assert out.status == "rejected"
        assert not w.delete("candidates", "C1")
        (mine,) = w.records("candidates", [(0, Candidate(id="C1", first_name="Other"))],
                            mode="create")
        assert mine.status == "created"
    with store.reader() as conn:
        ours = get_record(conn, entity("candidates"), tenant_id=tenant.id, external_id="C1")
        rows = conn.execute(select(changelog.c.tenant_id)).all()
    assert ours["first_name"] == "Ada"
    assert {r.tenant_id for r in rows} == {tenant.id, other.id}


def test_every_cascade_kind_leaves_one_row_per_changed_record(store, tenant):
    from recruitlink.core.records import Project, User

    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Rita", email="rita@x.example",
                                     role="recruiter"))], mode="create")
        w.records("jobs", [(0, Job(id="J1", title="Eng", owner_id="U1", viewer_ids=["U1"])),
                           (1, Job(id="J2", title="Ops"))], mode="create")
        w.records("projects", [(0, Project(id="P1", title="Pool", job_ids=["J1", "J2"]))],
                  mode="create")
    before = len(changes(store, tenant.id))
    with store.writer(tenant.id) as w:
        assert w.delete("users", "U1")  # unlinks J1.owner and drops U1 from J1.viewer_ids
    assert changes(store, tenant.id)[before:] == [("jobs", "J1", "update", None),
                                                  ("users", "U1", "delete", None)]
    with store.reader() as conn:
        job = get_record(conn, entity("jobs"), tenant_id=tenant.id, external_id="J1")
    assert job["owner_id"] is None and job["viewer_ids"] == []
    before = len(changes(store, tenant.id))
    with store.writer(tenant.id) as w:
        assert w.delete("jobs", "J2")  # drops J2 from the project's job list
    assert changes(store, tenant.id)[before:] == [("projects", "P1", "update", None),
                                                  ("jobs", "J2", "delete", None)]
    with store.reader() as conn:
        project = get_record(conn, entity("projects"), tenant_id=tenant.id, external_id="P1")
    assert project["job_ids"] == ["J1"]


def test_a_failed_transaction_leaves_neither_records_nor_changelog(store, tenant):
    import pytest

    before = len(changes(store, tenant.id))
    with pytest.raises(RuntimeError), store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C9", first_name="Gone"))], mode="create")
        raise RuntimeError("crash mid-transaction")
    assert len(changes(store, tenant.id)) == before
    with store.reader() as conn:
        assert get_record(conn, entity("candidates"), tenant_id=tenant.id,
                          external_id="C9") is None
