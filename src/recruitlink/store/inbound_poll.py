"""Which tenants the LinkedIn pollers read: those whose integration is enabled and not
paused."""

from __future__ import annotations

from sqlalchemy import Connection, select

from .schema import connections


def enabled_unpaused_tenants(conn: Connection) -> list[int]:
    return [r.tenant_id for r in conn.execute(
        select(connections.c.tenant_id).where(connections.c.status == "ENABLED",
                                              connections.c.paused.is_(False)))]
