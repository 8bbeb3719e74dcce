"""Moving one tenant's state to another database (`recruitlink db migrate-state`).

Everything the tenant owns is copied with its ids unchanged: the sync's ledger, cursors,
batches and errors refer to store ids and changelog positions, so the target carries on where
the source stopped instead of sending the tenant's data to LinkedIn again. What to copy is
worked out from the schema: `tenants`, every table with a `tenant_id`, and the tables hanging
off copied rows through a foreign key (a run's milestones, a batch's items).

Order of work: check the target (nothing written yet), pause the tenant's sync on the source,
copy in ONE target transaction (streamed in chunks; a failure leaves no trace of the tenant
there and un-pauses the source), then move the target's id counters past the source's.
Pausing before reading means a server still running on the source cannot send anything the
copy would not know about; the copied connection keeps the tenant's own `paused` value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from ..errors import TransferError
from . import schema
from .db import Database
from .migrate import current_revision, head_revision, upgrade

CHUNK = 2000

# Tables deliberately not copied, and why. Any other table must be tenant data (a tenant_id
# or a foreign key to copied rows): `plan` refuses a table it cannot place.
NOT_COPIED = {
    # The shared rate budget is keyed by LinkedIn client id, not tenant, and only holds the
    # last minute, day and Retry-After: transient, the target relearns it.
    "rate_events": "rate budget: per LinkedIn app, transient",
    "rate_days": "rate budget: per LinkedIn app, transient",
    "rate_blocks": "rate budget: per LinkedIn app, transient",
    "rate_windows": "rate budget: per LinkedIn app, transient",
    # Held by a sync process working on the source: copied, it would keep the target from
    # syncing the tenant until it expired.
    "sync_leases": "sync lease: held by a process on the source",
    # Failed sign-ins per address and site-wide, not per tenant; 15-minute windows.
    "signin_failures": "sign-in throttling counters: not per tenant, transient",
}

Phase = Literal["check", "copy"]


@dataclass(frozen=True)
class TransferProgress:
    phase: Phase  # check: looking for ids taken in the target; copy: writing
    table: str
    done: int
    total: int


OnProgress = Callable[[TransferProgress], None]


@dataclass
class TransferReport:
    slug: str
    tenant_id: int
    rows: dict[str, int] = field(default_factory=dict)  # copied, per table, parents first
    source_paused: bool = False  # a connection exists and is now paused on the source
    was_paused: bool = False  # it already was paused (and stays paused on the target)
    not_copied: dict[str, str] = field(default_factory=lambda: dict(NOT_COPIED))

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class Part:
    """One table to copy and the condition selecting the tenant's rows in it."""

    table: Table
    scope: ColumnElement[bool]


def plan(tenant_id: int) -> list[Part]:
    """The tables holding the tenant's rows, parents before children."""
    scopes: dict[str, ColumnElement[bool]] = {}
    parts = []
    for table in schema.metadata.sorted_tables:
        if table.name in NOT_COPIED:
            continue
        scope = _scope(table, tenant_id, scopes)
        if scope is None:
            raise TransferError(f"{table.name}: neither tenant data nor listed in "
                                "transfer.NOT_COPIED; decide which it is")
        scopes[table.name] = scope
        parts.append(Part(table, scope))
    return parts


def _scope(table: Table, tenant_id: int,
           scopes: dict[str, ColumnElement[bool]]) -> ColumnElement[bool] | None:
    if table is schema.tenants:
        return schema.tenants.c.id == tenant_id
    if "tenant_id" in table.c:
        return table.c.tenant_id == tenant_id
    # No tenant_id: the rows hanging off a copied parent (sorted_tables puts parents first).
    for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        parent = fk.column.table
        if parent.name in scopes:
            return fk.parent.in_(select(fk.column).where(scopes[parent.name]))
    return None


