"""The sync's state in the store, the one place that runs the sync's SQL: the ledger (what
LinkedIn holds), write-ahead batches, cursors, leases, historical runs and their milestones,
and the errors of failed records. The ledger's own statements are in `state_ledger.py`.

`LedgerReads` is what the planner needs to know (`core/planner.py`): the in-memory fake in
`state_memory.py` answers the same questions from plain dicts, for unit tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from recruitlink.core.backoff import Backoff
from recruitlink.core.failed_calls import FailedCall
from recruitlink.core.milestones import MILESTONES
from recruitlink.core.planner import LIVE_STATES, PENDING_STATES, Children, Ref, ResultKey
from recruitlink.store import Store, connections, failed_calls, schema
from recruitlink.store import parity as parity_rows
from recruitlink.store.changelog import ChangelogRow, read_changes
from recruitlink.store.records import as_dicts

from . import host_events
from . import state_ledger as ledger
from .items import ACL_USER_BITS, JOB_ACLS, Item, Stream
from .sender import ItemResult
from .state_ledger import LedgerRow, Prepared, PreparedItem, Tally

PARENT_CHUNK = 500
"""Ids per IN list."""


class LedgerReads(Protocol):
    """What the planner asks of the sync's state about one tenant."""

    def ledger(self, refs: Iterable[Ref]) -> dict[Ref, LedgerRow]:
        """The ledger rows of these records (those it has)."""
        ...

    def acl_ledger(self, job_ids: Collection[int]) -> dict[Ref, LedgerRow]:
        """The ledger's ACL records of these jobs."""
        ...

    def children(self, needs: Mapping[tuple[str, str], set[int]]) -> Children:
        """Per (child entity, parent entity): each parent id's children ids."""
        ...


class LeaseStore(Protocol):
    """Where the one-sync-per-tenant leases are kept (sync/lease.py)."""

    def take_lease(self, tenant_id: int, owner: str, now: int, ttl_ms: int) -> bool:
        """Take or renew; False while another live process holds it."""
        ...

    def lease_holder(self, tenant_id: int) -> str | None: ...

    def release_lease(self, tenant_id: int, owner: str) -> None: ...

    def release_leases(self, owner: str) -> None: ...


class StoreReads:
    """`LedgerReads` on a connection of the store."""

    def __init__(self, conn: Connection, tenant_id: int,
                 parent_columns: Mapping[tuple[str, str], str]) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.parent_columns = parent_columns

    def ledger(self, refs: Iterable[Ref]) -> dict[Ref, LedgerRow]:
        return ledger.load_ledger(self.conn, self.tenant_id, refs)

    def acl_ledger(self, job_ids: Collection[int]) -> dict[Ref, LedgerRow]:
        """Each job's ACL records form one range of ids; consecutive jobs share one."""
        if not job_ids:
            return {}
        runs: list[list[int]] = []
        for job_id in sorted(job_ids):
            if runs and runs[-1][1] == job_id - 1:
                runs[-1][1] = job_id
            else:
                runs.append([job_id, job_id])
        column = schema.sync_ledger.c.entity_id
        found: dict[Ref, LedgerRow] = {}
        for start in range(0, len(runs), 100):
            ranges = [and_(column >= first << ACL_USER_BITS,
                           column < (last + 1) << ACL_USER_BITS)
                      for first, last in runs[start:start + 100]]
            for row in self.conn.execute(select(schema.sync_ledger).where(
                    schema.sync_ledger.c.tenant_id == self.tenant_id,
                    schema.sync_ledger.c.entity == JOB_ACLS, or_(*ranges))):
                found[(JOB_ACLS, row.entity_id)] = LedgerRow(
                    JOB_ACLS, row.entity_id, row.external_id, row.resource, dict(row.li_key),
                    row.content_hash, row.state, row.job_task)
        return found

    def children(self, needs: Mapping[tuple[str, str], set[int]]) -> Children:
        """One SELECT per (child, parent) and 500 parents, not one per parent."""
        out: dict[tuple[str, str], dict[int, list[int]]] = {}
        for (child, parent), parent_ids in needs.items():
            table = schema.metadata.tables[child]
            column = table.c[self.parent_columns[(child, parent)]]
            found: dict[int, list[int]] = defaultdict(list)
            ordered = sorted(parent_ids)
            for start in range(0, len(ordered), PARENT_CHUNK):
                query = select(table.c.id, column).where(
                    table.c.tenant_id == self.tenant_id,
                    column.in_(ordered[start:start + PARENT_CHUNK]))
                if child == "files":  # a file belongs to a candidate or an application
                    query = query.where(table.c.owner_entity == parent)
                for row in self.conn.execute(query.order_by(table.c.id)):
                    found[row[1]].append(row[0])
            out[(child, parent)] = found
        return out


