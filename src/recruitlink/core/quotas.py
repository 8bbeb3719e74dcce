"""LinkedIn's quotas as an admin sees them: how much of each is used, how much is left, when
it resets, and whether it is close enough to the end to warn (issue 19: "quotas in sight").

Three kinds: One-Click Exports per Recruiter seat per calendar month (UTC), and the app's
budgets per resource family: requests per UTC day and records per minute (`core/limits.py`).
The InMail, stub profile and note reads share one daily budget (`prospectInteractions`): the
stub-query cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .limits import PROSPECT_FAMILY

WARN_SHARE = 0.8
"""A quota at or past this share of its limit is flagged, before LinkedIn starts refusing."""

FAMILY_LABELS: dict[str, str] = {
    "atsIntegrations": "Integration status reads",
    "integrationConfigurations": "Integration settings",
    "simpleJobPostings": "Jobs",
    "simpleJobPostingTasks": "Job task polls",
    "atsCandidates": "Candidates",
    "atsApplications": "Applications",
    "atsEntityAcls": "Record access lists",
    "atsEntityAclAssignees": "Access list members",
    "tcrmPipelines": "CRM projects",
    "tcrmPipelineStages": "CRM project stages",
    "tcrmCandidatePipelines": "CRM project candidates",
    "tcrmInteractions": "CRM interactions",
    PROSPECT_FAMILY: "InMail, stub profile and note reads",
}
"""What each throttle family holds, in the pages' words."""


@dataclass(frozen=True)
class Quota:
    used: int
    limit: int
    resets_at: int
    """Epoch milliseconds when the count starts again (the window's oldest entry leaves, for
    the sliding minute)."""

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else 1.0

    @property
    def warning(self) -> bool:
        return self.share >= WARN_SHARE

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit

    def as_json(self) -> dict[str, object]:
        return {"used": self.used, "limit": self.limit, "left": self.left,
                "percentUsed": round(100 * self.share, 1), "warning": self.warning,
                "exhausted": self.exhausted, "resetsAt": self.resets_at}


def month_start_ms(now_ms: int) -> int:
    """The first millisecond of `now_ms`'s calendar month, UTC (LinkedIn's export month)."""
    now = datetime.fromtimestamp(now_ms / 1000, UTC)
    return int(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)


def next_month_ms(now_ms: int) -> int:
    now = datetime.fromtimestamp(now_ms / 1000, UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp() * 1000)


def next_midnight_ms(now_ms: int) -> int:
    """The next 00:00 UTC, when LinkedIn's daily counters reset."""
    day = 86_400_000
    return (now_ms // day + 1) * day


def month_label(now_ms: int) -> str:
    return datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%B %Y")


def family_label(family: str) -> str:
    return FAMILY_LABELS.get(family, family)


SUBRESOURCE_LABELS: dict[str, str] = {
    "atsCandidates/notes": "Candidate notes",
    "atsCandidates/resume": "Candidate resumes",
    "atsApplications/stages": "Application stages",
    "atsApplications/notes": "Application notes",
    "atsApplications/interviewFeedback": "Interview feedback",
    "attachments": "Application files",
}


def resource_label(resource: str) -> str:
    """A LinkedIn resource in the pages' words (what the disconnect deletes), else its name."""
    return SUBRESOURCE_LABELS.get(resource) or FAMILY_LABELS.get(resource, resource)
