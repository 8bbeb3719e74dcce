"""May this contract sync? The one decision, from LinkedIn's integration statuses (pure: no I/O).

LinkedIn's Recruiter admin turns the integration on in two places (SmartRecruiters seed:
"Company Level Access", then "Contract Level access"; reference §1.4, §1.6):

- company level: the organization-scoped integrations (1-Click Export, the In-ATS / In-CRM
  indicator, the profile widget). Each one is optional: turned off, it switches off only its
  own feature (Tracker seed: the indicator and widget are "optional, but advised"). Company
  access is on while any of them is ENABLED;
- contract level: `CSA_API` on each contract, required: without it LinkedIn refuses that
  contract's seats, InMails, notes and stubs (403).

A contract syncs when both levels are ENABLED. The tenant's connection is ENABLED (the
outbound sync runs) when at least one contract syncs (or, without contracts, when company
access is on); the other contracts show why they wait.
`statuses` is what LinkedIn answered, as {context URN: {integration type: status}}; a type
LinkedIn has not answered for counts as PENDING.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Status = Literal["PENDING", "ENABLED", "DISABLED"]
Statuses = Mapping[str, Mapping[str, str]]

CONTRACT_TYPE = "CSA_API"
COMPANY_TYPES: dict[str, tuple[str, ...]] = {
    "RSC": ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN"),
    "CRM": ("CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR", "PROFILE_PLUGIN"),
}
"""The organization-scoped integration types of each connection kind (RSC or CRM)."""


@dataclass(frozen=True)
class Feature:
    label: str
    off_means: str


FEATURES: dict[str, Feature] = {
    "ONE_CLICK_EXPORT": Feature("1-Click Export", "recruiters cannot export profiles from "
                                                  "LinkedIn Recruiter into recruitlink"),
    "CRM_ONE_CLICK_EXPORT": Feature("1-Click Export", "recruiters cannot export profiles from "
                                                      "LinkedIn Recruiter into recruitlink"),
    "IN_ATS_INDICATOR": Feature("In-ATS indicator", "Recruiter does not show recruitlink's "
                                                    "data on LinkedIn profiles"),
    "IN_CRM_INDICATOR": Feature("In-CRM indicator", "Recruiter does not show recruitlink's "
                                                    "data on LinkedIn profiles"),
    "PROFILE_PLUGIN": Feature("Profile widget", "the candidate page does not show the "
                                                "LinkedIn profile"),
    CONTRACT_TYPE: Feature("Recruiter data (InMails, notes, seats)",
                           "nothing syncs for this contract: seats, InMails, notes and "
                           "stub profiles cannot be read"),
}

STUB_PROFILES = Feature("InMail stub profiles", "contact details members share in InMail "
                                                "replies are not imported")
"""A Recruiter contract setting, not an integration: LinkedIn does not report it."""


@dataclass(frozen=True)
class IntegrationState:
    context: str
    type: str
    status: Status
    label: str
    required: bool
    off_means: str


@dataclass(frozen=True)
class ContractState:
    contract: str
    status: Status
    """ENABLED: the contract syncs. PENDING or DISABLED: `reason` says why not."""
    company: Status
    contract_access: Status
    integrations: tuple[IntegrationState, ...]
    reason: str | None
    action: str | None

    @property
    def may_sync(self) -> bool:
        return self.status == "ENABLED"

    @property
    def features_off(self) -> tuple[IntegrationState, ...]:
        """Optional integrations not ENABLED while the contract syncs: their features only."""
        return tuple(i for i in self.integrations if not i.required and i.status != "ENABLED")


def _status(value: object) -> Status:
    return "ENABLED" if value == "ENABLED" else "DISABLED" if value == "DISABLED" else "PENDING"


def company_access(kind: str, organization: str, statuses: Statuses) -> Status:
    """On while any company-level integration is ENABLED; DISABLED once all that were
    answered are off; PENDING before the admin acted."""
    found = [_status((statuses.get(organization) or {}).get(t)) for t in COMPANY_TYPES[kind]]
    if "ENABLED" in found:
        return "ENABLED"
    return "DISABLED" if "DISABLED" in found else "PENDING"


IN_RECRUITER = "Recruiter: Admin settings → ATS, or Product settings → Manage integrations"
"""Where a Recruiter admin turns an integration on (LinkedIn's older and newer menus)."""


def contract_state(kind: str, organization: str, contract: str,
                   statuses: Statuses) -> ContractState:
    company = company_access(kind, organization, statuses)
    access = _status((statuses.get(contract) or {}).get(CONTRACT_TYPE))
    rows = [IntegrationState(organization, t, _status((statuses.get(organization) or {}).get(t)),
                             FEATURES[t].label, False, FEATURES[t].off_means)
            for t in COMPANY_TYPES[kind]]
    rows.append(IntegrationState(contract, CONTRACT_TYPE, access, FEATURES[CONTRACT_TYPE].label,
                                 True, FEATURES[CONTRACT_TYPE].off_means))
    reason = action = None
    if company != "ENABLED":
        reason = ("Company-level access was turned off in LinkedIn Recruiter."
                  if company == "DISABLED" else
                  "Company-level access is not turned on in LinkedIn Recruiter yet.")
        action = ("A LinkedIn Recruiter admin turns on Company Level Access and then Contract "
                  f"Level access for this contract ({IN_RECRUITER}).")
    elif access != "ENABLED":
        reason = ("Contract-level access was turned off in LinkedIn Recruiter for this "
                  "contract." if access == "DISABLED" else
                  "Contract-level access is not turned on for this contract yet (company-"
                  "level access is on).")
        action = ("A LinkedIn Recruiter admin turns on Contract Level access for this contract "
                  f"({IN_RECRUITER}).")
    if reason is None:
        status: Status = "ENABLED"
    else:
        status = "DISABLED" if "DISABLED" in (company, access) else "PENDING"
    return ContractState(contract, status, company, access, tuple(rows), reason, action)


def contract_states(kind: str, organization: str, contracts: Sequence[str],
                    statuses: Statuses) -> list[ContractState]:
    return [contract_state(kind, organization, c, statuses) for c in contracts]


def connection_status(kind: str, organization: str, contracts: Sequence[str],
                      statuses: Statuses) -> Status:
    """The tenant's status: ENABLED when at least one contract syncs (the outbound sync runs
    for the organization); else DISABLED if the admin turned something off, else PENDING.
    A connection without contracts (no Recruiter data to read) follows company access."""
    if not contracts:
        return company_access(kind, organization, statuses)
    states = contract_states(kind, organization, contracts, statuses)
    if any(s.may_sync for s in states):
        return "ENABLED"
    return "DISABLED" if any(s.status == "DISABLED" for s in states) else "PENDING"


def syncing_contracts(kind: str, organization: str, contracts: Sequence[str],
                      statuses: Statuses) -> list[str]:
    """The contracts whose Recruiter data (seats, InMails, notes, stubs, closures) is read."""
    return [s.contract for s in contract_states(kind, organization, contracts, statuses)
            if s.may_sync]


STATUS_WORDS: dict[str, str] = {"ENABLED": "Active", "PENDING": "Pending in LinkedIn",
                                "DISABLED": "Turned off in LinkedIn Recruiter"}
"""An integration's status as the Setup page names it."""
CHANGE_WORDS: dict[str, str] = {**STATUS_WORDS, "ENABLED": "Turned on in LinkedIn Recruiter"}
"""What a status push changed an integration to, in the Setup page's words (a change to
ENABLED is a turn-on; the Setup page calls the state it leaves "Active")."""


@dataclass(frozen=True)
class StatusChange:
    """One integration a status push changed, as LinkedIn's `q=request` finder answered."""

    context: str
    type: str
    status: Status

    @property
    def feature(self) -> str:
        """The feature's name; a contract's integration says which contract."""
        label = FEATURES[self.type].label if self.type in FEATURES else self.type
        return f"{label} ({self.context})" if self.type == CONTRACT_TYPE else label

    @property
    def text(self) -> str:
        """`Profile widget: Turned off in LinkedIn Recruiter`."""
        return f"{self.feature}: {CHANGE_WORDS[self.status]}"

    def to_json(self) -> dict[str, str]:
        return {"context": self.context, "type": self.type, "status": self.status}


def status_changes(records: Sequence[Mapping[str, object]]) -> list[StatusChange]:
    """The changes of a status push from the finder's records (integrationContext,
    integrationType, status) or from their stored form (`StatusChange.to_json`)."""
    out = []
    for r in records:
        context = r.get("integrationContext", r.get("context"))
        kind = r.get("integrationType", r.get("type"))
        if isinstance(context, str) and isinstance(kind, str):
            out.append(StatusChange(context, kind, _status(r.get("status"))))
    return out
