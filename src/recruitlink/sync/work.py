"""Building the work for a set of records: their items as they are now (sync/items.py),
planned against what the ledger says LinkedIn holds (core/planner.py).

`refs` are store records (table, id), or ledger records of entity `job_acls` (they stand for
their job's ACLs). With the ACL visibility policy a job's records also include its ACL
records: every look at a job compares the viewers it has now with the ACL records the ledger
(or a crashed batch) says LinkedIn holds for it, and deletes the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from recruitlink.core import planner
from recruitlink.core.mapping import MappingContext
from recruitlink.core.planner import LIVE_STATES, Ref
from recruitlink.store.connections import ConnectionInfo

from .items import (
    JOB_ACLS,
    ORDER,
    STREAM,
    BuildContext,
    Item,
    Stream,
    acl_job_id,
    build,
    delete_item,
    streams_for,
)
from .state import LedgerReads, SyncState
from .state_ledger import LedgerRow, PreparedItem
from .streams import stream_for_resource, streams_of_table

Work = planner.Work[Item]


def remover(organization: str) -> planner.Remove[Item]:
    """The planner's way to delete a record's copy under an old key."""
    def remove(item: Item, li_key: dict[str, Any], resource: str, replacing: bool,
               excluded: str | None) -> Item:
        removal = delete_item(stream_for_resource(resource).name, item.entity, item.entity_id,
                              item.external_id, li_key, organization)
        removal.replacing = replacing
        if excluded is not None:
            removal.excluded = excluded
        return removal
    return remove


def build_work(conn: Connection, reads: LedgerReads, info: ConnectionInfo,
               mapping: MappingContext, refs: Iterable[Ref], *, now: int, historical: bool,
               versioned_api: bool, rows_by_ref: Mapping[Ref, dict[str, Any]] | None = None,
               maybe_live: Mapping[Ref, PreparedItem] | None = None,
               streams: Collection[str] | None = None) -> Work:
    """Items for these records as they are now: upserts, deletes of what left, skips of what
    LinkedIn already holds unchanged. `streams`: only these streams (a historical
    milestone); by default every stream of the tenant a record feeds (a job: its posting and
    ACLs). `maybe_live`: records a crashed batch may have sent without committing; LinkedIn
    may hold them though the ledger does not say so, so if they are gone or excluded now
    they are deleted all the same (a delete of something absent is harmless)."""
    maybe_live = maybe_live or {}
    tenant_streams = frozenset(s.name for s in streams_for(info.tenant_kind, info.policy))
    allowed = tenant_streams if streams is None else tenant_streams & frozenset(streams)
    acl_names = frozenset({"job_acls"} if streams is None else {"job_acls"} & set(streams))
    wanted, plain = wanted_streams(refs, allowed, acl_names)
    bases = list(wanted)
    rows = rows_by_ref if rows_by_ref is not None else SyncState.rows(conn, bases)
    held: dict[Ref, LedgerRow] = reads.ledger(bases)
    job_states = {eid: r.li_key.get("state") for (ent, eid), r in held.items()
                  if ent == "jobs" and r.state in LIVE_STATES}
    bc = BuildContext(conn, info.tenant_id, mapping, info.policy, now, historical=historical,
                      job_states=job_states, versioned_api=versioned_api)
    by_stream, missing = rows_by_stream(bases, rows, wanted)
    # The ACL records LinkedIn holds for these jobs (all of them, for a deleted job, or once
    # the tenant no longer uses ACLs).
    acls_gone = "job_acls" not in tenant_streams
    acl_jobs = {ref[1] for ref, names in wanted.items() if ref[0] == "jobs" and (
        "job_acls" in names or ((ref not in rows or acls_gone)
                                and (streams is None or "job_acls" in streams)))}
    acl_held = reads.acl_ledger(acl_jobs)
    held.update(acl_held)
    work: Work = planner.Work()
    remove = remover(info.organization)
    built: set[Ref] = set()
    for name in sorted(by_stream, key=ORDER.__getitem__):
        for item in build(STREAM[name], by_stream[name], bc):
            ref = (item.entity, item.entity_id)
            built.add(ref)
            planner.classify(item, held.get(ref), work, remove, maybe_live.get(ref))
    _gone_acls(work, info, acl_held, acl_jobs, built, maybe_live)
    _gone_records(work, info, plain, rows, built, held, maybe_live, missing, tenant_streams,
                  streams)
    waiting = planner.waiting_parents(work)
    planner.hold_orphans(work, reads.ledger(waiting), waiting)
    planner.order_sends(work, ORDER)
    return work


def wanted_streams(refs: Iterable[Ref], allowed: frozenset[str], acl_names: frozenset[str]
                   ) -> tuple[dict[Ref, frozenset[str]], set[Ref]]:
    """Which streams to build for each store record (a job's ACL records stand for their
    job, with `acl_names`; any other record for itself, with `allowed`), and the records
    asked for as themselves. The sets are shared, not one per record: a record asked for
    both ways gets their union."""
    wanted: dict[Ref, frozenset[str]] = {}
    plain: set[Ref] = set()
    for entity, entity_id in refs:
        if entity == JOB_ACLS:
            base, names = ("jobs", acl_job_id(entity_id)), acl_names
        else:
            base, names = (entity, entity_id), allowed
            plain.add(base)
        have = wanted.get(base)
        if have is None:
            wanted[base] = names
        elif have is not names:
            wanted[base] = have | names
    return wanted, plain


def rows_by_stream(bases: Iterable[Ref], rows: Mapping[Ref, dict[str, Any]],
                   wanted: Mapping[Ref, frozenset[str]]
                   ) -> tuple[dict[str, list[dict[str, Any]]], list[Ref]]:
    """The rows each wanted stream carries (in the order of `bases`), and the records whose
    row is gone."""
    by_stream: dict[str, list[dict[str, Any]]] = defaultdict(list)
    missing: list[Ref] = []
    # The wanted streams of each table, per set of names (a page has one or two such sets).
    of_table: dict[tuple[str, frozenset[str]], tuple[Stream, ...]] = {}
    for ref in bases:
        row = rows.get(ref)
        if row is None:
            missing.append(ref)
            continue
        names = wanted[ref]
        streams = of_table.get((ref[0], names))
        if streams is None:
            streams = of_table[(ref[0], names)] = tuple(
                s for s in streams_of_table(ref[0]) if s.name in names)
        for stream in streams:
            if stream.carries(row):
                by_stream[stream.name].append(row)
    return by_stream, missing


def _gone_acls(work: Work, info: ConnectionInfo, acl_held: Mapping[Ref, LedgerRow],
               acl_jobs: set[int], built: set[Ref],
               maybe_live: Mapping[Ref, PreparedItem]) -> None:
    """A job's ACL records that are no longer wanted: a viewer left, or the job is gone."""
    for ref, acl in acl_held.items():
        if ref not in built and acl.state in LIVE_STATES:
            work.send.append(delete_item("job_acls", JOB_ACLS, ref[1], acl.external_id,
                                         acl.li_key, info.organization))
    for ref, prepared in maybe_live.items():
        if (ref[0] == JOB_ACLS and acl_job_id(ref[1]) in acl_jobs and ref not in built
                and ref not in acl_held and prepared.action == "upsert"
                and prepared.li_key is not None):
            work.send.append(delete_item("job_acls", JOB_ACLS, ref[1], prepared.external_id,
                                         prepared.li_key, info.organization))


