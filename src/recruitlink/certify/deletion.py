"""Module 5, deletion (RSC-501..504; CRM-162..165): records deleted in the store, the sync's
deletes, and each record read back gone."""

from __future__ import annotations

from .harness import Harness


def deletion(run: Harness) -> None:
    crm = run.options.kind == "CRM"
    with run.case("CRM-162" if crm else "RSC-501") as check:
        run.delete("notes", "N1")
        run.sync()
        run.gone(check, "notes", "N1")
        run.there(check, "notes", "N2")
        run.delete("candidates", "C2")
        run.sync()
        run.gone(check, "candidates", "C2")
        run.gone(check, "notes", "N2")
    if crm:
        with run.case("CRM-163") as check:
            run.delete("project_memberships", "PM2")
            run.sync()
            run.gone(check, "project_memberships", "PM2")
        with run.case("CRM-164") as check:
            run.delete("projects", "P-OTHER")
            run.sync()
            run.gone(check, "projects", "P-OTHER")
            run.gone(check, "project_stages", "PS3")
        with run.case("CRM-165") as check:
            run.delete("interactions", "I1")
            run.sync()
            run.gone(check, "interactions", "I1")
        return
    with run.case("RSC-502") as check:
        run.delete("candidates", "C4")
        run.sync()
        run.gone(check, "candidates", "C4")
        run.gone(check, "applications", "A4")
    with run.case("RSC-503") as check:
        run.delete("notes", "AN1")
        run.delete("stage_transitions", "A1-S2")
        run.delete("interview_feedback", "F1")
        run.sync()
        run.gone(check, "notes", "AN1")
        run.gone(check, "stage_transitions", "A1-S2")
        run.gone(check, "interview_feedback", "F1")
        run.there(check, "applications", "A1")
        run.delete("applications", "A1")
        run.sync()
        run.gone(check, "applications", "A1")
        run.gone(check, "stage_transitions", "A1-S0", "A1-S1")
    with run.case("RSC-504") as check:
        run.delete("applications", "A2")
        run.sync()
        run.gone(check, "applications", "A2")
        run.gone(check, "stage_transitions", "A2-S0")
