"""A tenant's sync policy and what it excludes (ARCHITECTURE.md, "What the seeds ask").

Defaults follow the seeds: all history, confidential candidates and jobs excluded, projects not
shared with all recruiters excluded, interaction content never sent, jobs private to the
integration unless the job says otherwise. A record inherits its parent's exclusion: the notes
and stages of an excluded application go with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

HistoryWindow = Literal["all", "2y", "12m"]
WINDOW_DAYS: dict[str, int] = {"2y": 730, "12m": 365}
DAY_MS = 86_400_000
CONFIDENTIAL = "confidential candidate"

DENIABLE_CANDIDATE_FIELDS: dict[str, str] = {
    "phones": "Phone numbers", "addresses": "Postal addresses",
    "headline": "Headline", "current_title": "Current title",
    "current_company": "Current company", "location": "Location",
    "linkedin_url": "LinkedIn profile URL",
}
"""Candidate fields a tenant may keep from LinkedIn (the field-level deny list). The name and
the email addresses cannot be: LinkedIn holds a candidate without a member link only with an
email address (reference §3.2), so denying them would stop the candidates syncing at all."""
_LIST_FIELDS = ("phones", "addresses")
CONSENT_PURPOSE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


@dataclass(frozen=True)
class Policy:
    history_window: HistoryWindow = "all"
    default_availability: Literal["PRIVATE_TO_ATS_INTEGRATION", "PUBLIC"] = (
        "PRIVATE_TO_ATS_INTEGRATION")
    visibility: Literal["all_product_users", "acls"] = "all_product_users"
    """Who sees which job in Recruiter: everyone, or each job's hiring team through ACLs
    (changed with `sync.visibility.set_visibility`)."""
    batch_size: int = 1000
    """Records per logical batch: the sync-log unit (PageUp)."""
    call_size: int = 100
    """Records per API call (LinkedIn's maximum)."""
    phone_region: str = "US"
    """Region for phone numbers written without a country code."""
    closed_members: Literal["notify", "purge"] = "notify"
    """A member who closed their LinkedIn account: an activity on the candidate (notify), or
    the candidate deleted from the ATS (purge; reference §5.8, old TC13)."""
    closure_window_days: int = 30
    """Days after a member's closure by which it is acted on (LinkedIn: at least every 30
    days); the compliance scheduler acts on what the pollers left undone by then."""
    history_retention_days: int | None = None
    """Imported InMails and Recruiter notes are purged this many days after LinkedIn dated
    them (None: kept)."""
    never_shared: tuple[str, ...] = ()
    """Candidate fields never sent to LinkedIn (from DENIABLE_CANDIDATE_FIELDS)."""
    excluded_tags: tuple[str, ...] = ()
    """Candidates with any of these tags (case ignored) are not shared, nor what hangs on
    them (applications, notes, files, project memberships)."""
    required_consent: str | None = None
    """When set, only candidates whose `consents` include this purpose are shared."""

    def __post_init__(self) -> None:
        # JSON gives lists; the policy keeps tuples (frozen, hashable, compared by value).
        for name in ("never_shared", "excluded_tags"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                raise ValueError(f"{name}: must be a list")
            object.__setattr__(self, name, tuple(value))
        unknown = [f for f in self.never_shared if f not in DENIABLE_CANDIDATE_FIELDS]
        if unknown:
            raise ValueError(f"never_shared: {unknown[0]!r} is not a candidate field that can "
                             f"be kept from LinkedIn (one of: "
                             f"{', '.join(DENIABLE_CANDIDATE_FIELDS)})")
        # One spelling per set of fields, whatever order they were given in.
        object.__setattr__(self, "never_shared", tuple(
            f for f in DENIABLE_CANDIDATE_FIELDS if f in self.never_shared))
        for tag in self.excluded_tags:
            if not isinstance(tag, str) or not tag.strip() or len(tag) > 200:
                raise ValueError("excluded_tags: each tag must be 1 to 200 characters")
        if self.required_consent is not None and not (
                isinstance(self.required_consent, str)
                and CONSENT_PURPOSE.match(self.required_consent)):
            raise ValueError("required_consent: a purpose name of 1 to 64 letters, digits "
                             "or _ . : -")
        if self.history_window not in ("all", "2y", "12m"):
            raise ValueError("history_window: must be all, 2y or 12m")
        if self.visibility not in ("all_product_users", "acls"):
            raise ValueError("visibility: must be all_product_users or acls")
        if self.closed_members not in ("notify", "purge"):
            raise ValueError("closed_members: must be notify or purge")
        if isinstance(self.closure_window_days, bool) or not isinstance(
                self.closure_window_days, int) or not 0 <= self.closure_window_days <= 30:
            raise ValueError("closure_window_days: a whole number of days from 0 to 30 "
                             "(LinkedIn asks for at most 30)")
        days = self.history_retention_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                                 or not 1 <= days <= 36_500):
            raise ValueError("history_retention_days: a whole number of days from 1 to 36500, "
                             "or none to keep imported InMails and notes")
        if not 1 <= self.call_size <= 100:
            raise ValueError("call_size: must be between 1 and 100")
        if not self.call_size <= self.batch_size <= 10_000:
            raise ValueError("batch_size: must be between call_size and 10000")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Policy:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def window_start(self, now_ms: int) -> int | None:
        days = WINDOW_DAYS.get(self.history_window)
        return None if days is None else now_ms - days * DAY_MS


def outside_window(policy: Policy, modified_at: int, now_ms: int) -> str | None:
    start = policy.window_start(now_ms)
    if start is not None and modified_at < start:
        label = {"2y": "2-year", "12m": "12-month"}[policy.history_window]
        return f"outside the {label} history window"
    return None


def candidate_exclusion(candidate: Mapping[str, Any],
                        policy: Policy | None = None) -> str | None:
    """Why the candidate is not shared with LinkedIn, or None: confidential, then the
    policy's record rules (a tag it excludes, a consent it requires)."""
    if candidate.get("confidential"):
        return CONFIDENTIAL
    if policy is None:
        return None
    if policy.excluded_tags:
        excluded = {t.casefold() for t in policy.excluded_tags}
        tag = next((t for t in candidate.get("tags") or () if t.casefold() in excluded), None)
        if tag is not None:
            return f"tagged '{tag}', which the policy does not share"
    purpose = policy.required_consent
    if purpose is not None and purpose not in (candidate.get("consents") or ()):
        return f"no consent to '{purpose}'"
    return None


def candidate_child_exclusion(candidate: Mapping[str, Any],
                              policy: Policy | None = None) -> str | None:
    """Why a record of the candidate's (application, note, file, ...) is not shared."""
    reason = candidate_exclusion(candidate, policy)
    if reason is None:
        return None
    if reason == CONFIDENTIAL:
        return "belongs to a confidential candidate"
    return f"belongs to a candidate not shared: {reason}"


def shared_fields(candidate: Mapping[str, Any], policy: Policy) -> Mapping[str, Any]:
    """The candidate as LinkedIn may see it: the denied fields emptied."""
    if not policy.never_shared:
        return candidate
    out = dict(candidate)
    for name in policy.never_shared:
        out[name] = [] if name in _LIST_FIELDS else None
    return out


def sharing_rules(policy: Policy) -> tuple[Any, ...]:
    """What decides which candidates and fields LinkedIn gets: when it changes, every
    candidate is looked at again (excluded ones deleted, denied fields removed)."""
    return (policy.never_shared, tuple(sorted(t.casefold() for t in policy.excluded_tags)),
            policy.required_consent)


def job_exclusion(job: Mapping[str, Any]) -> str | None:
    return "confidential job" if job.get("confidential") else None


def project_exclusion(project: Mapping[str, Any]) -> str | None:
    if not project.get("shared_with_all", True):
        return "project not shared with all recruiters"
    return None


def first_reason(*reasons: str | None) -> str | None:
    # A loop, not next() over a generator: called per record and per child.
    for reason in reasons:
        if reason:
            return reason
    return None