def _gone_records(work: Work, info: ConnectionInfo, plain: set[Ref],
                  rows: Mapping[Ref, Any], built: set[Ref], held: Mapping[Ref, LedgerRow],
                  maybe_live: Mapping[Ref, PreparedItem], missing: Sequence[Ref],
                  tenant_streams: Collection[str], streams: Collection[str] | None) -> None:
    """Deletes of what LinkedIn holds (or a crashed batch may have put there) of records
    that are gone, or of a stream the tenant no longer syncs (a user's assignee, after ACLs
    were switched off)."""
    for ref in plain:
        if ref not in rows or ref in built:
            continue
        record, sent = held.get(ref), maybe_live.get(ref)
        if record is not None and record.state in LIVE_STATES:
            copy = (record.resource, record.external_id, record.li_key)
        elif sent is not None and sent.action == "upsert" and sent.li_key is not None:
            copy = (sent.resource, sent.external_id, sent.li_key)
        else:
            continue
        name = stream_for_resource(copy[0]).name
        if name not in tenant_streams and (streams is None or name in streams):
            work.send.append(delete_item(name, ref[0], ref[1], copy[1], copy[2],
                                         info.organization))
    for entity, entity_id in missing:
        if (entity, entity_id) not in plain:
            continue  # a deleted job asked for by its ACL records: done above
        record = held.get((entity, entity_id))
        sent = maybe_live.get((entity, entity_id))
        if record is not None and record.state in LIVE_STATES:
            name = stream_for_resource(record.resource).name
            if streams is None or name in streams:
                work.send.append(delete_item(name, entity, entity_id, record.external_id,
                                             record.li_key, info.organization))
        elif sent is not None and sent.li_key is not None:
            name = stream_for_resource(sent.resource).name
            if streams is None or name in streams:
                work.send.append(delete_item(name, entity, entity_id, sent.external_id,
                                             sent.li_key, info.organization))
