"""A tenant's LinkedIn connection as the pages show it (status, pause, contracts, policy; no
secrets), and the contracts added to it. The rest of the connection (secrets, app) is in
sync/connections.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from recruitlink.store import schema


@dataclass
class ConnectionState:
    status: str
    paused: bool
    organization: str
    contracts: list[dict[str, Any]]
    last_sync_at: int | None
    status_changed_at: int
    app_key: str | None
    client_id: str | None
    policy: dict[str, Any]


def connection(conn: Connection, tenant_id: int) -> ConnectionState | None:
    c = schema.connections.c
    row = conn.execute(select(c.status, c.paused, c.organization, c.contracts, c.last_sync_at,
                              c.status_changed_at, c.app_key, c.client_id, c.policy)
                       .where(c.tenant_id == tenant_id)).first()
    if row is None:
        return None
    return ConnectionState(row.status, bool(row.paused), row.organization, list(row.contracts),
                       row.last_sync_at, row.status_changed_at, row.app_key, row.client_id,
                       dict(row.policy or {}))


def add_contracts(conn: Connection, tenant_id: int, contracts: Sequence[str]) -> bool:
    """Add these contract URNs (not paused) to the tenant's connection, keeping the ones it
    has; False when the tenant is not connected."""
    current = conn.execute(schema.connections.select().where(
        schema.connections.c.tenant_id == tenant_id)).first()
    if current is None:
        return False
    have = [dict(c) for c in current.contracts]
    have += [{"urn": c, "paused": False} for c in contracts
             if c not in {str(h["urn"]) for h in have}]
    conn.execute(schema.connections.update().where(
        schema.connections.c.tenant_id == tenant_id).values(contracts=have))
    return True


def connected_tenants(conn: Connection) -> list[tuple[int, str]]:
    """(tenant id, slug) of every tenant with a connection, oldest tenant first."""
    c, t = schema.connections.c, schema.tenants.c
    return [(r.tenant_id, r.slug) for r in conn.execute(
        select(c.tenant_id, t.slug).join(schema.tenants, t.id == c.tenant_id).order_by(t.id))]
