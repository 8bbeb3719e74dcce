"""The sandbox as one ASGI app: LinkedIn's OAuth, its `/v2` and versioned `/rest` API families,
plus `/sandbox/` control."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI
from sqlalchemy import select, update
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recruitlink.core.api_families import REST_ONLY
from recruitlink.core.assumed import error_body

from .api import media, versioned
from .api.faults import FaultMiddleware, Faults
from .api.oauth import authenticate, token_endpoint
from .api.resources import HANDLERS, charge
from .api.restli_http import check_restli_method, read_call
from .api.throttle import Throttles
from .clock import Clock
from .config import SandboxConfig
from .control.app import build_control_app
from .demo import ensure_demo_activity, ensure_demo_customer
from .errors import ApiError, OAuthError
from .pushes import PushSender
from .recruiter.directory import ensure_directory
from .recruiter.pages import mount_pages
from .state import Sandbox, sandbox_of
from .store import Store, apps
from .widgets.pages import mount_widgets

log = logging.getLogger("recruitlink.sandbox")

@dataclass
class PartnerCredentials:
    client_id: str
    client_secret: str
    generated: bool


def ensure_partner(sandbox: Sandbox) -> PartnerCredentials:
    """The partner (parent) app: the configured credentials, else the stored ones, else new."""
    cfg = sandbox.config
    with sandbox.store.tx() as conn:
        if cfg.partner_client_id:
            row = conn.execute(select(apps).where(apps.c.client_id == cfg.partner_client_id)
                               ).first()
            # A stored app keeps its secret unless a new one is given.
            secret = (cfg.partner_client_secret
                      or (row.client_secret if row is not None else secrets.token_urlsafe(16)))
            if row is None:
                conn.execute(apps.insert().values(
                    urn=f"urn:li:developerApplication:{sandbox.store.next_value(conn, 'partner')}",
                    parent_id=None, client_id=cfg.partner_client_id, client_secret=secret,
                    name="Partner application", description="recruitlink partner app",
                    js_domains=[], callback_urls=[], tokens_minted=0, can_mint=True,
                    created_at=sandbox.clock.now_ms()))
            elif row.parent_id is not None:
                raise ValueError(f"client id {cfg.partner_client_id} belongs to a child app")
            else:
                conn.execute(update(apps).where(apps.c.id == row.id)
                             .values(client_secret=secret))
            return PartnerCredentials(cfg.partner_client_id, secret,
                                      cfg.partner_client_secret is None and row is None)
        row = conn.execute(select(apps).where(apps.c.parent_id.is_(None)).order_by(apps.c.id)
                           ).first()
        if row is not None:
            return PartnerCredentials(row.client_id, row.client_secret, False)
        client_id, secret = "partner-" + secrets.token_hex(6), secrets.token_urlsafe(16)
        conn.execute(apps.insert().values(
            urn=f"urn:li:developerApplication:{sandbox.store.next_value(conn, 'partner')}",
            parent_id=None, client_id=client_id, client_secret=secret,
            name="Partner application", description="recruitlink partner app",
            js_domains=[], callback_urls=[], tokens_minted=0, can_mint=True,
            created_at=sandbox.clock.now_ms()))
        return PartnerCredentials(client_id, secret, True)


def build_sandbox(config: SandboxConfig) -> Sandbox:
    store = Store(config.db)
    clock = Clock()
    return Sandbox(config=config, store=store, clock=clock,
                   throttles=Throttles(config.records_per_minute, config.requests_per_day),
                   faults=Faults(seed=config.seed), pushes=PushSender(store, clock, config))


def create_app(config: SandboxConfig | None = None) -> FastAPI:
    """The sandbox ASGI app. Its state is created at once, so `app.state.sandbox` and
    `app.state.partner` are usable before it serves."""
    config = config or SandboxConfig()
    sandbox = build_sandbox(config)
    partner = ensure_partner(sandbox)
    ensure_directory(sandbox.store, config.seed, config.members)
    demo = ensure_demo_customer(sandbox) if config.demo else None
    if demo is not None:
        ensure_demo_activity(sandbox, demo)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        sandbox.pushes.start()
        try:
            yield
        finally:
            await sandbox.pushes.stop()

    api = FastAPI(title="recruitlink LinkedIn sandbox", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    api.state.sandbox = sandbox
    api.state.partner = partner
    api.state.demo = demo
    api.add_exception_handler(OAuthError, _oauth_error)  # type: ignore[arg-type]
    api.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    api.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    api.include_router(router)
    mount_pages(api)
    mount_widgets(api, sandbox)
    api.mount("/sandbox", build_control_app(sandbox, partner_client_id=partner.client_id))
    api.add_middleware(FaultMiddleware, faults=sandbox.faults)
    api.add_middleware(RequestIdMiddleware)  # outermost: injected faults carry x-li-uuid too
    return api


# -- the endpoints: OAuth, both API families, media uploads ------------------------------------

router = APIRouter(include_in_schema=False)
ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


async def _oauth_error(_: Request, exc: OAuthError) -> Response:
    return exc.response()


async def _api_error(_: Request, exc: ApiError) -> Response:
    return exc.response()


async def _http_error(_: Request, exc: StarletteHTTPException) -> Response:
    return JSONResponse(error_body(exc.status_code, str(exc.detail)),
                        status_code=exc.status_code)


@router.api_route("/oauth/v2/accessToken", methods=ALL_METHODS)
async def access_token(request: Request) -> Response:
    sandbox = sandbox_of(request)
    return await token_endpoint(request, sandbox.store, sandbox.clock,
                                sandbox.config.token_ttl)


@router.api_route("/v2/{path:path}", methods=ALL_METHODS)
async def rest_v2(request: Request) -> Response:
    return await dispatch(sandbox_of(request), request)


@router.api_route("/rest/{path:path}", methods=ALL_METHODS)
async def rest_versioned(request: Request) -> Response:
    return await versioned.dispatch(sandbox_of(request), request)


@router.put(media.UPLOAD_PATH + "{token}")
async def media_upload(token: str, request: Request) -> Response:
    return await media.upload(sandbox_of(request), request, token)


@router.get("/")
async def root() -> Response:
    # People land on Recruiter; scripts use /sandbox/ (control) and /v2 (the API).
    return RedirectResponse("/recruiter/")


async def dispatch(sandbox: Sandbox, request: Request) -> Response:
    try:
        call = await read_call(request, max_body=sandbox.config.max_body_bytes)
        if call.segments and call.segments[0] in REST_ONLY:
            raise ApiError(404, f"Resource {call.segments[0]!r} is only on the versioned API: "
                                f"call /rest/{call.segments[0]} with a LinkedIn-Version header")
        if not call.segments or call.segments[0] not in HANDLERS:
            name = call.segments[0][:100] if call.segments else ""
            raise ApiError(404, f"Resource {name!r} does not exist")
        app = authenticate(sandbox.store, sandbox.clock, call.token)
        check_restli_method(call)
        charge(sandbox, app, call)
        return HANDLERS[call.segments[0]](sandbox, app, call)
    except ApiError as exc:
        return exc.response()
    except Exception:  # pragma: no cover - a bug; answer like LinkedIn, keep the trace
        log.exception("sandbox failed on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(500, "Internal Server Error"), status_code=500)


class RequestIdMiddleware:
    """Every response carries `x-li-uuid`, as LinkedIn's do (support asks for it), and
    `X-RestLi-Protocol-Version` naming the protocol the request was read in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4()).encode()
        asked = dict(scope.get("headers") or []).get(b"x-restli-protocol-version", b"")
        protocol = b"2.0.0" if asked.strip() == b"2.0.0" else b"1.0.0"

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-li-uuid", request_id))
                # A route that knows its protocol (the versioned /rest: 2.0) says so itself.
                if not any(k.lower() == b"x-restli-protocol-version" for k, _ in headers):
                    headers.append((b"x-restli-protocol-version", protocol))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_id)

