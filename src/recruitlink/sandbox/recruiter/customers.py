"""How LinkedIn ties a customer together: a child app holds integrations on its
organization(s) and on its Recruiter contract(s); a contract's seats act for those
organizations. Derived from the integration records, so there is one source of truth."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from ..store import configurations, contract_companies, integrations

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


def recorded_companies(conn: Connection, contract: str) -> list[str]:
    """The organization(s) LinkedIn has recorded for a contract (none: not known yet)."""
    return sorted(r.organization for r in conn.execute(
        select(contract_companies.c.organization).where(
            contract_companies.c.contract == contract)))


def companies_of_contract(conn: Connection, contract: str) -> list[str]:
    """The organization(s) a Recruiter contract belongs to: as recorded (a seat added with
    its organization, the demo customer), else those its integrations are on, else the
    sandbox's default company of the contract, `urn:li:organization:<contract number>`
    (ASSUMED: every contract belongs to a company; LinkedIn's onboarding widget lists the
    contract's company without anyone typing it)."""
    recorded = recorded_companies(conn, contract)
    if recorded:
        return recorded
    integrated = sorted({c.organization for c in customers_of_contract(conn, contract)})
    return integrated or [ORG_PREFIX + contract.removeprefix(CONTRACT_PREFIX)]


def record_company(conn: Connection, contract: str, organization: str) -> None:
    """Remember that `contract` belongs to `organization` (idempotent)."""
    found = conn.execute(select(contract_companies.c.contract).where(
        contract_companies.c.contract == contract,
        contract_companies.c.organization == organization)).first()
    if found is None:
        conn.execute(contract_companies.insert().values(contract=contract,
                                                        organization=organization))


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
