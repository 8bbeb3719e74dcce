"""Recruiter seats: `GET /v2/seatsV2?q=attributes` (and the legacy `/v2/seats` finder), and
the seat changes a Recruiter admin makes (control API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, update
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import finder_page

from ..errors import ApiError
from ..recruiter.customers import record_company
from ..recruiter.directory import member
from ..state import Sandbox
from ..store import integrations, seats
from .oauth import App
from .restli_http import RestliCall

STATES = {"ACTIVE": True, "INACTIVE": False}


def seat_json(row: Any) -> dict[str, Any]:
    """A `seats` element (ARCHITECTURE.md, 'Where the docs are silent')."""
    return {"id": row.id, "seat": f"urn:li:seat:{row.id}", "contract": row.contract,
            "person": row.person, "active": row.active, "emailAddress": row.email,
            "firstName": row.first_name, "lastName": row.last_name,
            "created": {"time": row.created_at}}


def require_csa(conn: Connection, app: App, contracts: list[str]) -> None:
    """Recruiter data needs the CSA_API integration ENABLED on each contract asked for."""
    for contract in contracts:
        enabled = conn.execute(select(integrations.c.app_id).where(
            integrations.c.app_id == app.id, integrations.c.context == contract,
            integrations.c.type == "CSA_API", integrations.c.status == "ENABLED")).first()
        if enabled is None:
            raise ApiError(403, f"Not enough permissions to access: the CSA_API integration is "
                                f"not ENABLED for {contract}")


def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    if app.is_parent:
        raise ApiError(403, "Not enough permissions to access: seats need the customer "
                            "(child) application's token")
    if call.method != "GET" or len(call.segments) != 1:
        raise ApiError(405, "seats support only their finder")
    legacy = call.segments[0] == "seats"
    finder = call.param("q")
    if finder != ("seatsByAttributes" if legacy else "attributes"):
        raise ApiError(400, "use q=attributes (seatsV2) or q=seatsByAttributes (seats)")
    contracts = call.params.get("contracts") or []
    if not contracts:
        raise ApiError(400, "contracts is required")
    if any(not c.startswith("urn:li:contract:") for c in contracts):
        raise ApiError(400, "contracts must be urn:li:contract:<id> values")
    if call.param("start") is None and not legacy:
        raise ApiError(400, "start is required")
    start, count = call.int_param("start", 0), call.int_param("count", 10)
    if count > 100:
        raise ApiError(400, "count may be at most 100")
    states = call.params.get("states") or []
    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise ApiError(400, f"unknown seat state(s): {', '.join(unknown)}")
    active = call.param("active")
    with sandbox.store.tx() as conn:
        require_csa(conn, app, contracts)
        query = select(seats).where(seats.c.contract.in_(contracts))
        if states:
            query = query.where(seats.c.active.in_([STATES[s] for s in states]))
        if active is not None:
            query = query.where(seats.c.active.is_(active.lower() == "true"))
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
        rows = conn.execute(query.order_by(seats.c.id).offset(start).limit(count)).all()
    return JSONResponse(finder_page([seat_json(r) for r in rows], start=start, count=len(rows),
                                    total=int(total)))


def add_seat(sandbox: Sandbox, contract: str, person: str, email: str | None,
             organization: str | None = None) -> dict[str, Any]:
    """A seat on the contract; `organization`: the company the contract belongs to."""
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        holder = member(conn, person)
        if holder is None:
            raise LookupError(f"no member {person}")
        if organization is not None:
            record_company(conn, contract, organization)
        seat_id = conn.execute(seats.insert().values(
            contract=contract, person=person, email=email or holder["emailAddresses"][0],
            first_name=holder["firstName"], last_name=holder["lastName"], active=True,
            created_at=now, updated_at=now)).inserted_primary_key[0]  # type: ignore[index]
        return seat_json(conn.execute(select(seats).where(seats.c.id == seat_id)).one())


def record_contract_company(sandbox: Sandbox, contract: str, organization: str) -> None:
    """LinkedIn knows `contract` as a contract of `organization` (idempotent)."""
    with sandbox.store.tx() as conn:
        record_company(conn, contract, organization)


def change_seat(sandbox: Sandbox, seat_id: int, *, active: bool | None = None,
                person: str | None = None, email: str | None = None) -> dict[str, Any]:
    """Remove (deactivate) a seat, or reassign it to another member."""
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        row = conn.execute(select(seats).where(seats.c.id == seat_id)).first()
        if row is None:
            raise LookupError(f"no seat {seat_id}")
        values: dict[str, Any] = {"updated_at": now}
        if active is not None:
            values["active"] = active
        if person is not None:
            holder = member(conn, person)
            if holder is None:
                raise LookupError(f"no member {person}")
            values.update(person=person, first_name=holder["firstName"],
                          last_name=holder["lastName"],
                          email=email or holder["emailAddresses"][0])
        elif email is not None:
            values["email"] = email
        conn.execute(update(seats).where(seats.c.id == seat_id).values(**values))
        return seat_json(conn.execute(select(seats).where(seats.c.id == seat_id)).one())
