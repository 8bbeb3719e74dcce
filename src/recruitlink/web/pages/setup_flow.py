"""The logic behind the LinkedIn setup page (no HTTP here): what will be shared, activation
(provisioning the tenant's child app), what the onboarding widget approved, adding a
contract, and the policy form.

The flow (seeds: PageUp, SmartRecruiters, Tracker; reference §1.2-§1.6):

1. the admin reads what will be shared and acknowledges it;
2. *Activate* provisions the tenant's child application with the partner credentials (found
   again by its `uniqueForeignId` if it exists), its JS SDK domain being our public URL;
3. LinkedIn's onboarding widget, loaded with the child app's client id, lets the admin choose
   the contract; its `data-onintegrate` callback hands us the approved contexts;
4. `sync.connect.connect` registers the integrations and the callback URL: PENDING;
5. LinkedIn's INTEGRATION_STATUS_CHANGE push (or *Check now*) turns it ENABLED and starts
   the historical sync.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import phonenumbers

from recruitlink.core.policy import CONSENT_PURPOSE, DENIABLE_CANDIDATE_FIELDS, Policy
from recruitlink.errors import ConfigurationError, LinkedInRequestError
from recruitlink.linkedin import LinkedInClient
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store import connections
from recruitlink.sync import sharing
from recruitlink.sync.connect import (
    ConnectResult,
    add_contracts,
    connect,
    kind_for,
    refresh_status,
)
from recruitlink.sync.sharing import PolicyChange
from recruitlink.sync.streams import Shared, shared_groups
from recruitlink.sync.visibility import parse_visibility

from ..params import small_int

ORG_URN = re.compile(r"urn:li:organization:\d{1,19}", re.ASCII)
CONTRACT_URN = re.compile(r"urn:li:contract:\d{1,19}", re.ASCII)

BUNDLES = {"RSC": "RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT",
           "CRM": "CANDIDATE_RELATIONSHIP_MANAGEMENT"}
"""`data-supported-bundled-integration-types` of the onboarding widget, by connection kind."""

PRODUCT = {"RSC": "LinkedIn Recruiter System Connect", "CRM": "LinkedIn CRM Connect"}


def foreign_id(slug: str) -> str:
    """The child app's `uniqueForeignId` (the one `sync.connect.connect` looks up)."""
    return f"recruitlink-{slug}"


# -- what will be shared -----------------------------------------------------------------------

def shared_data(tenant_kind: str, policy: Policy | None = None) -> list[Shared]:
    """What the sync sends to LinkedIn for a tenant of this kind, grouped for the admin (the
    stream registry's `shared`, `sync/streams.py`)."""
    return shared_groups(tenant_kind, policy)


EXCLUDED = ("Confidential candidates and jobs",
            "Projects not shared with all recruiters (and their members)",
            "The content of interactions (only their type and times)",
            "Records last changed before the history window, when one is set")


# -- activation: the child app -----------------------------------------------------------------

@dataclass(frozen=True)
class ChildApp:
    key: str
    client_id: str


def _origin(url: str) -> str:
    return url.rstrip("/")


def child_app(partner: LinkedInClient, slug: str) -> ChildApp | None:
    """The tenant's provisioned app, if any (one provisioning finder call)."""
    found = partner.find_child_app(foreign_id(slug))
    if found is None:
        return None
    client_id = (found.get("credentials") or {}).get("client_id")
    if not client_id:
        raise LinkedInRequestError("the provisioned application came back without credentials")
    return ChildApp(str(found["key"]), str(client_id))


def provision(partner: LinkedInClient, *, slug: str, tenant_name: str,
              public_url: str) -> ChildApp:
    """Create the tenant's child app (or find it again), with our origin among its JS SDK
    domains so the onboarding widget initialises on our pages (reference §1.2, RSC-105)."""
    origin = _origin(public_url)
    found = partner.find_child_app(foreign_id(slug))
    if found is None:
        found = partner.create_child_app(
            unique_foreign_id=foreign_id(slug), name=f"recruitlink - {tenant_name}"[:50],
            description=f"recruitlink tenant {slug}", js_domains=[origin])
    else:
        domains = [str(d) for d in found.get("validJsSdkDomains") or []]
        if origin not in domains:
            partner.set_child_app(str(found["key"]), {"validJsSdkDomains": [*domains, origin]})
    client_id = (found.get("credentials") or {}).get("client_id")
    if not client_id:
        raise LinkedInRequestError("the provisioned application came back without credentials")
    return ChildApp(str(found["key"]), str(client_id))


# -- what the onboarding widget approved -------------------------------------------------------

@dataclass(frozen=True)
class Approved:
    organization: str
    contracts: list[str]


