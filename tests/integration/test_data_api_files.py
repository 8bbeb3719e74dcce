"""Resumes and attachments through the data API, over real HTTP, on SQLite and PostgreSQL:
streamed in (chunked bodies) and stored in <= 256 KiB chunks, downloaded byte for byte,
refused with a 4xx naming the field when too big, of another type, or not what they claim."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from recruitlink.core.files import CHUNK_BYTES, DOCX, MAX_FILE_BYTES, PDF, TXT
from recruitlink.settings import Settings
from recruitlink.store import Store, schema
from recruitlink.store.tenants import Tenant
from recruitlink.web import create_app
from tests.integration.test_data_api import changes, client_for, error_of, new_key
from tests.support import files
from tests.support.servers import serve


@pytest.fixture
def client(store: Store, tenant: Tenant) -> Iterator[httpx.Client]:
    app = create_app(Settings(database_url=store.db.url), store=store)
    with serve(app) as url, client_for(url, new_key(store, tenant)) as http:
        assert http.post("/candidates", json={"id": "C1", "first_name": "Jane",
                                              "emails": ["jane@example.com"]}).status_code == 201
        assert http.post("/jobs", json={"id": "J1", "title": "Engineer"}).status_code == 201
        assert http.post("/applications", json={"id": "A1", "candidate_id": "C1",
                                                "job_id": "J1"}).status_code == 201
        yield http


def stored_rows(store: Store) -> tuple[int, int]:
    with store.reader() as conn:
        return (conn.execute(select(func.count()).select_from(schema.files)).scalar_one(),
                conn.execute(select(func.count()).select_from(schema.file_chunks)).scalar_one())


def put(client: httpx.Client, path: str, data: bytes, content_type: str,
        **params: Any) -> httpx.Response:
    return client.put(path, content=files.pieces(data), params=params,
                      headers={"Content-Type": content_type})


def test_a_resume_streams_in_chunks_and_downloads_byte_for_byte(client, store, tenant):
    data = files.pdf(1_300_000)
    answer = put(client, "/candidates/C1/resume", data, PDF, filename="Jane Doe.pdf")
    assert answer.status_code == 201, answer.text
    info = answer.json()
    assert (info["name"], info["content_type"], info["size"], info["sha256"]) == (
        "Jane Doe.pdf", PDF, len(data), hashlib.sha256(data).hexdigest())
    assert stored_rows(store) == (1, -(-len(data) // CHUNK_BYTES))
    with store.reader() as conn:
        sizes = [len(r.data) for r in conn.execute(select(schema.file_chunks.c.data))]
    assert max(sizes) <= CHUNK_BYTES

    download = client.get("/candidates/C1/resume")
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == PDF
    assert "Jane%20Doe.pdf" in download.headers["content-disposition"]
    listed = client.get("/candidates/C1/files").json()["data"]
    assert [(f["name"], f["download"]) for f in listed] == [
        ("Jane Doe.pdf", "/api/v1/candidates/C1/resume")]
    assert ("files", info["id"], "create") in changes(store, tenant)

    # A new resume replaces the old one: the same file, updated.
    again = put(client, "/candidates/C1/resume", b"Jane Doe\nEngineer\n", TXT)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == info["id"] and again.json()["name"] == "resume.txt"
    assert client.get("/candidates/C1/resume").content == b"Jane Doe\nEngineer\n"
    assert stored_rows(store) == (1, 1)


def test_an_application_attachment_round_trip_list_and_delete(client, store, tenant):
    data = files.docx()
    answer = put(client, "/applications/A1/attachments/cv.docx", data, DOCX)
    assert answer.status_code == 201, answer.text
    listed = client.get("/applications/A1/attachments").json()["data"]
    assert [(f["name"], f["size"]) for f in listed] == [("cv.docx", len(data))]
    assert client.get("/applications/A1/attachments/cv.docx").content == data
    assert [f["owner"] for f in client.get("/candidates/C1/files").json()["data"]] == [
        "applications/A1"]

    assert client.delete("/applications/A1/attachments/cv.docx").status_code == 204
    assert ("files", answer.json()["id"], "delete") in changes(store, tenant)
    assert error_of(client.get("/applications/A1/attachments/cv.docx"), 404) == {
        "name": "application 'A1' has no file 'cv.docx'"}
    assert stored_rows(store) == (0, 0)


def test_files_go_with_their_candidate(client, store, tenant):
    assert put(client, "/candidates/C1/resume", files.pdf(), PDF).status_code == 201
    assert put(client, "/applications/A1/attachments/a.pdf", files.pdf(),
               PDF).status_code == 201
    assert client.delete("/candidates/C1").status_code == 204
    assert stored_rows(store) == (0, 0)
    assert [op for entity, _, op in changes(store, tenant) if entity == "files"].count(
        "delete") == 2


def test_a_file_over_10_mb_is_refused_while_it_streams_and_nothing_is_kept(client, store):
    data = files.pdf(MAX_FILE_BYTES + 1)
    errors = error_of(put(client, "/candidates/C1/resume", data, PDF), 413)
    assert "larger than 10 MB" in errors["body"]
    assert stored_rows(store) == (0, 0)
    # Announced by its Content-Length: refused before a byte is read.
    errors = error_of(client.put("/candidates/C1/resume", content=data,
                                 headers={"Content-Type": PDF}), 413)
    assert "larger than 10 MB" in errors["body"]


@pytest.mark.parametrize(("data", "content_type", "status", "field", "words"), [
    (files.docx(), PDF, 400, "body", "not a PDF file"),
    (files.pdf(), "application/msword", 400, "body", "not a DOC file"),
    (files.zip_without_word(), DOCX, 400, "body", "holding word/"),
    (b"caf\xe9 latin-1", TXT, 400, "body", "valid UTF-8"),
    (b"text\x00with NUL", TXT, 400, "body", "NUL"),
    (b"", PDF, 400, "body", "empty"),
    (files.pdf(), "image/png", 415, "Content-Type", "'image/png' is not accepted"),
])
def test_a_file_that_is_not_what_it_claims_is_refused_naming_the_field(
        client, store, data, content_type, status, field, words):
    errors = error_of(put(client, "/candidates/C1/resume", data, content_type), status)
    assert words in errors[field]
    assert stored_rows(store) == (0, 0)


def test_unknown_owners_and_bad_names(client):
    assert error_of(put(client, "/candidates/nobody/resume", files.pdf(), PDF), 404) == {
        "id": "no candidate with id 'nobody'"}
    assert error_of(client.get("/candidates/C1/resume"), 404) == {
        "name": "candidate 'C1' has no resume"}
    assert error_of(client.get("/applications/nope/attachments"), 404) == {
        "id": "no application with id 'nope'"}


def test_other_methods_on_file_paths_are_405_not_record_writes(client):
    answer = client.patch("/candidates/C1/resume", json={"first_name": "X"})
    assert error_of(answer, 405) == {"method": "PATCH is not allowed on "
                                               "/api/v1/candidates/C1/resume"}
    assert answer.headers["allow"] == "DELETE, GET, HEAD, PUT"
    assert client.put("/applications/A1/attachments", json={}).status_code == 405
    assert client.get("/candidates/C1").json()["first_name"] == "Jane"


def test_two_uploads_finishing_into_one_slot_leave_one_file(client, store, tenant):
    # Both staged before either finishes, as two servers would.
    from recruitlink.store import files as stored_files

    first, second = (stored_files.begin(store, tenant.id, "candidates", "C1", slot="resume",
                                        file_name=name, content_type=PDF)
                     for name in ("one.pdf", "two.pdf"))
    assert first is not None and second is not None
    for file_id, data in ((first, files.pdf(1000)), (second, files.pdf(2000))):
        stored_files.append(store, file_id, 0, data)
    one = stored_files.finish(store, tenant.id, first, size=1000, sha256="a" * 64)
    two = stored_files.finish(store, tenant.id, second, size=2000, sha256="b" * 64)
    assert one is not None and two is not None
    assert (one[1], two[1]) == (True, False) and one[0].id == two[0].id
    assert stored_rows(store) == (1, 1)
    assert client.get("/candidates/C1/resume").content == files.pdf(2000)
    # What makes that safe across servers: the database refuses a second complete file.
    row = {"tenant_id": tenant.id, "external_id": "dup", "owner_entity": "candidates",
           "owner_id": one[0].owner_id, "slot": "resume", "file_name": "x.pdf",
           "content_type": PDF, "size": 1, "complete": True, "created_at": 1,
           "modified_at": 1}
    with pytest.raises(IntegrityError), store.db.write() as conn:
        conn.execute(schema.files.insert().values(**row))
