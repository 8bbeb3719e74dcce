"""The candidate page lists the candidate's resume and its applications' files, each a
download link for the signed-in user of that workspace only (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from recruitlink.core.files import DOCX, PDF
from recruitlink.core.records import Application, Candidate, Job, User
from recruitlink.settings import Settings
from recruitlink.store import accounts
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.support import files
from tests.support.files import put_file
from tests.support.servers import serve

KEY = "pages-files-key-at-least-32-characters-long"
PASSWORD = "correct horse battery"


def workspace(store, slug: str) -> int:
    tenant = make_tenant(store, slug, kind="BOTH")
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Rita", email=f"rita@{slug}.example",
                                     role="recruiter"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ada",
                                               emails=["ada@example.com"]))], mode="create")
        w.records("jobs", [(0, Job(id="J1", title="Engineer"))], mode="create")
        w.records("applications", [(0, Application(id="A1", candidate_id="C1", job_id="J1"))],
                  mode="create")
    return tenant.id


@contextmanager
def signed_in(url: str, slug: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as client:
        answer = client.post("/login", data={"workspace": slug,
                                             "email": f"rita@{slug}.example",
                                             "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        yield client


def test_the_candidate_page_lists_and_downloads_the_candidates_files(store):
    acme = workspace(store, "acme")
    workspace(store, "other")
    resume, attachment = files.pdf(300_000), files.docx()
    put_file(store, acme, "candidates", "C1", "resume", "Ada Lovelace.pdf", PDF, resume)
    put_file(store, acme, "applications", "A1", "cover.docx", "cover.docx", DOCX, attachment)
    app = create_app(Settings(secret_key=KEY, inbound_worker=False), store)
    with serve(app) as url, signed_in(url, "acme") as client, \
            signed_in(url, "other") as stranger:
        page = client.get("/t/acme/candidates/C1")
        assert page.status_code == 200
        links = dict((name, href) for href, name in re.findall(
            r'<a href="([^"]+/files/[^"]+)" download>([^<]+)</a>', page.text))
        assert set(links) == {"Ada Lovelace.pdf", "cover.docx"}
        got = client.get(links["Ada Lovelace.pdf"])
        assert got.status_code == 200 and got.content == resume
        assert got.headers["content-type"] == PDF
        assert client.get(links["cover.docx"]).content == attachment
        # Another workspace's user cannot read it, even with the link.
        assert stranger.get(links["cover.docx"].replace("/t/acme/", "/t/other/")
                            ).status_code == 404
        assert client.get("/t/acme/candidates/C1/files/nope").status_code == 404
        # Without files (the other workspace's C1), the page says how to add one.
        assert "No resume or file yet" not in page.text
        assert "No resume or file yet" in stranger.get("/t/other/candidates/C1").text
