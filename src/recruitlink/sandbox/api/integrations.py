"""`/v2/atsIntegrations`, its `configurations`, and the Recruiter admin's on/off switch."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.sqlite import insert
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import IntegrationStatus, finder_page, integration_record
from recruitlink.core.linkedin_schema import url_problem, validate_key, validate_record
from recruitlink.core.restli import (
    RestliSyntaxError,
    apply_patch,
    canonical,
    make_key,
    parse_key,
)

from .. import pushes as push_outbox
from ..errors import ApiError
from ..recruiter.customers import (
    CONTRACT_PREFIX,
    ORG_PREFIX,
    record_company,
    recorded_companies,
)
from ..state import Sandbox
from ..store import configurations, integrations, pushes, status_requests
from .batch import (
    batch_response,
    compound_ids,
    entity_error,
    field_errors_to_entity,
    match_compound_entities,
    match_simple_entities,
    require_method,
    simple_ids,
    split_valid_keys,
)
from .oauth import App
from .restli_http import RestliCall

KEY_COLUMNS = {"integrationContext": "context", "integrationType": "type",
               "tenantType": "tenant_type", "dataProvider": "data_provider"}
EXPORT_TYPES = ("ONE_CLICK_EXPORT", "CRM_ONE_CLICK_EXPORT")
INDICATOR_TYPES = ("IN_ATS_INDICATOR", "IN_CRM_INDICATOR")


def key_of(row: Any) -> dict[str, str]:
    m = row._mapping
    return {field: m[column] for field, column in KEY_COLUMNS.items()}


def _where(app_id: int, key: dict[str, str]) -> list[Any]:
    return [integrations.c.app_id == app_id] + [
        getattr(integrations.c, column) == key[field] for field, column in KEY_COLUMNS.items()]


def record_json(row: Any) -> dict[str, Any]:
    m = row._mapping
    status: IntegrationStatus = m["status"]
    return integration_record(key=key_of(row), name=m["name"], status=status,
                              last_modified_at_ms=m["last_modified_at"])


def changed_record(row: Any, change: Mapping[str, Any]) -> dict[str, Any]:
    """An integration as one status change request left it (assumed: the q=request finder
    answers what that request changed, so a later change does not rewrite an older push's
    answer). Requests stored before the status was kept answer the current status."""
    record = record_json(row)
    if change.get("status") in ("PENDING", "ENABLED", "DISABLED"):
        record["status"] = change["status"]
    return record


def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    if app.is_parent:
        raise ApiError(403, "Not enough permissions to access: atsIntegrations needs the "
                            "customer (child) application's token")
    segments = call.segments[1:]
    if not segments:
        return _integrations(sandbox, app, call)
    if len(segments) == 2 and segments[1] == "configurations":
        try:
            key = parse_key(segments[0], protocol=call.protocol)
        except RestliSyntaxError as exc:
            raise ApiError(400, f"integration key in path: {exc}") from exc
        return _configurations(sandbox, app, call, key)
    raise ApiError(404, "Unknown atsIntegrations sub-resource")


def _integrations(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        if call.method == "GET" and call.ids is None:
            if call.param("q") != "request":
                raise ApiError(400, "GET atsIntegrations needs ids (batch_get) or q=request")
            request_id = call.param("requestId")
            if not request_id:
                raise ApiError(400, "requestId is required for the q=request finder")
            req = conn.execute(select(status_requests).where(
                status_requests.c.request_id == request_id,
                status_requests.c.app_id == app.id)).first()
            elements = []
            if req is not None:
                for key in req._mapping["keys"]:
                    row = conn.execute(select(integrations).where(*_where(app.id, key))).first()
                    if row is not None:
                        elements.append(changed_record(row, key))
            return JSONResponse(finder_page(elements, start=0, count=len(elements),
                                            total=len(elements)))
        if call.method == "GET":
            valid, errors = split_valid_keys("atsIntegrations", compound_ids(call))
            results: dict[str, Any] = {}
            statuses: dict[str, int] = {k: 400 for k in errors}
            for fields in valid:
                name = canonical(fields)
                row = conn.execute(select(integrations).where(*_where(app.id, fields))).first()
                if row is None:
                    errors[name] = entity_error(404, "integration not found")
                    statuses[name] = 404
                else:
                    results[name] = record_json(row)
                    statuses[name] = 200
            return batch_response(results, errors, statuses, protocol=call.protocol)
        if call.method == "POST":
            require_method(call, "batch_partial_update")
            ids = compound_ids(call)
            entities = match_compound_entities(call, ids)
            results = {}
            valid, errors = split_valid_keys("atsIntegrations", ids)
            created: list[dict[str, str]] = []
            orgs = _organizations(conn, app.id, valid)
            for fields in valid:
                name = canonical(fields)
                try:
                    _, set_fields, deleted = apply_patch({}, entities[make_key(fields)])
                except RestliSyntaxError as exc:
                    errors[name] = entity_error(400, str(exc))
                    continue
                problems = validate_record("atsIntegrations", set_fields, now_ms=now)
                if deleted:
                    errors[name] = entity_error(422, "$delete is not supported on integrations")
                    continue
                if problems:
                    errors[name] = field_errors_to_entity(problems)
                    continue
                row = conn.execute(select(integrations).where(*_where(app.id, fields))).first()
                owner = _context_owner(conn, fields["integrationContext"])
                if row is None and owner is not None and owner != app.id:
                    # The admin's onboarding binds an organization (or contract) to one
                    # customer application; another app may not claim it.
                    errors[name] = entity_error(409, f"{fields['integrationContext']} is "
                                                     "already integrated with another "
                                                     "application")
                    continue
                if row is None and (foreign := _foreign_contract(
                        conn, fields["integrationContext"], orgs)):
                    errors[name] = entity_error(403, foreign)
                    continue
                if row is None:
                    if fields["integrationContext"].startswith(CONTRACT_PREFIX):
                        for org in orgs:  # LinkedIn now knows whose contract it is
                            record_company(conn, fields["integrationContext"], org)
                    status = "ENABLED" if sandbox.config.auto_enable else "PENDING"
                    conn.execute(integrations.insert().values(
                        app_id=app.id, name=set_fields.get("integrationName"), status=status,
                        created_at=now, last_modified_at=now,
                        **{column: fields[f] for f, column in KEY_COLUMNS.items()}))
                    created.append(fields)
                elif set_fields:
                    conn.execute(update(integrations).where(*_where(app.id, fields)).values(
                        name=set_fields["integrationName"], last_modified_at=now))
                results[name] = {"status": 204}
            if created and sandbox.config.auto_enable:
                record_status_change(conn, sandbox, app.id,
                                     [{**k, "status": "ENABLED"} for k in created])
            return batch_response(results, errors, protocol=call.protocol)
        raise ApiError(405, f"{call.method} is not supported on atsIntegrations")


def _organizations(conn: Connection, app_id: int,
                   keys: Iterable[dict[str, str]]) -> list[str]:
    """The organizations an app is integrated with, counting those named in this call."""
    found = {r.context for r in conn.execute(select(integrations.c.context).where(
        integrations.c.app_id == app_id, integrations.c.context.startswith(ORG_PREFIX)))}
    found.update(k["integrationContext"] for k in keys
                 if k["integrationContext"].startswith(ORG_PREFIX))
    return sorted(found)


def _foreign_contract(conn: Connection, context: str, orgs: list[str]) -> str | None:
    """Why an app of `orgs` may not integrate with this contract: it belongs to another
    company (ASSUMED: LinkedIn refuses a contract-scoped integration on another company's
    contract; the status and wording of its answer are not documented). None: it may."""
    if not context.startswith(CONTRACT_PREFIX) or not orgs:
        return None
    companies = recorded_companies(conn, context)
    if not companies or set(companies) & set(orgs):
        return None
    return (f"{context} belongs to another company ({', '.join(companies)}), not to "
            f"{', '.join(orgs)}")


def _context_owner(conn: Connection, context: str) -> int | None:
    owner = conn.execute(select(integrations.c.app_id).where(
        integrations.c.context == context).limit(1)).scalar()
    return int(owner) if owner is not None else None


def _integration_row(conn: Connection, app: App, key: dict[str, str]) -> Any:
    problems = validate_key("atsIntegrations", key)
    if problems:
        raise ApiError(400, "; ".join(p.message for p in problems))
    row = conn.execute(select(integrations).where(*_where(app.id, key))).first()
    if row is None:
        raise ApiError(404, f"integration {canonical(key)} not found; create it with "
                            "batch_partial_update first")
    return row


def _configurations(sandbox: Sandbox, app: App, call: RestliCall,
                    key: dict[str, str]) -> Response:
    ikey = canonical(key)
    with sandbox.store.tx() as conn:
        row = _integration_row(conn, app, key)
        itype = row._mapping["type"]
        ids = simple_ids(call)
        results: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        where = [configurations.c.app_id == app.id, configurations.c.integration == ikey]
        if call.method == "GET":
            statuses: dict[str, int] = {}
            for name in ids:
                found = conn.execute(select(configurations.c.value).where(
                    *where, configurations.c.name == name)).scalar()
                if found is None:
                    errors[name] = entity_error(404, f"configuration {name} is not set")
                    statuses[name] = 404
                else:
                    results[name] = {"configurationValue": {"string": found}}
                    statuses[name] = 200
            return batch_response(results, errors, statuses, protocol=call.protocol,
                                  simple_keys=True)
        if call.method == "DELETE":
            for name in ids:
                gone = conn.execute(delete(configurations).where(
                    *where, configurations.c.name == name)).rowcount
                if gone:
                    results[name] = {"status": 204}
                else:
                    errors[name] = entity_error(404, f"configuration {name} is not set")
            return batch_response(results, errors, protocol=call.protocol, simple_keys=True)
        if call.method == "PUT":
            require_method(call, "batch_update")
            entities = match_simple_entities(call, ids)
            for name in ids:
                problems = validate_key("atsIntegrations/configurations", {"id": name})
                if problems:
                    errors[name] = field_errors_to_entity(problems)
                    continue
                problems = validate_record("atsIntegrations/configurations", entities[name],
                                           now_ms=sandbox.clock.now_ms())
                if problems:
                    errors[name] = field_errors_to_entity(problems)
                    continue
                value = entities[name]["configurationValue"]["string"]
                problem = _config_problem(conn, app, itype, name, value)
                if problem is not None:
                    errors[name] = entity_error(*problem)
                    continue
                before = conn.execute(select(configurations.c.value).where(
                    *where, configurations.c.name == name)).scalar()
                conn.execute(insert(configurations).values(
                    app_id=app.id, integration=ikey, name=name, value=value,
                    context=key["integrationContext"]).on_conflict_do_update(
                    index_elements=["app_id", "integration", "name"], set_={"value": value}))
                results[name] = {"status": 204}
                if name == "CALLBACK_URL":
                    if before is not None and before != value:
                        retarget_pushes(conn, app.id, before, value)
                    deliver_unpushed(conn, sandbox, app.id)
            return batch_response(results, errors, protocol=call.protocol, simple_keys=True)
        raise ApiError(405, f"{call.method} is not supported on configurations")


def _config_problem(conn: Connection, app: App, itype: str, name: str,
                    value: str) -> tuple[int, str] | None:
    if name == "CALLBACK_URL":
        if itype not in EXPORT_TYPES:
            return 422, "CALLBACK_URL belongs on the ONE_CLICK_EXPORT (or CRM_ONE_CLICK_EXPORT) " \
                        f"integration, not {itype}"
        reason = callback_url_problem(value)
        if reason:
            return 422, f"ERROR :: /configurationValue/string :: {reason}"
        other = conn.execute(select(configurations.c.app_id).where(
            configurations.c.name == "CALLBACK_URL", configurations.c.value == value,
            configurations.c.app_id != app.id)).first()
        if other is not None:
            return 409, "this CALLBACK_URL is already used by another customer; each " \
                        "customer needs its own URL"
        return None
    viewers_on = {"JOB_POSTING_VIEWERS": EXPORT_TYPES, "APPLICATION_VIEWERS": INDICATOR_TYPES}
    if itype not in viewers_on[name]:
        return 422, f"{name} belongs on {' or '.join(viewers_on[name])}, not {itype}"
    if value != "ALL_PRODUCT_USERS":
        return 422, f"ERROR :: /configurationValue/string :: {name} only accepts " \
                    "ALL_PRODUCT_USERS"
    return None


def callback_url_problem(url: str) -> str | None:
    """LinkedIn wants HTTPS on 443 (or 80). The sandbox also accepts any loopback URL,
    because that is where a local receiver lives; LinkedIn itself could never reach one."""
    problem = url_problem(url)
    if problem:
        return problem
    parts = urlsplit(url)
    port = parts.port
    assert parts.hostname is not None  # url_problem checked it
    if _is_loopback(parts.hostname):
        return None
    if parts.scheme == "https" and port in (None, 443):
        return None
    if port in (None, 80) and parts.scheme == "http":
        return None
    return "must be an HTTPS URL on port 443 (or 80)"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def record_status_change(conn: Connection, sandbox: Sandbox, app_id: int,
                         keys: Iterable[dict[str, str]]) -> str:
    """Store a status-change request and queue its push to the app's callback URL(s)."""
    keys = list(keys)
    request_id = str(uuid.uuid4())
    now = sandbox.clock.now_ms()
    context = keys[0]["integrationContext"] if keys else ""
    urls = callback_urls(conn, app_id, context)
    conn.execute(status_requests.insert().values(request_id=request_id, app_id=app_id,
                                                 keys=keys, created_at=now,
                                                 pushed=bool(urls)))
    for url in urls:
        push_outbox.enqueue(conn, sandbox.clock, app_id=app_id, url=url,
                            push_type="INTEGRATION_STATUS_CHANGE", request_id=request_id,
                            integration_context=context)
    sandbox.pushes.notify()
    return request_id


