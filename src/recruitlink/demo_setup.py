"""What `recruitlink demo` prepares in its two stores, kept apart from the command's output:
the demo tenants, their sign-in credentials (kept across restarts), the sandbox's Recruiter
seats (held under the demo users' emails, so they map to them), and candidates who are
members of the sandbox's directory (so the In-ATS indicator and the profile widget show data
as soon as the first sync is done)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core import records as m
from .store import Store
from .store.accounts import (
    first_active_with_email,
    first_active_with_role,
    set_password,
    verify,
)
from .store.tenants import create_api_key, tenant_for_key
from .sync.engine import now_ms

CREDENTIALS_FILE = "recruitlink-demo-credentials.json"


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    kind: str  # the tenant's kind: BOTH (connected as RSC) or CRM (CRM Connect)
    product: str
    organization: str
    contract: str
    share: int  # its part of --candidates, in tenths


TENANTS = (
    DemoTenant("demo", "BOTH", "Recruiter System Connect", "urn:li:organization:2001001",
               "urn:li:contract:3001001", 10),
    DemoTenant("demo-crm", "CRM", "CRM Connect", "urn:li:organization:2001002",
               "urn:li:contract:3001002", 3),
)


@dataclass(frozen=True)
class SignIn:
    role: str
    email: str
    password: str


@dataclass(frozen=True)
class Credentials:
    api_key: str
    sign_ins: list[SignIn]


class CredentialsFile:
    """`recruitlink-demo-credentials.json` (0600) beside the database: each demo tenant's API
    key and its users' passwords, so a restart shows (and accepts) the same ones. Only what
    still works in the database is reused."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / CREDENTIALS_FILE
        try:
            self.data: dict[str, Any] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.data = {}

    def save(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            os.fchmod(out.fileno(), 0o600)  # whatever the umask, or an older file's mode
            json.dump(self.data, out, indent=2)

    def ensure(self, store: Store, slug: str, tenant_id: int) -> Credentials:
        kept = self.data.setdefault(slug, {})
        with store.db.write() as conn:
            key = kept.get("apiKey")
            found = tenant_for_key(conn, key) if isinstance(key, str) else None
            if found is None or found.id != tenant_id:
                key = create_api_key(conn, tenant_id, name="demo", now_ms=now_ms())
                kept["apiKey"] = key
            passwords = kept.setdefault("passwords", {})
            sign_ins = []
            for role in ("company_admin", "recruiter"):
                row = first_active_with_role(conn, tenant_id, role)
                if row is None or not row.email:
                    continue
                password = passwords.get(row.email)
                if not isinstance(password, str) or verify(conn, slug, row.email,
                                                           password) is None:
                    password = secrets.token_urlsafe(9)
                    set_password(conn, tenant_id, row.external_id, password)
                    passwords[row.email] = password
                sign_ins.append(SignIn(role.replace("_", " "), row.email, password))
        self.save()
        return Credentials(str(key), sign_ins)


def seat_holders(store: Store, tenant_id: int, count: int = 3) -> list[tuple[str, str]]:
    """The email and name of the tenant's first active users (its company admin first): the
    demo's Recruiter seats are held in their names, under their emails, so each seat maps to
    a demo user by email and LinkedIn calls its holder by that user's name."""
    with store.reader() as conn:
        rows = first_active_with_email(conn, tenant_id, count)
        return [(str(r.email), str(r.name or r.email)) for r in rows]


def ensure_seats(sandbox: Any, tenant: DemoTenant, holders: list[tuple[str, str]]) -> None:
    """Recruiter seats on the tenant's demo contract, held by the directory's first free
    members, named after the demo users and under their emails: the sandbox's Recruiter
    pages have someone to sign in as (the admin signs in as herself, not as a stranger), and
    the seats map to users. Made once per sandbox file. LinkedIn knows the contract as its
    organization's (on every run, so an older sandbox file learns it too): the onboarding
    widget offers it to that company only."""
    from .sandbox.api.seats import add_seat, record_contract_company
    from .sandbox.demo_members import free_members

    record_contract_company(sandbox, tenant.contract, tenant.organization)
    people = free_members(sandbox, tenant.contract, len(holders))
    if people is None:
        return
    for person, (email, name) in zip(people, holders, strict=False):
        _name_member(sandbox, person, name)
        add_seat(sandbox, tenant.contract, person, email)


def _name_member(sandbox: Any, person: str, name: str) -> None:
    """The directory member who holds a demo user's seat gets that user's name."""
    from .sandbox.demo_members import rename_member

    first, _, last = name.partition(" ")
    rename_member(sandbox, person, first, last or first)


MEMBER_CANDIDATES = 5


def add_member_candidates(store: Store, sandbox: Any, tenant_id: int, *, offset: int,
                          count: int = MEMBER_CANDIDATES) -> list[str]:
    """A few candidates who are LinkedIn members of the sandbox's directory (their email and
    public profile URL), so LinkedIn matches them once synced: the In-ATS indicator on their
    profiles and the profile widget on their candidate pages show data from the start.
    Members who do not share their data with partners are skipped. Returns the new ids."""
    from .sandbox.demo_members import member_bodies
    from .sandbox.recruiter.directory import shared_with_partners

    bodies = member_bodies(sandbox, offset=offset, limit=count * 3)
    chosen = [b for b in bodies if shared_with_partners(b)][:count]
    items = []
    for n, body in enumerate(chosen, start=1):
        items.append((n - 1, m.Candidate(
            id=f"LI{n:04d}", first_name=body["firstName"], last_name=body["lastName"],
            emails=list(body["emailAddresses"][:1]), headline=body["headline"],
            current_title=body["currentJobTitle"], current_company=body["currentCompanyName"],
            location=body["location"], linkedin_url=body["publicProfileUrl"],
            tags=["Demo: a LinkedIn member"], creation_source="LinkedIn")))
    with store.writer(tenant_id) as writer:
        outcomes = writer.records("candidates", items, mode="create")
    return [str(o.id) for o in outcomes if o.status == "created"]
