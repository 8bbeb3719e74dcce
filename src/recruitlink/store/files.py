"""Candidates' resumes and applications' attachments, kept in the database in chunks.

An upload is staged: a pending `files` row, then its chunks (each in its own short
transaction, so a slow client never holds the write lock), then one transaction that checks
nothing changed, moves the chunks under the slot's file (the same row when a file is
replaced: the sync sees an update of one record) and writes the changelog. A failed upload
leaves nothing but a pending row that `discard` removes. Reads stream chunk by chunk.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from . import schema
from .changelog import ChangeSet

if TYPE_CHECKING:
    from . import Store

Owner = Literal["candidates", "applications"]
RESUME_SLOT = "resume"
files, chunks = schema.files, schema.file_chunks


@dataclass(frozen=True)
class StoredFile:
    id: int
    external_id: str
    owner_entity: str
    owner_id: int
    slot: str
    file_name: str
    content_type: str
    size: int
    sha256: str | None
    created_at: int
    modified_at: int

    @classmethod
    def of(cls, row: Any) -> StoredFile:
        m = row._mapping
        return cls(m["id"], m["external_id"], m["owner_entity"], m["owner_id"], m["slot"],
                   m["file_name"], m["content_type"], m["size"], m["sha256"],
                   m["created_at"], m["modified_at"])


def owner_id(conn: Connection, tenant_id: int, owner: Owner, external_id: str) -> int | None:
    table = schema.candidates if owner == "candidates" else schema.applications
    return conn.execute(select(table.c.id).where(table.c.tenant_id == tenant_id,
                                                 table.c.external_id == external_id)
                        ).scalar_one_or_none()


def begin(store: Store, tenant_id: int, owner: Owner, owner_external_id: str, *, slot: str,
          file_name: str, content_type: str) -> int | None:
    """A pending upload's row, or None when the owner does not exist."""
    with store.db.write() as conn:
        found = owner_id(conn, tenant_id, owner, owner_external_id)
        if found is None:
            return None
        now = int(time.time() * 1000)
        inserted = conn.execute(files.insert().values(
            tenant_id=tenant_id, external_id="upload-" + secrets.token_hex(12),
            owner_entity=owner, owner_id=found, slot=slot, file_name=file_name,
            content_type=content_type, size=0, complete=False, created_at=now,
            modified_at=now)).inserted_primary_key
        assert inserted is not None
        return int(inserted[0])


def append(store: Store, file_id: int, seq: int, data: bytes) -> None:
    with store.db.write() as conn:
        conn.execute(chunks.insert().values(file_id=file_id, seq=seq, data=data))


def discard(store: Store, file_id: int) -> None:
    with store.db.write() as conn:
        conn.execute(delete(chunks).where(chunks.c.file_id == file_id))
        conn.execute(delete(files).where(files.c.id == file_id, files.c.complete.is_(False)))


def finish(store: Store, tenant_id: int, file_id: int, *, size: int,
           sha256: str) -> tuple[StoredFile, bool] | None:
    """Make the upload the slot's file: (the file, True if it is new); None when its owner
    was deleted meanwhile (the upload is discarded). Two uploads finishing into one empty
    slot at once (PostgreSQL, two servers): the slot's unique index refuses the second,
    which then replaces the first."""
    for attempt in (1, 2, 3):
        try:
            return _finish(store, tenant_id, file_id, size=size, sha256=sha256)
        except IntegrityError:
            if attempt == 3:
                raise
    raise AssertionError("unreachable")


def _finish(store: Store, tenant_id: int, file_id: int, *, size: int,
            sha256: str) -> tuple[StoredFile, bool] | None:
    with store.writer(tenant_id) as writer:
        conn = writer.conn
        pending = conn.execute(select(files).where(files.c.id == file_id)).first()
        owner_table = schema.candidates if pending is not None and \
            pending.owner_entity == "candidates" else schema.applications
        owner = None if pending is None else conn.execute(
            select(owner_table.c.external_id).where(owner_table.c.id == pending.owner_id)
        ).first()
        if pending is None or owner is None:
            conn.execute(delete(chunks).where(chunks.c.file_id == file_id))
            conn.execute(delete(files).where(files.c.id == file_id))
            return None
        current = conn.execute(select(files).where(
            files.c.tenant_id == tenant_id, files.c.owner_entity == pending.owner_entity,
            files.c.owner_id == pending.owner_id, files.c.slot == pending.slot,
            files.c.complete.is_(True))).first()
        values = {"file_name": pending.file_name, "content_type": pending.content_type,
                  "size": size, "sha256": sha256, "modified_at": writer.now_ms}
        if current is None:
            conn.execute(update(files).where(files.c.id == file_id).values(
                complete=True, external_id=_external_id(pending.owner_entity), **values))
            target, op = file_id, "create"
        else:
            conn.execute(delete(chunks).where(chunks.c.file_id == current.id))
            conn.execute(update(chunks).where(chunks.c.file_id == file_id)
                         .values(file_id=current.id))
            conn.execute(delete(files).where(files.c.id == file_id))
            conn.execute(update(files).where(files.c.id == current.id).values(**values))
            target, op = current.id, "update"
        row = conn.execute(select(files).where(files.c.id == target)).one()
        writer.changes.add("files", row.id, row.external_id, op)  # type: ignore[arg-type]
        return StoredFile.of(row), op == "create"


