"""`/v2/provisionedApplications`: the partner (parent) app creates one child app per customer."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Connection, select, update
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import finder_page, provisioned_app
from recruitlink.core.linkedin_schema import validate_provisioning
from recruitlink.core.restli import (
    PROTOCOL_2,
    Protocol,
    RestliSyntaxError,
    apply_patch,
    encode_key,
    parse_simple_key,
)

from ..errors import ApiError
from ..state import Sandbox
from ..store import apps
from .oauth import App
from .restli_http import RestliCall


def app_json(row: Any) -> dict[str, Any]:
    m = row._mapping
    return provisioned_app(key=m["urn"], name=m["name"], description=m["description"],
                           unique_foreign_id=m["unique_foreign_id"],
                           valid_js_sdk_domains=m["js_domains"],
                           callback_urls=m["callback_urls"], client_id=m["client_id"],
                           client_secret=m["client_secret"])


def create_child(conn: Connection, sandbox: Sandbox, parent_id: int, body: dict[str, Any],
                 *, client_id: str | None = None, client_secret: str | None = None) -> Any:
    exists = conn.execute(select(apps.c.id).where(
        apps.c.parent_id == parent_id,
        apps.c.unique_foreign_id == body["uniqueForeignId"])).first()
    if exists is not None:
        raise ApiError(409, f"An application with uniqueForeignId "
                            f"{body['uniqueForeignId']!r} already exists under this partner")
    number = 100_000 + sandbox.store.next_value(conn, "developerApplication")
    conn.execute(apps.insert().values(
        urn=f"urn:li:developerApplication:{number}", parent_id=parent_id,
        client_id=client_id or secrets.token_hex(7),
        client_secret=client_secret or secrets.token_urlsafe(16),
        unique_foreign_id=body["uniqueForeignId"], name=body["name"],
        description=body["description"],
        js_domains=body.get("validJsSdkDomains", []),
        callback_urls=body.get("oauth2AuthorizedCallbackUrls", []),
        tokens_minted=0, can_mint=True, created_at=sandbox.clock.now_ms(),
        # A child app is registered in its partner app's environment (core/assumed.py).
        environment=select(apps.c.environment).where(apps.c.id == parent_id)
        .scalar_subquery()))
    return conn.execute(select(apps).where(apps.c.urn == f"urn:li:developerApplication:{number}")
                        ).one()


def _require_parent(app: App) -> None:
    if not app.is_parent:
        raise ApiError(403, "Not enough permissions to access: provisionedApplications needs "
                            "the partner (parent) application's token")


def _find_child(conn: Connection, parent: App, raw_key: str, protocol: Protocol) -> Any:
    try:
        urn = (parse_simple_key(raw_key, protocol=protocol) if protocol == PROTOCOL_2
               else unquote(raw_key, errors="strict"))
    except UnicodeDecodeError as exc:
        raise ApiError(400, "application key is not valid percent-encoded UTF-8") from exc
    except RestliSyntaxError as exc:
        raise ApiError(400, f"application key in path: {exc}") from exc
    row = conn.execute(select(apps).where(apps.c.urn == urn, apps.c.parent_id == parent.id)
                       ).first()
    if row is None:
        raise ApiError(404, f"No provisioned application {urn!r} under this partner")
    return row


def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    _require_parent(app)
    segments = call.segments[1:]
    with sandbox.store.tx() as conn:
        if not segments:
            if call.method == "POST":
                errors = validate_provisioning(call.body)
                if errors:
                    raise ApiError(errors[0].status, "; ".join(e.message for e in errors))
                row = create_child(conn, sandbox, app.id, call.body)
                urn = row._mapping["urn"]
                created_id = encode_key(urn, protocol=PROTOCOL_2) if call.protocol == PROTOCOL_2 \
                    else urn
                return JSONResponse(app_json(row), status_code=201,
                                    headers={"X-RestLi-Id": created_id})
            if call.method == "GET":
                finder = call.param("q")
                if finder != "credentialsByUniqueForeignId":
                    raise ApiError(400, "GET provisionedApplications needs "
                                        "q=credentialsByUniqueForeignId")
                foreign_id = call.param("uniqueForeignId")
                if not foreign_id:
                    raise ApiError(400, "uniqueForeignId is required for this finder")
                rows = conn.execute(select(apps).where(
                    apps.c.parent_id == app.id, apps.c.unique_foreign_id == foreign_id)).all()
                return JSONResponse(finder_page([app_json(r) for r in rows], start=0,
                                                count=len(rows), total=len(rows)))
            raise ApiError(405, f"{call.method} is not supported on provisionedApplications")
        if len(segments) != 1:
            raise ApiError(404, "Unknown provisionedApplications sub-resource")
        row = _find_child(conn, app, segments[0], call.protocol)
        if call.method == "GET":
            return JSONResponse(app_json(row))
        if call.method == "POST":
            if call.restli_method not in (None, "partial_update"):
                raise ApiError(400, "use X-RestLi-Method: partial_update (or none) to patch an "
                                    "application")
            try:
                _, set_fields, deleted = apply_patch({}, call.body)
            except RestliSyntaxError as exc:
                raise ApiError(400, str(exc)) from exc
            if deleted:
                raise ApiError(400, "$delete is not supported on provisioned applications")
            errors = validate_provisioning(set_fields, partial=True)
            if errors:
                raise ApiError(errors[0].status, "; ".join(e.message for e in errors))
            columns = {"validJsSdkDomains": "js_domains",
                       "oauth2AuthorizedCallbackUrls": "callback_urls",
                       "name": "name", "description": "description"}
            values = {columns[k]: v for k, v in set_fields.items()}
            if values:
                conn.execute(update(apps).where(apps.c.id == row._mapping["id"]).values(**values))
            return Response(status_code=204)
        raise ApiError(405, f"{call.method} is not supported on a provisioned application")
