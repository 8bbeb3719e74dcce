"""The candidate page lists the candidate's resume and its applications' files, each a
download link for the signed-in user of that workspace only (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import select

from recruitlink.core.files import DOCX, MAX_FILE_BYTES, PDF
from recruitlink.core.records import Application, Candidate, Job, User
from recruitlink.settings import Settings
from recruitlink.store import accounts, schema
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.integration.test_sync_engine import connected, records, run_until_idle
from tests.integration.test_sync_resumes import (  # noqa: F401  (engine: a pytest fixture)
    engine,
    media_bytes,
    seed_people,
)
from tests.support import files
from tests.support.files import put_file
from tests.support.keys import TEST_SECRET_KEY
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


# -- Managing the files from the page ---------------------------------------------------------

def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def upload_form(page: str, key: str) -> tuple[str, str]:
    """The action of the file form `key` ("resume" or an application's id) and its token."""
    found = re.search(rf'data-form="{key}" action="([^"]+)"', page)
    assert found, page
    return found.group(1), csrf(page)


def error_of(page: str, key: str) -> str:
    found = re.search(rf'data-form="{key}".*?class="field-error"[^>]*>([^<]*)<', page, re.S)
    assert found, page
    return found.group(1)


def listed(page: str) -> dict[str, str]:
    """File name -> its file id, as the page lists them."""
    return {name: file_id for file_id, name in re.findall(
        r'<li data-file="([^"]+)"><a href="[^"]+" download>([^<]+)</a>', page)}


def stored_rows(store) -> list[tuple[str, str, bool]]:
    with store.reader() as conn:
        return sorted((r.file_name, r.slot, r.complete) for r in conn.execute(
            select(schema.files.c.file_name, schema.files.c.slot, schema.files.c.complete)))


def file_changes(store) -> list[tuple[str, str]]:
    """What the sync will read: the files' changelog entries (op, file id)."""
    with store.reader() as conn:
        return [(r.op, r.external_id) for r in conn.execute(
            select(schema.changelog.c.op, schema.changelog.c.external_id)
            .where(schema.changelog.c.entity == "files").order_by(schema.changelog.c.seq))]


def test_a_recruiter_uploads_replaces_and_removes_files_from_the_candidate_page(store):
    workspace(store, "acme")
    workspace(store, "other")
    app = create_app(Settings(secret_key=KEY, inbound_worker=False), store)
    first, second, cover = files.pdf(400_000), files.docx(), b"Dear team,\nhello.\n"
    with serve(app) as url, signed_in(url, "acme") as client, \
            signed_in(url, "other") as stranger:
        page = client.get("/t/acme/candidates/C1").text
        assert "upload one with the data API" not in page
        action, token = upload_form(page, "resume")
        # Upload: a 303 back to the page, which lists it and says so.
        done = client.post(action, data={"csrf_token": token},
                           files={"file": ("Ada CV.pdf", first, PDF)})
        assert done.status_code == 303, done.text
        shown = client.get(done.headers["location"])
        assert "Uploaded “Ada CV.pdf”" in shown.text
        resume_id = listed(shown.text)["Ada CV.pdf"]
        assert client.get(f"/t/acme/candidates/C1/files/{resume_id}").content == first
        assert file_changes(store) == [("create", resume_id)]
        # Replace: the same file (the same id: the sync updates LinkedIn's copy).
        action, token = upload_form(shown.text, "resume")
        assert "Replace the resume" in shown.text
        done = client.post(action, data={"csrf_token": token},
                           files={"file": ("Ada CV 2026.docx", second, DOCX)})
        assert done.status_code == 303, done.text
        shown = client.get(done.headers["location"])
        assert "Replaced with “Ada CV 2026.docx”" in shown.text
        assert listed(shown.text) == {"Ada CV 2026.docx": resume_id}
        assert client.get(f"/t/acme/candidates/C1/files/{resume_id}").content == second
        # A file on the application; the browser did not know the type: its extension says.
        action, token = upload_form(shown.text, "A1")
        done = client.post(action, data={"csrf_token": token},
                           files={"file": ("cover.txt", cover, "application/octet-stream")})
        assert done.status_code == 303, done.text
        shown = client.get(done.headers["location"])
        cover_id = listed(shown.text)["cover.txt"]
        assert "attached to the application for Engineer" in shown.text
        assert stored_rows(store) == [("Ada CV 2026.docx", "resume", True),
                                      ("cover.txt", "cover.txt", True)]
        # Remove needs the token too; then the file is gone from the page and the store.
        remove = f"/t/acme/candidates/C1/files/{cover_id}/remove"
        assert client.post(remove, data={}).status_code == 403
        done = client.post(remove, data={"csrf_token": csrf(shown.text)})
        assert done.status_code == 303
        shown = client.get(done.headers["location"])
        assert "Removed “cover.txt”" in shown.text
        assert set(listed(shown.text)) == {"Ada CV 2026.docx"}
        assert client.get(f"/t/acme/candidates/C1/files/{cover_id}").status_code == 404
        assert file_changes(store) == [("create", resume_id), ("update", resume_id),
                                       ("create", cover_id), ("delete", cover_id)]
        # Another workspace's user: the candidate is not theirs (404), whatever the form.
        other_token = csrf(stranger.get("/t/other/candidates/C1").text)
        for path in ("/t/acme/candidates/C1/resume",
                     "/t/acme/candidates/C1/applications/A1/files",
                     f"/t/acme/candidates/C1/files/{resume_id}/remove"):
            answer = stranger.post(path.replace("/t/acme/", "/t/other/")
                                   if path.endswith("/remove") else path,
                                   data={"csrf_token": other_token},
                                   files={"file": ("x.pdf", first, PDF)})
            assert answer.status_code == 404, (path, answer.status_code)
        assert set(listed(client.get("/t/acme/candidates/C1").text)) == {"Ada CV 2026.docx"}


def test_the_page_refuses_a_file_too_big_of_a_wrong_type_or_without_the_token(store):
    workspace(store, "acme")
    app = create_app(Settings(secret_key=KEY, inbound_worker=False), store)
    with serve(app) as url, signed_in(url, "acme") as client:
        page = client.get("/t/acme/candidates/C1").text
        action, token = upload_form(page, "resume")
        cases = [
            (("big.pdf", files.pdf(MAX_FILE_BYTES + 1), PDF), 413,
             "“big.pdf” was not uploaded: the file is larger than 10 MB (10,485,760 bytes)."),
            (("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png"), 415,
             "“photo.png” was not uploaded: its type (image/png) is not accepted; upload a PDF, "
             "DOC, DOCX or TXT file."),
            (("fake.pdf", b"MZ\x90\x00 not a pdf at all", PDF), 400,
             "“fake.pdf” was not uploaded: does not match Content-Type application/pdf: the "
             "bytes are not a PDF file"),
        ]
        for part, status, message in cases:
            answer = client.post(action, data={"csrf_token": token}, files={"file": part})
            assert answer.status_code == status, answer.text
            assert error_of(answer.text, "resume").startswith(message), \
                error_of(answer.text, "resume")
            assert stored_rows(store) == []  # nothing kept, not even a pending upload
        # The same for an application's form; the error is next to that form only.
        action_a1, _ = upload_form(page, "A1")
        answer = client.post(action_a1, data={"csrf_token": token},
                             files={"file": ("notes.txt", b"\xff\xfe\x00bad", "text/plain")})
        assert answer.status_code == 400
        assert "a text file must" in error_of(answer.text, "A1")
        resume_form = re.search(r'data-form="resume".*?</form>', answer.text, re.S)
        assert resume_form and "field-error" not in resume_form.group(0)
        # Without a file, or without the CSRF token.
        answer = client.post(action, data={"csrf_token": token},
                             files={"file": ("", b"", "application/octet-stream")})
        assert answer.status_code == 400
        assert error_of(answer.text, "resume") == "Choose a file to upload."
        answer = client.post(action, data={"csrf_token": "0" * 64},
                             files={"file": ("cv.pdf", files.pdf(), PDF)})
        assert answer.status_code == 403
        assert client.post(action, files={"file": ("cv.pdf", files.pdf(), PDF)}
                           ).status_code == 403
        # An application that is not this candidate's.
        assert client.post("/t/acme/candidates/C1/applications/A9/files",
                           data={"csrf_token": token},
                           files={"file": ("cv.pdf", files.pdf(), PDF)}).status_code == 404
        assert stored_rows(store) == [] and file_changes(store) == []


def test_a_body_that_says_it_is_far_too_big_is_refused_before_it_is_read(store):
    workspace(store, "acme")
    app = create_app(Settings(secret_key=KEY, inbound_worker=False), store)
    with serve(app) as url, signed_in(url, "acme") as client:
        page = client.get("/t/acme/candidates/C1").text
        action, _ = upload_form(page, "resume")
        answer = client.post(action, content=b"-" * (MAX_FILE_BYTES + 100_000),
                             headers={"content-type": "multipart/form-data; boundary=x"})
        assert answer.status_code == 413
        assert error_of(answer.text, "resume") == \
            "The file was not uploaded: it is larger than 10 MB."
        # Without a Content-Length (chunked), reading stops past the largest form.
        answer = client.post(action, content=files.pieces(b"-" * (MAX_FILE_BYTES + 200_000)),
                             headers={"content-type": "multipart/form-data; boundary=x"})
        assert answer.status_code == 413
        assert "content-length" not in answer.request.headers
        assert error_of(answer.text, "resume") == \
            "The file was not uploaded: it is larger than 10 MB."
        assert stored_rows(store) == []


def test_a_resume_uploaded_from_the_page_is_sent_by_the_sync_and_removed_with_it(
        store, engine, li):  # noqa: F811
    """The page's upload is an ordinary stored file: the sync sends it (here a CRM tenant's
    resume through hireMediaUrl) and its removal takes LinkedIn's copy away."""
    tenant = make_tenant(store, "beamish", kind="CRM")
    seed_people(store, tenant.id)
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Rita", email="rita@beamish.example",
                                     role="recruiter"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    resume = files.pdf(300_000)
    # The test runs the sync itself (the engine's key: it reads the stored connection).
    app = create_app(Settings(secret_key=TEST_SECRET_KEY, inbound_worker=False,
                              background_sync=False, pollers=False), store)
    with serve(app) as url, signed_in(url, "beamish") as client:
        action, token = upload_form(client.get("/t/beamish/candidates/C1").text, "resume")
        done = client.post(action, data={"csrf_token": token},
                           files={"file": ("Ada.pdf", resume, PDF)})
        assert done.status_code == 303, done.text
        run_until_idle(engine, tenant.id)
        sent = records(li, "atsCandidates")["C1"]["resume"]
        assert sent["fileName"] == "Ada.pdf" and media_bytes(li, sent["media"]) == resume
        page = client.get("/t/beamish/candidates/C1").text
        done = client.post(f"/t/beamish/candidates/C1/files/{listed(page)['Ada.pdf']}/remove",
                           data={"csrf_token": csrf(page)})
        assert done.status_code == 303
        run_until_idle(engine, tenant.id)
        assert "resume" not in records(li, "atsCandidates")["C1"]
