"""The web app: the data API under `/api/v1`, OpenAPI at `/docs`, `/healthz`.

Every error answer has one shape (see `auth.py`); request bodies are limited to
`Settings.max_body_bytes`, by their Content-Length and again while they stream in.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recruitlink import __version__
from recruitlink.core.routing import allowed_methods
from recruitlink.runtime.build import build_runtime
from recruitlink.settings import Settings
from recruitlink.store import Store

from .api import PREFIX, ErrorBody, JSONResponse, build_router, field_errors
from .api_compliance import build_compliance_router
from .api_events import build_events_router
from .api_files import build_files_router
from .api_linkedin import build_linkedin_router
from .api_webhooks import build_webhooks_router
from .auth import ApiError, describe, error_body
from .headers import SecurityHeaders
from .input_guard import InputGuard
from .json_input import parse_failure
from .metrics import build_metrics_router
from .pages import build_pages_router
from .pages.render import page_error
from .pages.security import PageError
from .push import build_push_router
from .unexpected import CatchUnexpected, internal_error, log_unexpected

STATIC = Path(__file__).resolve().parent / "static"


def body_too_large(limit: int) -> ApiError:
    reason = f"the request body is larger than the limit of {limit} bytes"
    return ApiError(413, reason, [{"field": "body", "reason": reason}])


class BodyLimit:
    """413 for a body over `max_bytes`: at once if Content-Length says so, else as soon as
    the bytes streamed in pass the limit (chunked bodies, or a lying Content-Length)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            error = body_too_large(self.max_bytes)
            await JSONResponse(error.body(), 413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # An HTTPException: FastAPI lets it through body parsing to our handler.
                    raise body_too_large(self.max_bytes)
            return message

        await self.app(scope, counted, send)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, ApiError):
        body = exc.body()
    else:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        errors: list[dict[str, str]] = []
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            message = f"no such endpoint: {request.url.path}"
            errors = [{"field": "path", "reason": message}]
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
            errors = [{"field": "method", "reason": message}]
            allowed = allowed_methods(request.app.router.routes, request.scope)
            if allowed:
                headers["Allow"] = allowed
        elif exc.status_code == 400:  # FastAPI could not read the body (not UTF-8, …)
            why = parse_failure(exc.__cause__) if exc.__cause__ is not None else None
            message = f"body {why}" if why else message
            errors = [{"field": "body", "reason": why or message}]
        body = error_body(exc.status_code, message, errors)
        return JSONResponse(body, exc.status_code, headers=headers)
    return JSONResponse(body, exc.status_code, headers=exc.headers)


