"""API keys: `Authorization: Bearer <key>` resolved to the key's tenant, and the one error
shape every answer of the API uses:

    {"error": {"code": ..., "message": ..., "errors": [{"field": ..., "reason": ...}]}}

`ApiError` lives here, at the bottom of `web/`, because the key check is the first thing
that can fail on every request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from recruitlink.store import Store
from recruitlink.store.tenants import Tenant, tenant_for_key

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "invalid", 500: "internal",
         503: "unavailable"}


def error_body(status: int, message: str, errors: Sequence[Mapping[str, str]] = (),
               code: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "errors": [dict(e) for e in errors]}}


def describe(errors: Sequence[Mapping[str, str]], limit: int = 5) -> str:
    """`field: reason; field: reason` for a message."""
    text = "; ".join(f"{e['field']}: {e['reason']}" if e.get("field") else e["reason"]
                     for e in errors[:limit])
    more = len(errors) - limit
    return text + (f" (and {more} more)" if more > 0 else "")


class ApiError(HTTPException):
    """An error answer of the API, with the fields it is about."""

    def __init__(self, status_code: int, message: str,
                 errors: Sequence[Mapping[str, str]] = (), *, code: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code, message, dict(headers) if headers else None)
        self.code = code or CODES.get(status_code, "error")
        self.errors = [dict(e) for e in errors]

    def body(self) -> dict[str, Any]:
        return error_body(self.status_code, self.detail, self.errors, self.code)


def unauthorized(reason: str) -> ApiError:
    return ApiError(401, reason, [{"field": "Authorization", "reason": reason}],
                    headers={"WWW-Authenticate": "Bearer"})


bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                    description="A tenant's API key (`recruitlink apikey create`), sent as "
                                "`Authorization: Bearer <key>`.")


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def current_tenant(request: Request,
                   credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
                   ) -> Tenant:
    """The tenant of the request's API key; 401 when the key is missing, unknown or revoked."""
    if credentials is None or not credentials.credentials:
        raise unauthorized("send the tenant's API key as 'Authorization: Bearer <key>'")
    with get_store(request).reader() as conn:
        tenant = tenant_for_key(conn, credentials.credentials)
    if tenant is None:
        raise unauthorized("the API key is unknown or has been revoked")
    return tenant
