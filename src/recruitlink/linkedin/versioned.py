"""A GET on LinkedIn's versioned `/rest` family (`LinkedIn-Version: YYYYMM`, Rest.li 2.0),
for the resources that exist only there (reference §2.5: `exportedApplicationEvaluations`).

Issue 16's client slice moves every call onto the family the settings choose; until then
this is the one way the client reaches `/rest`, with the same token handling (renewed once
on a 401) and the same error mapping as `/v2` calls."""

from __future__ import annotations

import re

import httpx

from recruitlink.errors import LinkedInUnavailable

from .http import RestliHttp, _checked

DEFAULT_API_VERSION = "202604"
"""The versioned API the client speaks unless told otherwise (a live one: reference §2.1)."""
UNVERSIONED = "v2"
"""The `RECRUITLINK_LINKEDIN_API_VERSION` value that keeps the unversioned `/v2` family."""
_VERSION = re.compile(r"^20\d\d(0[1-9]|1[0-2])$")


def is_versioned(api_version: str) -> bool:
    return api_version != UNVERSIONED


def check_api_version(value: str) -> str:
    """A LinkedIn-Version (YYYYMM) or "v2"; anything else is refused, naming the form."""
    if value != UNVERSIONED and not _VERSION.match(value):
        raise ValueError(f"must be a LinkedIn API version YYYYMM (e.g. {DEFAULT_API_VERSION}) "
                         f"or {UNVERSIONED!r} for the unversioned family, not {value[:20]!r}")
    return value


def rest_get(rest: RestliHttp, path: str, query: str, *, api_version: str) -> httpx.Response:
    """GET {api}/rest/{path}?{query}; a 2xx response or an error from `errors.py`."""
    url = f"{rest.api_url}/rest/{path}" + (f"?{query}" if query else "")
    for attempt in (1, 2):
        token = rest.tokens.get(rest.http, rest.token_url, rest.credentials.client_id,
                                rest.credentials.client_secret)
        headers = {"Authorization": f"Bearer {token}", "LinkedIn-Version": api_version,
                   "X-RestLi-Protocol-Version": "2.0.0", "X-RestLi-Method": "finder"}
        try:
            response = rest.http.get(url, headers=headers)
        except httpx.TransportError as exc:
            raise LinkedInUnavailable(f"GET rest/{path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 401 and attempt == 1:
            rest.tokens.invalidate(rest.token_url, rest.credentials.client_id, token)
            continue
        return _checked(response, "GET", f"rest/{path}")
    raise AssertionError("unreachable")