def _external_id(owner: str) -> str:
    # The file's own id, LinkedIn's externalAttachmentId: short, stable, unique.
    return ("resume-" if owner == "candidates" else "attachment-") + secrets.token_hex(8)


def get(conn: Connection, tenant_id: int, owner: Owner, owner_row_id: int,
        slot: str) -> StoredFile | None:
    row = conn.execute(select(files).where(
        files.c.tenant_id == tenant_id, files.c.owner_entity == owner,
        files.c.owner_id == owner_row_id, files.c.slot == slot,
        files.c.complete.is_(True))).first()
    return StoredFile.of(row) if row is not None else None


def by_id(conn: Connection, file_id: int) -> StoredFile | None:
    row = conn.execute(select(files).where(files.c.id == file_id,
                                           files.c.complete.is_(True))).first()
    return StoredFile.of(row) if row is not None else None


def owned(conn: Connection, tenant_id: int, owner: Owner,
          owner_ids: Iterable[int]) -> list[StoredFile]:
    wanted = sorted(set(owner_ids))
    if not wanted:
        return []
    rows = conn.execute(select(files).where(
        files.c.tenant_id == tenant_id, files.c.owner_entity == owner,
        files.c.owner_id.in_(wanted), files.c.complete.is_(True)
    ).order_by(files.c.owner_id, files.c.slot))
    return [StoredFile.of(r) for r in rows]


def read_chunks(store: Store, file_id: int) -> Iterator[bytes]:
    """The file's bytes, one stored chunk at a time (one short read each)."""
    seq = -1
    while True:
        with store.reader() as conn:
            row = conn.execute(select(chunks.c.seq, chunks.c.data).where(
                chunks.c.file_id == file_id, chunks.c.seq > seq
            ).order_by(chunks.c.seq).limit(1)).first()
        if row is None:
            return
        seq = row.seq
        yield bytes(row.data)


def chunk_count(conn: Connection, file_id: int) -> int:
    return int(conn.execute(select(func.count()).select_from(chunks)
                            .where(chunks.c.file_id == file_id)).scalar_one())


def remove(conn: Connection, changes: ChangeSet, stored: StoredFile) -> None:
    conn.execute(delete(chunks).where(chunks.c.file_id == stored.id))
    conn.execute(delete(files).where(files.c.id == stored.id))
    changes.add("files", stored.id, stored.external_id, "delete")


def remove_owned(conn: Connection, changes: ChangeSet, tenant_id: int, owner: str,
                 owner_ids: Iterable[int]) -> None:
    """Files go with the candidate or application they belong to (pending uploads too)."""
    wanted = sorted(set(owner_ids))
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        rows = conn.execute(select(files).where(
            files.c.tenant_id == tenant_id, files.c.owner_entity == owner,
            files.c.owner_id.in_(part))).all()
        for row in rows:
            conn.execute(delete(chunks).where(chunks.c.file_id == row.id))
            conn.execute(delete(files).where(files.c.id == row.id))
            if row.complete:
                changes.add("files", row.id, row.external_id, "delete")


def synced_owner_keys(conn: Connection, tenant_id: int, candidate_ids: Sequence[int],
                      resource: str, *, chunk: int = 500) -> list[tuple[int, Any]]:
    """(candidate id, the ledger's `li_key`) of these candidates' files LinkedIn holds as
    `resource` (synced), in chunks of `chunk` ids."""
    files, held = schema.files, schema.sync_ledger
    found: list[tuple[int, Any]] = []
    for start in range(0, len(candidate_ids), chunk):
        part = candidate_ids[start:start + chunk]
        found += [(row.owner_id, row.li_key) for row in conn.execute(
            select(files.c.owner_id, held.c.li_key).join(
                held, (held.c.tenant_id == files.c.tenant_id) & (held.c.entity == "files")
                & (held.c.entity_id == files.c.id)).where(
                files.c.tenant_id == tenant_id, files.c.owner_entity == "candidates",
                files.c.owner_id.in_(part), held.c.state == "synced",
                held.c.resource == resource))]
    return found
