"""Sending Rest.li requests to LinkedIn: the API family's URL and headers (`versions.py`), bearer
tokens (renewed once on 401), query tunnelling when a URL would pass LinkedIn's limits, and
LinkedIn's errors mapped onto recruitlink's."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
import orjson

from recruitlink.core.environment import refusal
from recruitlink.errors import (
    EnvironmentRefused,
    LinkedInAuthError,
    LinkedInForbidden,
    LinkedInRequestError,
    LinkedInThrottled,
    LinkedInUnavailable,
    LinkedInVersionSunset,
)

from . import capture
from .tokens import TokenCache
from .versions import DEFAULT_API_VERSION, SETTING, ApiVersion

MAX_URL = 8 * 1024
MAX_QUERY = 4 * 1024
BOUNDARY = "recruitlink-restli-boundary"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str


class RestliHttp:
    def __init__(self, *, api_url: str, oauth_url: str, credentials: Credentials,
                 http: httpx.Client, tokens: TokenCache,
                 version: ApiVersion = ApiVersion(DEFAULT_API_VERSION),
                 environment: str = "development") -> None:
        self.api_url = api_url.rstrip("/")
        self.environment = environment
        """RECRUITLINK_ENVIRONMENT: what this instance is (the environment guard)."""
        self.version = version
        self.token_url = oauth_url.rstrip("/") + "/oauth/v2/accessToken"
        self.credentials = credentials
        self.http = http
        self.tokens = tokens

    def _token(self) -> str:
        """A token for the app, once the environment guard lets this instance call it: the
        one place every call to LinkedIn passes before a byte of it is sent."""
        token, app_environment = self.tokens.get_with_environment(
            self.http, self.token_url, self.credentials.client_id,
            self.credentials.client_secret)
        self.app_environment = app_environment
        why = refusal(self.environment, app_environment, self.credentials.client_id)
        if why is not None:
            # Forgotten: the next try mints again and sees a change of LinkedIn's mind.
            self.tokens.invalidate(self.token_url, self.credentials.client_id, token)
            raise EnvironmentRefused(why, app_environment=app_environment)
        return token

    app_environment: str | None = None
    """What LinkedIn said of the app with the last token (None: not asked yet, or nothing)."""

    def check_environment(self) -> None:
        """Raise EnvironmentRefused now if this instance may not call the app (a token is
        minted; no API call is made)."""
        self._token()

    def call(self, verb: str, path: str, *, query: str = "", body: Any = None,
             restli_method: str | None = None) -> httpx.Response:
        """Send one request; returns a 2xx response or raises from the error tree."""
        url = f"{self.api_url}/{self.version.family}/{path}"
        for attempt in (1, 2):
            token = self._token()
            request = self._build(verb, url, query, body, restli_method, token)
            started = time.time()
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                message = f"{verb} {path}: {type(exc).__name__}: {exc}"
                if capture.active():
                    capture.note(request, None, started=started, error=message,
                                 secrets=self._secrets(token))
                raise LinkedInUnavailable(message) from exc
            if response.status_code == 401 and attempt == 1:
                # Expired or revoked: forget it and try once more with a fresh token.
                self.tokens.invalidate(self.token_url, self.credentials.client_id, token)
                continue
            if capture.active():  # a failed call is kept for support bundles
                capture.note(request, response, started=started, error=None,
                             secrets=self._secrets(token))
            return _checked(response, verb, path, self.version)
        raise AssertionError("unreachable")

    def _secrets(self, token: str) -> tuple[str, str]:
        """What must never be kept of a call: its bearer token and the app's secret."""
        return token, self.credentials.client_secret

    def _build(self, verb: str, url: str, query: str, body: Any, restli_method: str | None,
               token: str) -> httpx.Request:
        headers = {"Authorization": f"Bearer {token}", **self.version.headers()}
        if restli_method:
            headers["X-RestLi-Method"] = restli_method
        entity = None if body is None else _json_body(body)
        query_bytes = len(query.encode())
        if len(url.encode()) + (query_bytes + 1 if query else 0) <= MAX_URL \
                and query_bytes <= MAX_QUERY:
            if entity is not None:
                headers["Content-Type"] = "application/json"
            return self.http.build_request(verb, request_url(url, query), headers=headers,
                                           content=entity)
        # Too long for a URL: tunnel the query in the body (reference §2.4).
        headers["X-HTTP-Method-Override"] = verb
        if entity is None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.http.build_request("POST", url, headers=headers, content=query.encode())
        headers["Content-Type"] = f"multipart/mixed; boundary={BOUNDARY}"
        multipart = (f"--{BOUNDARY}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
                     f"{query}\r\n--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n"
                     ).encode() + entity + f"\r\n--{BOUNDARY}--\r\n".encode()
        return self.http.build_request("POST", url, headers=headers, content=multipart)


