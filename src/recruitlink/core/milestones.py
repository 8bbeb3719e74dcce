"""The five feature milestones of the initial sync, as the Tracker seed describes them, for
every tenant kind, each with the features it unlocks. Milestone 1 is the integration being
enabled; 2-5 complete when their streams (`sync/streams.py`, `Stream.milestone`) are done.
For RSC tenants "activities" are the notes and interview feedback, sent after applications;
CRM tenants add pipelines and interactions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Milestone:
    number: int
    key: str
    label: str
    features: tuple[str, ...]


ENABLED = "enabled"

MILESTONES: tuple[Milestone, ...] = (
    Milestone(1, ENABLED, "Integration enabled", (
        "'Export to ATS' on LinkedIn profiles",
        "Contact information shared in InMail reaches recruitlink",
        "New and changed candidates visible on LinkedIn profiles",
        "Shortlisting a LinkedIn member to new and changed jobs",
        "The LinkedIn profile on new and changed candidate records",
        "InMail synced to new and changed candidates",
        "A member closing their LinkedIn account is noted on new and changed candidates",
    )),
    Milestone(2, "jobs", "Job sync completed", (
        "Shortlisting a LinkedIn member to any job",
        "New and changed applications visible on LinkedIn profiles",
    )),
    Milestone(3, "candidates", "Candidate sync completed", (
        "All candidates visible on LinkedIn profiles",
        "New and changed candidate activities visible on LinkedIn profiles",
        "The LinkedIn profile on every candidate record",
        "InMail synced to every candidate",
        "A member closing their LinkedIn account is noted on every candidate",
    )),
    Milestone(4, "applications", "Application sync completed", (
        "All applications (shortlists) visible on LinkedIn profiles",
        "New and changed application activities visible on LinkedIn profiles",
    )),
    Milestone(5, "activities", "Activity sync completed", (
        "All candidate activities (notes) visible on LinkedIn profiles",
        "All application activities (notes, interview feedback) visible on LinkedIn profiles",
    )),
)
BY_KEY = {m.key: m for m in MILESTONES}

CRM_FEATURES: dict[str, tuple[str, ...]] = {
    # CRM Connect exports into pipelines (the workspace's projects shared with all
    # recruiters: Beamery's public pools and vacancies), not jobs; pipelines, their members
    # and interactions are sent with the activities. Named as the workspace's pages name
    # them (Exports, the candidate page: "pipeline P1"), not in one CRM's words.
    ENABLED: (
        "'Export to CRM' on LinkedIn profiles",
        "Contact information shared in InMail reaches recruitlink",
        "New and changed candidates visible on LinkedIn profiles",
        "The LinkedIn profile on new and changed candidate records",
        "InMail synced to new and changed candidates",
        "A member closing their LinkedIn account is noted on new and changed candidates",
    ),
    "jobs": ("Every open job listed in LinkedIn Recruiter",),
    "activities": (
        "All candidate notes visible on LinkedIn profiles",
        "Exporting a LinkedIn member into any pipeline (project) shared with all recruiters",
        "Each candidate's pipelines, and interactions (never their content), "
        "visible on LinkedIn profiles",
    ),
}


def features(milestone: Milestone, kind: str) -> tuple[str, ...]:
    """What the milestone unlocks for a connection of this kind (RSC or CRM)."""
    if kind == "CRM":
        return CRM_FEATURES.get(milestone.key, milestone.features)
    return milestone.features
