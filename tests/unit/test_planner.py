"""The sync's planner (core/planner.py), run against the in-memory state."""

from __future__ import annotations

from typing import Any

import pytest

from recruitlink.core import planner
from recruitlink.sync.items import Item
from recruitlink.sync.state_ledger import LedgerRow
from recruitlink.sync.state_memory import MemoryState
from recruitlink.sync.work import remover

ORDER = {"candidates": 0, "applications": 1, "candidate_notes": 2}
RESOURCE = {"candidates": "atsCandidates", "applications": "atsApplications",
            "candidate_notes": "atsCandidates/notes"}
ENTITY = {"candidates": "candidates", "applications": "applications",
          "candidate_notes": "notes"}


def item(stream: str, entity_id: int, *, key: Any = None, content_hash: str = "h1",
         **values: Any) -> Item:
    return Item(stream=stream, entity=ENTITY[stream], entity_id=entity_id,
                external_id=f"X{entity_id}", resource=RESOURCE[stream], action="upsert",
                key=key if key is not None else f"K{entity_id}", content_hash=content_hash,
                **values)


def held(stream: str, entity_id: int, *, state: str = "synced", key: Any = None,
         content_hash: str | None = "h1", reason: str | None = None) -> LedgerRow:
    return LedgerRow(ENTITY[stream], entity_id, f"X{entity_id}", RESOURCE[stream],
                     {"key": key if key is not None else f"K{entity_id}", "parent": None},
                     content_hash, state, None, reason)


def plan(items: list[Item], state: MemoryState) -> planner.Work[Item]:
    work: planner.Work[Item] = planner.Work()
    rows = state.ledger((i.entity, i.entity_id) for i in items)
    for i in items:
        planner.classify(i, rows.get((i.entity, i.entity_id)), work, remover("urn:org"))
    planner.hold_orphans(work, state.ledger(planner.waiting_parents(work)))
    planner.order_sends(work, ORDER)
    return work


def refs(items: list[Item]) -> list[tuple[str, int, str]]:
    return [(i.entity, i.entity_id, i.action) for i in items]


def test_unchanged_records_are_skipped_and_changed_ones_sent() -> None:
    state = MemoryState()
    state.hold(held("candidates", 1))
    state.hold(held("candidates", 2, content_hash="old"))
    work = plan([item("candidates", 1), item("candidates", 2), item("candidates", 3)], state)
    assert refs(work.skipped) == [("candidates", 1, "upsert")]
    assert refs(work.send) == [("candidates", 2, "upsert"), ("candidates", 3, "upsert")]


def test_a_refused_or_closing_record_is_not_skipped_for_its_hash() -> None:
    state = MemoryState()
    state.hold(held("candidates", 1, state="rejected"))
    work = plan([item("candidates", 1)], state)
    assert refs(work.send) == [("candidates", 1, "upsert")]


def test_an_exclusion_deletes_what_linkedin_holds_and_nothing_else() -> None:
    state = MemoryState()
    state.hold(held("candidates", 1))
    work = plan([item("candidates", 1, excluded="confidential"),
                 item("candidates", 2, excluded="confidential")], state)
    assert refs(work.send) == [("candidates", 1, "delete")]
    assert work.send[0].excluded == "confidential"
    assert refs(work.excluded) == [("candidates", 2, "upsert")]
    assert work.not_sent() == {("candidates", 2): "excluded"}


def test_the_history_window_never_removes_what_linkedin_holds() -> None:
    state = MemoryState()
    state.hold(held("candidates", 1))
    work = plan([item("candidates", 1, excluded="older than the window", window_only=True)],
                state)
    assert work.send == [] and refs(work.skipped) == [("candidates", 1, "upsert")]


def test_a_moved_key_is_deleted_just_before_the_upsert_under_the_new_one() -> None:
    state = MemoryState()
    state.hold(held("candidate_notes", 7, key="OLD", content_hash="old"))  # hashes cover keys
    work = plan([item("candidates", 1), item("candidate_notes", 7, key="NEW",
                                             parent_ref=("candidates", 1))], state)
    assert refs(work.send) == [("candidates", 1, "upsert"), ("notes", 7, "delete"),
                               ("notes", 7, "upsert")]
    assert work.send[1].key == "OLD" and work.send[1].replacing


def test_a_crashed_batchs_copy_is_deleted_when_the_record_is_excluded_now() -> None:
    work: planner.Work[Item] = planner.Work()
    crashed = LedgerRow("candidates", 1, "X1", "atsCandidates", {"key": "K1", "parent": None},
                        None, "synced", None)
    sent = type("Sent", (), {"action": "upsert", "li_key": crashed.li_key,
                             "resource": "atsCandidates"})()
    planner.classify(item("candidates", 1, excluded="confidential"), None, work,
                     remover("urn:org"), sent)
    assert refs(work.send) == [("candidates", 1, "delete")]


