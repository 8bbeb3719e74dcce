"""A tenant's connection to LinkedIn (its row in `connections`, secrets opened with the box):
read by the sync, inbound, the pages and the CLI; changed by connect, the engine and the
control commands."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update

from recruitlink.core.integration_status import ContractState, contract_states
from recruitlink.core.policy import Policy
from recruitlink.crypto import SecretBox
from recruitlink.errors import ConfigurationError

from .schema import connections, tenants


@dataclass(frozen=True)
class ConnectionInfo:
    tenant_id: int
    tenant_slug: str
    kind: str  # RSC | CRM
    tenant_kind: str  # ATS | CRM | BOTH
    organization: str
    contracts: list[dict[str, Any]]
    app_key: str | None
    client_id: str | None
    client_secret: str | None
    callback_token: str
    status: str
    paused: bool
    policy: Policy
    last_sync_at: int | None
    integrations: dict[str, dict[str, str]] = field(default_factory=dict)
    """LinkedIn's status per context and integration type (core.integration_status)."""
    app_environment: str | None = None
    """What LinkedIn said of the app's environment with its last token: PRODUCTION,
    DEVELOPMENT or UNKNOWN (nothing); None: not asked yet (core/environment.py)."""

    @property
    def contract_urns(self) -> list[str]:
        return [str(c["urn"]) for c in self.contracts]

    def contract_states(self) -> list[ContractState]:
        return contract_states(self.kind, self.organization, self.contract_urns,
                               self.integrations)


def load(conn: Connection, tenant_id: int, box: SecretBox) -> ConnectionInfo | None:
    row = conn.execute(select(connections, tenants.c.slug, tenants.c.kind.label("tenant_kind"))
                       .join(tenants, tenants.c.id == connections.c.tenant_id)
                       .where(connections.c.tenant_id == tenant_id)).first()
    if row is None:
        return None
    secret = box.open(row.client_secret) if row.client_secret else None
    return ConnectionInfo(
        tenant_id=row.tenant_id, tenant_slug=row.slug, kind=row.kind,
        tenant_kind=row.tenant_kind, organization=row.organization,
        contracts=list(row.contracts), app_key=row.app_key, client_id=row.client_id,
        client_secret=secret, callback_token=row.callback_token, status=row.status,
        paused=row.paused, policy=Policy.from_json(row.policy), last_sync_at=row.last_sync_at,
        integrations=dict(row.integrations or {}), app_environment=row.app_environment)


def create(conn: Connection, *, tenant_id: int, kind: str, organization: str,
           contracts: list[str], policy: Policy, now_ms: int) -> str:
    """A new connection (PENDING until LinkedIn says ENABLED); returns its callback token."""
    if kind not in ("RSC", "CRM"):
        raise ConfigurationError("kind: must be RSC or CRM")
    token = secrets.token_urlsafe(32)
    conn.execute(connections.insert().values(
        tenant_id=tenant_id, kind=kind, organization=organization,
        contracts=[{"urn": c, "paused": False} for c in contracts], callback_token=token,
        status="PENDING", status_changed_at=now_ms, paused=False, policy=policy.to_json(),
        created_at=now_ms))
    return token


def remove(conn: Connection, tenant_id: int) -> None:
    """Forget the tenant's connection (reconnecting after a disconnect makes a new one)."""
    conn.execute(connections.delete().where(connections.c.tenant_id == tenant_id))


def set_app(conn: Connection, tenant_id: int, *, app_key: str, client_id: str,
            client_secret: str, box: SecretBox) -> None:
    conn.execute(update(connections).where(connections.c.tenant_id == tenant_id).values(
        app_key=app_key, client_id=client_id, client_secret=box.seal(client_secret)))


def set_status(conn: Connection, tenant_id: int, status: str, now_ms: int) -> None:
    conn.execute(update(connections).where(connections.c.tenant_id == tenant_id).values(
        status=status, status_changed_at=now_ms))


def set_integrations(conn: Connection, tenant_id: int,
                     statuses: dict[str, dict[str, str]]) -> None:
    conn.execute(update(connections).where(connections.c.tenant_id == tenant_id)
                 .values(integrations=statuses))


def set_app_environment(conn: Connection, tenant_id: int, environment: str) -> None:
    conn.execute(update(connections).where(connections.c.tenant_id == tenant_id)
                 .values(app_environment=environment))


def set_paused(conn: Connection, tenant_id: int, paused: bool) -> None:
    conn.execute(update(connections).where(connections.c.tenant_id == tenant_id)
                 .values(paused=paused))


def set_policy(conn: Connection, tenant_id: int, policy: Policy) -> None:
    conn.execute(update(connections).where(connections.c.tenant_id == tenant_id)
                 .values(policy=policy.to_json()))


