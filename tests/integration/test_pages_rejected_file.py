"""A file LinkedIn will not take (a DOCX as a CRM resume: a rejected record with its reason)
says so next to it on the candidate page; once replaced by one it takes, the note goes. Over
the sandbox on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest

from recruitlink.core.files import DOCX, PDF
from recruitlink.settings import Settings
from recruitlink.store.tenants import tenant_by_slug
from recruitlink.web import create_app
from tests.integration.test_pages_candidate_files import signed_in, workspace
from tests.integration.test_sync_engine import connected, run_until_idle
from tests.integration.test_sync_resumes import engine  # noqa: F401  (a pytest fixture)
from tests.support import files
from tests.support.files import put_file
from tests.support.keys import TEST_SECRET_KEY
from tests.support.servers import serve

pytestmark = pytest.mark.timeout(300)

REFUSED = ("LinkedIn did not take this file: LinkedIn takes PDF, DOC, TXT for CRM resumes, "
           "not DOCX")


def file_line(page: str, name: str) -> str:
    found = re.search(r"<li data-file=[^>]*>.*?</li>", page, re.S)
    assert found and name in found.group(0), page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def test_a_file_linkedin_refused_says_why_next_to_it(store, engine, li):  # noqa: F811
    tenant_id = workspace(store, "acme")
    put_file(store, tenant_id, "candidates", "C1", "resume", "ada.docx", DOCX, files.docx())
    with store.reader() as conn:
        connected(store, engine, li, tenant_by_slug(conn, "acme"))
    run_until_idle(engine, tenant_id)
    app = create_app(Settings(secret_key=TEST_SECRET_KEY, inbound_worker=False,
                              background_sync=False, pollers=False), store)
    with serve(app) as url, signed_in(url, "acme") as client:
        assert REFUSED in file_line(client.get("/t/acme/candidates/C1").text, "ada.docx")
        put_file(store, tenant_id, "candidates", "C1", "resume", "ada.pdf", PDF,
                 files.pdf(1000))
        run_until_idle(engine, tenant_id)
        line = file_line(client.get("/t/acme/candidates/C1").text, "ada.pdf")
        assert "LinkedIn did not take" not in line