def callback_urls(conn: Connection, app_id: int, context: str) -> list[str]:
    """Where an app's pushes about `context` go: the organization's own CALLBACK_URL, or for
    a contract every CALLBACK_URL of the app (a contract has no configurations of its own)."""
    query = select(configurations.c.value).where(configurations.c.app_id == app_id,
                                                 configurations.c.name == "CALLBACK_URL")
    if context.startswith("urn:li:organization:"):
        query = query.where(configurations.c.context == context)
    return sorted({row.value for row in conn.execute(query)})


def retarget_pushes(conn: Connection, app_id: int, old_url: str, new_url: str) -> None:
    """Pushes still being retried to a CALLBACK_URL that was just replaced go to the new one
    (assumed: LinkedIn retries to the URL configured now, so an ATS that moved, e.g. a
    restart on another port, loses no export)."""
    conn.execute(update(pushes).where(
        pushes.c.app_id == app_id, pushes.c.url == old_url,
        pushes.c.status == "PENDING").values(url=new_url))


def deliver_unpushed(conn: Connection, sandbox: Sandbox, app_id: int) -> None:
    """Status changes made before any CALLBACK_URL existed (e.g. with --auto-enable) are pushed
    once one is configured (assumed: LinkedIn cannot push to a URL it does not have yet)."""
    waiting = conn.execute(select(status_requests).where(
        status_requests.c.app_id == app_id, status_requests.c.pushed.is_(False))
        .order_by(status_requests.c.created_at)).all()
    for req in waiting:
        context = req.keys[0]["integrationContext"] if req.keys else ""
        urls = callback_urls(conn, app_id, context)
        for url in urls:
            push_outbox.enqueue(conn, sandbox.clock, app_id=app_id, url=url,
                                push_type="INTEGRATION_STATUS_CHANGE",
                                request_id=req.request_id, integration_context=context)
        if urls:
            conn.execute(update(status_requests).where(
                status_requests.c.request_id == req.request_id).values(pushed=True))
    sandbox.pushes.notify()


def set_status(sandbox: Sandbox, *, context: str, status: IntegrationStatus,
               types: list[str] | None = None) -> list[dict[str, Any]]:
    """The Recruiter admin turning integrations on or off. Returns the change requests."""
    now = sandbox.clock.now_ms()
    changes: list[dict[str, Any]] = []
    with sandbox.store.tx() as conn:
        query = select(integrations).where(integrations.c.context == context)
        if types:
            query = query.where(integrations.c.type.in_(types))
        rows = conn.execute(query).all()
        if not rows:
            raise LookupError(f"no integration has context {context}")
        by_app: dict[int, list[dict[str, str]]] = {}
        for row in rows:
            if row._mapping["status"] == status:
                continue
            by_app.setdefault(row._mapping["app_id"], []).append({**key_of(row),
                                                                   "status": status})
            conn.execute(update(integrations).where(
                *_where(row._mapping["app_id"], key_of(row))).values(
                status=status, last_modified_at=now))
        for app_id, keys in by_app.items():
            request_id = record_status_change(conn, sandbox, app_id, keys)
            changes.append({"requestId": request_id, "integrations": keys})
    return changes