def parse_approved(raw: str | None) -> Approved | dict[str, str]:
    """The widget callback's `{"integrations": [{integrationType, integrationContext}]}` (as
    the page's script posts it) as one organization and its contracts, or errors by field."""
    try:
        data: Any = json.loads(raw or "")
    except ValueError:
        return {"integrations": "LinkedIn's widget sent nothing we can read: choose the "
                                "contract in the widget again."}
    items = data.get("integrations") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        return {"integrations": "LinkedIn's widget approved no integration: choose the "
                                "contract and at least one integration."}
    orgs: list[str] = []
    contracts: list[str] = []
    for item in items:
        context = str(item.get("integrationContext") or "") if isinstance(item, dict) else ""
        if ORG_URN.fullmatch(context):
            orgs.append(context)
        elif CONTRACT_URN.fullmatch(context):
            contracts.append(context)
        else:
            return {"integrations": f"LinkedIn's widget sent an unknown context "
                                    f"{context[:80]!r}."}
    orgs = list(dict.fromkeys(orgs))
    contracts = list(dict.fromkeys(contracts))
    if len(orgs) != 1:
        return {"integrations": "Approve the integrations of exactly one organization."}
    if not contracts:
        return {"integrations": "Approve the Recruiter contract integration too (InMails, "
                                "notes and seats need it)."}
    return Approved(orgs[0], contracts)


def integrate(runtime: Runtime, *, slug: str, tenant_id: int, tenant_name: str,
              approved: Approved,
              history_window: str | None = None,
              visibility: str | None = None) -> tuple[str, ConnectResult | list[str]]:
    """Act on the widget's approval: connect the tenant (first time, or after a disconnect),
    with the history window and the visibility chosen before activation, or add contracts
    to its connection.
    ("connected", result) or ("added", new contracts)."""
    with runtime.store.reader() as conn:
        info = connections.load(conn, tenant_id, runtime.box)
    if info is not None and info.status not in ("DISCONNECTED",):
        if info.organization != approved.organization:
            raise ConfigurationError(
                f"{', '.join(approved.contracts)} was not added: the widget approved it for "
                f"{approved.organization}, but this workspace is connected to "
                f"{info.organization}. A Recruiter contract belongs to one company: choose "
                f"a contract of {info.organization}.")
        added = add_contracts(runtime.store, runtime.box, runtime.engine, tenant_id,
                              tenant_name, approved.contracts)
        # The new contract is PENDING until LinkedIn says otherwise: read its status now.
        refresh_status(runtime.store, runtime.box, runtime.engine, tenant_id)
        return "added", added
    policy = info.policy if info is not None else Policy()
    if history_window is not None:
        policy = replace(policy, history_window=history_window)  # type: ignore[arg-type]
    if visibility is not None:
        policy = replace(policy, visibility=parse_visibility(visibility))
    result = connect(runtime.store, runtime.box, runtime.engine, runtime.partner(),
                     tenant_slug=slug, organization=approved.organization,
                     contracts=approved.contracts, public_url=runtime.settings.public_url,
                     policy=policy)
    return "connected", result


def recruiter_home_url(settings: Settings) -> str:
    """LinkedIn Recruiter itself, where the admin signs in before activating (the onboarding
    widget then knows her): the sandbox's at /recruiter/, else LinkedIn's."""
    api = settings.linkedin_api_url.rstrip("/")
    if urlsplit(api).hostname == "api.linkedin.com":
        return "https://www.linkedin.com/talent/home"
    return f"{api}/recruiter/"


def recruiter_admin_url(settings: Settings, contract: str) -> str:
    """"Enable in LinkedIn": LinkedIn Recruiter's admin settings for the contract. The sandbox
    serves them at /recruiter/admin; on LinkedIn they are Recruiter's Admin settings → ATS
    (or Product settings → Manage integrations)."""
    home = recruiter_home_url(settings)
    if home.startswith("https://www.linkedin.com/"):
        return home
    return f"{home}admin?{urlencode({'contract': contract})}"


def connection_kind(tenant_kind: str) -> str:
    return kind_for(tenant_kind)


# -- the policy form ---------------------------------------------------------------------------

WINDOWS = [("all", "All history"), ("2y", "The last 2 years"), ("12m", "The last 12 months")]
SHARED_WINDOW = {"all": "from all of their history",
                 "2y": "changed in the last 2 years",
                 "12m": "changed in the last 12 months"}
"""How the acknowledgement names each history window (what will be shared)."""


def parse_window(raw: str | None) -> str | None:
    """A history window from a form or a query (None: not one of all, 2y, 12m)."""
    value = (raw or "").strip()
    return value if value in SHARED_WINDOW else None
AVAILABILITY = [("PRIVATE_TO_ATS_INTEGRATION",
                 "Private: only your Recruiter users see them (default)"),
                ("PUBLIC", "Public: also listed on LinkedIn")]