def test_children_of_a_parent_linkedin_does_not_hold_wait_with_its_reason() -> None:
    state = MemoryState()
    state.hold(held("candidates", 1, state="rejected", reason="email: invalid"))
    state.hold(held("candidates", 2))
    work = plan([item("candidate_notes", 10, parent_ref=("candidates", 1)),
                 item("candidate_notes", 11, parent_ref=("candidates", 2)),
                 item("candidate_notes", 12, parent_ref=("candidates", 3)),
                 item("candidates", 4), item("candidate_notes", 13, parent_ref=("candidates", 4))],
                state)
    assert refs(work.send) == [("candidates", 4, "upsert"), ("notes", 11, "upsert"),
                               ("notes", 13, "upsert")]
    assert refs(work.rejected) == [("notes", 10, "upsert"), ("notes", 12, "upsert")]
    assert work.rejected[0].errors == [
        {"field": "candidate", "reason": "its candidate X1 is not on LinkedIn (email: invalid)"}]
    assert work.rejected[1].errors[0]["reason"] == "its candidate is not on LinkedIn"


def test_deletes_go_children_first_upserts_parents_first() -> None:
    work: planner.Work[Item] = planner.Work()
    remove = remover("urn:org")
    for i in (item("candidates", 1), item("candidate_notes", 2)):
        work.send.append(remove(i, {"key": "K", "parent": None}, i.resource, False, None))
    work.send += [item("candidate_notes", 3), item("candidates", 4)]
    planner.order_sends(work, ORDER)
    assert refs(work.send) == [("candidates", 4, "upsert"), ("notes", 3, "upsert"),
                               ("notes", 2, "delete"), ("candidates", 1, "delete")]


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_split_keeps_order_sizes_and_a_replaced_key_with_its_upsert(size: int) -> None:
    state = MemoryState()
    state.hold(held("candidates", 2, key="OLD", content_hash="old"))
    work = plan([item("candidates", n) for n in range(1, 5)], state)
    work.rejected.append(item("candidates", 9, errors=[{"field": "x", "reason": "bad"}]))
    parts = planner.split_work(work, size)
    assert [i for p in parts for i in p.items] == [*work.send, *work.rejected]
    for part in parts:
        assert len(part.items) <= max(size, 2)
        together = [(i.entity_id, i.action) for i in part.send if i.entity_id == 2]
        assert together in ([], [(2, "delete"), (2, "upsert")])


ON_CHANGE = {"candidates": ("applications", "candidate_notes"),
             "applications": ("stage_transitions",)}
ON_CONFIDENTIALITY = {"candidates": ("applications", "interactions"),
                      "applications": ("stage_transitions", "notes")}


def family(state: MemoryState, candidates: int) -> None:
    for c in range(1, candidates + 1):
        state.child("applications", 100 + c, "candidates", c)
        state.child("candidate_notes", 200 + c, "candidates", c)
        state.child("interactions", 300 + c, "candidates", c)
        state.child("stage_transitions", 400 + c, "applications", 100 + c)
        state.child("notes", 500 + c, "applications", 100 + c)


def test_dependents_follow_the_changes_and_nested_children() -> None:
    state = MemoryState()
    family(state, 2)
    found = planner.dependents([("candidates", 1, None), ("candidates", 2, "entered")],
                               on_change=ON_CHANGE, on_confidentiality=ON_CONFIDENTIALITY,
                               lookup=state.children)
    assert found == [("applications", 101), ("stage_transitions", 401),
                     ("candidate_notes", 201),
                     ("applications", 102), ("stage_transitions", 402), ("notes", 502),
                     ("interactions", 302)]


def test_dependents_are_looked_up_once_per_level_not_per_record() -> None:
    state = MemoryState()
    family(state, 500)
    asked: list[dict[tuple[str, str], set[int]]] = []

    def lookup(needs: Any) -> Any:
        asked.append(dict(needs))
        return state.children(needs)

    found = planner.dependents([("candidates", c, None) for c in range(1, 501)],
                               on_change=ON_CHANGE, on_confidentiality=ON_CONFIDENTIALITY,
                               lookup=lookup)
    assert len(found) == 1500
    assert len(asked) == 2  # candidates' children, then the applications'
    assert set(asked[0]) == {("applications", "candidates"), ("candidate_notes", "candidates")}
    assert asked[1] == {("stage_transitions", "applications"): set(range(101, 601))}


def test_no_dependents_no_lookup() -> None:
    def lookup(needs: Any) -> Any:
        raise AssertionError("nothing to look up")

    assert planner.dependents([("jobs", 1, None)], on_change=ON_CHANGE,
                              on_confidentiality=ON_CONFIDENTIALITY, lookup=lookup) == []


def test_results_are_keyed_by_record_action_and_removed_key() -> None:
    """A record whose key moved twice (the ledger's copy and a crashed batch's) is deleted
    under both old keys and upserted in one batch: each of the three has its own result."""
    state = MemoryState()
    state.hold(held("candidate_notes", 7, key={"id": "A"}, content_hash="old"))
    sent = type("Sent", (), {"action": "upsert", "li_key": {"key": {"id": "B"}, "parent": None},
                             "resource": "atsCandidates/notes"})()
    work: planner.Work[Item] = planner.Work()
    new = item("candidate_notes", 7, key={"id": "C"})
    planner.classify(new, state.rows[("notes", 7)], work, remover("urn:org"), sent)
    keys = [planner.result_key(i) for i in work.send]
    assert len(work.send) == 3 and len(set(keys)) == 3
    assert keys[-1] == ("notes", 7, "upsert", "")