def stream_query(stream: Stream, tenant_id: int) -> Any:
    """The records of one stream of the tenant."""
    table = schema.metadata.tables[stream.table]
    query = select(table).where(table.c.tenant_id == tenant_id)
    if stream.name == "candidate_notes":
        query = query.where(table.c.candidate_id.is_not(None))
    elif stream.name == "application_notes":
        query = query.where(table.c.application_id.is_not(None))
    elif stream.table == "files":
        query = query.where(table.c.complete.is_(True), table.c.owner_entity == (
            "candidates" if stream.name == "candidate_resumes" else "applications"))
    return query


def _status() -> Any:
    return select(schema.connections.c.status).where(
        schema.connections.c.tenant_id == bindparam("b_tenant_id"))


def _paused() -> Any:
    return select(schema.connections.c.paused).where(
        schema.connections.c.tenant_id == bindparam("b_tenant_id"))


class SyncState:
    """The sync's state of every tenant, in the store."""

    def __init__(self, store: Store, parent_columns: Mapping[tuple[str, str], str]) -> None:
        self.store = store
        self.db = store.db
        self.parent_columns = parent_columns

    def reads(self, conn: Connection, tenant_id: int) -> StoreReads:
        return StoreReads(conn, tenant_id, self.parent_columns)

    # -- records ---------------------------------------------------------------------------

    @staticmethod
    def rows(conn: Connection, refs: Sequence[Ref]) -> dict[Ref, dict[str, Any]]:
        """The store rows of these records (those that still exist)."""
        by_entity: dict[str, list[int]] = defaultdict(list)
        for entity, entity_id in refs:
            by_entity[entity].append(entity_id)
        found: dict[Ref, dict[str, Any]] = {}
        for entity, ids in by_entity.items():
            table = schema.metadata.tables[entity]
            for start in range(0, len(ids), PARENT_CHUNK):
                for row in as_dicts(conn.execute(select(table).where(table.c.id.in_(
                        ids[start:start + PARENT_CHUNK])))):
                    found[(entity, row["id"])] = row
        return found

    def stream_page(self, stream: Stream, tenant_id: int, after: int,
                    limit: int) -> list[dict[str, Any]]:
        """The stream's next records by id, after `after`."""
        table = schema.metadata.tables[stream.table]
        with self.store.reader() as conn:
            return as_dicts(conn.execute(
                stream_query(stream, tenant_id).where(table.c.id > after)
                .order_by(table.c.id).limit(limit)))

    def changes(self, tenant_id: int, limit: int) -> tuple[int | None, list[ChangelogRow]]:
        """The changelog cursor (None before the first historical run) and the next changes."""
        with self.store.reader() as conn:
            cursor = ledger.get_cursor(conn, tenant_id, "changelog")
            if cursor is None:
                return None, []
            return cursor, list(read_changes(conn, tenant_id, cursor, limit))

    def policy_json(self, tenant_id: int) -> Any:
        """The connection's policy as stored now (JSON; None when not connected)."""
        with self.store.reader() as conn:
            return connections.stored_policy(conn, tenant_id)

    def cursor(self, tenant_id: int) -> int | None:
        with self.store.reader() as conn:
            return ledger.get_cursor(conn, tenant_id, "changelog")

    def move_cursor(self, tenant_id: int, position: int, now: int,
                    conn: Connection | None = None) -> None:
        """The changelog cursor moves forward only."""
        if conn is None:
            with self.db.write() as own:
                return self.move_cursor(tenant_id, position, now, own)
        current = ledger.get_cursor(conn, tenant_id, "changelog") or 0
        if position > current:
            ledger.set_cursor(conn, tenant_id, "changelog", position, now)
        return None

    # -- the connection's switches ---------------------------------------------------------

    def connection_status(self, tenant_id: int) -> str | None:
        """(Asked before every call of a batch.)"""
        with self.store.reader() as conn:
            status = ledger.run_compiled(conn, "connection_status", _status,
                                         {"b_tenant_id": tenant_id}).scalar()
            return None if status is None else str(status)

    def paused(self, tenant_id: int) -> bool:
        with self.store.reader() as conn:
            return bool(ledger.run_compiled(conn, "paused", _paused,
                                            {"b_tenant_id": tenant_id}).scalar())

    def set_contracts(self, conn: Connection, tenant_id: int,
                      contracts: list[dict[str, Any]]) -> None:
        conn.execute(update(schema.connections).where(
            schema.connections.c.tenant_id == tenant_id).values(contracts=contracts))

    def put_status_back(self, tenant_id: int, status: str) -> None:
        """A disconnect that could not start: the status it replaced comes back."""
        with self.db.write() as conn:
            before = connections.status_snapshot(conn, tenant_id)
            conn.execute(update(schema.connections).where(
                schema.connections.c.tenant_id == tenant_id,
                schema.connections.c.status == "DISCONNECTING").values(status=status))
            host_events.status_changed(conn, tenant_id, before, by="disconnect")

    # -- leases ----------------------------------------------------------------------------

    def take_lease(self, tenant_id: int, owner: str, now: int, ttl_ms: int) -> bool:
        with self.db.write() as conn:
            return ledger.acquire_lease(conn, tenant_id, owner, now, ttl_ms)

    def lease_holder(self, tenant_id: int) -> str | None:
        with self.store.reader() as conn:
            return ledger.lease_holder(conn, tenant_id)

    def release_lease(self, tenant_id: int, owner: str) -> None:
        with self.db.write() as conn:
            ledger.release_lease(conn, tenant_id, owner)

    def release_leases(self, owner: str) -> None:
        with self.db.write() as conn:
            ledger.release_leases(conn, owner)

    # -- runs and milestones ---------------------------------------------------------------

    def start_historical(self, tenant_id: int, streams: Sequence[Stream], now: int) -> int:
        """Cancel the running run, start a new one with a milestone per stream, and start
        the changelog cursor at the changelog's head if it has none."""
        with self.db.write() as conn:
            self._cancel_running(conn, tenant_id, now)
            start_seq = conn.execute(select(func.coalesce(func.max(schema.changelog.c.seq), 0))
                                     .where(schema.changelog.c.tenant_id == tenant_id)).scalar()
            run_id = int(conn.execute(schema.sync_runs.insert().values(
                tenant_id=tenant_id, kind="historical", status="running", start_seq=start_seq,
                started_at=now)).inserted_primary_key[0])  # type: ignore[index]
            for position, stream in enumerate(streams):
                total = conn.execute(select(func.count()).select_from(
                    stream_query(stream, tenant_id).subquery())).scalar()
                conn.execute(schema.sync_milestones.insert().values(
                    run_id=run_id, name=stream.name, position=position, cursor=0, total=total,
                    done=0, rejected=0, excluded=0))
            if ledger.get_cursor(conn, tenant_id, "changelog") is None:
                ledger.set_cursor(conn, tenant_id, "changelog", int(start_seq or 0), now)
            status = connections.status_snapshot(conn, tenant_id)
            if status is not None and status.status == "ENABLED":
                # Milestone 1, the integration enabled: this run's first.
                host_events.milestone_reached(conn, tenant_id, run_id, MILESTONES[0])
        return run_id

    @staticmethod
    def _cancel_running(conn: Connection, tenant_id: int, now: int) -> None:
        conn.execute(update(schema.sync_runs).where(
            schema.sync_runs.c.tenant_id == tenant_id,
            schema.sync_runs.c.status == "running").values(status="cancelled", finished_at=now))

    def historical_done(self, tenant_id: int) -> bool:
        """The latest run is done and LinkedIn confirmed every job task."""
        with self.store.reader() as conn:
            run = conn.execute(select(schema.sync_runs.c.status).where(
                schema.sync_runs.c.tenant_id == tenant_id).order_by(
                schema.sync_runs.c.id.desc()).limit(1)).scalar()
            return run == "done" and not self._pending_count(conn, tenant_id)

    @staticmethod
    def _pending_count(conn: Connection, tenant_id: int) -> int:
        return int(conn.execute(select(func.count()).select_from(schema.sync_ledger).where(
            schema.sync_ledger.c.tenant_id == tenant_id,
            schema.sync_ledger.c.state.in_(PENDING_STATES))).scalar() or 0)

    def pending_tasks_count(self, tenant_id: int) -> int:
        with self.store.reader() as conn:
            return self._pending_count(conn, tenant_id)

    def next_milestone(self, tenant_id: int) -> tuple[Any, Any] | None:
        """The running historical run and its first unfinished milestone (None when the run
        has none left); None when no run is running."""
        with self.store.reader() as conn:
            run = conn.execute(select(schema.sync_runs).where(
                schema.sync_runs.c.tenant_id == tenant_id,
                schema.sync_runs.c.status == "running").order_by(
                schema.sync_runs.c.id.desc()).limit(1)).first()
            if run is None:
                return None
            milestone = conn.execute(select(schema.sync_milestones).where(
                schema.sync_milestones.c.run_id == run.id,
                schema.sync_milestones.c.finished_at.is_(None)).order_by(
                schema.sync_milestones.c.position).limit(1)).first()
        return run, milestone

    def finish_run(self, tenant_id: int, run_id: int, now: int) -> None:
        with self.db.write() as conn:
            conn.execute(update(schema.sync_runs).where(schema.sync_runs.c.id == run_id)
                         .values(status="done", finished_at=now))
            connections.touch_last_sync(conn, tenant_id, now)

    def mark_milestone(self, run_id: int, name: str, **values: int) -> None:
        """`started_at=` or `finished_at=` (a finished stream may complete a feature
        milestone: the host ATS hears of it)."""
        with self.db.write() as conn:
            changed = conn.execute(update(schema.sync_milestones).where(
                schema.sync_milestones.c.run_id == run_id,
                schema.sync_milestones.c.name == name,
                schema.sync_milestones.c.finished_at.is_(None)).values(**values)).rowcount
            if changed and "finished_at" in values:
                tenant_id = conn.execute(select(schema.sync_runs.c.tenant_id).where(
                    schema.sync_runs.c.id == run_id)).scalar_one()
                host_events.milestones_reached_by(conn, tenant_id, run_id, name)

    # -- batches ---------------------------------------------------------------------------

    def prepared(self, tenant_id: int) -> list[Prepared]:
        with self.store.reader() as conn:
            return ledger.prepared_batches(conn, tenant_id)

    def prepare(self, tenant_id: int, run_id: int | None, milestone: str | None,
                items: Sequence[Item], cursor_after: int | None, now: int,
                not_sent: Mapping[Ref, str]) -> int:
        with self.db.write() as conn:
            return ledger.prepare_batch(conn, tenant_id=tenant_id, run_id=run_id,
                                        milestone=milestone, items=items,
                                        cursor_after=cursor_after, now_ms=now,
                                        not_sent=not_sent)

    def prepare_many(self, tenant_id: int, parts: Sequence[tuple[Sequence[Item], Mapping[
            Ref, str]]], cursor_after: int | None, now: int,
            replayed: Sequence[int]) -> list[int]:
        """Prepare several batches ahead of their turn in one transaction, the last one
        carrying the cursor, with the open errors being `replayed` marked."""
        with self.db.write() as conn:
            ledger.mark_replayed(conn, tenant_id, replayed)
            return [ledger.prepare_batch(
                conn, tenant_id=tenant_id, run_id=None, milestone=None, items=items,
                cursor_after=cursor_after if n == len(parts) - 1 else None, now_ms=now,
                attempts=0, not_sent=not_sent) for n, (items, not_sent) in enumerate(parts)]

    def start_attempt(self, batch_id: int) -> None:
        with self.db.write() as conn:
            ledger.start_attempt(conn, batch_id)

    def note_sent(self, batch_id: int, records: int) -> None:
        with self.db.write() as conn:
            ledger.note_sent(conn, batch_id, records)

    def keep_failed_calls(self, tenant_id: int, batch_id: int, calls: Sequence[FailedCall],
                          now: int) -> None:
        """The batch's failed calls, for support bundles (store/failed_calls.py)."""
        with self.db.write() as conn:
            failed_calls.keep(conn, tenant_id, batch_id, calls, now)

    def batch_failed(self, batch_id: int, error: str) -> None:
        with self.db.write() as conn:
            ledger.mark_batch_failed(conn, batch_id, error)

    def commit(self, tenant_id: int, batch_id: int, *, lease: tuple[str, int],
               items: Sequence[Item], results: Mapping[ResultKey, ItemResult],
               skipped: Sequence[Item], excluded: Sequence[Item], calls: int, now: int,
               milestone: tuple[int, str, int, int] | None, cursor_after: int | None
               ) -> Tally | None:
        """Commit a sent batch in one transaction: the lease renewed (None, committing
        nothing, if another process took it), the ledger, errors and outcomes, the
        milestone `(run_id, name, cursor, done)` or the changelog cursor, the last sync."""
        owner, ttl_ms = lease
        with self.db.write() as conn:
            if not ledger.acquire_lease(conn, tenant_id, owner, now, ttl_ms):
                return None
            tally = ledger.commit_batch(conn, tenant_id=tenant_id, batch_id=batch_id,
                                        items=items, results=results, skipped=skipped,
                                        excluded=excluded, calls=calls, now_ms=now)
            if milestone is not None:
                run_id, name, cursor, done = milestone
                ledger.advance_milestone(conn, run_id, name, cursor=cursor, done=done,
                                         tally=tally, now_ms=now)
            elif cursor_after is not None:
                self.move_cursor(tenant_id, cursor_after, now, conn)
            connections.touch_last_sync(conn, tenant_id, now)
        return tally

    def requeue(self, tenant_id: int, items: Sequence[Item], now: int) -> None:
        """Forget what these sends did to the ledger's hashes and queue them again."""
        refs = [(i.entity, i.entity_id) for i in items]
        with self.db.write() as conn:
            for entity in {e for e, _ in refs}:
                ids = [i for e, i in refs if e == entity]
                for start in range(0, len(ids), PARENT_CHUNK):
                    conn.execute(update(schema.sync_ledger).where(
                        schema.sync_ledger.c.tenant_id == tenant_id,
                        schema.sync_ledger.c.entity == entity,
                        schema.sync_ledger.c.entity_id.in_(ids[start:start + PARENT_CHUNK]))
                        .values(content_hash=None))
            ledger.prepare_batch(conn, tenant_id=tenant_id, run_id=None, milestone=None,
                                 items=items, cursor_after=None, now_ms=now)

    # -- live parity ------------------------------------------------------------------------

    def ledger_rows(self, tenant_id: int, refs: Iterable[Ref]) -> dict[Ref, LedgerRow]:
        with self.store.reader() as conn:
            return ledger.load_ledger(conn, tenant_id, refs)

    def queue_reconcile(self, tenant_id: int, items: Sequence[Item],
                        kinds: Mapping[Ref, str], now: int) -> None:
        """Correct the ledger to what parity found LinkedIn holding (a missing record is not
        there, an extra one is), forget the hashes so nothing is skipped as unchanged, and
        queue the records as a prepared batch: the sync's next step sends it (`recover`),
        as each record is now. The drift is forgotten with it: the next round looks again."""
        with self.db.write() as conn:
            for (entity, entity_id), kind in kinds.items():
                values: dict[str, Any] = {"content_hash": None, "updated_at": now}
                if kind == "missing":
                    values["state"] = "deleted"
                elif kind == "extra":
                    values["state"] = "synced"
                conn.execute(update(schema.sync_ledger).where(
                    schema.sync_ledger.c.tenant_id == tenant_id,
                    schema.sync_ledger.c.entity == entity,
                    schema.sync_ledger.c.entity_id == entity_id).values(**values))
            if items:
                # attempts=0: the sync's `recover` counts its send.
                ledger.prepare_batch(conn, tenant_id=tenant_id, run_id=None, milestone=None,
                                     items=items, cursor_after=None, now_ms=now, attempts=0)
            parity_rows.forget(conn, tenant_id, kinds)

    # -- job tasks, replays, errors ---------------------------------------------------------

    def pending_tasks(self, tenant_id: int, due: int) -> list[LedgerRow]:
        with self.store.reader() as conn:
            return ledger.pending_tasks(conn, tenant_id, due)

    def record_tasks(self, tenant_id: int, outcomes: Sequence[tuple[LedgerRow, str, str]],
                     now: int) -> None:
        """Each job task's outcome: (row, "waiting" | "confirmed" | "failed", reason)."""
        with self.db.write() as conn:
            for row, outcome, reason in outcomes:
                if outcome == "confirmed":
                    ledger.task_confirmed(conn, tenant_id, row, now)
                elif outcome == "failed":
                    ledger.task_failed(conn, tenant_id, row, reason, now)
                else:
                    ledger.task_waiting(conn, tenant_id, row, now)

    def due_replays(self, tenant_id: int, now: int, replay: Backoff, *, limit: int
                    ) -> list[tuple[Ref, list[int]]]:
        with self.store.reader() as conn:
            return ledger.due_replays(conn, tenant_id, now, replay, limit=limit)

    def open_errors(self, tenant_id: int, batch_id: int | None = None
                    ) -> tuple[list[Ref], list[int]]:
        """The records with an open error (of one batch, or all) and those errors' ids."""
        with self.store.reader() as conn:
            query = select(schema.sync_errors.c.id, schema.sync_errors.c.entity,
                           schema.sync_errors.c.entity_id).where(
                schema.sync_errors.c.tenant_id == tenant_id,
                schema.sync_errors.c.status == "open")
            if batch_id is not None:
                query = query.where(schema.sync_errors.c.batch_id == batch_id)
            errors = conn.execute(query).all()
        return (list(dict.fromkeys((r.entity, r.entity_id) for r in errors)),
                [r.id for r in errors])

    # -- status and disconnect ---------------------------------------------------------------

    def summary(self, tenant_id: int) -> dict[str, Any]:
        """The latest run's kind, the ledger by state, prepared batches, and how far the
        changelog cursor is behind the changelog's head (None without a cursor)."""
        with self.store.reader() as conn:
            kind = conn.execute(select(schema.sync_runs.c.kind).where(
                schema.sync_runs.c.tenant_id == tenant_id).order_by(
                schema.sync_runs.c.id.desc()).limit(1)).scalar()
            states: dict[str, int] = {r[0]: r[1] for r in conn.execute(
                select(schema.sync_ledger.c.state, func.count()).where(
                    schema.sync_ledger.c.tenant_id == tenant_id)
                .group_by(schema.sync_ledger.c.state))}
            pending = conn.execute(select(func.count()).select_from(schema.sync_batches).where(
                schema.sync_batches.c.tenant_id == tenant_id,
                schema.sync_batches.c.status == "prepared")).scalar()
            cursor = ledger.get_cursor(conn, tenant_id, "changelog")
            head = conn.execute(select(func.coalesce(func.max(schema.changelog.c.seq), 0))
                                .where(schema.changelog.c.tenant_id == tenant_id)).scalar()
        return {"kind": kind, "states": states, "pending": pending,
                "behind": max(0, int(head or 0) - int(cursor or 0)) if cursor is not None
                else None}

    def start_disconnect(self, tenant_id: int, now: int) -> int:
        """The running run is cancelled; a `disconnect` run starts (its report's home)."""
        with self.db.write() as conn:
            before = connections.status_snapshot(conn, tenant_id)
            connections.set_status(conn, tenant_id, "DISCONNECTING", now)
            host_events.status_changed(conn, tenant_id, before, by="disconnect")
            self._cancel_running(conn, tenant_id, now)
            return int(conn.execute(schema.sync_runs.insert().values(
                tenant_id=tenant_id, kind="disconnect", status="running", start_seq=0,
                started_at=now)).inserted_primary_key[0])  # type: ignore[index]

    def finish_disconnect(self, tenant_id: int, run_id: int, report: dict[str, Any],
                          now: int) -> None:
        with self.db.write() as conn:
            conn.execute(update(schema.sync_runs).where(schema.sync_runs.c.id == run_id)
                         .values(status="done", finished_at=now, report=report))
            before = connections.status_snapshot(conn, tenant_id)
            connections.set_status(conn, tenant_id, "DISCONNECTED", now)
            host_events.status_changed(conn, tenant_id, before, by="disconnect")
            host_events.report_ready(conn, tenant_id, run_id, report)
            conn.execute(schema.sync_cursors.delete().where(
                schema.sync_cursors.c.tenant_id == tenant_id))

    def live_on_linkedin(self, tenant_id: int, resource: str, limit: int) -> list[LedgerRow]:
        """Records of this resource LinkedIn holds (by the ledger)."""
        with self.store.reader() as conn:
            return [ledger.ledger_row(r) for r in conn.execute(select(schema.sync_ledger).where(
                schema.sync_ledger.c.tenant_id == tenant_id,
                schema.sync_ledger.c.resource == resource,
                schema.sync_ledger.c.state.in_(LIVE_STATES)).limit(limit))]

    def live_counts(self, tenant_id: int) -> dict[str, int]:
        """How many records of each resource LinkedIn holds for the tenant (by the ledger):
        whatever sent them (the initial sync, live changes, exports)."""
        with self.store.reader() as conn:
            return {r.resource: int(r.n) for r in conn.execute(
                select(schema.sync_ledger.c.resource, func.count().label("n")).where(
                    schema.sync_ledger.c.tenant_id == tenant_id,
                    schema.sync_ledger.c.state.in_(LIVE_STATES)).group_by(
                        schema.sync_ledger.c.resource).order_by(schema.sync_ledger.c.resource))}

    def job_ids_on_linkedin(self, tenant_id: int) -> list[int]:
        """The jobs LinkedIn lists (or is closing) for the tenant."""
        with self.store.reader() as conn:
            return list(conn.execute(select(schema.sync_ledger.c.entity_id).where(
                schema.sync_ledger.c.tenant_id == tenant_id,
                schema.sync_ledger.c.entity == "jobs",
                schema.sync_ledger.c.state.in_((*LIVE_STATES, "closing")))).scalars())

    def job_states(self, tenant_id: int, job_ids: Sequence[int]) -> list[str]:
        with self.store.reader() as conn:
            return [state for start in range(0, len(job_ids), PARENT_CHUNK)
                    for state in conn.execute(select(schema.sync_ledger.c.state).where(
                        schema.sync_ledger.c.tenant_id == tenant_id,
                        schema.sync_ledger.c.entity == "jobs",
                        schema.sync_ledger.c.entity_id.in_(
                            job_ids[start:start + PARENT_CHUNK]))).scalars()]

    def deleted_keys(self, tenant_id: int, resources: Sequence[str]) -> dict[str, list[Any]]:
        """The LinkedIn keys of records the ledger says were deleted, by resource."""
        by_resource: dict[str, list[Any]] = defaultdict(list)
        with self.store.reader() as conn:
            for row in conn.execute(select(schema.sync_ledger.c.resource,
                                           schema.sync_ledger.c.li_key).where(
                    schema.sync_ledger.c.tenant_id == tenant_id,
                    schema.sync_ledger.c.state == "deleted",
                    schema.sync_ledger.c.resource.in_(resources))):
                by_resource[row.resource].append(row.li_key["key"])
        return by_resource


__all__ = ["LeaseStore", "LedgerReads", "PreparedItem", "StoreReads", "SyncState", "stream_query"]
