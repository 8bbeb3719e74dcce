"""Errors the sandbox answers with, in LinkedIn's shapes."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from recruitlink.core.assumed import error_body


class ApiError(Exception):
    """A whole-request failure: answered as `{"message", "serviceErrorCode", "status"}`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse(error_body(self.status, self.message), status_code=self.status,
                            headers=self.headers)


class OAuthError(Exception):
    """A token-endpoint failure: answered in the OAuth shape `{"error", "error_description"}`."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status)
