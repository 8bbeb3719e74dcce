"""Page sign-in for a tenant's users: scrypt password hashes and their check.

A hash is stored as one string with its parameters, `scrypt$n$r$p$salt$hash` (salt and hash
in url-safe base64), so the parameters can be raised without breaking old hashes: a hash made
with other parameters than today's (`needs_rehash`) is replaced at the next sign-in
(`upgrade_hash`). Today's are N=2**17, r=8, p=1 (OWASP's recommendation): 128 MiB and about
0.4 s per hash, so at most a few hashes run at once (`_HASHING`).
Passwords are not part of the data API: only these functions (the CLI, the pages) set them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import threading
import time
from typing import Any

from sqlalchemy import Connection, func, select, update

from . import page_sessions
from .schema import tenants, users

MIN_LENGTH = 8
MAX_LENGTH = 1024  # scrypt hashes any length; refuse absurd input early
N, R, P = 2**17, 8, 1
DKLEN = 32
SCHEME = "scrypt"
# scrypt needs 128 * r * N bytes (128 MiB today); OpenSSL refuses past `maxmem` (32 MiB by
# default). The cap also bounds what a stored hash with absurd parameters could ask for.
MAX_MEMORY = 256 * 1024 * 1024
# Concurrent hashes: each holds 128 MiB and a core; more would only queue on the CPU.
_HASHING = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    with _HASHING:
        return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen,
                              maxmem=MAX_MEMORY)


def check_password(password: str) -> None:
    """ValueError naming the field if the password cannot be used."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password: must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"password: must be at most {MAX_LENGTH} characters long")


def hash_password(password: str) -> str:
    check_password(password)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, N, R, P, DKLEN)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str | None) -> bool:
    """Constant-time check of `password` against a stored hash (False for no hash)."""
    if not stored or len(password) > MAX_LENGTH:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(digest)
        got = _scrypt(password, _unb64(salt), int(n), int(r), int(p), len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def needs_rehash(stored: str | None) -> bool:
    """True for a hash made with other parameters than today's."""
    return bool(stored) and not (stored or "").startswith(f"{SCHEME}${N}${R}${P}$")


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password: checked when no user matches, so that a wrong email costs
    the same time as a wrong password (no user enumeration by timing). Made on first use."""
    return hash_password(secrets.token_urlsafe(16))


def set_password(conn: Connection, tenant_id: int, user_external_id: str,
                 password: str) -> None:
    """Set (or replace) a user's page password; this signs the user out everywhere.
    ValueError naming the field for a too short password; LookupError for an unknown user."""
    hashed = hash_password(password)
    user_id = conn.execute(select(users.c.id).where(
        users.c.tenant_id == tenant_id, users.c.external_id == user_external_id)).scalar()
    if user_id is None:
        raise LookupError(f"user: no user {user_external_id!r} in this tenant")
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=hashed))
    page_sessions.end_all_of_user(conn, user_id, int(time.time() * 1000))


def upgrade_hash(conn: Connection, user_id: int, old_hash: str, new_hash: str) -> None:
    """Replace a hash made with older parameters by `new_hash` of the same password (just
    checked at sign-in). Only if unchanged meanwhile; the user's sessions stay."""
    conn.execute(update(users).where(users.c.id == user_id, users.c.password_hash == old_hash)
                 .values(password_hash=new_hash))


def verify(conn: Connection, tenant_slug: str, email: str, password: str) -> Any | None:
    """The active user of workspace `tenant_slug` with this email (case-insensitive) and
    password, joined with its tenant (`slug`, `tenant_name`, `tenant_kind`); None otherwise."""
    query = (select(users, tenants.c.slug, tenants.c.name.label("tenant_name"),
                    tenants.c.kind.label("tenant_kind"))
             .join(tenants, tenants.c.id == users.c.tenant_id)
             .where(tenants.c.slug == tenant_slug.strip().lower(),
                    func.lower(users.c.email) == email.strip().lower(),
                    users.c.active.is_(True), users.c.password_hash.is_not(None))
             .order_by(users.c.id).limit(5))
    rows = conn.execute(query).all()
    if not rows:
        password_matches(password, _dummy_hash())
        return None
    # Emails are not unique in the store: the one whose password matches signs in.
    found = None
    for row in rows:
        if password_matches(password, row.password_hash) and found is None:
            found = row
    return found


def users_of(conn: Connection, tenant_id: int, limit: int) -> list[Any]:
    """The tenant's first `limit` users (every column), oldest first."""
    return list(conn.execute(select(users).where(users.c.tenant_id == tenant_id)
                             .order_by(users.c.id).limit(limit)).all())


def first_active_with_role(conn: Connection, tenant_id: int, role: str) -> Any:
    """The tenant's oldest active user with this role (external id, email), or None."""
    return conn.execute(select(users.c.external_id, users.c.email).where(
        users.c.tenant_id == tenant_id, users.c.role == role,
        users.c.active.is_(True)).order_by(users.c.id).limit(1)).first()


def active_with_role(conn: Connection, tenant_id: int, role: str, count: int) -> list[Any]:
    """The tenant's oldest `count` active users with this role (name, email)."""
    return list(conn.execute(select(users.c.name, users.c.email).where(
        users.c.tenant_id == tenant_id, users.c.role == role,
        users.c.active.is_not(False)).order_by(users.c.id).limit(count)).all())


def first_active_with_email(conn: Connection, tenant_id: int, count: int) -> list[Any]:
    """The tenant's oldest `count` active users that have an email (email, name)."""
    return list(conn.execute(select(users.c.email, users.c.name).where(
        users.c.tenant_id == tenant_id, users.c.active.is_(True),
        users.c.email.is_not(None)).order_by(users.c.id).limit(count)).all())
