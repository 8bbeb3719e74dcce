"""How LinkedIn ties a customer together: a child app holds integrations on its
organization(s) and on its Recruiter contract(s); a contract's seats act for those
organizations. Derived from the integration records, so there is one source of truth."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from .store import configurations, integrations

ORG_PREFIX = "urn:li:organization:"
CONTRACT_PREFIX = "urn:li:contract:"


@dataclass(frozen=True)
class Customer:
    app_id: int
    organization: str
    contract: str


def customers_of_contract(conn: Connection, contract: str) -> list[Customer]:
    """Each (app, organization) a contract's seats work for: the apps with an integration on
    the contract, and those apps' organizations."""
    app_ids = sorted({r.app_id for r in conn.execute(
        select(integrations.c.app_id).where(integrations.c.context == contract))})
    found: list[Customer] = []
    for app_id in app_ids:
        orgs = sorted({r.context for r in conn.execute(
            select(integrations.c.context).where(
                integrations.c.app_id == app_id,
                integrations.c.context.startswith(ORG_PREFIX)))})
        found.extend(Customer(app_id, org, contract) for org in orgs)
    return found


def contracts_of_org(conn: Connection, org: str) -> list[str]:
    """The contracts of the app(s) integrated with this organization."""
    app_ids = {r.app_id for r in conn.execute(
        select(integrations.c.app_id).where(integrations.c.context == org))}
    if not app_ids:
        return []
    return sorted({r.context for r in conn.execute(
        select(integrations.c.context).where(
            integrations.c.app_id.in_(app_ids),
            integrations.c.context.startswith(CONTRACT_PREFIX)))})


def integration_status(conn: Connection, app_id: int, context: str, itype: str) -> str | None:
    return conn.execute(select(integrations.c.status).where(
        integrations.c.app_id == app_id, integrations.c.context == context,
        integrations.c.type == itype)).scalar()


def configuration(conn: Connection, app_id: int, context: str, name: str) -> str | None:
    return conn.execute(select(configurations.c.value).where(
        configurations.c.app_id == app_id, configurations.c.context == context,
        configurations.c.name == name)).scalar()