def stored_policy(conn: Connection, tenant_id: int) -> Any:
    """The connection's policy, as stored (JSON; None when not connected)."""
    return conn.execute(select(connections.c.policy).where(
        connections.c.tenant_id == tenant_id)).scalar()


def touch_last_sync(conn: Connection, tenant_id: int, now_ms: int) -> None:
    conn.execute(update(connections).where(connections.c.tenant_id == tenant_id)
                 .values(last_sync_at=now_ms))


def kind_of(conn: Connection, tenant_id: int) -> str | None:
    """The tenant's product (RSC or CRM); None when it has no connection."""
    found = conn.execute(select(connections.c.kind).where(
        connections.c.tenant_id == tenant_id)).scalar()
    return None if found is None else str(found)


def load_required(store: Any, tenant_id: int, box: SecretBox) -> ConnectionInfo:
    with store.reader() as conn:
        info = load(conn, tenant_id, box)
    if info is None:
        raise ConfigurationError(f"tenant {tenant_id} is not connected to LinkedIn")
    return info


def reseal_secrets(conn: Connection, box: SecretBox) -> tuple[int, int]:
    """Seal every stored client secret with the box's current key (key rotation); returns
    (re-sealed, stored). Secrets already sealed with it are left alone, so running it twice
    re-seals nothing the second time. One that no key opens raises ConfigurationError: run
    it in the caller's transaction, so then nothing changes."""
    rows = conn.execute(select(connections.c.tenant_id, connections.c.client_secret)
                        .where(connections.c.client_secret.is_not(None))).all()
    stale = [row for row in rows if not box.sealed_with_current(row.client_secret)]
    for row in stale:
        conn.execute(update(connections).where(connections.c.tenant_id == row.tenant_id)
                     .values(client_secret=box.reseal(row.client_secret)))
    return len(stale), len(rows)


# The connection as the pages show it (status, pause, contracts, policy; no secrets).

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
    app_environment: str | None = None


def connection(conn: Connection, tenant_id: int) -> ConnectionState | None:
    c = connections.c
    row = conn.execute(select(c.status, c.paused, c.organization, c.contracts, c.last_sync_at,
                              c.status_changed_at, c.app_key, c.client_id, c.policy,
                              c.app_environment)
                       .where(c.tenant_id == tenant_id)).first()
    if row is None:
        return None
    return ConnectionState(row.status, bool(row.paused), row.organization, list(row.contracts),
                       row.last_sync_at, row.status_changed_at, row.app_key, row.client_id,
                       dict(row.policy or {}), row.app_environment)


def add_contracts(conn: Connection, tenant_id: int, contracts: Sequence[str]) -> bool:
    """Add these contract URNs (not paused) to the tenant's connection, keeping the ones it
    has; False when the tenant is not connected."""
    current = conn.execute(connections.select().where(
        connections.c.tenant_id == tenant_id)).first()
    if current is None:
        return False
    have = [dict(c) for c in current.contracts]
    have += [{"urn": c, "paused": False} for c in contracts
             if c not in {str(h["urn"]) for h in have}]
    conn.execute(connections.update().where(
        connections.c.tenant_id == tenant_id).values(contracts=have))
    return True


def connected_tenants(conn: Connection) -> list[tuple[int, str]]:
    """(tenant id, slug) of every tenant with a connection, oldest tenant first."""
    c, t = connections.c, tenants.c
    return [(r.tenant_id, r.slug) for r in conn.execute(
        select(c.tenant_id, t.slug).join(tenants, t.id == c.tenant_id).order_by(t.id))]


# Where the integration stands, as the host ATS hears of it (integration.status_changed).

@dataclass(frozen=True)
class StatusSnapshot:
    status: str
    paused: bool
    organization: str
    contracts: tuple[tuple[str, str, bool, str | None], ...]
    """Per contract: (URN, LinkedIn's say on it, paused here, why it does not sync)."""


def status_snapshot(conn: Connection, tenant_id: int) -> StatusSnapshot | None:
    """The connection's status, pause and each contract's state (no secrets: no box needed);
    None when the tenant has no connection."""
    c = connections.c
    row = conn.execute(select(c.status, c.paused, c.kind, c.organization, c.contracts,
                              c.integrations).where(c.tenant_id == tenant_id)).first()
    if row is None:
        return None
    contracts = list(row.contracts)
    states = contract_states(row.kind, row.organization, [str(x["urn"]) for x in contracts],
                             dict(row.integrations or {}))
    return StatusSnapshot(row.status, bool(row.paused), row.organization, tuple(
        (s.contract, s.status, bool(x.get("paused")), s.reason)
        for x, s in zip(contracts, states, strict=True)))
