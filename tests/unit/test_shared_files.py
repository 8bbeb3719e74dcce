"""The Setup page's "What will be shared" names resumes for CRM tenants, and applications'
files (with their condition) for every tenant: the sync sends them (sync/items.py)."""

from __future__ import annotations

from recruitlink.web.pages.setup_flow import shared_data


def titles(kind: str) -> list[str]:
    return [group.title for group in shared_data(kind)]


def test_crm_tenants_are_told_their_resumes_are_shared():
    assert "Resumes" in titles("CRM")
    resumes = next(g for g in shared_data("CRM") if g.title == "Resumes")
    assert "PDF, DOC or TXT" in resumes.fields[0]


def test_rsc_tenants_are_told_application_files_need_the_versioned_api():
    assert "Resumes" not in titles("ATS")
    files = next(g for g in shared_data("ATS") if g.title == "Application files")
    assert "Only with LinkedIn's versioned API" in files.fields