def _line_and_column(document: Any, position: int) -> tuple[int, int]:
    if isinstance(document, bytes):
        document = document.decode("utf-8", "replace")
    if not isinstance(document, str):
        return 1, position + 1
    before = document[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = list(exc.errors())
    broken = next((d for d in details if d.get("type") == "json_invalid"), None)
    if broken is not None:
        loc = broken.get("loc", ())
        position = loc[-1] if loc and isinstance(loc[-1], int) else 0
        line, column = _line_and_column(exc.body, position)
        why = broken.get("ctx", {}).get("error", "JSON decode error")
        reason = f"is not valid JSON: {why} (line {line}, column {column})"
        return JSONResponse(error_body(400, f"body {reason}", [{"field": "body",
                                                               "reason": reason}],
                                       "malformed_json"), 400)
    errors = field_errors(details, strip=("body", "query", "path", "header", "cookie"),
                          whole="body")
    return JSONResponse(error_body(422, describe(errors), errors), 422)


ERROR_BODY = {"application/json": {"schema": {
    "$ref": f"#/components/schemas/{ErrorBody.__name__}"}}}


def document_errors(app: FastAPI) -> None:
    """The OpenAPI description says what `on_validation_error` and the `InputGuard` in front
    of every route answer: 400 for a NUL in a query parameter (and `malformed_json` where
    there is a body), 404 for a NUL in a path with parameters, and every 422 in the API's
    error shape (FastAPI documents its own `HTTPValidationError` where no route says)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                reasons = ["a query parameter holds a NUL character"]
                if "requestBody" in operation:
                    reasons.append("`malformed_json`: the body is not JSON (or not UTF-8)")
                responses.setdefault("400", {"description": "; ".join(reasons),
                                             "content": ERROR_BODY})
                if any(p.get("in") == "path" for p in operation.get("parameters", ())):
                    responses.setdefault("404", {
                        "description": "no such record, or a path holding a NUL character",
                        "content": ERROR_BODY})
                if "422" in responses:
                    responses["422"]["content"] = ERROR_BODY
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Only reached if `CatchUnexpected` itself fails; logs as safely."""
    request_id = secrets.token_hex(8)
    log_unexpected(request.scope, exc, request_id)
    return internal_error(request_id)


@functools.cache
def data_api_routes() -> tuple[BaseRoute, ...]:
    """The data API's routes, built once per process and shared by every app it makes: they
    take nothing from the app (each request reads `request.app.state`), and FastAPI's
    building of them, a pydantic adapter per parameter, costs about a second per app."""
    shared = APIRouter()
    shared.include_router(build_files_router())  # before the record routes: ids hold '/'
    shared.include_router(build_compliance_router())
    shared.include_router(build_router())
    shared.include_router(build_events_router())
    shared.include_router(build_linkedin_router())
    shared.include_router(build_webhooks_router())
    return tuple(shared.routes)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The app over the runtime and workers `build_runtime` makes (it opens, and at shutdown
    closes, its own store unless one is given); the workers run for the app's lifespan."""
    settings = settings or Settings()
    services = build_runtime(settings, store)
    runtime = services.runtime
    the_store = runtime.store
    box = runtime.box

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with services.running():
            yield

    app = FastAPI(
        title="recruitlink data API", version=__version__, lifespan=lifespan,
        description=(
            "The ATS/CRM data API of recruitlink, one namespace per tenant. Authenticate "
            "with `Authorization: Bearer <API key>`. Every entity has create, read, update "
            "(PATCH: given fields; PUT: upsert by id), delete, a cursor-paginated list "
            "filtered by modified time, and a bulk upsert of up to "
            f"{settings.max_bulk_records} records by your own ids. Errors are "
            '`{"error": {"code", "message", "errors": [{"field", "reason"}]}}`.'),
        docs_url="/docs", openapi_url="/openapi.json", default_response_class=JSONResponse)
    app.state.settings = settings
    app.state.store = the_store
    app.state.runtime = runtime
    # Outermost last: errors are caught around everything, the body limit holds before the
    # input guard reads a form.
    app.add_middleware(InputGuard)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CatchUnexpected)
    # Outermost: every answer carries the headers, the guard's refusals and 500s too.
    app.add_middleware(SecurityHeaders, linkedin_url=settings.linkedin_api_url,
                       public_url=settings.public_url)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
    app.router.routes.extend(data_api_routes())
    app.include_router(build_push_router(the_store, box, notify=services.notify_inbox))
    app.include_router(build_metrics_router(the_store, runtime.engine_settings().limits,
                                            token=settings.metrics_token))
    app.state.inbound = services.inbound
    app.state.queue = services.queue
    app.state.background = services.background
    app.state.parity = services.parity
    # The web pages: HTML errors (PageError) rather than the API's JSON ones.
    app.add_exception_handler(PageError, page_error)
    app.include_router(build_pages_router(settings, the_store))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    document_errors(app)

    @app.get("/healthz", tags=["health"], summary="Liveness and database check")
    def healthz() -> JSONResponse:
        try:
            the_store.ping()
        except Exception as exc:  # the database is down: say so, do not crash
            return JSONResponse(error_body(503, f"database unavailable: {exc}",
                                           code="unavailable"), 503)
        return JSONResponse({"status": "ok", "version": __version__, "api": PREFIX})

    return app
