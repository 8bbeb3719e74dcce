"""The outbound stream registry (sync/streams.py) agrees with the store (store/entities.py,
schema), the milestones, the builders and LinkedIn's throttles; what its readers derive from
it (dependents, streams of a record, the Setup page's list, the disconnect's read-back) is
what the sync relies on."""

from __future__ import annotations

import dataclasses

import pytest

from recruitlink.core.limits import family_of
from recruitlink.core.milestones import ENABLED, MILESTONES
from recruitlink.core.policy import Policy
from recruitlink.store import schema
from recruitlink.store.entities import ENTITIES
from recruitlink.sync import items, streams
from recruitlink.sync.streams import (
    DEPENDENTS_ON_CHANGE,
    DEPENDENTS_ON_CONFIDENTIALITY,
    NOT_NULL,
    ORDER,
    PARENT_COLUMN,
    STREAMS,
    Parent,
    Stream,
)
from recruitlink.web.pages.setup_flow import shared_data

ACLS = Policy(visibility="acls")


def test_each_stream_reads_a_store_table_with_the_columns_it_names():
    for s in STREAMS:
        table = schema.metadata.tables[s.table]
        for column in [*s.only, *(p.column for p in s.parents)]:
            assert column in table.c, f"{s.name}: {s.table} has no column {column}"


def test_parents_are_the_references_store_entities_declares():
    for s in STREAMS:
        for parent in s.parents:
            assert parent.entity in ENTITIES, f"{s.name}: unknown parent {parent.entity}"
            if s.table in ENTITIES:  # files name their owner by owner_entity, not a Ref
                refs = {r.field: r.target for r in ENTITIES[s.table].refs}
                assert refs.get(parent.column) == parent.entity, (s.name, parent)
            else:
                assert s.only.get("owner_entity") == parent.entity, (s.name, parent)


def test_a_column_that_is_no_reference_is_refused():
    with pytest.raises(ValueError, match=r"notes\.body: not a reference"):
        streams._ref("notes", "body")


def test_parents_run_before_their_children():
    for s in STREAMS:
        for parent in s.parents:
            first = min(ORDER[p.name] for p in STREAMS if p.table == parent.entity)
            assert first < ORDER[s.name], f"{s.name} runs before its parent {parent.entity}"


def test_names_and_resources_are_unique():
    assert len(set(STREAMS)) == len(STREAMS)  # hashable, as plain records
    assert len({s.name for s in STREAMS}) == len(STREAMS)
    assert len({s.resource for s in STREAMS}) == len(STREAMS)
    for s in STREAMS:
        assert streams.stream_for_resource(s.resource) is s
    with pytest.raises(KeyError, match="no stream sends to LinkedIn's 'nope'"):
        streams.stream_for_resource("nope")


def test_every_stream_has_a_builder_and_every_builder_a_stream():
    assert set(items._BUILDERS) == {s.name for s in STREAMS}


def test_milestones_are_the_feature_milestones_in_order():
    keys = [m.key for m in MILESTONES if m.key != ENABLED]
    used = [s.milestone for s in STREAMS]
    assert set(used) == set(keys)
    # Streams run milestone by milestone.
    assert sorted(used, key=keys.index) == used
    assert streams.milestone_of("files") == "candidates"  # its first stream's
    assert streams.milestone_of(streams.JOB_ACLS) == "jobs"
    assert streams.milestone_of("no_such_entity") == "activities"
    with pytest.raises(ValueError, match="x: milestone must be one of jobs, candidates"):
        Stream("x", "candidates", "atsCandidates", ENABLED)


def test_the_throttle_family_is_linkedins_unless_declared():
    for s in STREAMS:
        assert s.family == family_of(s.resource)
    assert streams.family_for("atsCandidates/resume") == "atsCandidates"
    assert streams.family_for("simpleJobPostingTasks") == "simpleJobPostingTasks"
    own = Stream("x", "candidates", "atsCandidates", "candidates", family="other")
    assert own.family == "other"
    assert dataclasses.replace(own, family="").family == "atsCandidates"


