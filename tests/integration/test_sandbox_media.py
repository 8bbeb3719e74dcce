"""The sandbox's file uploads (design16 §5, reference §3.8, §8.2): hireMediaUrl hands out an
upload URL and a media URN; the upload streams, is checked for size and magic bytes and kept
in the sandbox's store; a CRM candidate's `resume` must name an uploaded resume media."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from recruitlink.core.files import DOCX, MAX_FILE_BYTES, PDF, TXT
from recruitlink.core.restli import encode_value
from recruitlink.sandbox.api import media
from tests.conftest import ORG
from tests.integration.test_sandbox_recruiter import members, seats_of
from tests.integration.test_sandbox_sync_records import (
    APPLICATIONS,
    CANDIDATES,
    delete,
    expect_write,
    get,
    put,
)
from tests.support import files
from tests.support.linkedin import (
    application_key,
    application_record,
    candidate_key,
    candidate_record,
)
from tests.support.official_client import OfficialClient


def media_url(li: Any, usage: str, content_type: str, **extra: Any) -> httpx.Response:
    return li.demo.request("POST", "/v2/hireMediaUrl",
                           json={"usageParameter": usage, "contentType": content_type, **extra})


def new_upload(li: Any, usage: str = "tcrmResumeParameters",
               content_type: str = PDF) -> tuple[str, str]:
    answer = media_url(li, usage, content_type, blobTtl=600)
    assert answer.status_code == 200, answer.text
    value = answer.json()["value"]
    assert value["uploadUrl"].startswith(li.url + "/media/upload/")
    assert value["mediaUrn"].startswith("urn:li:media:")
    return value["uploadUrl"], value["mediaUrn"]


def upload(url: str, data: bytes, content_type: str) -> httpx.Response:
    return httpx.put(url, content=files.pieces(data), headers={"Content-Type": content_type},
                     timeout=60)


def stored(li: Any, urn: str) -> bytes:
    sandbox = li.app.state.sandbox
    with sandbox.store.tx() as conn:
        return media.content(conn, urn)


def test_a_resume_uploads_streamed_and_a_crm_candidate_carries_it(li):
    url, urn = new_upload(li)
    data = files.pdf(700_000)
    assert upload(url, data, PDF).status_code == 201
    assert stored(li, urn) == data
    # The URL is single use.
    assert upload(url, data, PDF).status_code == 409

    key = candidate_key("C1", ORG)
    resume = {"media": urn, "fileName": "Jane Doe.pdf", "contentType": PDF}
    expect_write(put(li, CANDIDATES, [key], [candidate_record(resume=resume)]), ok=[key])
    got = get(li, CANDIDATES, [key])
    assert got.status_code == 200, got.text
    assert next(iter(got.json()["results"].values()))["resume"] == resume


def test_a_resume_record_must_name_an_uploaded_media_of_its_type(li):
    key = candidate_key("C1", ORG)
    url, urn = new_upload(li)
    resume = {"media": urn, "fileName": "cv.pdf", "contentType": PDF}
    errors = expect_write(put(li, CANDIDATES, [key], [candidate_record(resume=resume)]),
                          ok=[], failed=[(key, 422)])
    assert "is not an uploaded media" in next(iter(errors.values()))
    assert upload(url, files.pdf(), PDF).status_code == 201
    wrong_type = {**resume, "contentType": TXT}
    errors = expect_write(put(li, CANDIDATES, [key], [candidate_record(resume=wrong_type)]),
                          ok=[], failed=[(key, 422)])
    assert f"{urn} is {PDF}" in next(iter(errors.values()))
    attachment_url, attachment = new_upload(li, "rscAttachmentParameters", PDF)
    assert upload(attachment_url, files.pdf(), PDF).status_code == 201
    errors = expect_write(put(li, CANDIDATES, [key], [candidate_record(
        resume={**resume, "media": attachment})]), ok=[], failed=[(key, 422)])
    assert "uploaded for rscAttachmentParameters" in next(iter(errors.values()))


def test_uploads_are_checked_for_size_and_magic_bytes(li):
    url, urn = new_upload(li)
    refused = upload(url, files.docx(), PDF)
    assert refused.status_code == 400
    assert "not a PDF file" in refused.json()["message"]
    refused = upload(url, files.pdf(MAX_FILE_BYTES + 1), PDF)
    assert refused.status_code == 413
    assert "larger than 10 MB" in refused.json()["message"]
    refused = upload(url, b"plain words", TXT)
    assert refused.status_code == 400 and "Content-Type" in refused.json()["message"]
    assert stored(li, urn) == b""
    # A refused upload leaves the URL usable for the right file.
    assert upload(url, files.pdf(), PDF).status_code == 201

    docx_url, _ = new_upload(li, "rscAttachmentParameters", DOCX)
    assert upload(docx_url, files.zip_without_word(), DOCX).status_code == 400
    assert upload(docx_url, files.docx(), DOCX).status_code == 201
    assert httpx.put(li.url + "/media/upload/not-a-token", content=b"%PDF-1",
                     headers={"Content-Type": PDF}).status_code == 404


def test_hire_media_url_refuses_what_the_usage_does_not_take(li):
    docx = media_url(li, "tcrmResumeParameters", DOCX)
    assert docx.status_code == 400 and "/contentType" in docx.json()["message"]
    assert media_url(li, "videoParameters", PDF).status_code == 400
    assert media_url(li, "tcrmResumeParameters", PDF, blobTtl=0).status_code == 400
    assert media_url(li, "tcrmResumeParameters", PDF, colour="red").status_code == 400
    partner = li.partner.request("POST", "/v2/hireMediaUrl",
                                 json={"usageParameter": "tcrmResumeParameters",
                                       "contentType": PDF})
    assert partner.status_code == 403


# -- attachments: /rest only, driven with LinkedIn's official client (linkedin-api-client) ---

VERSION = "202604"
on_rest = pytest.mark.parametrize("official", [("rest", VERSION)], indirect=True)


def attachment_key(application: str, name: str) -> dict[str, str]:
    return {"atsJobApplicationId": application, "integrationContext": ORG,
            "externalAttachmentId": name}


class Attachments:
    """`/rest/attachments` through the official client, as the demo customer."""

    def __init__(self, li: Any, official: OfficialClient) -> None:
        demo = li.app.state.demo
        self.official = official
        self.token = official.token(demo.client_id, demo.client_secret)

    def put(self, keys: list[dict[str, str]], records: list[dict[str, Any]]) -> Any:
        return self.official.call("batch_update", resource_path="/attachments", ids=keys,
                                  entities=records, access_token=self.token)

    def statuses(self, answer: Any) -> dict[str, int]:
        assert answer.status_code == 200, answer.response.text
        body = answer.response.json()
        found = {k: v["status"] for k, v in (body.get("results") or {}).items()}
        found.update({k: v["status"] for k, v in (body.get("errors") or {}).items()})
        return found

    def errors(self, answer: Any) -> list[str]:
        return [e["message"] for e in (answer.response.json().get("errors") or {}).values()]

    def get(self, keys: list[dict[str, str]]) -> Any:
        return self.official.call("batch_get", resource_path="/attachments", ids=keys,
                                  access_token=self.token)

    def delete(self, keys: list[dict[str, str]]) -> Any:
        return self.official.call("batch_delete", resource_path="/attachments", ids=keys,
                                  access_token=self.token)


def key_text(key: dict[str, str]) -> str:
    return encode_value(key)


@on_rest
def test_an_application_carries_its_attachments_until_deleted(li, official):
    files_on = Attachments(li, official)
    app_key = application_key("A1", ORG)
    expect_write(put(li, APPLICATIONS, [app_key], [application_record()]), ok=[app_key])
    url, urn = new_upload(li, "rscAttachmentParameters", DOCX)
    key = attachment_key("A1", "F1")
    record = {"fileName": "cv.docx", "contentType": DOCX, "media": urn,
              "externalCreatedAt": 1700000000000}
    # Not uploaded yet: refused; once uploaded: attached.
    refused = files_on.put([key], [record])
    assert files_on.statuses(refused) == {key_text(key): 422}
    assert "is not an uploaded media" in files_on.errors(refused)[0]
    assert upload(url, files.docx(), DOCX).status_code == 201
    assert files_on.statuses(files_on.put([key], [record])) == {key_text(key): 204}
    assert files_on.get([key]).response.json()["results"][key_text(key)] == record

    other = attachment_key("A2", "F2")
    refused = files_on.put([other], [record])
    assert files_on.statuses(refused) == {key_text(other): 404}
    assert "A2 is not synced" in files_on.errors(refused)[0]

    assert files_on.statuses(files_on.delete([key])) == {key_text(key): 204}
    assert files_on.statuses(files_on.put([key], [record])) == {key_text(key): 204}
    expect_write(delete(li, APPLICATIONS, [app_key]), ok=[app_key])  # takes its files along
    assert files_on.get([key]).response.json()["statuses"][key_text(key)] == 404


def test_attachments_are_only_on_the_versioned_api(li):
    answer = get(li, "/v2/attachments", [attachment_key("A1", "F1")])
    assert answer.status_code == 404 and "/rest/attachments" in answer.json()["message"]


@on_rest
def test_the_recruiter_indicator_names_the_resume_and_the_attachments(li, official):
    holder = seats_of(li)[0]
    person = members(li)[0]["person"]
    resume_url, resume_urn = new_upload(li)
    assert upload(resume_url, files.pdf(), PDF).status_code == 201
    key = candidate_key("C1", ORG)
    resume = {"media": resume_urn, "fileName": "Ada Lovelace.pdf", "contentType": PDF}
    expect_write(put(li, CANDIDATES, [key], [candidate_record(
        manualMatchedMember=person, resume=resume)]), ok=[key])
    app_key = application_key("A1", ORG)
    expect_write(put(li, APPLICATIONS, [app_key], [application_record()]), ok=[app_key])
    url, urn = new_upload(li, "rscAttachmentParameters", DOCX)
    assert upload(url, files.docx(), DOCX).status_code == 201
    attachment = attachment_key("A1", "F1")
    files_on = Attachments(li, official)
    assert files_on.statuses(files_on.put([attachment], [{
        "fileName": "cover letter.docx", "contentType": DOCX, "media": urn,
        "externalCreatedAt": 1700000000000}])) == {key_text(attachment): 204}

    with httpx.Client(base_url=li.url, timeout=30) as page:
        page.post("/recruiter/login", data={"person": holder["person"], "next": "/recruiter/"})
        shown = page.get(f"/recruiter/profile/{person}").text
    assert re.findall(r'class="(resume|attachment)">[^<]*<span class="file-name">([^<]+)<',
                      shown) == [("resume", "Ada Lovelace.pdf"),
                                 ("attachment", "cover letter.docx")]
