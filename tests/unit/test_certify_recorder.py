"""The certification report's calls: what is kept of each, and that no secret ever is."""

from __future__ import annotations

import json

import httpx

from recruitlink.certify.recorder import REDACTED, Recorder


def answering(recorder: Recorder, body: dict) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body, headers={"x-li-uuid": "uuid-1"})

    return httpx.Client(transport=httpx.MockTransport(handler), event_hooks=recorder.hooks())


def test_token_calls_keep_neither_the_credentials_nor_the_token():
    recorder = Recorder()
    with answering(recorder, {"access_token": "AQVsecret-token", "expires_in": 1800}) as http:
        http.post("https://api.example/oauth/v2/accessToken",
                  data={"client_id": "c", "client_secret": "s3cret"})
        with recorder.case("RSC-106"):
            http.get("https://api.example/v2/x?token=AQVsecret-token")
    text = json.dumps([c.__dict__ for calls in recorder.calls.values() for c in calls])
    assert "s3cret" not in text and "AQVsecret-token" not in text
    (call,) = recorder.calls["RSC-106"]
    assert call.li_uuid == "uuid-1" and call.path == f"/v2/x?token={REDACTED}"
    assert recorder.token_requests == [("POST", "application/x-www-form-urlencoded")]


def test_secret_named_fields_and_known_secrets_are_redacted_and_bodies_trimmed():
    recorder = Recorder()
    recorder.forget("child-secret")
    provisioned = {"key": "urn:li:developerApplication:1",
                   "credentials": {"client_id": "id", "client_secret": "anything"},
                   "note": "child-secret", "long": "x" * 5000}
    with answering(recorder, provisioned) as http:
        http.post("https://api.example/v2/provisionedApplications", json={"name": "n"},
                  headers={"X-RestLi-Method": "batch_create"})
    (call,) = recorder.calls["setup"]
    assert "anything" not in call.answer and "child-secret" not in call.answer
    assert '"credentials":"[redacted]"' in call.answer
    assert call.answer.endswith("bytes)") and len(call.answer) < 700
    assert call.request == '[batch_create] {"name":"n"}'


def test_a_secret_learnt_after_its_call_is_taken_out_of_that_call_too():
    recorder = Recorder()
    with answering(recorder, {"callback": "https://ats.example/linkedin/push/late-token"}) as http:
        http.put("https://api.example/v2/x", json={"url": "/linkedin/push/late-token"})
    recorder.forget("late-token")
    recorder.redact_all()
    (call,) = recorder.calls["setup"]
    assert "late-token" not in call.request + call.answer
