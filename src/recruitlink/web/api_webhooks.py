"""The API's webhook endpoints (`/api/v1/webhooks/…`): where recruitlink sends the tenant's
events (core/host_events.py) as Standard Webhooks deliveries, their delivery log with each
delivery's attempts, and replays. The same operations as the admin page "Webhooks" and
`recruitlink webhooks …`.

An endpoint's signing secret (`whsec_…`) is in the answer of create and rotate only: it is
stored sealed and never shown again.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from sqlalchemy import Connection

from recruitlink.core.host_events import EVENT_TYPES, timestamp
from recruitlink.core.webhook_endpoints import (
    MAX_DESCRIPTION,
    ROTATION_OVERLAP_MS,
    problems,
    types_problem,
)
from recruitlink.core.webhook_urls import MAX_LENGTH
from recruitlink.hooks.shapes import attempt_json, delivery_json, endpoint_json, last_delivery
from recruitlink.runtime.context import Runtime
from recruitlink.store import now_ms, webhooks
from recruitlink.store.tenants import Tenant

from .api import DateTimeParam, millis
from .api_linkedin import errors
from .auth import ApiError, current_tenant
from .params import RowId

TenantDep = Annotated[Tenant, Depends(current_tenant)]


def _known_type(name: str) -> str:
    problem = types_problem([name])
    if problem is not None:
        raise ValueError(problem)
    return name


EventTypeName = Annotated[str, AfterValidator(_known_type),
                          WithJsonSchema({"type": "string", "enum": list(EVENT_TYPES)})]
Status = Literal["pending", "delivered", "failed"]
CURSOR = r"^[0-9]{1,18}$"


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# -- the shapes ------------------------------------------------------------------------------

class LastDelivery(BaseModel):
    status: Status
    code: int | None = Field(..., description="The endpoint's last HTTP status; null: none.")
    at: str = Field(..., description="When the delivery was created (RFC 3339).")


class WebhookEndpoint(BaseModel):
    id: int
    url: str
    description: str
    types: list[str] = Field(..., description="The event types sent; [] = every type.")
    enabled: bool
    disabledReason: str | None = Field(..., description="Why it is disabled: by an admin, or "
                                                        "deliveries failing for days.")
    disabledAt: str | None
    createdAt: str
    updatedAt: str
    rotatingUntil: str | None = Field(..., description="After a rotation, deliveries carry "
                                                       "the previous secret's signature too "
                                                       "until then.")
    heldUntil: str | None = Field(..., description="After a delivery failed to connect "
                                                   "(refused, timed out, DNS or TLS): nothing "
                                                   "is sent before then, and then only that "
                                                   "delivery until the endpoint answers.")
    lastDelivery: LastDelivery | None


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(..., description="The signing secret (`whsec_…`): shown only now.")


class WebhookEndpoints(BaseModel):
    items: list[WebhookEndpoint]


class NewSecret(BaseModel):
    secret: str = Field(..., description="The new signing secret (`whsec_…`): shown only now.")
    rotatingUntil: str = Field(..., description="The previous secret signs too until then.")


class WebhookDelivery(BaseModel):
    id: int
    eventId: str = Field(..., description="The event's id: the delivery's `webhook-id`.")
    eventType: str
    eventAt: str
    record: str = Field(..., description="What the event is about (`subject:id`): one "
                                         "record's deliveries leave in event order.")
    status: Status
    attempts: int = Field(..., description="Attempts since it was created or last replayed.")
    nextAttemptAt: str | None = Field(..., description="When it is tried next; null unless "
                                                       "pending.")
    lastCode: int | None
    lastLatencyMs: int | None
    lastError: str | None
    createdAt: str
    deliveredAt: str | None


class WebhookDeliveries(BaseModel):
    items: list[WebhookDelivery] = Field(..., description="Newest first.")
    next_cursor: str | None = Field(..., description="`cursor` for the next (older) page; "
                                                     "null: the last page.")


class WebhookAttempt(BaseModel):
    id: int
    at: str
    code: int | None = Field(..., description="The endpoint's HTTP status; null: no answer.")
    latencyMs: int
    error: str | None


class WebhookAttempts(BaseModel):
    items: list[WebhookAttempt] = Field(..., description="Oldest first.")


class Replayed(BaseModel):
    replayed: int = Field(..., description="How many deliveries are due again now.")


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., max_length=MAX_LENGTH, examples=["https://ats.example.com/hooks"],
                     description="https (plain http only to loopback unless the server "
                                 "allows it); no credentials, no fragment.")
    types: list[EventTypeName] = Field(default_factory=list,
                                       description="The event types to send; [] = every type.")
    description: str = Field("", max_length=MAX_DESCRIPTION)


class EndpointPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(None, max_length=MAX_LENGTH)
    types: list[EventTypeName] | None = None
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    enabled: bool | None = Field(None, description="false: deliveries stop (kept pending); "
                                                   "true: they resume.")


class ReplayRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: DateTimeParam = Field(..., description="Deliveries created at or after (RFC 3339).")
    until: DateTimeParam = Field(..., description="... and at or before (RFC 3339).")


# -- as JSON (also `recruitlink webhooks … --json`) -----------------------------------------

def once(types: list[str]) -> list[str]:
    """The types in the order given, each once."""
    return list(dict.fromkeys(types))


def invalid(found: dict[str, str]) -> ApiError:
    listed = [{"field": field, "reason": reason} for field, reason in found.items()]
    return ApiError(422, "; ".join(f"{e['field']}: {e['reason']}" for e in listed), listed)


def no_endpoint(endpoint_id: int) -> ApiError:
    return ApiError(404, f"no webhook endpoint {endpoint_id}",
                    [{"field": "endpoint_id", "reason": "not found"}])


def no_delivery(delivery_id: int) -> ApiError:
    return ApiError(404, f"no delivery {delivery_id} of this endpoint",
                    [{"field": "delivery_id", "reason": "not found"}])


def links_to_endpoint() -> dict[str, Any]:
    """OpenAPI links: what a client (or a fuzzer) can do next with a new endpoint's id."""
    return {op: {"operationId": op, "parameters": {"endpoint_id": "$response.body#/id"}}
            for op in ("get_webhook_endpoint", "update_webhook_endpoint",
                       "delete_webhook_endpoint", "rotate_webhook_secret",
                       "list_webhook_deliveries", "replay_webhook_range")}


