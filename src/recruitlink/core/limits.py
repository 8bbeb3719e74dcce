"""LinkedIn's published throttles (reference §4), per app and resource family, shared by the
sandbox (which enforces them) and the sync's rate budget (which stays under them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Limit:
    per_day: int | None
    """Requests per UTC day (LinkedIn resets at midnight UTC)."""
    per_minute: int | None
    """Records per minute."""


# assumed where LinkedIn publishes no number: simpleJobPostings (daily), provisioning (none).
LINKEDIN_LIMITS: dict[str, Limit] = {
    "atsIntegrations": Limit(5_000, None),
    "integrationConfigurations": Limit(5_000, None),
    "simpleJobPostings": Limit(100_000, None),
    "simpleJobPostingTasks": Limit(300_000, None),
    "atsCandidates": Limit(100_000, 10_000),
    "atsApplications": Limit(100_000, 10_000),
    "atsEntityAcls": Limit(100_000, 10_000),
    "atsEntityAclAssignees": Limit(100_000, 10_000),
    "tcrmPipelines": Limit(100_000, 10_000),
    "tcrmPipelineStages": Limit(100_000, 10_000),
    "tcrmCandidatePipelines": Limit(100_000, 10_000),
    "tcrmInteractions": Limit(100_000, 10_000),
    # InMail events, stub profiles and Recruiter notes share one daily budget.
    "prospectInteractions": Limit(100_000, None),
}

PROSPECT_FAMILY = "prospectInteractions"
"""The one daily budget InMail, stub profile and note reads share (the stub-query cap)."""
PROSPECT_RESOURCES = ("conversationEvents", "mailStubs", "prospectNotes")
EXPORTS_PER_SEAT_PER_MONTH = 300
"""One-Click Exports a Recruiter seat may make per calendar month (since October 2023)."""


def family_of(resource: str) -> str:
    """The throttle family of a resource path: sub-resources count against their parent."""
    head = resource.split("/", 1)[0]
    if head == "atsIntegrations" and "/" in resource:
        return "integrationConfigurations"
    if head in PROSPECT_RESOURCES:
        return PROSPECT_FAMILY
    return head


def copy_limits() -> dict[str, Limit]:
    return {name: Limit(limit.per_day, limit.per_minute) for name, limit in LINKEDIN_LIMITS.items()}
