"""What each milestone unlocks, in the workspace's words (seed: PageUp CRM Connect): a CRM
Connect workspace's Sync logs said "pools and vacancies", one CRM's words, where its own
pages say pipelines (projects)."""

from __future__ import annotations

from recruitlink.core.milestones import MILESTONES, features


def test_crm_unlocks_name_pipelines_not_one_crms_pools_and_vacancies():
    words = " ".join(f for m in MILESTONES for f in features(m, "CRM"))
    assert "pool" not in words and "vacanc" not in words
    assert "Exporting a LinkedIn member into any pipeline (project) shared with all " \
           "recruiters" in words
    assert "Each candidate's pipelines" in words


def test_ats_unlocks_keep_jobs():
    words = " ".join(f for m in MILESTONES for f in features(m, "RSC"))
    assert "pipeline" not in words and "job" in words
