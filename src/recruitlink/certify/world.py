"""The throwaway tenant's records: few, each there for a case (ids name what they are for).

Written through the store's Writer like any ATS data, so the sync sends them as it would a
customer's. Dates go back over two years, as LinkedIn asks of the history (RSC-201..203).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from recruitlink.core.records import (
    Application,
    Candidate,
    Evaluation,
    Interaction,
    InterviewFeedback,
    Job,
    Note,
    Project,
    ProjectMembership,
    ProjectStage,
    StageTransition,
    User,
)
from recruitlink.store import Store, Writer

DESCRIPTION = ("<p>Certification run of recruitlink against LinkedIn Recruiter System "
               "Connect: this job exists only for the run, on a throwaway tenant, and is "
               "closed and removed with it when the run ends.</p>")


@dataclass(frozen=True)
class People:
    """LinkedIn members the run uses: two hiring-team users (seat holders), a member to export
    and one a new candidate matches by email. None against LinkedIn itself."""

    first_user: str | None = None
    second_user: str | None = None
    exported: str | None = None
    matched_email: str | None = None
    matched_person: str | None = None
    """The member whose email `matched_email` is."""


def write_world(store: Store, tenant_id: int, *, crm: bool, people: People,
                now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    years_ago = now - timedelta(days=3 * 365)
    with store.writer(tenant_id) as w:
        w.records("users", [
            (0, User(id="U1", name="Certify First", email="certify.first@example.com",
                     role="recruiter", active=True, person_urn=people.first_user)),
            (1, User(id="U2", name="Certify Second", email="certify.second@example.com",
                     role="recruiter", active=True, person_urn=people.second_user))],
                  mode="create")
        w.records("jobs", [
            (0, Job(id="J-PUBLIC", title="Certification Engineer (public)",
                    description=DESCRIPTION, location="Paris, FR", status="open",
                    availability="public", published_at=years_ago, created_at=years_ago)),
            (1, Job(id="J-PRIVATE", title="Certification Engineer (private)",
                    description=DESCRIPTION, location="Paris, FR", status="open",
                    published_at=now - timedelta(days=30))),
            (2, Job(id="J-CLOSED", title="Certification Engineer (closed)",
                    description=DESCRIPTION, location="Paris, FR", status="closed",
                    published_at=years_ago, closed_at=now - timedelta(days=400))),
            (3, Job(id="J-SECURE", title="Certification Engineer (hiring team only)",
                    description=DESCRIPTION, location="Paris, FR", status="open",
                    published_at=now - timedelta(days=10), viewer_ids=["U1", "U2"]))],
                  mode="create")
        w.records("candidates", [
            (i, Candidate(id=f"C{i}", first_name="Certify", last_name=f"Candidate{i}",
                          emails=[f"certify.candidate{i}@example.com"],
                          current_title="Engineer", created_at=years_ago + timedelta(days=i)))
            for i in range(1, 5)], mode="create")
        w.records("applications", [
            (0, Application(id="A1", candidate_id="C1", job_id="J-PUBLIC",
                            created_at=years_ago)),
            (1, Application(id="A2", candidate_id="C1", job_id="J-PRIVATE")),
            (2, Application(id="A3", candidate_id="C2", job_id="J-SECURE")),
            (3, Application(id="A4", candidate_id="C4", job_id="J-PUBLIC"))], mode="create")
        w.records("stage_transitions", [
            (i, StageTransition(id=f"A1-S{i}", application_id="A1", stage=stage,
                                entered_at=years_ago + timedelta(days=i)))
            for i, stage in enumerate(("New", "Phone Interview", "Offer Extended"))]
            + [(3, StageTransition(id="A2-S0", application_id="A2", stage="New",
                                   entered_at=now - timedelta(days=20))),
               (4, StageTransition(id="A4-S0", application_id="A4", stage="New",
                                   entered_at=now - timedelta(days=1)))], mode="create")
        w.records("notes", [
            (0, Note(id="N1", candidate_id="C2", author_id="U1", body="First call went well",
                     visibility="public")),
            (1, Note(id="N2", candidate_id="C2", author_id="U1", body="Call back Monday",
                     visibility="public")),
            (2, Note(id="AN1", application_id="A1", author_id="U1", body="Great fit",
                     visibility="public"))], mode="create")
        w.records("interview_feedback", [
            (0, InterviewFeedback(id="F1", application_id="A1", interviewer_id="U1",
                                  interview_type="phone_screen", feedback="Clear and precise",
                                  evaluations=[Evaluation(attribute="Communication",
                                                          result="4/5")]))], mode="create")
        if crm:
            _crm_world(w, now)


def _crm_world(w: Writer, now: datetime) -> None:
    w.records("projects", [
        (0, Project(id="P-SHARED", title="Certification pool", shared_with_all=True,
                    locations=["Paris, FR"])),
        (1, Project(id="P-OTHER", title="Certification pool to delete", shared_with_all=True)),
        (2, Project(id="P-PRIVATE", title="Certification pool (private)",
                    shared_with_all=False))], mode="create")
    w.records("project_stages", [
        (0, ProjectStage(id="PS1", project_id="P-SHARED", name="Lead", category="lead",
                         position=0)),
        (1, ProjectStage(id="PS2", project_id="P-SHARED", name="Contacted",
                         category="contacted", position=1)),
        (2, ProjectStage(id="PS3", project_id="P-OTHER", name="Lead", category="lead",
                         position=0))], mode="create")
    w.records("project_memberships", [
        (0, ProjectMembership(id="PM1", project_id="P-SHARED", candidate_id="C1",
                              stage_id="PS1", source="LinkedIn")),
        (1, ProjectMembership(id="PM2", project_id="P-SHARED", candidate_id="C3",
                              stage_id="PS2", source="LinkedIn"))], mode="create")
    w.records("interactions", [
        (0, Interaction(id="I1", candidate_id="C1", project_id="P-SHARED", user_id="U1",
                        type="email", direction="outbound",
                        occurred_at=now - timedelta(days=2), subject="Hello"))],
              mode="create")
