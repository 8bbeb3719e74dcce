"""`planner.classify` and `planner.waiting_parents` decide as the versions they replaced (kept
here as the reference) for any item, ledger row and crashed-batch record: the moved-key check
is skipped only when LinkedIn holds no copy, and parents are looked for before what is sent."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.core import planner
from recruitlink.sync.items import Item


@dataclass(frozen=True)
class Held:
    state: str
    li_key: dict[str, Any]
    resource: str
    content_hash: str | None


@dataclass(frozen=True)
class Sent:
    action: str
    li_key: dict[str, Any] | None
    resource: str


def remove(item: Item, li_key: dict[str, Any], resource: str, replacing: bool,
           excluded: str | None) -> Item:
    return Item(stream=item.stream, entity=item.entity, entity_id=item.entity_id,
                external_id=item.external_id, resource=resource, action="delete",
                key=li_key.get("key"), parent=li_key.get("parent"), replacing=replacing,
                excluded=excluded)


def old_classify(item: Any, held: Any, work: Any, remove: Any, sent: Any = None) -> None:
    """planner.classify as it was written before (8e19540)."""
    live = planner.is_live(held)
    if item.excluded and held is not None and held.state == "closing":
        work.skipped.append(item)
        return
    copies = [(held.li_key, held.resource)] if live and held is not None else []
    if sent is not None and sent.action == "upsert" and sent.li_key is not None:
        copies.append((sent.li_key, sent.resource))
    if item.excluded and item.window_only and live:
        work.skipped.append(item)
        return
    if not item.excluded and not item.errors and item.resource != "simpleJobPostings":
        moved = {json.dumps([k.get("key"), k.get("parent"), r], sort_keys=True): (k, r)
                 for k, r in copies if k.get("key") is not None
                 and (k.get("key"), k.get("parent"), r) != (item.key, item.parent,
                                                              item.resource)}
        for old_key, resource in moved.values():
            work.send.append(remove(item, old_key, resource, True, None))
    if item.excluded:
        if copies:
            old_key, resource = copies[0]
            work.send.append(remove(item, old_key, resource, False, item.excluded))
        else:
            work.excluded.append(item)
    elif item.errors:
        work.rejected.append(item)
    elif live and held is not None and held.content_hash == item.content_hash:
        work.skipped.append(item)
    else:
        work.send.append(item)


def old_waiting_parents(work: Any) -> set[Any]:
    sending: set[Any] = set()
    parents: set[Any] = set()
    for i in work.send:
        if i.action == "upsert":
            sending.add((i.entity, i.entity_id))
            if i.parent_ref is not None:
                parents.add(i.parent_ref)
    return parents - sending


RESOURCES = st.sampled_from(["atsCandidates", "atsApplications", "simpleJobPostings"])
KEYS = st.sampled_from(["K1", "K2", None, {"a": "K1"}])
PARENTS = st.sampled_from([None, {"p": "P1"}, {"p": "P2"}])
li_keys = st.fixed_dictionaries({"key": KEYS, "parent": PARENTS})
helds = st.none() | st.builds(Held, st.sampled_from(["synced", "submitted", "closing",
                                                      "rejected", "deleted"]),
                              li_keys, RESOURCES, st.sampled_from(["h1", "h2", None]))
sents = st.none() | st.builds(Sent, st.sampled_from(["upsert", "delete"]),
                              st.none() | li_keys, RESOURCES)
items = st.builds(
    Item, stream=st.just("candidates"), entity=st.sampled_from(["candidates", "notes"]),
    entity_id=st.integers(1, 3), external_id=st.just("X1"), resource=RESOURCES,
    action=st.sampled_from(["upsert", "delete"]), key=KEYS, parent=PARENTS,
    content_hash=st.sampled_from(["h1", "h2"]),
    excluded=st.sampled_from([None, "", "confidential candidate"]),
    window_only=st.booleans(),
    errors=st.lists(st.just({"field": "f", "reason": "r"}), max_size=1),
    parent_ref=st.none() | st.tuples(st.sampled_from(["candidates", "notes"]),
                                     st.integers(1, 3)))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(items, helds, sents), max_size=6))
def test_classify_and_waiting_parents_are_the_old_ones(cases: list[Any]) -> None:
    old: planner.Work[Item] = planner.Work()
    new: planner.Work[Item] = planner.Work()
    for item, held, sent in cases:
        old_classify(copy.deepcopy(item), held, old, remove, sent)
        planner.classify(copy.deepcopy(item), held, new, remove, sent)
    assert new == old
    assert planner.waiting_parents(new) == old_waiting_parents(old)
