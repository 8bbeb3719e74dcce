"""Tenants (an ATS/CRM customer account) and their API keys."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from recruitlink.core.records import User

from .changelog import ChangeSet
from .entities import ENTITIES
from .records import write_records
from .schema import api_keys, tenants

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
KINDS = ("ATS", "CRM", "BOTH")
KEY_PREFIX = "rlk"


@dataclass(frozen=True)
class Tenant:
    id: int
    slug: str
    name: str
    kind: str


def _tenant(row: object) -> Tenant:
    m = row._mapping  # type: ignore[attr-defined]
    return Tenant(m["id"], m["slug"], m["name"], m["kind"])


def create_tenant(conn: Connection, changes_for: type[ChangeSet], *, slug: str, name: str,
                  kind: str, now_ms: int) -> Tenant:
    """A tenant, with its default integration user (who owns exports by unmapped seats)."""
    if not SLUG.match(slug):
        raise ValueError("slug: use 1-63 lower-case letters, digits and '-'")
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}")
    if conn.execute(select(tenants.c.id).where(tenants.c.slug == slug)).first() is not None:
        raise ValueError(f"slug: a tenant {slug!r} already exists")
    tenant_id = conn.execute(tenants.insert().values(
        slug=slug, name=name, kind=kind, created_at=now_ms, modified_at=now_ms)
    ).inserted_primary_key[0]  # type: ignore[index]
    changes = changes_for(int(tenant_id))
    write_records(conn, changes, ENTITIES["users"], [(0, User(
        id="integration-user", name="LinkedIn Integration", email=f"linkedin@{slug}.invalid",
        role="admin", is_default_integration_user=True))], tenant_id=int(tenant_id),
        now_ms=now_ms, mode="create")
    changes.flush(conn, now_ms)
    return Tenant(int(tenant_id), slug, name, kind)


def tenant_by_slug(conn: Connection, slug: str) -> Tenant | None:
    row = conn.execute(select(tenants).where(tenants.c.slug == slug)).first()
    return _tenant(row) if row is not None else None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(conn: Connection, tenant_id: int, *, name: str, now_ms: int) -> str:
    """A new key, shown once: `rlk_<prefix>_<secret>`; only its hash is stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    conn.execute(api_keys.insert().values(tenant_id=tenant_id, name=name, prefix=prefix,
                                          key_hash=_hash(secret), created_at=now_ms))
    return f"{KEY_PREFIX}_{prefix}_{secret}"


def tenant_for_key(conn: Connection, key: str) -> Tenant | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == parts[1],
                                              api_keys.c.revoked_at.is_(None))).first()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(parts[2])):
        return None
    found = conn.execute(select(tenants).where(tenants.c.id == row.tenant_id)).first()
    return _tenant(found) if found is not None else None


def revoke_api_key(conn: Connection, prefix: str, now_ms: int) -> bool:
    result = conn.execute(update(api_keys).where(api_keys.c.prefix == prefix,
                                                 api_keys.c.revoked_at.is_(None))
                          .values(revoked_at=now_ms))
    return bool(result.rowcount)
