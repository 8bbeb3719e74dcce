"""Two things are called "resume": the link a candidate's ATS record carries (`resume`: a file
name, size and URL kept in the record) and the file uploaded to the files store (what the sync
sends to LinkedIn). The candidate page's "Resume and files" card shows the record's link too,
labelled for what it is, with a safe URL; the data API's OpenAPI says the same (SQLite and
PostgreSQL)."""

from __future__ import annotations

import html
import re

import httpx

from recruitlink.core.files import PDF
from recruitlink.core.records import Candidate, Resume
from recruitlink.settings import Settings
from recruitlink.web import create_app
from tests.integration.test_pages_candidate_files import KEY, signed_in, workspace
from tests.support.servers import serve

LINK = "https://files.acme.example.com/resumes/C2"
LABEL = "a link kept in the ATS record, not sent to LinkedIn (only an uploaded file is sent)"


def card(page: str) -> str:
    found = re.search(r'<section class="card" id="files">.*?</section>', page, re.S)
    assert found, page
    return found.group(0)


def words(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_files_card_shows_the_records_resume_link_and_the_api_says_what_it_is(store):
    acme = workspace(store, "acme")
    with store.writer(acme) as w:
        w.records("candidates", [
            (0, Candidate(id="C2", first_name="Grace", resume=Resume(
                filename="Grace_Hopper_resume.pdf", content_type=PDF, size=48_213, url=LINK))),
            (1, Candidate(id="C3", first_name="Linus", resume=Resume.model_construct(
                filename="old.pdf", content_type=PDF, size=10, url="javascript:alert(1)")))],
            mode="create")
    app = create_app(Settings(secret_key=KEY, inbound_worker=False), store)
    with serve(app) as url, signed_in(url, "acme") as client:
        with_link = card(client.get("/t/acme/candidates/C2").text)
        assert f'href="{LINK}"' in with_link
        text = words(with_link)
        assert "Grace_Hopper_resume.pdf" in text and LABEL in text
        assert "No resume or file yet" not in text
        unsafe = card(client.get("/t/acme/candidates/C3").text)
        assert "javascript:" not in re.sub(r'class="inert-url">[^<]*<', "", unsafe)
        assert "old.pdf" in words(unsafe)
        assert "No resume or file yet" in words(card(client.get("/t/acme/candidates/C1").text))
        spec = httpx.get(f"{url}/openapi.json", timeout=60).json()
    described = spec["components"]["schemas"]["Candidate"]["properties"]["resume"]
    assert "not sent to LinkedIn" in described["description"]
    assert "uploaded file" in described["description"]
