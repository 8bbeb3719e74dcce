"""Deterministic ATS data for sync tests: jobs, candidates, applications with stage
histories, notes; all valid, none confidential, so every record is expected on LinkedIn."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from recruitlink.core.records import Application, Candidate, Job, Note, StageTransition

DESCRIPTION = "<p>" + "We connect recruiting systems to LinkedIn Recruiter. " * 3 + "</p>"
STAGES = ["New", "Screen", "Interview", "Offer", "Hired"]
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def write_ats_data(store, tenant_id: int, candidates: int, *, seed: int = 7,
                   chunk: int = 500) -> None:
    rng = random.Random(seed)
    jobs = max(3, candidates // 50)
    with store.writer(tenant_id) as w:
        w.records("jobs", [(i, Job(id=f"J{i}", title=f"Role {i}", description=DESCRIPTION,
                                   location="Paris, FR",
                                   status="closed" if i % 5 == 0 else "open",
                                   published_at=BASE + timedelta(days=i)))
                           for i in range(jobs)], mode="create")
    for start in range(0, candidates, chunk):
        with store.writer(tenant_id) as w:
            ids = range(start, min(candidates, start + chunk))
            w.records("candidates", [(i, Candidate(
                id=f"C{i}", first_name=f"First{i}", last_name=f"Last{i}",
                emails=[f"person{i}@example.com"], current_title="Engineer",
                created_at=BASE + timedelta(hours=i))) for i in ids], mode="create")
            apps, stages, notes = [], [], []
            for i in ids:
                for n in range(rng.choice((1, 1, 2))):
                    app_id = f"A{i}-{n}"
                    apps.append((len(apps), Application(
                        id=app_id, candidate_id=f"C{i}", job_id=f"J{(i + n * 7) % jobs}")))
                    for s in range(rng.randint(1, 3)):
                        stages.append((len(stages), StageTransition(
                            id=f"{app_id}-S{s}", application_id=app_id, stage=STAGES[s],
                            entered_at=BASE + timedelta(hours=i, minutes=s))))
                if i % 3 == 0:
                    notes.append((len(notes), Note(id=f"N{i}", candidate_id=f"C{i}",
                                                   body=f"Note on {i}")))
            w.records("applications", apps, mode="create")
            w.records("stage_transitions", stages, mode="create")
            w.records("notes", notes, mode="create")
