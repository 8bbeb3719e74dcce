"""The control API's error answers, as its OpenAPI describes them.

FastAPI's shapes throughout: `{"detail": "<sentence>"}`, and for 422 the validation shape
`{"detail": [{"loc", "msg", "type"}]}` also when the rule is one no schema can state; a 405
names in `Allow` every method of the path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from recruitlink.core.routing import allowed_methods


class ControlError(BaseModel):
    detail: str = Field(description="What went wrong, in a sentence.")


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that can answer these error statuses."""
    return {status: {"model": ControlError, "description": DESCRIPTIONS[status]}
            for status in statuses}


DESCRIPTIONS = {400: "The body is not JSON", 403: "Not allowed for this seat or member",
                404: "Not found", 409: "Conflicts with the sandbox's state",
                410: "Gone (deleted, or the member closed their account)",
                429: "Over a limit"}


NOT_JSON = {"description": DESCRIPTIONS[400], "content": {"application/json": {
    "schema": ControlError.model_json_schema()}}}


def invalid(loc: Sequence[str | int], message: str) -> RequestValidationError:
    """A 422 in FastAPI's validation shape, for a rule the schema cannot state."""
    return RequestValidationError([{"type": "value_error", "loc": tuple(loc), "msg": message,
                                    "input": None}])


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = allowed_methods(request.app.router.routes, request.scope)
        if allowed:
            headers["Allow"] = allowed
    return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)


def install(app: FastAPI) -> None:
    """The error handler, and 400 documented on every operation that reads a JSON body."""
    app.add_exception_handler(HTTPException, on_http_error)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault("400", NOT_JSON)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
