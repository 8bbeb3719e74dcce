"""OAuth 2.0 client credentials (`POST /oauth/v2/accessToken`) and bearer-token checks."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from sqlalchemy import bindparam, delete, select, update
from starlette.requests import Request
from starlette.responses import JSONResponse

from recruitlink.core.assumed import token_answer

from ..clock import Clock
from ..errors import ApiError, OAuthError
from ..store import Prepared, Store, apps, tokens


@dataclass(frozen=True)
class App:
    id: int
    urn: str
    parent_id: int | None
    client_id: str
    client_secret: str

    @property
    def is_parent(self) -> bool:
        return self.parent_id is None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def app_from_row(row: object) -> App:
    m = row._mapping  # type: ignore[attr-defined]
    return App(id=m["id"], urn=m["urn"], parent_id=m["parent_id"], client_id=m["client_id"],
               client_secret=m["client_secret"])


async def token_endpoint(request: Request, store: Store, clock: Clock, ttl: int) -> JSONResponse:
    if request.method != "POST":
        raise OAuthError(405, "invalid_request", "The token endpoint only accepts POST")
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request",
                         "The request body must be application/x-www-form-urlencoded")
    raw = await request.body()
    if len(raw) > 64 * 1024:
        raise OAuthError(400, "invalid_request", "The request body is too large")
    try:
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError as exc:
        raise OAuthError(400, "invalid_request", "The request body is not valid UTF-8") from exc
    for name in ("grant_type", "client_id", "client_secret"):
        if not form.get(name):
            raise OAuthError(400, "invalid_request",
                             f'A required parameter "{name}" is missing')
    if form["grant_type"] != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type",
                         f"grant_type {form['grant_type']!r} is not supported; use "
                         "client_credentials")
    with store.tx() as conn:
        row = conn.execute(select(apps).where(apps.c.client_id == form["client_id"])).first()
        if row is None:
            raise OAuthError(400, "invalid_request", "The passed in client_id is invalid")
        app = app_from_row(row)
        # As bytes: compare_digest refuses a non-ASCII str (a secret of é was a 500).
        if not secrets.compare_digest(app.client_secret.encode(),
                                      form["client_secret"].encode()):
            raise OAuthError(401, "invalid_client_id", "Client authentication failed")
        if not row._mapping["can_mint"]:
            raise OAuthError(401, "access_denied",
                             "This application is not allowed to create application tokens")
        token = "AQV" + secrets.token_urlsafe(48)
        now = clock.now_ms()
        conn.execute(delete(tokens).where(tokens.c.expires_at <= now))
        conn.execute(tokens.insert().values(token_hash=_hash(token), app_id=app.id,
                                            expires_at=now + ttl * 1000))
        conn.execute(update(apps).where(apps.c.id == app.id)
                     .values(tokens_minted=apps.c.tokens_minted + 1))
    return JSONResponse(token_answer(token, ttl, row._mapping["environment"]),
                        headers={"Cache-Control": "no-store"})


def authenticate(store: Store, clock: Clock, token: str | None) -> App:
    if not token:
        raise ApiError(401, "Empty oauth2 access token")
    with store.tx() as conn:
        found = _TOKEN_APP.first(conn, {"token_hash": _hash(token)})
    if found is None:
        raise ApiError(401, "Invalid access token")
    app_id, urn, parent_id, client_id, client_secret, expires_at = found
    if expires_at <= clock.now_ms():
        raise ApiError(401, "The token used in the request has expired")
    return App(id=app_id, urn=urn, parent_id=parent_id, client_id=client_id,
               client_secret=client_secret)


# Built once and run by the driver: every API call authenticates, and building a statement
# costs more than running it. One statement: the token and its app (apps are never deleted, so
# the join always finds it).
_TOKEN_APP = Prepared(select(apps.c.id, apps.c.urn, apps.c.parent_id, apps.c.client_id,
                             apps.c.client_secret, tokens.c.expires_at)
                      .join_from(tokens, apps, apps.c.id == tokens.c.app_id)
                      .where(tokens.c.token_hash == bindparam("token_hash")))
