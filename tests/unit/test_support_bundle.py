"""Support bundles' pure parts: what a failed call keeps (core/failed_calls.py: redacted,
bounded, refused entities seen in 2xx answers) and the zip (core/support_bundle.py)."""

from __future__ import annotations

import io
import json
import zipfile

from recruitlink.core.failed_calls import MAX_BODY, redacted, refused_entities
from recruitlink.core.redaction import REDACTED, clean
from recruitlink.core.support_bundle import BundleFacts, build, filename

TOKEN = "AQVtoken-abcdef-123456"
SECRET = "client-secret-xyz-987"


def failed_call(**changes):
    values = dict(
        method="PUT", url=f"http://li.test/rest/candidateNotes?ids=List(x)&access_token={TOKEN}",
        request_headers=[("Authorization", f"Bearer {TOKEN}"), ("Content-Type",
                                                                "application/json"),
                         ("Cookie", "li_at=abc")],
        request_body=json.dumps({"entities": {"k": {"note": "hi", "client_secret": SECRET},
                                              "cb": "https://x.test/linkedin/push/tok123"}}
                                ).encode(),
        status=200, response_headers=[("x-li-uuid", "uuid-1"), ("Set-Cookie", "s=1")],
        response_body=json.dumps({"errors": {"k": {"status": 404, "message": "gone"}}}
                                 ).encode(),
        started_at_ms=1_765_000_000_000, duration_ms=12, error=None, secrets=[TOKEN, SECRET])
    values.update(changes)
    return redacted(**values)


def test_a_kept_call_holds_no_secret_and_keeps_the_x_li_uuid():
    call = failed_call()
    kept = json.dumps([call.url, call.request_headers, call.request_body,
                       call.response_headers, call.response_body])
    for secret in (TOKEN, SECRET, "li_at=abc", "tok123", "s=1"):
        assert secret not in kept
    assert dict(call.request_headers)["Authorization"] == REDACTED
    assert dict(call.request_headers)["Content-Type"] == "application/json"
    assert call.li_uuid == "uuid-1" and call.status == 200
    assert '"note":"hi"' in (call.request_body or "")


def test_bodies_are_bounded():
    call = failed_call(request_body=b"x" * (MAX_BODY + 500))
    assert call.request_body is not None and len(call.request_body) < MAX_BODY + 100
    assert call.request_body.endswith("[500 more characters not kept]")


def test_refused_entities_in_2xx_answers():
    assert refused_entities(500, None)
    assert refused_entities(200, {"errors": {"k": {"status": 422}}})
    assert refused_entities(200, {"results": {"k": {"status": 404}}})
    assert refused_entities(200, {"elements": [{"status": 201}, {"status": 400}]})
    assert not refused_entities(200, {"results": {"k": {"status": 204}}, "errors": {}})
    assert not refused_entities(200, {"elements": [{"status": "x"}]})


def test_the_zip_has_a_readme_a_har_and_json_and_no_secret():
    call = failed_call()
    call.id, call.records = 7, [("notes", 3)]
    facts = BundleFacts(subject="call", subject_id=7, tenant="acme", client_id="cid",
                        version="0.1.0", created_at_ms=1_765_000_000_000, api="versioned")
    records = [{"id": 5, "batch_id": 2, "entity": "notes", "external_id": "N9",
                "field": None, "reason": f"gone (a stray {SECRET})", "source": "linkedin",
                "status": "open", "created_at": 1_765_000_000_000}]
    content = build(facts, records, [call], secrets=[SECRET])
    assert SECRET.encode() not in content and TOKEN.encode() not in content
    files = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(files.namelist()) == ["README.md", "bundle.json", "calls.har"]
    har = json.loads(files.read("calls.har"))
    assert har["log"]["version"] == "1.2"
    (entry,) = har["log"]["entries"]
    assert entry["request"]["method"] == "PUT" and entry["response"]["status"] == 200
    assert entry["comment"] == "x-li-uuid: uuid-1"
    doc = json.loads(files.read("bundle.json"))
    assert doc["xLiUuids"] == ["uuid-1"] and doc["bundle"]["clientId"] == "cid"
    readme = files.read("README.md").decode()
    assert "uuid-1" in readme and "notes N9" in readme and "client id" in readme
    assert filename(facts) == "recruitlink-support-acme-call-7-20251206T054640Z.zip"


def test_clean_takes_out_push_url_tokens():
    assert clean("https://a.test/linkedin/push/AbC_12-x?y") == \
        f"https://a.test/linkedin/push/{REDACTED}?y"
