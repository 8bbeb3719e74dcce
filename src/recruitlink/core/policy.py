"""A tenant's sync policy and what it excludes (ARCHITECTURE.md, "What the seeds ask").

Defaults follow the seeds: all history, confidential candidates and jobs excluded, projects not
shared with all recruiters excluded, interaction content never sent, jobs private to the
integration unless the job says otherwise. A record inherits its parent's exclusion: the notes
and stages of an excluded application go with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

HistoryWindow = Literal["all", "2y", "12m"]
WINDOW_DAYS: dict[str, int] = {"2y": 730, "12m": 365}
DAY_MS = 86_400_000


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

    def __post_init__(self) -> None:
        if self.history_window not in ("all", "2y", "12m"):
            raise ValueError("history_window: must be all, 2y or 12m")
        if self.visibility not in ("all_product_users", "acls"):
            raise ValueError("visibility: must be all_product_users or acls")
        if self.closed_members not in ("notify", "purge"):
            raise ValueError("closed_members: must be notify or purge")
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


def candidate_exclusion(candidate: Mapping[str, Any]) -> str | None:
    return "confidential candidate" if candidate.get("confidential") else None


def job_exclusion(job: Mapping[str, Any]) -> str | None:
    return "confidential job" if job.get("confidential") else None


def project_exclusion(project: Mapping[str, Any]) -> str | None:
    if not project.get("shared_with_all", True):
        return "project not shared with all recruiters"
    return None


def first_reason(*reasons: str | None) -> str | None:
    return next((r for r in reasons if r), None)
