"""Reads of the push inbox (`inbox_events`) for those who list it: the data API, the CLI and
certify. The inbox's own queue (claim, process, retry) is in inbound/inbox.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from recruitlink.store.schema import candidates, inbox_events


def newest(conn: Connection, tenant_id: int, *, status: str | None = None,
           before: int | None = None, limit: int) -> list[Any]:
    """The tenant's pushes, newest first: with `status` only those, below id `before`."""
    query = select(inbox_events).where(inbox_events.c.tenant_id == tenant_id)
    if status:
        query = query.where(inbox_events.c.status == status)
    if before:
        query = query.where(inbox_events.c.id < before)
    return list(conn.execute(query.order_by(inbox_events.c.id.desc()).limit(limit)).all())


def owned(conn: Connection, tenant_id: int, event_ids: Iterable[int]) -> set[int]:
    """Which of these pushes are the tenant's."""
    return {r.id for r in conn.execute(select(inbox_events.c.id).where(
        inbox_events.c.tenant_id == tenant_id, inbox_events.c.id.in_(list(event_ids))))}


def by_request(conn: Connection, tenant_id: int, request_id: str) -> Any:
    """The tenant's push with this request id (status, outcome, reason, and the external id
    of the candidate it made or updated), or None."""
    return conn.execute(
        select(inbox_events.c.status, inbox_events.c.outcome, inbox_events.c.reason,
               candidates.c.external_id)
        .outerjoin(candidates, candidates.c.id == inbox_events.c.candidate_id)
        .where(inbox_events.c.tenant_id == tenant_id,
               inbox_events.c.request_id == request_id)).first()
