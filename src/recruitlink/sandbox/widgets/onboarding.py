"""The onboarding (ATS Integration Configuration) widget's choices, reference §1.3: which
customer (one contract and its organization) the admin approves, and which integrations.

The widget approves; it does not create integration records. The partner receives the
contexts through the `data-onintegrate` callback and creates the records itself with
`atsIntegrations` (reference §1.3 step 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from ..recruiter.customers import (
    CONTRACT_PREFIX,
    ORG_PREFIX,
    companies_of_contract,
    customers_of_contract,
)
from ..recruiter.session import active_seats
from ..store import integrations

ORG_URN = re.compile(r"urn:li:organization:\d{1,19}", re.ASCII)

CONTRACT_TYPES = frozenset({"CSA_API"})
"""Integration types whose context is the contract; every other one is organization-scoped
(reference §1.4 catalogue)."""

TYPES = ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN", "CSA_API",
         "CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR", "RECOMMENDED_MATCHES", "UNIFIED_SEARCH")
"""The integration types the widget can approve, in display order."""

BUNDLES: dict[str, tuple[str, ...]] = {
    "RECRUITER_SYSTEM_CONNECT_COMPANY": ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR",
                                         "PROFILE_PLUGIN"),
    "RECRUITER_SYSTEM_CONNECT_CONTRACT": ("CSA_API",),
    # CRM Connect: CRM 1CE and indicator, plus the plugin and CSA_API (reference §1.4,
    # inferred).
    "CANDIDATE_RELATIONSHIP_MANAGEMENT": ("CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR",
                                          "PROFILE_PLUGIN", "CSA_API"),
}
"""`data-supported-bundled-integration-types` values and the types each one covers. The
`APPLY_*` bundles (Apply Connect) are not part of the sandbox."""

DEFAULT_TYPES = ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN", "CSA_API")

LABELS = {
    "ONE_CLICK_EXPORT": "One-Click Export from Recruiter",
    "IN_ATS_INDICATOR": "In-ATS indicator in Recruiter",
    "PROFILE_PLUGIN": "LinkedIn profile in your system (profile plugin)",
    "CSA_API": "Recruiter data: InMails, notes, seats (CSA API)",
    "CRM_ONE_CLICK_EXPORT": "One-Click Export to your CRM",
    "IN_CRM_INDICATOR": "In-CRM indicator in Recruiter",
    "RECOMMENDED_MATCHES": "Recommended matches widget",
    "UNIFIED_SEARCH": "Unified search widget",
}


def offered_types(raw: str | None) -> tuple[list[str], list[str]]:
    """The integration types a `data-supported-bundled-integration-types` value offers (bundle
    names and plain type names both accepted; none given: RSC's four), and the values the
    sandbox does not know."""
    wanted: set[str] = set()
    unknown: list[str] = []
    for value in (v.strip().upper() for v in (raw or "").split(",")):
        if not value:
            continue
        if value in BUNDLES:
            wanted.update(BUNDLES[value])
        elif value in TYPES:
            wanted.add(value)
        elif value not in unknown:
            unknown.append(value[:60])
    if not wanted and not unknown:
        wanted.update(DEFAULT_TYPES)
    return [t for t in TYPES if t in wanted], unknown


def integrations_payload(organization: str, contract: str, types: list[str]) -> dict[str, Any]:
    """The argument of the host's `data-onintegrate` callback.

    ASSUMED shape (reference §1.3 and §11: LinkedIn's exact object was not retrieved; the
    docs say only that it carries the organization and contract contexts)::

        {"integrations": [
            {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": "urn:li:organization:1"},
            {"integrationType": "CSA_API", "integrationContext": "urn:li:contract:2"}]}

    one element per approved type, in the widget's display order; `CSA_API` carries the
    contract, every other type the organization.
    """
    return {"integrations": [
        {"integrationType": t,
         "integrationContext": contract if t in CONTRACT_TYPES else organization}
        for t in types]}


@dataclass(frozen=True)
class CustomerOption:
    """One customer the admin may approve: a contract and its organization (None: the admin
    types the organization URN)."""

    contract: str
    organization: str | None
    can_act: bool
    note: str = ""

    @property
    def value(self) -> str:
        return f"{self.contract} {self.organization or ''}".strip()


def _contexts(conn: Connection, app_id: int) -> tuple[list[str], list[str]]:
    found = {r.context for r in conn.execute(
        select(integrations.c.context).where(integrations.c.app_id == app_id))}
    return (sorted(c for c in found if c.startswith(ORG_PREFIX)),
            sorted(c for c in found if c.startswith(CONTRACT_PREFIX)))


def app_contracts(conn: Connection, app_id: int) -> list[str]:
    """The contracts the app has integrations on."""
    return _contexts(conn, app_id)[1]


def customer_options(conn: Connection, app_id: int, person: str) -> list[CustomerOption]:
    """What the signed-in admin can choose from. A Recruiter contract belongs to one company:
    once the app has an organization, only contracts of that organization are offered.

    - The app has contracts: each of them with the app's organization(s) on it; the admin
      can act only where they hold an active seat; and the admin's other contracts of the
      app's organization(s), to add.
    - The app has organizations but no contract yet: the contracts the admin holds a seat on
      that belong to those organizations.
    - A fresh app (no integration yet): each contract the admin holds a seat on, with the
      company (organization) it belongs to; nobody types a URN.
    """
    orgs, contracts = _contexts(conn, app_id)
    seat_contracts = list(dict.fromkeys(s.contract for s in active_seats(conn, person)))
    options: list[CustomerOption] = []
    if contracts:
        for contract in contracts:
            on_contract: list[str | None] = [*sorted(
                {c.organization for c in customers_of_contract(conn, contract)
                 if c.app_id == app_id} or orgs)] or [*companies_of_contract(conn, contract)]
            can_act = contract in seat_contracts
            note = "" if can_act else ("You hold no Recruiter seat on this contract, so you "
                                       "cannot act for this customer.")
            options.extend(CustomerOption(contract, org, can_act, note) for org in on_contract)
    if contracts or orgs:
        # "Add another contract": the admin's other contracts of the app's company.
        for contract in seat_contracts:
            if contract not in contracts:
                options.extend(CustomerOption(contract, org, True)
                               for org in _shared(orgs, companies_of_contract(conn, contract)))
        return options
    for contract in seat_contracts:
        taken = {c.organization for c in customers_of_contract(conn, contract)
                 if c.app_id != app_id}
        for organization in companies_of_contract(conn, contract):
            note = ("Already integrated with another application: LinkedIn will refuse a "
                    "second one." if organization in taken else "")
            options.append(CustomerOption(contract, organization, True, note))
    return options


def _shared(orgs: list[str], companies: list[str]) -> list[str]:
    """The app's organizations a contract belongs to (all of its companies: the app has none)."""
    return [o for o in orgs if o in companies] if orgs else companies


@dataclass(frozen=True)
class ForeignContract:
    """A contract the admin holds a seat on that belongs to another company than the app's."""

    contract: str
    companies: list[str]


def foreign_contracts(conn: Connection, app_id: int, person: str) -> list[ForeignContract]:
    """The admin's contracts not offered because they belong to another company (none for a
    fresh app: it has no company yet)."""
    orgs, contracts = _contexts(conn, app_id)
    if not orgs:
        return []
    found = []
    for contract in dict.fromkeys(s.contract for s in active_seats(conn, person)):
        companies = companies_of_contract(conn, contract)
        if contract not in contracts and not _shared(orgs, companies):
            found.append(ForeignContract(contract, companies))
    return found


def app_organizations(conn: Connection, app_id: int) -> list[str]:
    """The organizations the app has integrations on."""
    return _contexts(conn, app_id)[0]


def choose(options: list[CustomerOption], value: str | None,
           typed_org: str | None) -> tuple[str, str] | str:
    """(organization, contract) of the admin's choice, or what is wrong with it."""
    picked = next((o for o in options if o.value == (value or "").strip()), None)
    if picked is None:
        return "Choose one customer (contract)."
    if not picked.can_act:
        return f"You cannot act for {picked.contract}: you hold no Recruiter seat on it."
    organization = picked.organization or (typed_org or "").strip()
    if not ORG_URN.fullmatch(organization):
        return "Type the organization as urn:li:organization:<number>."
    return organization, picked.contract
