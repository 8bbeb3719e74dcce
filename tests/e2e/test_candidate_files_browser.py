"""A recruiter manages a candidate's resume from the candidate page in a real Chromium:
uploads a PDF, sees it listed with the page's flash line, downloads it byte for byte; a file
of the wrong type is refused with the reason next to the form (strict CSP: no script)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import Application, Candidate, Job, User
from recruitlink.settings import Settings
from recruitlink.store import accounts
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.support import files
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)
from tests.support.servers import serve

KEY = "pages-files-browser-key-at-least-32-characters-long"
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@pytest.mark.parametrize("browser_context_options", [{"accept_downloads": True}],
                         indirect=True)
def test_a_recruiter_uploads_a_resume_from_the_page_and_downloads_it(
        store, page, tmp_path: Path):  # noqa: F811
    tenant = make_tenant(store, "acme")
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Rita Recruiter",
                                     email="rita@acme.example", role="recruiter"))],
                  mode="create")
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ada", last_name="Lovelace",
                                               emails=["ada@example.com"]))], mode="create")
        w.records("jobs", [(0, Job(id="J1", title="Analytical Engineer"))], mode="create")
        w.records("applications", [(0, Application(id="A1", candidate_id="C1",
                                                    job_id="J1"))], mode="create")
    resume = files.pdf(120_000)
    app = create_app(Settings(secret_key=KEY, inbound_worker=False), store)
    with serve(app) as url:
        page.goto(f"{url}/t/acme/candidates/C1")
        page.get_by_label("Workspace").fill("acme")
        page.get_by_label("Email").fill("rita@acme.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Ada Lovelace").wait_for()
        files_box = page.locator("#files")
        assert "No resume or file yet." in files_box.inner_text()

        # A file that is not a resume: refused, the reason next to the form, nothing listed.
        page.get_by_label("Upload a resume").set_input_files(
            {"name": "holiday.png", "mimeType": "image/png",
             "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64})
        files_box.get_by_role("button", name="Upload", exact=True).click()
        error = page.locator('[data-form="resume"] .field-error')
        error.wait_for()
        assert error.inner_text() == ("“holiday.png” was not uploaded: its type (image/png) is "
                                      "not accepted; upload a PDF, DOC, DOCX or TXT file.")
        expect(files_box.locator("li[data-file]")).to_have_count(0)
        save_screenshot(page, "candidate_files_refused")

        # The PDF resume: uploaded, listed, the flash line says so.
        page.get_by_label("Upload a resume").set_input_files(
            {"name": "Ada Lovelace CV.pdf", "mimeType": "application/pdf", "buffer": resume})
        files_box.get_by_role("button", name="Upload", exact=True).click()
        flash = page.locator(".flash.notice")
        flash.wait_for()
        assert flash.inner_text() == ("Uploaded “Ada Lovelace CV.pdf”: it goes to LinkedIn with "
                                      "the next sync.")
        expect(page.locator('[data-form="resume"] .field-error')).to_have_count(0)
        link = files_box.get_by_role("link", name="Ada Lovelace CV.pdf")
        assert re.search(r"120,000 bytes", files_box.inner_text())
        assert page.get_by_label("Replace the resume").is_visible()
        save_screenshot(page, "candidate_files_uploaded")

        # Download it: the same bytes, under its name.
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == "Ada Lovelace CV.pdf"
        saved = tmp_path / "downloaded.pdf"
        download.save_as(saved)
        assert saved.read_bytes() == resume
        # No CSP violation or script error on the way (the one error: the refused upload's 415).
        errors = [m for m in console_of(page) if m.startswith("error")]
        assert errors == ["error: Failed to load resource: the server responded with a status "
                          "of 415 (Unsupported Media Type)"], errors