def build_webhooks_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"],
                       responses=errors(401, 422))

    def endpoint_or_404(conn: Connection, tenant: Tenant,
                        endpoint_id: int) -> webhooks.Endpoint:
        found = webhooks.get_endpoint(conn, tenant.id, endpoint_id)
        if found is None:
            raise no_endpoint(endpoint_id)
        return found

    def delivery_or_404(conn: Connection, tenant: Tenant, endpoint_id: int,
                        delivery_id: int) -> webhooks.Delivery:
        endpoint_or_404(conn, tenant, endpoint_id)
        found = webhooks.get_delivery(conn, tenant.id, delivery_id)
        if found is None or found.endpoint_id != endpoint_id:
            raise no_delivery(delivery_id)
        return found

    @router.get("", operation_id="list_webhook_endpoints",
                summary="The tenant's webhook endpoints", response_model=WebhookEndpoints)
    def list_endpoints(request: Request, tenant: TenantDep) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            return {"items": [endpoint_json(e, last_delivery(conn, tenant.id, e.id))
                              for e in webhooks.list_endpoints(conn, tenant.id)]}

    @router.post("", operation_id="create_webhook_endpoint", status_code=201,
                 response_model=WebhookEndpointWithSecret,
                 responses={201: {"description": "The endpoint, with its secret",
                                  "links": links_to_endpoint()}},
                 summary="Add an endpoint; the answer holds its signing secret, shown once",
                 description="Deliveries are signed per Standard Webhooks (`webhook-id`, "
                             "`webhook-timestamp`, `webhook-signature`); verify them with "
                             "the secret. The endpoint gets the events written from now on.")
    def create(body: EndpointCreate, request: Request, tenant: TenantDep) -> dict[str, Any]:
        runtime = _runtime(request)
        found = problems(url=body.url, description=body.description,
                         allow_http=runtime.settings.webhook_allow_http)
        if found:
            raise invalid(found)
        with runtime.store.db.write() as conn:
            endpoint, secret = webhooks.create_endpoint(
                conn, runtime.box, tenant.id, url=body.url, types=once(body.types),
                description=body.description, now_ms=now_ms())
        return {**endpoint_json(endpoint), "secret": secret}

    @router.get("/{endpoint_id}", operation_id="get_webhook_endpoint", summary="One endpoint",
                response_model=WebhookEndpoint, responses=errors(404))
    def get(endpoint_id: RowId, request: Request, tenant: TenantDep) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            endpoint = endpoint_or_404(conn, tenant, endpoint_id)
            return endpoint_json(endpoint, last_delivery(conn, tenant.id, endpoint_id))

    @router.patch("/{endpoint_id}", operation_id="update_webhook_endpoint",
                  summary="Change an endpoint (the fields given), enable or disable it",
                  response_model=WebhookEndpoint, responses=errors(404))
    def patch(endpoint_id: RowId, body: EndpointPatch, request: Request,
              tenant: TenantDep) -> dict[str, Any]:
        runtime = _runtime(request)
        found = problems(url=body.url, description=body.description,
                         allow_http=runtime.settings.webhook_allow_http)
        if found:
            raise invalid(found)
        with runtime.store.db.write() as conn:
            endpoint = webhooks.update_endpoint(
                conn, tenant.id, endpoint_id, now_ms=now_ms(), url=body.url,
                types=None if body.types is None else once(body.types),
                description=body.description, enabled=body.enabled)
            if endpoint is None:
                raise no_endpoint(endpoint_id)
            return endpoint_json(endpoint, last_delivery(conn, tenant.id, endpoint_id))

    @router.delete("/{endpoint_id}", operation_id="delete_webhook_endpoint", status_code=204,
                   response_class=Response,
                   summary="Remove an endpoint, its deliveries and their log",
                   responses=errors(404))
    def remove(endpoint_id: RowId, request: Request, tenant: TenantDep) -> Response:
        with _runtime(request).store.db.write() as conn:
            if not webhooks.delete_endpoint(conn, tenant.id, endpoint_id):
                raise no_endpoint(endpoint_id)
        return Response(status_code=204)

    @router.post("/{endpoint_id}/rotate", operation_id="rotate_webhook_secret",
                 response_model=NewSecret, responses=errors(404),
                 summary="A new signing secret, shown once; the previous one signs too for "
                         "24 hours")
    def rotate(endpoint_id: RowId, request: Request, tenant: TenantDep) -> dict[str, Any]:
        runtime = _runtime(request)
        now = now_ms()
        with runtime.store.db.write() as conn:
            secret = webhooks.rotate_secret(conn, runtime.box, tenant.id, endpoint_id,
                                            now_ms=now, overlap_ms=ROTATION_OVERLAP_MS)
        if secret is None:
            raise no_endpoint(endpoint_id)
        return {"secret": secret, "rotatingUntil": timestamp(now + ROTATION_OVERLAP_MS)}

    @router.get("/{endpoint_id}/deliveries", operation_id="list_webhook_deliveries",
                response_model=WebhookDeliveries,
                responses=errors(404), summary="The endpoint's delivery log, newest first")
    def deliveries(endpoint_id: RowId, request: Request, tenant: TenantDep,
                   status: Status | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50,
                   cursor: Annotated[str | None, Query(
                       pattern=CURSOR, description="`next_cursor` of the previous page.")
                   ] = None) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            endpoint_or_404(conn, tenant, endpoint_id)
            rows = webhooks.list_deliveries(conn, tenant.id, endpoint_id, limit=limit,
                                            status=status,
                                            before_id=int(cursor) if cursor else None)
        return {"items": [delivery_json(d) for d in rows],
                "next_cursor": str(rows[-1].id) if len(rows) == limit else None}

    @router.get("/{endpoint_id}/deliveries/{delivery_id}", operation_id="get_webhook_delivery",
                response_model=WebhookDelivery,
                responses=errors(404), summary="One delivery")
    def delivery(endpoint_id: RowId, delivery_id: RowId, request: Request,
                 tenant: TenantDep) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            return delivery_json(delivery_or_404(conn, tenant, endpoint_id, delivery_id))

    @router.get("/{endpoint_id}/deliveries/{delivery_id}/attempts",
                operation_id="list_webhook_attempts",
                response_model=WebhookAttempts, responses=errors(404),
                summary="Every attempt at one delivery, oldest first")
    def attempts(endpoint_id: RowId, delivery_id: RowId, request: Request,
                 tenant: TenantDep) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            delivery_or_404(conn, tenant, endpoint_id, delivery_id)
            return {"items": [attempt_json(a)
                              for a in webhooks.list_attempts(conn, tenant.id, delivery_id)]}

    @router.post("/{endpoint_id}/deliveries/{delivery_id}/replay",
                 operation_id="replay_webhook_delivery", status_code=202,
                 response_model=WebhookDelivery, responses=errors(404),
                 summary="Send one delivery again now, whatever its status")
    def replay(endpoint_id: RowId, delivery_id: RowId, request: Request,
               tenant: TenantDep) -> dict[str, Any]:
        with _runtime(request).store.db.write() as conn:
            delivery_or_404(conn, tenant, endpoint_id, delivery_id)
            webhooks.replay_delivery(conn, tenant.id, delivery_id, now_ms=now_ms())
            again = webhooks.get_delivery(conn, tenant.id, delivery_id)
        assert again is not None
        return delivery_json(again)

    @router.post("/{endpoint_id}/replay", operation_id="replay_webhook_range", status_code=202,
                 response_model=Replayed,
                 responses=errors(404),
                 summary="Send again every delivery created in a time range")
    def replay_range(endpoint_id: RowId, body: ReplayRange, request: Request,
                     tenant: TenantDep) -> dict[str, Any]:
        since, until = millis(body.since), millis(body.until)
        assert since is not None and until is not None
        if since > until:
            raise invalid({"until": "must not be before since"})
        with _runtime(request).store.db.write() as conn:
            endpoint_or_404(conn, tenant, endpoint_id)
            count = webhooks.replay_range(conn, tenant.id, endpoint_id, since_ms=since,
                                          until_ms=until, now_ms=now_ms())
        return {"replayed": count}

    return router
