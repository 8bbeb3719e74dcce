"""Which streams build_work builds for which records (`wanted_streams`, `rows_by_stream`): the
same answers as the per-record sets and `streams_of` calls they replaced (kept here as the
reference), for any mix of records, ACL records, gone rows and stream choices."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.sync.items import JOB_ACLS, STREAMS, acl_entity_id, acl_job_id, streams_of
from recruitlink.sync.work import rows_by_stream, wanted_streams

NAMES = sorted(s.name for s in STREAMS)
TABLES = sorted({s.table for s in STREAMS})


def reference(refs: list[tuple[str, int]], tenant_streams: set[str], streams: set[str] | None,
              rows: dict[tuple[str, int], dict[str, Any]]) -> tuple[Any, ...]:
    """build_work's selection as it was written before (8e19540)."""
    allowed = set(tenant_streams)
    if streams is not None:
        allowed &= set(streams)
    wanted: dict[tuple[str, int], set[str]] = {}
    plain: set[tuple[str, int]] = set()
    for entity, entity_id in refs:
        if entity == JOB_ACLS:
            base = ("jobs", acl_job_id(entity_id))
            names = {"job_acls"} if streams is None else {"job_acls"} & set(streams)
        else:
            base, names = (entity, entity_id), allowed
            plain.add(base)
        wanted.setdefault(base, set()).update(names)
    by_stream: dict[str, list[dict[str, Any]]] = defaultdict(list)
    missing = []
    for ref in wanted:
        row = rows.get(ref)
        if row is None:
            missing.append(ref)
            continue
        for name in streams_of(ref[0], row):
            if name in wanted[ref]:
                by_stream[name].append(row)
    return wanted, plain, dict(by_stream), missing


def current(refs: list[tuple[str, int]], tenant_streams: set[str], streams: set[str] | None,
            rows: dict[tuple[str, int], dict[str, Any]]) -> tuple[Any, ...]:
    """The same selection, set up as build_work sets it up now."""
    tenants = frozenset(tenant_streams)
    allowed = tenants if streams is None else tenants & frozenset(streams)
    acl_names = frozenset({"job_acls"} if streams is None else {"job_acls"} & set(streams))
    wanted, plain = wanted_streams(refs, allowed, acl_names)
    by_stream, missing = rows_by_stream(list(wanted), rows, wanted)
    return wanted, plain, dict(by_stream), missing


def a_row(table: str, entity_id: int, draw: Any) -> dict[str, Any]:
    """A row with what `Stream.only` looks at (files: their owner; notes: what they hang on)."""
    row: dict[str, Any] = {"id": entity_id}
    if table == "files":
        row["owner_entity"] = draw(st.sampled_from(["candidates", "applications", "jobs"]))
    if table == "notes":
        row["candidate_id"] = draw(st.none() | st.integers(1, 3))
        row["application_id"] = draw(st.none() | st.integers(1, 3))
    return row


@st.composite
def cases(draw: Any) -> tuple[Any, ...]:
    ids = st.integers(1, 4)
    plain = st.tuples(st.sampled_from(TABLES), ids)
    acls = st.builds(lambda job, user: (JOB_ACLS, acl_entity_id(job, user)), ids,
                     st.integers(0, 3))
    refs = draw(st.lists(plain | acls, max_size=25))
    tenant_streams = draw(st.sets(st.sampled_from(NAMES)))
    streams = draw(st.none() | st.sets(st.sampled_from(NAMES), max_size=4))
    bases = {("jobs", acl_job_id(i)) if e == JOB_ACLS else (e, i) for e, i in refs}
    rows = {ref: a_row(ref[0], ref[1], draw) for ref in sorted(bases) if draw(st.integers(0, 5))}
    return refs, tenant_streams, streams, rows


@settings(max_examples=600, deadline=None)
@given(cases())
def test_the_selection_is_the_per_record_one(case: tuple[Any, ...]) -> None:
    old_wanted, old_plain, old_by_stream, old_missing = reference(*case)
    wanted, plain, by_stream, missing = current(*case)
    assert {ref: set(names) for ref, names in wanted.items()} == old_wanted
    assert list(wanted) == list(old_wanted)  # the order build_work reads and builds in
    assert plain == old_plain
    assert missing == old_missing
    assert list(by_stream) == list(old_by_stream)
    for name, rows in by_stream.items():
        assert [id(r) for r in rows] == [id(r) for r in old_by_stream[name]]


def test_a_record_asked_for_both_ways_gets_both_streams() -> None:
    refs = [("jobs", 7), (JOB_ACLS, acl_entity_id(7, 2)), ("candidates", 1)]
    allowed, acl_names = frozenset({"jobs", "candidates"}), frozenset({"job_acls"})
    wanted, plain = wanted_streams(refs, allowed, acl_names)
    assert wanted == {("jobs", 7): allowed | acl_names, ("candidates", 1): allowed}
    assert wanted[("candidates", 1)] is allowed  # shared, not copied per record
    assert plain == {("jobs", 7), ("candidates", 1)}
