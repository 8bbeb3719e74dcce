"""LinkedIn's official Python client (`linkedin-api-client`, module `linkedin_api`) pointed at a
sandbox, for tests that check the sandbox serves it unchanged.

The client's base URLs are module constants; the fixture points them at the sandbox for one
test. `family` chooses the API: "v2" (unversioned, the client's `NON_VERSIONED_BASE_URL`) or
"rest" (versioned: every call carries `LinkedIn-Version`). Parametrize the `official` fixture
indirectly with `("rest", "202604")` to get the versioned family.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
import linkedin_api.common.constants as li_constants
import pytest
from linkedin_api.clients.auth.client import AuthClient
from linkedin_api.clients.restli.client import RestliClient
from linkedin_api.clients.restli.utils.api import build_rest_url, get_restli_request_headers
from linkedin_api.clients.restli.utils.encoder import encode, param_encode


@dataclass
class OfficialClient:
    """`linkedin_api`'s RestliClient aimed at one sandbox and API family."""

    url: str
    family: str = "v2"
    version: str | None = None
    """`LinkedIn-Version` sent on every call of the versioned (`rest`) family."""
    restli: RestliClient = field(default_factory=RestliClient)
    _auth_clients: list[AuthClient] = field(default_factory=list)

    def token(self, client_id: str, client_secret: str) -> str:
        """A 2-legged token from the sandbox's OAuth endpoint, through the official client."""
        auth = AuthClient(client_id, client_secret)
        self._auth_clients.append(auth)
        response = auth.get_two_legged_access_token()
        assert response.status_code == 200, response.response.text
        return str(response.access_token)

    def call(self, method: str, **kwargs: Any) -> Any:
        """`RestliClient.<method>(**kwargs)`, with the version string for `rest`."""
        if self.family == "rest":
            kwargs.setdefault("version_string", self.version)
        return getattr(self.restli, method)(**kwargs)

    def batch_partial_update_compound(self, *, resource_path: str, ids: list[dict[str, Any]],
                                      patch_set_objects: list[dict[str, Any]],
                                      access_token: str,
                                      path_keys: dict[str, Any] | None = None) -> Any:
        """What `RestliClient.batch_partial_update` would send for compound keys, sent with
        httpx. The client cannot send it itself: it builds `dict(zip(ids, patches))`, and a
        compound key (a dict) is unhashable (TypeError, linkedin-api-client 0.3.0). Same URL,
        headers, encoded ids and body as its other batch methods; the answer is shaped like
        the client's BatchUpdateResponse (`status_code`, `results[key].status`, `response`)."""
        version = self.version if self.family == "rest" else None
        url = build_rest_url(resource_path, path_keys, version)
        headers = get_restli_request_headers(
            restli_method=li_constants.RESTLI_METHODS.BATCH_PARTIAL_UPDATE,
            access_token=access_token, version_string=version)
        body = {"entities": {encode(key): {"patch": {"$set": patch}}
                             for key, patch in zip(ids, patch_set_objects, strict=True)}}
        response = httpx.post(f"{url}?{param_encode({'ids': ids})}", headers=headers,
                              json=body, timeout=30)
        return _batch_update_response(response)

    def tunnelled_batch_update(self, *, resource_path: str, ids: list[Any],
                               entities: list[Any], access_token: str,
                               path_keys: dict[str, Any] | None = None) -> Any:
        """A BATCH_UPDATE whose query is over 4,000 characters, as linkedin_api's
        `maybe_apply_query_tunneling_requests_with_body` builds it (POST, X-HTTP-Method-Override:
        PUT, a multipart/mixed body: the form-encoded query, then the JSON entity), sent with
        httpx. The client cannot send it: it reads `CONTENT_TYPE.MULTIPART_MIXED_WITH_BOUNDARY
        .value(boundary)`, but a lambda in an Enum is a method, not a member, so that raises
        AttributeError (linkedin-api-client 0.3.0)."""
        version = self.version if self.family == "rest" else None
        url = build_rest_url(resource_path, path_keys, version)
        query = param_encode({"ids": ids})
        entity = json.dumps({"entities": {encode(k): e for k, e in zip(ids, entities,
                                                                        strict=True)}})
        boundary = "xXlinkedinApiBoundaryXx"
        body = (f"--{boundary}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
                f"{query}\r\n--{boundary}\r\nContent-Type: application/json\r\n\r\n"
                f"{entity}\r\n--{boundary}--")
        headers = get_restli_request_headers(
            restli_method=li_constants.RESTLI_METHODS.BATCH_UPDATE, access_token=access_token,
            version_string=version, http_method_override="PUT",
            content_type=f"multipart/mixed; boundary={boundary}")
        response = httpx.post(url, headers=headers, content=body.encode(), timeout=30)
        return _batch_update_response(response)

    def tunnelled_batch_delete(self, *, resource_path: str, ids: list[Any], access_token: str,
                               path_keys: dict[str, Any] | None = None) -> Any:
        """A BATCH_DELETE whose query is over 4,000 characters, tunnelled as LinkedIn documents
        it (POST, X-HTTP-Method-Override: DELETE, the query as a form body), sent with httpx.
        linkedin_api tunnels every body-less method through
        `maybe_apply_query_tunneling_get_requests`, which always overrides with GET: its
        long BATCH_DELETE arrives as a GET carrying X-RestLi-Method: BATCH_DELETE, which a
        Rest.li server refuses (linkedin-api-client 0.3.0)."""
        version = self.version if self.family == "rest" else None
        url = build_rest_url(resource_path, path_keys, version)
        headers = get_restli_request_headers(
            restli_method=li_constants.RESTLI_METHODS.BATCH_DELETE, access_token=access_token,
            version_string=version, http_method_override="DELETE",
            content_type=li_constants.CONTENT_TYPE.URL_ENCODED.value)
        response = httpx.post(url, headers=headers, content=param_encode({"ids": ids}).encode(),
                              timeout=30)
        return _batch_update_response(response)

    def close(self) -> None:
        self.restli.session.close()
        for auth in self._auth_clients:
            auth.session.close()


def _batch_update_response(response: httpx.Response) -> Any:
    """An httpx answer shaped like linkedin_api's BatchUpdateResponse."""
    results = response.json().get("results", {}) if response.status_code == 200 else {}
    return SimpleNamespace(status_code=response.status_code, response=response, results={
        key: SimpleNamespace(status=result.get("status")) for key, result in results.items()})


def point_official_client(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Aim linkedin_api's base URLs (OAuth, /v2 and /rest) at a sandbox at `url`."""
    monkeypatch.setattr(li_constants, "OAUTH_BASE_URL", f"{url}/oauth/v2")
    monkeypatch.setattr(li_constants, "NON_VERSIONED_BASE_URL", f"{url}/v2")
    monkeypatch.setattr(li_constants, "VERSIONED_BASE_URL", f"{url}/rest")


@pytest.fixture
def official(li: Any, monkeypatch: pytest.MonkeyPatch,
             request: pytest.FixtureRequest) -> Iterator[OfficialClient]:
    """The `li` sandbox and LinkedIn's official client pointed at it. Parameter (indirect):
    "v2" (default) or ("rest", "<LinkedIn-Version>")."""
    param = getattr(request, "param", "v2")
    family, version = (param, None) if isinstance(param, str) else param
    point_official_client(monkeypatch, li.url)
    client = OfficialClient(li.url, family=family, version=version)
    try:
        yield client
    finally:
        client.close()