def parse_policy(form: Mapping[str, Any], current: Policy) -> Policy | dict[str, str]:
    """The policy from the setup page's form, or an error message per field."""
    errors: dict[str, str] = {}
    window = str(form.get("history_window") or "").strip()
    if window not in {v for v, _ in WINDOWS}:
        errors["history_window"] = "Choose all history, 2 years or 12 months."
    availability = str(form.get("default_availability") or "").strip()
    if availability not in {v for v, _ in AVAILABILITY}:
        errors["default_availability"] = "Choose private or public."
    region = str(form.get("phone_region") or "").strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        errors["phone_region"] = ("Enter a two-letter country code, e.g. US, GB or FR.")
    raw_size = str(form.get("batch_size") or "").strip()
    size = small_int(raw_size, max_digits=6)
    if size is None or not current.call_size <= size <= 10_000:
        errors["batch_size"] = (f"Enter a whole number between {current.call_size} and "
                                "10000.")
    never_shared = [str(v) for v in form.get("never_shared") or ()]
    if any(v not in DENIABLE_CANDIDATE_FIELDS for v in never_shared):
        errors["never_shared"] = "Tick only the fields listed."
    tags = parse_tags(str(form.get("excluded_tags") or ""))
    if isinstance(tags, str):
        errors["excluded_tags"] = tags
    consent = str(form.get("required_consent") or "").strip()
    if consent and not CONSENT_PURPOSE.match(consent):
        errors["required_consent"] = ("Enter a consent purpose of up to 64 letters, digits or "
                                      "_ . : - (e.g. linkedin_recruiter), or leave it empty.")
    compliance = _parse_compliance(form, current, errors)
    if errors:
        return errors
    assert size is not None and not isinstance(tags, str)
    return replace(current, **compliance, history_window=window,  # type: ignore[arg-type]
                   default_availability=availability,  # type: ignore[arg-type]
                   phone_region=region, batch_size=size,
                   never_shared=tuple(f for f in DENIABLE_CANDIDATE_FIELDS if f in never_shared),
                   excluded_tags=tags, required_consent=consent or None)


CLOSED_MEMBERS = [("notify", "Notify: an activity on the candidate (default)"),
                  ("purge", "Purge: delete the candidate")]


def _parse_compliance(form: Mapping[str, Any], current: Policy,
                      errors: dict[str, str]) -> dict[str, Any]:
    """The compliance fields given (a form without them keeps the policy's)."""
    out: dict[str, Any] = {}
    if "closed_members" in form:
        action = str(form.get("closed_members") or "").strip()
        if action in {v for v, _ in CLOSED_MEMBERS}:
            out["closed_members"] = action
        else:
            errors["closed_members"] = "Choose notify or purge."
    if "closure_window_days" in form:
        days = small_int(str(form.get("closure_window_days") or "").strip(), max_digits=2)
        if days is None or not 0 <= days <= 30:
            errors["closure_window_days"] = "Enter a whole number of days from 0 to 30."
        else:
            out["closure_window_days"] = days
    if "history_retention_days" in form:
        raw = str(form.get("history_retention_days") or "").strip()
        kept = small_int(raw, max_digits=5) if raw else None
        if raw and (kept is None or not 1 <= kept <= 36_500):
            errors["history_retention_days"] = ("Enter a number of days from 1 to 36500, or "
                                                "leave it empty to keep them.")
        else:
            out["history_retention_days"] = kept
    return out


MAX_EXCLUDED_TAGS = 50


def parse_tags(raw: str) -> tuple[str, ...] | str:
    """Comma-separated tags (duplicates dropped, case kept), or what is wrong with them."""
    tags: dict[str, str] = {}
    for part in raw.split(","):
        tag = part.strip()
        if len(tag) > 200:
            return "Each tag may have at most 200 characters."
        if tag:
            tags.setdefault(tag.casefold(), tag)
    if len(tags) > MAX_EXCLUDED_TAGS:
        return f"At most {MAX_EXCLUDED_TAGS} tags."
    return tuple(tags.values())


def policy_form(policy: Policy) -> dict[str, Any]:
    """The Sync settings form's values for this policy."""
    return {"history_window": policy.history_window,
            "default_availability": policy.default_availability,
            "phone_region": policy.phone_region, "batch_size": str(policy.batch_size),
            "never_shared": list(policy.never_shared),
            "excluded_tags": ", ".join(policy.excluded_tags),
            "required_consent": policy.required_consent or "",
            "closed_members": policy.closed_members,
            "closure_window_days": str(policy.closure_window_days),
            "history_retention_days": str(policy.history_retention_days or "")}


def save_policy(runtime: Runtime, tenant_id: int, policy: Policy) -> PolicyChange:
    """Keep the settings; a change to what is shared queues the candidates it touches."""
    with runtime.store.reader() as conn:
        if connections.load(conn, tenant_id, runtime.box) is None:
            raise ConfigurationError("tenant: not connected to LinkedIn")
    return sharing.save_policy(runtime.store.db, tenant_id, policy, int(time.time() * 1000))

