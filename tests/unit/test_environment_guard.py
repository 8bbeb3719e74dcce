"""The environment guard's decision (core/environment.py) and its one place on the way out
(linkedin/http.py), with an in-memory LinkedIn (httpx.MockTransport) that counts requests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from recruitlink.core.assumed import token_answer
from recruitlink.core.environment import kept_refusal, refusal
from recruitlink.errors import EnvironmentRefused
from recruitlink.linkedin import LinkedInClient
from recruitlink.settings import Settings


@pytest.mark.parametrize(("instance", "app", "refused"), [
    ("production", "PRODUCTION", False), ("production", "DEVELOPMENT", False),
    ("production", None, False),
    ("staging", "PRODUCTION", True), ("staging", "DEVELOPMENT", False), ("staging", None, True),
    ("development", "PRODUCTION", True), ("development", "DEVELOPMENT", False),
    ("development", None, True),
])
def test_only_production_calls_a_production_app_and_unknown_is_refused(instance, app, refused):
    why = refusal(instance, app, "app-1")
    assert (why is not None) == refused
    if why:
        assert why.startswith(f"This instance is {instance}; ")
        assert "app-1" in why and "nothing is sent" in why


def test_what_a_connection_keeps_says_nothing_before_linkedin_was_asked():
    assert kept_refusal("staging", None, "app-1") is None
    assert "is production" in (kept_refusal("staging", "PRODUCTION", "app-1") or "")
    assert "did not say" in (kept_refusal("staging", "UNKNOWN", "app-1") or "")
    assert kept_refusal("staging", "DEVELOPMENT", "app-1") is None


def test_the_setting_defaults_to_development_and_refuses_other_values(monkeypatch):
    assert Settings().environment == "development"
    monkeypatch.setenv("RECRUITLINK_ENVIRONMENT", "prod")
    with pytest.raises(ValueError, match="environment"):
        Settings()


class FakeLinkedIn:
    def __init__(self, environment: str | None) -> None:
        self.environment = environment
        self.requests: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        if request.url.path == "/oauth/v2/accessToken":
            body: dict[str, Any] = token_answer(f"tok{len(self.requests)}", 1800, "DEVELOPMENT")
            if self.environment is None:
                body.pop("app_environment")
            else:
                body["app_environment"] = self.environment
            return httpx.Response(200, json=body)
        return httpx.Response(200, json={"results": {}, "errors": {}})


def client(fake: FakeLinkedIn, environment: str) -> LinkedInClient:
    return LinkedInClient(api_url="http://li.test", oauth_url="http://li.test",
                          client_id="cid", client_secret="secret",
                          http=httpx.Client(transport=httpx.MockTransport(fake.handle)),
                          api_version="v2", environment=environment)


KEY = {"atsCandidateId": "C1", "dataProvider": "ATS",
       "integrationContext": "urn:li:organization:1"}


@pytest.mark.parametrize("app", ["PRODUCTION", None])
def test_a_refused_write_sends_no_byte_and_the_token_is_asked_again_next_time(app):
    fake = FakeLinkedIn(app)
    li = client(fake, "staging")
    with pytest.raises(EnvironmentRefused) as refused:
        li.upsert("atsCandidates", [(KEY, {"firstName": "Ada"})])
    assert refused.value.app_environment == app
    with pytest.raises(EnvironmentRefused):
        li.get("atsCandidates", [KEY])
    # Only tokens were asked for: one per try (a refused token is forgotten, so a change on
    # LinkedIn's side is seen at the next try).
    assert fake.requests == ["POST /oauth/v2/accessToken"] * 2
    fake.environment = "DEVELOPMENT"
    li.upsert("atsCandidates", [(KEY, {"firstName": "Ada"})])
    assert fake.requests[-1] == "PUT /v2/atsCandidates"
    assert li.app_environment == "DEVELOPMENT"


def test_a_production_instance_calls_a_production_app():
    fake = FakeLinkedIn("PRODUCTION")
    li = client(fake, "production")
    li.upsert("atsCandidates", [(KEY, {"firstName": "Ada"})])
    assert fake.requests == ["POST /oauth/v2/accessToken", "PUT /v2/atsCandidates"]