def migrate_tenant(source: Database, target: Database, slug: str, *,
                   on_progress: OnProgress | None = None) -> TransferReport:
    """Copy tenant `slug` with all its rows from `source` to `target`, ids unchanged, and
    pause its sync on the source. Raises TransferError, writing nothing, when the tenant is
    unknown or the target already holds its slug or any of its ids."""
    tenant_id = _source_tenant(source, slug)
    upgrade(target)
    parts = plan(tenant_id)
    _check_target(source, target, slug, parts, on_progress)
    report = TransferReport(slug, tenant_id)
    before = _set_paused(source, tenant_id, True)
    try:
        _copy(source, target, parts, report, before, on_progress)
    except BaseException:
        if before is False:  # we paused it: a failed move leaves the source as it was
            _set_paused(source, tenant_id, False)
        raise
    report.source_paused = before is not None
    report.was_paused = bool(before)
    return report


# -- the source -------------------------------------------------------------------------------

def _source_tenant(source: Database, slug: str) -> int:
    parsed = make_url(source.url)
    # Connecting would create a missing SQLite file: a mistyped path must not look empty.
    if source.dialect == "sqlite" and not Path(parsed.database or "").is_file():
        raise TransferError(f"source: no SQLite file {parsed.database}")
    revision, head = current_revision(source), head_revision()
    if revision != head:
        raise TransferError(f"source: the database is at schema revision {revision}, not "
                            f"{head}: run `recruitlink db upgrade` on it first")
    with source.read() as conn:
        found = conn.execute(select(schema.tenants.c.id).where(
            schema.tenants.c.slug == slug)).scalar()
    if found is None:
        raise TransferError(f"source: no tenant {slug!r}", tenant=slug)
    return int(found)


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One consistent view for a whole pass: a server may still write to the source."""
    with db.read() as conn:
        if db.is_postgres:
            conn.execution_options(isolation_level="REPEATABLE READ")
        yield conn


def _set_paused(db: Database, tenant_id: int, paused: bool) -> bool | None:
    """Set the tenant's sync `paused`; its value before (None: not connected)."""
    connections = schema.connections
    with db.write() as conn:
        row = conn.execute(select(connections.c.paused).where(
            connections.c.tenant_id == tenant_id)).first()
        if row is None:
            return None
        conn.execute(update(connections).where(connections.c.tenant_id == tenant_id)
                     .values(paused=paused))
    return bool(row.paused)


def _count(conn: Connection, part: Part) -> int:
    return int(conn.execute(select(func.count()).select_from(part.table)
                            .where(part.scope)).scalar() or 0)


def _stream(conn: Connection, query: Select[Any]) -> Iterator[Sequence[Row[Any]]]:
    """The query's rows in chunks, never the whole table in memory (server-side on PG)."""
    yield from conn.execute(query.execution_options(yield_per=CHUNK)).partitions()


def _emit(on_progress: OnProgress | None, phase: Phase, table: str, done: int,
          total: int) -> None:
    if on_progress is not None:
        on_progress(TransferProgress(phase, table, done, total))


# -- checking the target ------------------------------------------------------------------------

def _check_target(source: Database, target: Database, slug: str, parts: list[Part],
                  on_progress: OnProgress | None) -> None:
    with target.read() as tconn:
        taken = tconn.execute(select(schema.tenants.c.id).where(
            schema.tenants.c.slug == slug)).scalar()
        if taken is not None:
            raise TransferError(f"target: a tenant {slug!r} already exists there (tenants "
                                f"id {taken})", tenant=slug)
        with _snapshot(source) as sconn:
            for part in parts:
                _check_table(sconn, tconn, part, on_progress)


def _check_table(sconn: Connection, tconn: Connection, part: Part,
                 on_progress: OnProgress | None) -> None:
    """Refuse if any of the rows to copy has its primary key taken in the target."""
    key = list(part.table.primary_key.columns)
    name = part.table.name
    total, done = _count(sconn, part), 0
    _emit(on_progress, "check", name, 0, total)
    for chunk in _stream(sconn, select(*key).where(part.scope)):
        keys = [tuple(row) for row in chunk]
        taken = tconn.execute(select(*key).where(_key_in(key, keys)).limit(1)).first()
        if taken is not None:
            shown = ", ".join(f"{c.name}={v!r}" for c, v in zip(key, taken, strict=True))
            raise TransferError(f"target: table {name} already has a row with {shown}; ids "
                                "are kept as they are, so this tenant cannot be copied there")
        done += len(keys)
        _emit(on_progress, "check", name, done, total)


