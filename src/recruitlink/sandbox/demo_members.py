"""The directory members the demo (recruitlink/demo_setup.py) gives its Recruiter seats and
candidates: read and named here, the sandbox's SQL staying in the sandbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .state import Sandbox
from .store import members, seats


def free_members(sandbox: Sandbox, contract: str, count: int) -> list[str] | None:
    """Up to `count` directory members (URNs, in order) who hold no seat; None when the
    contract has seats already (the demo made them before)."""
    with sandbox.store.tx() as conn:
        if conn.execute(select(seats.c.id).where(seats.c.contract == contract)).first():
            return None
        taken = {r.person for r in conn.execute(select(seats.c.person))}
        return [r.urn for r in conn.execute(select(members.c.urn).order_by(members.c.urn)
                                            .limit(count + len(taken)))
                if r.urn not in taken]


def rename_member(sandbox: Sandbox, person: str, first: str, last: str) -> None:
    """Give the member this first and last name."""
    with sandbox.store.tx() as conn:
        body = conn.execute(select(members.c.body).where(members.c.urn == person)).scalar_one()
        conn.execute(members.update().where(members.c.urn == person).values(
            body={**body, "firstName": first, "lastName": last}))


def member_bodies(sandbox: Sandbox, *, offset: int, limit: int) -> list[dict[str, Any]]:
    """The profiles of `limit` members of the directory in URN order, from `offset`."""
    with sandbox.store.tx() as conn:
        return [r.body for r in conn.execute(select(members.c.body).order_by(members.c.urn)
                                             .offset(offset).limit(limit))]