def test_dependents_follow_the_declared_parents():
    assert set(DEPENDENTS_ON_CHANGE) == {"candidates", "jobs", "applications"}
    assert set(DEPENDENTS_ON_CHANGE["candidates"]) == {"applications", "notes", "files"}
    assert set(DEPENDENTS_ON_CHANGE["applications"]) == {
        "stage_transitions", "notes", "interview_feedback", "files"}
    # A pipeline's children carry only its id: only its confidentiality sends them again.
    assert "projects" not in DEPENDENTS_ON_CHANGE
    assert set(DEPENDENTS_ON_CONFIDENTIALITY["projects"]) == {
        "project_stages", "project_memberships", "interactions"}
    for parent, children in DEPENDENTS_ON_CHANGE.items():
        assert set(children) <= set(DEPENDENTS_ON_CONFIDENTIALITY[parent])
    for parent, children in DEPENDENTS_ON_CONFIDENTIALITY.items():
        for child in children:
            assert PARENT_COLUMN[(child, parent)] in schema.metadata.tables[child].c


def test_adding_a_stream_adds_its_relations(monkeypatch: pytest.MonkeyPatch):
    """One entry is enough: its parents (from store/entities.py) get it as a dependent."""
    extra = Stream("source_contacts", "source_contacts", "atsSourceContacts", "candidates",
                   parents=(streams._ref("source_contacts", "source_id", on_change=False),))
    assert extra.parents == (Parent("sources", "source_id", on_change=False),)
    monkeypatch.setattr(streams, "STREAMS", (*STREAMS, extra))
    assert streams._children(on_change=False)["sources"] == ("source_contacts",)
    assert "sources" not in streams._children(on_change=True)
    assert streams._children(on_change=False)["candidates"] == DEPENDENTS_ON_CONFIDENTIALITY[
        "candidates"]


def test_a_record_feeds_the_streams_whose_rows_it_is():
    assert streams.streams_of("notes", {"candidate_id": 1, "application_id": None}) == [
        "candidate_notes"]
    assert streams.streams_of("notes", {"candidate_id": None, "application_id": 2}) == [
        "application_notes"]
    assert streams.streams_of("files", {"owner_entity": "candidates"}) == ["candidate_resumes"]
    assert streams.streams_of("files", {"owner_entity": "applications"}) == [
        "application_attachments"]
    assert streams.streams_of("notes", None) == []  # a deleted note: its ledger row says
    assert streams.streams_of("jobs", None) == ["jobs", "job_acls"]
    assert streams.streams_of("users", {"id": 1}) == ["acl_assignees"]
    assert streams.STREAM["candidate_notes"].only == {"candidate_id": NOT_NULL}


def test_who_syncs_what():
    rsc = {s.name for s in streams.streams_for("RSC")}
    crm = {s.name for s in streams.streams_for("CRM")}
    assert "projects" not in rsc and "projects" in crm
    assert "job_acls" not in rsc and "job_acls" in {s.name for s in
                                                    streams.streams_for("RSC", ACLS)}
    assert streams.synced_entities("RSC", ACLS) >= {"users", "jobs"}
    assert "users" not in streams.synced_entities("RSC")


def test_the_setup_page_lists_what_each_synced_stream_shares():
    for kind, policy in (("RSC", None), ("CRM", None), ("BOTH", ACLS)):
        shown = shared_data(kind, policy)
        expected = [s.shared for s in streams.streams_for(kind, policy) if s.shared]
        assert shown == expected
        assert all(g.title and g.fields for g in shown)
    assert "Project members" in [g.title for g in shared_data("CRM")]
    assert "Project members" not in [g.title for g in shared_data("RSC")]


def test_a_disconnect_reads_back_the_top_level_records():
    assert streams.VERIFY_RESOURCES == (
        "atsCandidates", "atsApplications", "tcrmPipelines", "tcrmInteractions")


def test_the_items_module_hands_out_the_registry_itself():
    assert items.STREAM is streams.STREAM and items.ORDER is streams.ORDER
    assert items.streams_for is streams.streams_for


def test_acl_and_file_resources_come_from_their_streams():
    assert streams.ACL_RESOURCES == ("atsEntityAcls", "atsEntityAclAssignees")
    assert streams.FILE_RESOURCES == (streams.RESUME_RESOURCE, "attachments")