def _key_in(key: list[Column[Any]], keys: list[tuple[Any, ...]]) -> ColumnElement[bool]:
    if len(key) == 1:
        return key[0].in_([k[0] for k in keys])
    return tuple_(*key).in_(keys)


# -- copying ------------------------------------------------------------------------------------

def _copy(source: Database, target: Database, parts: list[Part], report: TransferReport,
          paused: bool | None, on_progress: OnProgress | None) -> None:
    # The connection keeps the tenant's own pause, not the one just put on the source.
    overrides = {"connections": {"paused": paused}} if paused is not None else {}
    with _snapshot(source) as sconn, target.write() as tconn:
        for part in parts:
            report.rows[part.table.name] = _copy_table(
                sconn, tconn, part, overrides.get(part.table.name, {}), on_progress)
        for part in parts:
            _advance_ids(sconn, tconn, part.table)


def _copy_table(sconn: Connection, tconn: Connection, part: Part, override: dict[str, Any],
                on_progress: OnProgress | None) -> int:
    table = part.table
    total, done = _count(sconn, part), 0
    _emit(on_progress, "copy", table.name, 0, total)
    query = select(table).where(part.scope).order_by(*table.primary_key.columns)
    for chunk in _stream(sconn, query):
        rows = [{**row._mapping, **override} for row in chunk]
        try:
            tconn.execute(table.insert(), rows)
        except IntegrityError as exc:  # written meanwhile, or a unique value (not a key)
            raise TransferError(f"target: table {table.name} refused a row: "
                                f"{str(exc.orig).splitlines()[0]}") from exc
        done += len(rows)
        _emit(on_progress, "copy", table.name, done, total)
    return done


def _advance_ids(sconn: Connection, tconn: Connection, table: Table) -> None:
    """Move the target's id counter past every id the source ever handed out, copied or
    not: a deleted record's id stays in the sync ledger and must never come back; ids of
    the source's other tenants stay free for moving them later."""
    column = table.autoincrement_column
    if column is None:
        return
    high = _issued(sconn, table, column)
    if tconn.dialect.name == "postgresql":
        _setval(tconn, table, column, high)
    elif table.dialect_options["sqlite"].get("autoincrement"):
        _bump_sqlite_sequence(tconn, table, high)


def _issued(conn: Connection, table: Table, column: Column[Any]) -> int:
    """The highest id the database has handed out for the table (all tenants)."""
    top = conn.execute(select(func.max(column))).scalar() or 0
    if conn.dialect.name == "postgresql":
        issued = conn.execute(text(
            "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(:t, :c) AS regclass))"),
            {"t": table.name, "c": column.name}).scalar()
    else:
        issued = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = :t"),
                              {"t": table.name}).scalar()
    return max(int(top), int(issued or 0))


def _setval(conn: Connection, table: Table, column: Column[Any], high: int) -> None:
    sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                            {"t": table.name, "c": column.name}).scalar()
    if sequence is None:
        return
    top = conn.execute(select(func.max(column))).scalar() or 0
    # nextval: never move the counter back below what the target already handed out.
    conn.execute(text("SELECT setval(CAST(:s AS regclass), "
                      "GREATEST(:high, nextval(CAST(:s AS regclass))))"),
                 {"s": sequence, "high": max(high, int(top))})


def _bump_sqlite_sequence(conn: Connection, table: Table, high: int) -> None:
    # AUTOINCREMENT hands out max(sqlite_sequence.seq, max rowid) + 1.
    current = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = :t"),
                           {"t": table.name}).first()
    if current is None:
        conn.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :high)"),
                     {"t": table.name, "high": high})
    elif current.seq < high:
        conn.execute(text("UPDATE sqlite_sequence SET seq = :high WHERE name = :t"),
                     {"t": table.name, "high": high})
