"""Reading and writing ATS/CRM records, for one tenant, inside a caller's transaction.

Writes take many records at once (the bulk API sends up to 10,000): references, existing rows
and uniqueness are looked up in a few batched queries, each record is judged on its own
(created / updated / unchanged / rejected with its field and reason), and the good ones are
written with executemany. Every change is added to the transaction's `ChangeSet`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Connection, Result, bindparam, delete, select, tuple_, update

from recruitlink.core.records import from_millis, to_millis
from recruitlink.errors import CursorError

from . import schema
from .changelog import ChangeSet, Confidentiality
from .entities import ENTITIES, Entity
from .files import remove_owned

Mode = Literal["create", "update", "upsert"]
Status = Literal["created", "updated", "unchanged", "rejected"]
CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


@dataclass
class Outcome:
    index: int
    id: str | None
    status: Status
    errors: list[dict[str, str]] = field(default_factory=list)
    http_status: int = 200
    """For single-record endpoints: 404 unknown, 409 conflict, 422 invalid."""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.id, "status": self.status}
        if self.errors:
            out["errors"] = self.errors
        return out


def new_external_id() -> str:
    return "rl-" + uuid.uuid4().hex


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _singular(name: str) -> str:
    return {"interview_feedback": "interview feedback", "users": "user"}.get(
        name, name[:-1].replace("_", " "))


def as_dicts(result: Result[Any]) -> list[dict[str, Any]]:
    """A result's rows as dicts by column name: `dict(row._mapping)`, without building a
    mapping per row (the sync reads every record this way)."""
    names = list(result.keys())
    # Not strict: a row has its result's columns by construction (strict costs ~15% here).
    return [dict(zip(names, row, strict=False)) for row in result]


def rows_by_id(conn: Connection, table: Any, ids: Iterable[int | None], *, chunk: int = 500,
               columns: Sequence[str] | None = None) -> dict[int, dict[str, Any]]:
    """The rows of `table` with these ids (None and repeats ignored), by id, as dicts; only
    `columns` (and `id`) when given: the sync reads each page's companions, and decoding
    JSON columns it does not need is most of the reading."""
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, dict[str, Any]] = {}
    query = select(table) if columns is None else select(
        table.c.id, *(table.c[name] for name in columns if name != "id"))
    for start in range(0, len(wanted), chunk):
        part = wanted[start:start + chunk]
        for row in as_dicts(conn.execute(query.where(table.c.id.in_(part)))):
            found[row["id"]] = row
    return found


def ids_by_external(conn: Connection, spec: Entity, tenant_id: int,
                    external_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    table = spec.table
    for chunk in _chunks(wanted):
        for row in conn.execute(select(table.c.external_id, table.c.id).where(
                table.c.tenant_id == tenant_id, table.c.external_id.in_(chunk))):
            found[row.external_id] = row.id
    return found


def externals_by_id(conn: Connection, spec: Entity, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    table = spec.table
    for chunk in _chunks(wanted):
        for row in conn.execute(select(table.c.id, table.c.external_id)
                                .where(table.c.id.in_(chunk))):
            found[row.id] = row.external_id
    return found


def _rows_by_external(conn: Connection, spec: Entity, tenant_id: int,
                      external_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    table = spec.table
    for chunk in _chunks(sorted(set(external_ids))):
        query = select(table).where(table.c.tenant_id == tenant_id,
                                    table.c.external_id.in_(chunk))
        if conn.dialect.name == "postgresql":
            # Lock what we are about to rewrite, in id order (no deadlocks): a concurrent
            # writer waits, then reads our version instead of overwriting it from a stale copy.
            # (SQLite writers are already serialized by BEGIN IMMEDIATE.)
            query = query.order_by(table.c.id).with_for_update()
        for row in conn.execute(query):
            found[row.external_id] = dict(row._mapping)
    return found


def write_records(conn: Connection, changes: ChangeSet, spec: Entity,
                  items: Sequence[tuple[int, BaseModel]], *, tenant_id: int, now_ms: int,
                  mode: Mode) -> list[Outcome]:
    """Create, update or upsert records; returns one outcome per item, in item order.
    Given fields replace stored ones; fields not given keep their stored (or default) value."""
    outcomes: dict[int, Outcome] = {}

    def reject(index: int, ext: str | None, field_name: str, reason: str,
               http_status: int = 422) -> None:
        outcomes[index] = Outcome(index, ext, "rejected",
                                  [{"field": field_name, "reason": reason}], http_status)

    pending: list[tuple[int, str, dict[str, Any]]] = []
    first_seen: dict[str, int] = {}
    for index, model in items:
        ext = getattr(model, "id", None)
        if ext is None:
            if mode != "create":
                reject(index, None, "id", "is required to update or upsert a record")
                continue
            ext = new_external_id()
        if ext in first_seen:
            reject(index, ext, "id", f"appears more than once in this call (first at index "
                                     f"{first_seen[ext]})", 409)
            continue
        first_seen[ext] = index
        pending.append((index, ext, model.model_dump(exclude_unset=True, exclude={"id"})))

    existing = _rows_by_external(conn, spec, tenant_id, [ext for _, ext, _ in pending])
    ref_ids = _resolve_refs(conn, spec, tenant_id, [given for _, _, given in pending])

    inserts: list[tuple[int, str, dict[str, Any]]] = []
    updates: list[tuple[int, str, dict[str, Any], dict[str, Any]]] = []
    for index, ext, given in pending:
        row = existing.get(ext)
        if mode == "create" and row is not None:
            reject(index, ext, "id", f"a {_singular(spec.name)} with id '{ext}' already exists",
                   409)
            continue
        if mode == "update" and row is None:
            reject(index, ext, "id", f"no {_singular(spec.name)} with id '{ext}'", 404)
            continue
        values: dict[str, Any] = ({c: row[c] for c in spec.writable} if row is not None
                                  else {c: spec.defaults.get(c) for c in spec.writable})
        errors: list[dict[str, str]] = []
        for name, value in given.items():
            if name in ("created_at", "modified_at"):
                continue
            if name in spec.times:
                values[name] = to_millis(value) if value is not None else None
            elif name in ref_ids:
                values[name] = _ref_value(name, value, ref_ids[name], spec, errors)
            else:
                values[name] = value
        if spec.derive is not None:
            spec.derive(row, values, given, now_ms)
        reported = {e["field"] for e in errors}
        for name in spec.required:
            if values.get(name) in (None, "") and name not in reported:
                errors.append({"field": name, "reason": "is required"})
                reported.add(name)
        for name in spec.writable:  # null given for a field that always has a value
            column = spec.table.c.get(name)
            if (values.get(name) is None and name not in reported and column is not None
                    and not column.nullable):
                errors.append({"field": name, "reason": "must not be null"})
        if spec.check is not None and not errors:
            errors.extend({"field": f, "reason": r} for f, r in spec.check(values))
        created_at = (to_millis(given["created_at"]) if given.get("created_at") is not None
                      else (row["created_at"] if row is not None else None))
        modified_at = (to_millis(given["modified_at"])
                       if given.get("modified_at") is not None else None)
        if (created_at is not None and modified_at is not None and modified_at < created_at):
            errors.append({"field": "modified_at", "reason": "must not be before created_at"})
        if errors:
            outcomes[index] = Outcome(index, ext, "rejected", errors, 422)
            continue
        if row is None:
            start = (created_at if created_at is not None
                     else modified_at if modified_at is not None else now_ms)
            values["created_at"] = start
            values["modified_at"] = modified_at if modified_at is not None else max(start, now_ms)
            inserts.append((index, ext, values))
        else:
            changed = {c: v for c, v in values.items() if row[c] != v}
            if created_at != row["created_at"]:
                changed["created_at"] = created_at
            if modified_at is not None and modified_at != row["modified_at"]:
                changed["modified_at"] = modified_at
            if not changed:
                outcomes[index] = Outcome(index, ext, "unchanged")
                continue
            changed.setdefault("modified_at", max(now_ms, row["created_at"]))
            updates.append((index, ext, row, {**values, "created_at": row["created_at"],
                                              "modified_at": row["modified_at"], **changed}))

    if spec.unique_together:
        _check_unique(conn, spec, tenant_id, inserts, updates, outcomes)
        inserts = [i for i in inserts if i[0] not in outcomes]
        updates = [u for u in updates if u[0] not in outcomes]

    table = spec.table
    columns = (*spec.writable, "created_at", "modified_at")
    if inserts:
        rows = [{"tenant_id": tenant_id, "external_id": ext, **{c: v[c] for c in columns}}
                for _, ext, v in inserts]
        # One executemany, then the new ids by external id: RETURNING with a guaranteed
        # order makes SQLAlchemy insert row by row on SQLite.
        conn.execute(table.insert(), rows)
        new_ids = ids_by_external(conn, spec, tenant_id, [ext for _, ext, _ in inserts])
        for index, ext, values in inserts:
            new_id = new_ids[ext]
            changes.add(spec.name, new_id, ext, "create",
                        "entered" if spec.confidential and spec.confidential(values) else None)
            outcomes[index] = Outcome(index, ext, "created", http_status=201)
    if updates:
        stmt = update(table).where(table.c.id == bindparam("_id")).values(
            {c: bindparam(c) for c in columns})
        conn.execute(stmt, [{"_id": row["id"], **{c: v[c] for c in columns}}
                            for _, _, row, v in updates])
        for index, ext, row, values in updates:
            changes.add(spec.name, row["id"], ext, "update",
                        _confidentiality(spec, row, values))
            outcomes[index] = Outcome(index, ext, "updated")
    if spec.after_write is not None and (inserts or updates):
        spec.after_write(conn, changes, tenant_id,
                         [(None, v) for *_, v in inserts] + [(row, v) for *_, row, v in updates],
                         now_ms)
    return [outcomes[index] for index, _ in items]


def _confidentiality(spec: Entity, before: Mapping[str, Any],
                     after: Mapping[str, Any]) -> Confidentiality | None:
    if spec.confidential is None:
        return None
    was, now = spec.confidential(before), spec.confidential(after)
    if was == now:
        return None
    return "entered" if now else "left"


def _resolve_refs(conn: Connection, spec: Entity, tenant_id: int,
                  givens: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    maps: dict[str, dict[str, int]] = {}
    for ref in spec.refs:
        wanted: set[str] = set()
        for given in givens:
            value = given.get(ref.field)
            if value is None:
                continue
            wanted.update(value if ref.many else [value])
        maps[ref.field] = ids_by_external(conn, ENTITIES[ref.target], tenant_id, wanted)
    return maps


def _ref_value(name: str, value: Any, known: Mapping[str, int], spec: Entity,
               errors: list[dict[str, str]]) -> Any:
    ref = next(r for r in spec.refs if r.field == name)
    if value is None:
        return [] if ref.many else None
    values = value if ref.many else [value]
    missing = [v for v in values if v not in known]
    if missing:
        errors.append({"field": name, "reason": f"unknown {_singular(ref.target)} "
                                                f"{', '.join(repr(m) for m in missing[:5])}"})
        return None
    resolved = [known[v] for v in values]
    return resolved if ref.many else resolved[0]


def _check_unique(conn: Connection, spec: Entity, tenant_id: int,
                  inserts: list[tuple[int, str, dict[str, Any]]],
                  updates: list[tuple[int, str, dict[str, Any], dict[str, Any]]],
                  outcomes: dict[int, Outcome]) -> None:
    cols = spec.unique_together
    table = spec.table
    wanted: dict[tuple[Any, ...], list[tuple[int, str, int | None]]] = {}
    for index, ext, values in inserts:
        wanted.setdefault(tuple(values[c] for c in cols), []).append((index, ext, None))
    for index, ext, row, values in updates:
        key = tuple(values[c] for c in cols)
        if key != tuple(row[c] for c in cols):
            wanted.setdefault(key, []).append((index, ext, row["id"]))
    taken: dict[tuple[Any, ...], str] = {}
    # Look up by the first column alone (indexed on both databases; SQLite cannot use an
    # index for a row-value IN list) and match the full tuple here.
    firsts = sorted({key[0] for key in wanted}, key=str)
    for chunk in _chunks(firsts):
        query = select(table.c.external_id, *[table.c[c] for c in cols]).where(
            table.c.tenant_id == tenant_id, table.c[cols[0]].in_(chunk))
        for found in conn.execute(query):
            key = tuple(found[1:])
            if key in wanted:
                taken[key] = found.external_id
    names = ", ".join(cols)
    for key, claimants in wanted.items():
        holder = taken.get(key)
        for position, (index, ext, _row_id) in enumerate(claimants):
            if holder is not None and holder != ext:
                reason = f"already taken by {_singular(spec.name)} '{holder}'"
            elif position > 0:
                reason = f"taken by '{claimants[0][1]}' earlier in this call"
            else:
                continue
            outcomes[index] = Outcome(index, ext, "rejected",
                                      [{"field": names, "reason": reason}], 409)


def delete_record(conn: Connection, changes: ChangeSet, spec: Entity, *, tenant_id: int,
                  external_id: str, now_ms: int) -> bool:
    """Delete a record and what depends on it (each with its changelog row)."""
    found = ids_by_external(conn, spec, tenant_id, [external_id])
    if not found:
        return False
    _delete_ids(conn, changes, spec, tenant_id, list(found.values()), now_ms)
    return True


def _delete_ids(conn: Connection, changes: ChangeSet, spec: Entity, tenant_id: int,
                ids: list[int], now_ms: int) -> None:
    table = spec.table
    for child in spec.children:
        cspec = ENTITIES[child.entity]
        ctable = cspec.table
        if child.action == "drop_from_list":
            _drop_from_lists(conn, changes, cspec, child.column, tenant_id, set(ids), now_ms)
            continue
        column = ctable.c[child.column]
        linked: list[tuple[int, str]] = []
        for chunk in _chunks(ids):
            linked.extend((r.id, r.external_id) for r in conn.execute(
                select(ctable.c.id, ctable.c.external_id).where(column.in_(chunk))))
        if not linked:
            continue
        if child.action == "delete":
            _delete_ids(conn, changes, cspec, tenant_id, [i for i, _ in linked], now_ms)
        else:
            for chunk in _chunks([i for i, _ in linked]):
                conn.execute(update(ctable).where(ctable.c.id.in_(chunk))
                             .values({child.column: None, "modified_at": now_ms}))
            for child_id, child_ext in linked:
                changes.add(cspec.name, child_id, child_ext, "update")
    if spec.name in ("candidates", "applications"):
        remove_owned(conn, changes, tenant_id, spec.name, ids)
    for chunk in _chunks(ids):
        gone = conn.execute(select(table.c.id, table.c.external_id)
                            .where(table.c.id.in_(chunk))).all()
        conn.execute(delete(table).where(table.c.id.in_(chunk)))
        for row in gone:
            changes.add(spec.name, row.id, row.external_id, "delete")


def _drop_from_lists(conn: Connection, changes: ChangeSet, spec: Entity, column: str,
                     tenant_id: int, ids: set[int], now_ms: int) -> None:
    table = spec.table
    # JSON id lists are short and these deletes rare (a user or a job): scan the tenant.
    rows = conn.execute(select(table.c.id, table.c.external_id, table.c[column]).where(
        table.c.tenant_id == tenant_id)).all()
    for row in rows:
        current = row[2] or []
        kept = [i for i in current if i not in ids]
        if len(kept) != len(current):
            conn.execute(update(table).where(table.c.id == row.id)
                         .values({column: kept, "modified_at": now_ms}))
            changes.add(spec.name, row.id, row.external_id, "update")


# -- reads ---------------------------------------------------------------------------------

def to_api(conn: Connection, spec: Entity, rows: Sequence[Mapping[str, Any]]
           ) -> list[dict[str, Any]]:
    """Stored rows as the API shows them: external ids for references, ISO 8601 times."""
    lookups: dict[str, dict[int, str]] = {}
    for ref in spec.refs:
        ids: set[int] = set()
        for row in rows:
            value = row[ref.field]
            if value is not None:
                ids.update(value if ref.many else [value])
        lookups[ref.field] = externals_by_id(conn, ENTITIES[ref.target], ids)
    out = []
    for row in rows:
        item: dict[str, Any] = {"id": row["external_id"]}
        for c in spec.columns:
            item[c] = row[c]
        for c in spec.times:
            item[c] = from_millis(row[c])
        for ref in spec.refs:
            value = row[ref.field]
            known = lookups[ref.field]
            if ref.many:
                item[ref.field] = [known[v] for v in (value or []) if v in known]
            else:
                item[ref.field] = known.get(value) if value is not None else None
        item["created_at"] = from_millis(row["created_at"])
        item["modified_at"] = from_millis(row["modified_at"])
        out.append(item)
    return out


def get_record(conn: Connection, spec: Entity, *, tenant_id: int,
               external_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(spec.table).where(
        spec.table.c.tenant_id == tenant_id,
        spec.table.c.external_id == external_id)).first()
    if row is None:
        return None
    return to_api(conn, spec, [dict(row._mapping)])[0]


def encode_cursor(modified_at: int, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{modified_at}:{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        modified, row_id = (int(part) for part in raw.split(":"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CursorError("cursor is not one this API returned") from exc
    if not (-(2**62) < modified < 2**62 and 0 <= row_id < 2**62):
        raise CursorError("cursor is not one this API returned")
    return modified, row_id


def list_records(conn: Connection, spec: Entity, *, tenant_id: int, limit: int,
                 cursor: str | None = None, modified_since: int | None = None,
                 modified_before: int | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """One page, oldest change first; the cursor continues after the page's last record."""
    table = spec.table
    query = select(table).where(table.c.tenant_id == tenant_id)
    if modified_since is not None:
        query = query.where(table.c.modified_at >= modified_since)
    if modified_before is not None:
        query = query.where(table.c.modified_at < modified_before)
    if cursor is not None:
        after_modified, after_id = decode_cursor(cursor)
        query = query.where(tuple_(table.c.modified_at, table.c.id) > (after_modified, after_id))
    rows = [dict(r._mapping) for r in conn.execute(
        query.order_by(table.c.modified_at, table.c.id).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (encode_cursor(rows[-1]["modified_at"], rows[-1]["id"])
                   if more and rows else None)
    return to_api(conn, spec, rows), next_cursor


def candidates_for_sharing(conn: Connection, tenant_id: int, after_id: int,
                           limit: int) -> list[Any]:
    """The next `limit` candidates after `after_id` (by id) with what the policy's sharing
    rules read: id, external_id, confidential, tags, consents."""
    c = schema.candidates.c
    return list(conn.execute(
        select(c.id, c.external_id, c.confidential, c.tags, c.consents)
        .where(c.tenant_id == tenant_id, c.id > after_id).order_by(c.id).limit(limit)))