_PLAIN_QUERY = re.compile(r"[!$-;=?-~]*")
"""A query httpx leaves as it is: printable ASCII but for what it escapes (space " # < >)."""


def request_url(url: str, query: str) -> httpx.URL:
    """`httpx.URL(f"{url}?{query}")`, without httpx checking a long query one character at
    a time in Python (a batch's ~8 KB `ids=List(...)` cost more than the rest of building
    the request). A query httpx would leave as it is (printable ASCII, nothing it escapes:
    what Rest.li encoding writes) is set on the parsed `url` as is, so the same bytes go
    out; anything else takes httpx's own path."""
    if not query:
        return httpx.URL(url)
    if _FAST_URLS and _PLAIN_QUERY.fullmatch(query) and "?" not in url and "#" not in url \
            and len(url) + len(query) < 65_000:  # httpx refuses a URL over 64 KiB
        return _with_query(_parsed(url), query)
    return httpx.URL(f"{url}?{query}")


@lru_cache(maxsize=256)
def _parsed(url: str) -> httpx.URL:
    """A call's URL without its query (a few per resource; httpx.URL is immutable)."""
    return httpx.URL(url)


def _with_query(parsed: httpx.URL, query: str) -> httpx.URL:
    """`parsed` with `query`, set on httpx's parsed form (a named tuple, not public)."""
    url = httpx.URL.__new__(httpx.URL)
    url._uri_reference = parsed._uri_reference._replace(query=query)
    return url


def _same_as_httpx() -> bool:
    """Whether `_with_query` gives what httpx's own parse gives (an httpx that keeps its
    parsed URL otherwise takes the public path)."""
    base, query = ("http://127.0.0.1:8000/rest/atsCandidates",
                   "ids=List((a:1,b:urn%3Ali%3Ax%3A1),(a:2,b:c))&fields=x,y")
    try:
        fast = _with_query(httpx.URL(base), query)
    except (AttributeError, TypeError, ValueError):
        return False
    slow = httpx.URL(f"{base}?{query}")
    return fast == slow and fast.raw_path == slow.raw_path and str(fast) == str(slow)


_FAST_URLS = _same_as_httpx()


# Dates, dataclasses and subclasses of str/int/dict/list go to json, which writes or refuses
# them as it always has.
_AS_JSON_DOES = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                 | orjson.OPT_PASSTHROUGH_SUBCLASS)


def _json_body(body: Any) -> bytes:
    """`body` as compact JSON. orjson writes batch bodies several times faster than json;
    what it refuses (integers beyond 64 bits, keys that are not text) or would write as null
    (NaN, infinities) is written by json as before, so what is sent means the same."""
    try:
        entity = orjson.dumps(body, option=_AS_JSON_DOES)
    except TypeError:  # orjson.JSONEncodeError included
        entity = None
    if entity is None or (b"null" in entity and _non_finite(body)):
        return json.dumps(body, separators=(",", ":")).encode()
    return entity


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Mapping):
        return any(_non_finite(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_non_finite(item) for item in value)
    return False


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    if isinstance(body, Mapping):
        return str(body.get("message") or body.get("error_description") or body)[:2000]
    return str(body)[:500]


def _checked(response: httpx.Response, verb: str, path: str,
             version: ApiVersion) -> httpx.Response:
    status = response.status_code
    if status < 400:
        return response
    where = f"{verb} {path.split('?')[0][:120]}"
    message = f"{where}: {status} {_message(response)}"
    if status == 426:
        raise LinkedInVersionSunset(
            f"LinkedIn no longer serves API version {version}: set {SETTING} to a live "
            f"version (e.g. {DEFAULT_API_VERSION}). LinkedIn answered {message}", status=status)
    if status == 429:
        retry_after = retry_after_s(response.headers.get("Retry-After"))
        raise LinkedInThrottled(message, retry_after=retry_after, status=status)
    if status >= 500 or status == 408:
        raise LinkedInUnavailable(message, status=status)
    if status == 401:
        raise LinkedInAuthError(message, status=status)
    if status == 403:
        raise LinkedInForbidden(message, status=status)
    raise LinkedInRequestError(message, status=status)


LONGEST_RETRY_AFTER_S = 86_400.0
"""The longest Retry-After taken (a day: LinkedIn's daily limits reset sooner); a longer
one would stop the family for good, and overflow the block's BIGINT past about 10^16 s."""


def retry_after_s(value: str | None) -> float | None:
    """A Retry-After header in seconds (LinkedIn sends delta-seconds), at most a day, or
    None (not a finite number: "inf", "1e999" and "nan" are none)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not math.isfinite(seconds):
        return None
    return min(LONGEST_RETRY_AFTER_S, max(0.0, seconds))


def checked(response: httpx.Response, verb: str, path: str,
            version: ApiVersion) -> httpx.Response:
    """A response of a plain (non-Rest.li) call, e.g. a media upload: 2xx or raised."""
    return _checked(response, verb, path, version)
