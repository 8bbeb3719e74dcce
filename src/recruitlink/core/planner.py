"""The sync's planning, as pure functions over plain data: what to do with each built item
(send, skip, exclude, reject, delete an old copy), which items wait for a parent LinkedIn does
not hold, how work is cut into logical batches, and which records a change touches besides
itself (its dependents).

Nothing here reads the database or talks to LinkedIn: the engine hands in what the ledger
says (`Held`), what a crashed batch may have sent (`MaybeSent`) and a lookup of children,
and gets back a `Work` to prepare and send. That is what lets the planner be tested against
the in-memory state (`sync/state_memory.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

LIVE_STATES = ("synced", "submitted")
"""Ledger states meaning LinkedIn holds the record."""
PENDING_STATES = ("submitted", "closing")
"""Ledger states of a job whose task LinkedIn has not confirmed yet. A `closing` job (CLOSE
sent for a delete, an exclusion or a disconnect) is not live: nothing more is sent for it
until the task poll records how its close ended."""

Ref = tuple[str, int]
"""A record: (entity, id)."""


class PlanItem(Protocol):
    """What the planner reads of an item (sync/items.py's `Item`)."""

    @property
    def stream(self) -> str: ...
    @property
    def entity(self) -> str: ...
    @property
    def entity_id(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def key(self) -> Any: ...
    @property
    def parent(self) -> Any: ...
    @property
    def excluded(self) -> str | None: ...
    @property
    def errors(self) -> list[dict[str, str]]: ...
    @property
    def window_only(self) -> bool: ...
    @property
    def content_hash(self) -> str | None: ...
    @property
    def replacing(self) -> bool: ...
    @property
    def parent_ref(self) -> Ref | None: ...


class Held(Protocol):
    """What the ledger says LinkedIn holds of a record."""

    @property
    def state(self) -> str: ...
    @property
    def li_key(self) -> dict[str, Any]: ...
    @property
    def resource(self) -> str: ...
    @property
    def content_hash(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def external_id(self) -> str: ...


class MaybeSent(Protocol):
    """A record of a crashed batch, which may be on LinkedIn though the ledger does not say."""

    @property
    def action(self) -> str: ...
    @property
    def li_key(self) -> dict[str, Any] | None: ...
    @property
    def resource(self) -> str: ...


ItemT = TypeVar("ItemT", bound=PlanItem)

Remove = Callable[[ItemT, dict[str, Any], str, bool, "str | None"], ItemT]
"""Builds the delete of `item`'s copy under (key, resource): (item, li_key, resource,
replacing, excluded reason) -> a delete item."""


@dataclass
class Work(Generic[ItemT]):
    """One plan: what is sent, and the records decided without LinkedIn."""

    send: list[ItemT] = field(default_factory=list)
    rejected: list[ItemT] = field(default_factory=list)
    skipped: list[ItemT] = field(default_factory=list)
    excluded: list[ItemT] = field(default_factory=list)

    @property
    def items(self) -> list[ItemT]:
        return [*self.send, *self.rejected, *self.skipped, *self.excluded]

    def not_sent(self) -> dict[Ref, str]:
        """The records none of whose items is sent, with their outcome (for the write-ahead
        batch: a crash's recovery leaves them alone)."""
        sending = {(i.entity, i.entity_id) for i in self.send}
        return {(i.entity, i.entity_id): outcome
                for outcome, items in (("rejected", self.rejected), ("skipped", self.skipped),
                                       ("excluded", self.excluded))
                for i in items if (i.entity, i.entity_id) not in sending}


ResultKey = tuple[str, int, str, str]


def result_key(item: PlanItem) -> ResultKey:
    """Whose result it is: the record (entity, id), the action, and for a delete the key it
    removes (a record whose key moved is deleted under its old key, or keys, and upserted
    under its new one, in one batch)."""
    removed = json.dumps(item.key, sort_keys=True, default=str) if item.action == "delete" \
        else ""
    return item.entity, item.entity_id, item.action, removed


def is_live(held: Held | None) -> bool:
    return held is not None and held.state in LIVE_STATES


def classify(item: ItemT, held: Held | None, work: Work[ItemT], remove: Remove[ItemT],
             sent: MaybeSent | None = None) -> None:
    """Put a freshly built item where it belongs: sent, skipped (LinkedIn holds it
    unchanged), excluded, rejected (it failed a check); with the delete of a copy LinkedIn
    holds under an old key, or of what an exclusion takes off LinkedIn."""
    live = is_live(held)
    if item.excluded and held is not None and held.state == "closing":
        # Its CLOSE is on its way; the task poll records how it ends.
        work.skipped.append(item)
        return
    # Where LinkedIn may hold this record now: (its key there, the resource holding it).
    copies = [(held.li_key, held.resource)] if live and held is not None else []
    if sent is not None and sent.action == "upsert" and sent.li_key is not None:
        copies.append((sent.li_key, sent.resource))
    if item.excluded and item.window_only and live:
        # The history window limits what the backfill sends; it never removes what
        # LinkedIn already holds.
        work.skipped.append(item)
        return
    if copies and not item.excluded and not item.errors \
            and item.resource != "simpleJobPostings":
        # The record's key, parent or resource changed (an assignee's member, a note
        # moved to another candidate or application): the upsert does not overwrite the
        # copy LinkedIn holds elsewhere; delete that one first.
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


def waiting_parents(work: Work[ItemT]) -> set[Ref]:
    """The parents of upserts that this work does not send itself: the ledger must say
    whether LinkedIn holds them (`hold_orphans`)."""
    parents = {i.parent_ref for i in work.send if i.parent_ref is not None
               and i.action == "upsert"}
    if not parents:  # a page of candidates, applications, jobs: none has a parent
        return parents
    return parents - {(i.entity, i.entity_id) for i in work.send if i.action == "upsert"}


def hold_orphans(work: Work[ItemT], parents: Mapping[Ref, Held],
                 waiting: set[Ref] | None = None) -> None:
    """A note, stage or feedback whose candidate or application LinkedIn does not hold
    (rejected, or not sent) would be refused for its missing parent: reject it here with the
    parent's reason. It is looked at again when its parent changes. `parents`: the ledger
    rows of `waiting_parents(work)`; `waiting`: that set, if the caller has it."""
    if waiting is None:
        waiting = waiting_parents(work)
    if not waiting:
        return
    keep: list[ItemT] = []
    for item in work.send:
        ref = item.parent_ref
        parent = parents.get(ref) if ref is not None else None
        if item.action == "upsert" and ref in waiting and not is_live(parent):
            what = "candidate" if ref is not None and ref[0] == "candidates" else "application"
            # Named by the id a person knows it by, so its own error can be found and fixed.
            name = f" {parent.external_id}" if parent is not None else ""
            why = f" ({parent.reason})" if parent is not None and parent.reason else ""
            item.errors.append({"field": what,
                                "reason": f"its {what}{name} is not on LinkedIn{why}"})
            work.rejected.append(item)
        else:
            keep.append(item)
    work.send = keep


def order_sends(work: Work[ItemT], order: Mapping[str, int]) -> None:
    """Parents first for upserts; children first for deletes. A record whose key changed has
    its old key deleted just before its upsert, so its ledger row ends up live."""
    def rank(i: PlanItem) -> tuple[bool, int]:
        removing = i.action == "delete" and not i.replacing
        return removing, -order[i.stream] if removing else order[i.stream]
    work.send.sort(key=rank)


def split_work(work: Work[ItemT], size: int) -> list[Work[ItemT]]:
    """Cut work into logical batches of at most `size` records, keeping its order (parents
    before children, children's deletes before their parents'), and a record's delete under
    its old key in the batch of its upsert."""
    units: list[list[tuple[str, ItemT]]] = []
    for kind in ("send", "rejected", "skipped", "excluded"):
        for item in getattr(work, kind):
            last = units[-1][-1] if units else None
            if (kind == "send" and last is not None and last[0] == "send"
                    and (last[1].entity, last[1].entity_id) == (item.entity, item.entity_id)):
                units[-1].append((kind, item))
            else:
                units.append([(kind, item)])
    parts: list[Work[ItemT]] = []
    current: Work[ItemT] = Work()
    count = 0
    for unit in units:
        if count and count + len(unit) > size:
            parts.append(current)
            current, count = Work(), 0
        for kind, item in unit:
            getattr(current, kind).append(item)
        count += len(unit)
    if count:
        parts.append(current)
    return parts


Change = tuple[str, int, "str | None"]
"""A changed record and whether its confidentiality changed: (entity, id, confidentiality)."""
Children = Mapping[tuple[str, str], Mapping[int, Sequence[int]]]
"""Per (child entity, parent entity): each parent's children ids."""
LookupChildren = Callable[[Mapping[tuple[str, str], set[int]]], Children]
"""Looks up, in bulk, the children of each (child entity, parent entity)'s parent ids."""


def dependents(changes: Iterable[Change], *, on_change: Mapping[str, Sequence[str]],
               on_confidentiality: Mapping[str, Sequence[str]], lookup: LookupChildren,
               nested: Sequence[str] = ("applications",)) -> list[Ref]:
    """The records a change touches besides itself (their payloads embed the parent, or
    their confidentiality follows it), children of `nested` entities too, in the order of
    the changes (each change's children, then theirs). One lookup per level, not per record.
    """
    def relations(confidential: str | None) -> Mapping[str, Sequence[str]]:
        return on_confidentiality if confidential else on_change

    found: dict[tuple[str, str], dict[int, Sequence[int]]] = {}
    top = list(changes)
    level = top
    while level:
        needs: dict[tuple[str, str], set[int]] = {}
        for entity, entity_id, confidential in level:
            for child in relations(confidential).get(entity, ()):
                if entity_id not in found.get((child, entity), {}):
                    needs.setdefault((child, entity), set()).add(entity_id)
        if needs:
            answer = lookup(needs)
            for pair, ids in needs.items():
                got = answer.get(pair, {})
                found.setdefault(pair, {}).update({i: sorted(got.get(i, ())) for i in ids})
        following: dict[Change, None] = {}
        for entity, entity_id, confidential in level:
            for child in relations(confidential).get(entity, ()):
                if child in nested:
                    following.update(((child, i, confidential), None)
                                     for i in found[(child, entity)][entity_id])
        level = list(following)

    out: list[Ref] = []

    def walk(entity: str, entity_id: int, confidential: str | None) -> None:
        for child in relations(confidential).get(entity, ()):
            ids = found.get((child, entity), {}).get(entity_id, ())
            out.extend((child, i) for i in ids)
            if child in nested:
                for i in ids:
                    walk(child, i, confidential)

    for entity, entity_id, confidential in top:
        walk(entity, entity_id, confidential)
    return out

