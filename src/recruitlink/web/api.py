"""The versioned REST data API: `/api/v1/<entity>` for every entity of the store's registry.

Per entity (URL segment = the registry name with hyphens, e.g. `stage-transitions`):

    POST   /{entity}            create one record (201; 409 if its id exists)
    GET    /{entity}            list: ?limit=&cursor=&modified_since=&modified_before=
    GET    /{entity}/{id}       read one record
    PUT    /{entity}/{id}       create or update the record with that id
    PATCH  /{entity}/{id}       update the given fields of an existing record
    DELETE /{entity}/{id}       delete it, and what the registry says goes with it (204)
    POST   /{entity}/bulk       upsert up to `max_bulk_records` records (JSON array or NDJSON)

Every operation is scoped to the tenant of the API key: another tenant's ids are unknown
here. Routes are generated from the registry, one small factory per verb, each given its
entity's pydantic model so that `/docs` and `/openapi.json` describe the real schemas.
Writes honour an `Idempotency-Key` header (web/idempotency.py, the routers' route class).

Handlers that touch the database are plain `def` (FastAPI runs them in its thread pool);
the bulk handler streams the body in the event loop and does the rest in the thread pool.
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations, and the
# per-entity models are closure variables, patched into the signatures below.

import inspect
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.responses import JSONResponse as StarletteJSONResponse

from recruitlink.core.records import ExternalId, rfc3339, to_millis
from recruitlink.errors import CursorError, JsonRefused
from recruitlink.store import ENTITIES, Entity, Outcome, Store, Writer
from recruitlink.store.records import Mode, get_record, list_records
from recruitlink.store.tenants import Tenant

from . import json_input
from .auth import ApiError, current_tenant, describe, get_store
from .idempotency import IdempotentRoute
from .wake import WAKE_SYNC

PREFIX = "/api/v1"
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl",
                "application/x-jsonlines", "application/jsonlines")
WRITE_ATTEMPTS = 3
"""A write that loses a race on a unique key (two calls creating one id) is retried."""

TenantDep = Annotated[Tenant, Depends(current_tenant)]
StoreDep = Annotated[Store, Depends(get_store)]
T = TypeVar("T")

_external_id: TypeAdapter[str] = TypeAdapter(ExternalId)


class RecordIdConvertor(PathConvertor):
    """A record's id in a path: any text (slashes and newlines too) but `bulk`, which is
    the bulk endpoint's: `GET /x/bulk` is a 405, as the OpenAPI description has it."""

    regex = r"(?!bulk\Z)(?s:.*)"


register_url_convertor("record_id", RecordIdConvertor())


def segment(spec: Entity) -> str:
    return spec.name.replace("_", "-")


def label(spec: Entity) -> str:
    """`candidate`, `interview feedback`, … for messages."""
    if spec.name == "interview_feedback":
        return "interview feedback"
    return spec.name[:-1].replace("_", " ")


# -- documentation models (answers are built by hand; these only describe them) -----------

class FieldError(BaseModel):
    field: str = Field(description="The field, dotted for nested values (`emails.0`).")
    reason: str


class ErrorDetail(BaseModel):
    code: str = Field(description="`unauthorized`, `not_found`, `conflict`, `invalid`, …")
    message: str
    errors: list[FieldError]


class ErrorBody(BaseModel):
    error: ErrorDetail


class BulkSummary(BaseModel):
    created: int
    updated: int
    unchanged: int
    rejected: int


class BulkResult(BaseModel):
    index: int = Field(description="Position of the record in the call, from 0.")
    id: str | None
    status: Literal["created", "updated", "unchanged", "rejected"]
    errors: list[FieldError] = Field(default_factory=list,
                                     description="Only for rejected records.")


class BulkResponse(BaseModel):
    summary: BulkSummary
    results: list[BulkResult] = Field(description="One per record sent, in the same order.")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in sorted({401, 422, *statuses})}


# -- helpers ---------------------------------------------------------------------------------

class JSONResponse(StarletteJSONResponse):
    """JSON, UTF-8; text the caller sent with lone surrogates (valid JSON escapes, not
    valid Unicode) is echoed back escaped instead of failing the answer."""

    def render(self, content: Any) -> bytes:
        try:
            return json.dumps(content, ensure_ascii=False, allow_nan=False,
                              separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, allow_nan=False,
                              separators=(",", ":")).encode("utf-8")


def field_errors(details: Iterable[Mapping[str, Any]], *, strip: Sequence[str] = (),
                 whole: str = "record") -> list[dict[str, str]]:
    """pydantic errors as [{"field": "emails.0", "reason": ...}]."""
    out = []
    for detail in details:
        loc = list(detail.get("loc", ()))
        if loc and loc[0] in strip:
            kind = loc.pop(0)
            whole_name = kind if kind == "body" else whole
        else:
            whole_name = whole
        name = ".".join(str(part) for part in loc) or whole_name
        out.append({"field": name, "reason": str(detail.get("msg", "is invalid"))})
    return out


def rejected(outcome: Outcome) -> ApiError:
    return ApiError(outcome.http_status if outcome.http_status >= 400 else 422,
                    describe(outcome.errors), outcome.errors)


def not_found(spec: Entity, external_id: str) -> ApiError:
    reason = f"no {label(spec)} with id {external_id!r}"
    return ApiError(404, reason, [{"field": "id", "reason": reason}])


def valid_path_id(value: str) -> bool:
    try:
        _external_id.validate_python(value)
    except ValidationError:
        return False
    return True


def checked_path_id(value: str) -> str:
    """The id in a path that may create a record: it must be a valid external id."""
    try:
        return _external_id.validate_python(value)
    except ValidationError as exc:
        errors = [{"field": "id", "reason": e["msg"]} for e in exc.errors(include_url=False)]
        raise ApiError(422, describe(errors), errors) from None


def same_id(record: BaseModel, path_id: str) -> BaseModel:
    """The body's id must be absent or the path's id; returns the record with the path's id."""
    body_id = getattr(record, "id", None)
    if body_id is not None and body_id != path_id:
        reason = f"must be absent or equal to the id in the path ({path_id!r})"
        raise ApiError(422, f"id: {reason}", [{"field": "id", "reason": reason}])
    return record.model_copy(update={"id": path_id})


def millis(value: datetime | None) -> int | None:
    if value is None:
        return None
    return to_millis(value if value.tzinfo is not None else value.replace(tzinfo=UTC))


DateTimeParam = Annotated[AwareDatetime, BeforeValidator(rfc3339)]


def write(store: Store, tenant_id: int, work: Callable[[Writer], T]) -> T:
    """Run `work` in one write transaction (changelog flushed last). A lost race is retried:
    a unique key another call took meanwhile (on the retry its rows exist and are updated
    instead), or a PostgreSQL deadlock. SQLite still locked after its busy timeout is a 503."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with store.writer(tenant_id) as writer:
                return work(writer)
        except IntegrityError:
            if attempt == WRITE_ATTEMPTS:
                message = "a concurrent request changed the same records; send it again"
                # Retry-After: a transient answer (an Idempotency-Key is not spent on it).
                raise ApiError(409, message, [{"field": "id", "reason": message}],
                               headers={"Retry-After": "1"}) from None
        except OperationalError as exc:
            text = str(exc.orig).lower()
            if "database is locked" in text:
                message = "the database is busy with other writes; send the request again"
                raise ApiError(503, message, [{"field": "body", "reason": message}],
                               headers={"Retry-After": "1"}) from None
            if "deadlock detected" not in text or attempt == WRITE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def write_one(store: Store, tenant: Tenant, spec: Entity, record: BaseModel,
              mode: Mode) -> tuple[Outcome, dict[str, Any]]:
    def work(writer: Writer) -> tuple[Outcome, dict[str, Any]]:
        (outcome,) = writer.records(spec.name, [(0, record)], mode=mode)
        if outcome.status == "rejected" or outcome.id is None:
            raise rejected(outcome)  # rolls the (empty) transaction back
        stored = get_record(writer.conn, spec, tenant_id=tenant.id, external_id=outcome.id)
        assert stored is not None
        return outcome, stored

    return write(store, tenant.id, work)


def with_body(endpoint: Callable[..., Any], model: type[BaseModel]) -> Callable[..., Any]:
    """Give the handler's `record` parameter the entity's model, for validation and docs."""
    signature = inspect.signature(endpoint)
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(annotation=model) if p.name == "record" else p
                    for p in signature.parameters.values()])
    return endpoint


# -- one factory per verb --------------------------------------------------------------------

def add_create(router: APIRouter, spec: Entity) -> None:
    def create(record: BaseModel, tenant: TenantDep, store: StoreDep) -> JSONResponse:
        _, stored = write_one(store, tenant, spec, record, "create")
        return JSONResponse(stored, status_code=201)

    required = ", ".join(f"`{name}`" for name in spec.required) or "none"
    router.add_api_route(
        f"/{segment(spec)}", with_body(create, spec.model), methods=["POST"],
        status_code=201, name=f"create_{spec.name}", operation_id=f"create_{spec.name}",
        summary=f"Create a {label(spec)}",
        description=f"Creates one {label(spec)}; without an `id` one is minted. Required: "
                    f"{required}. Answers the stored record; 409 if the id exists.",
        responses={201: {"model": spec.model}, **_errors(409, 422)})


def add_read(router: APIRouter, spec: Entity) -> None:
    def read(item_id: str, tenant: TenantDep, store: StoreDep) -> JSONResponse:
        if not valid_path_id(item_id):
            raise not_found(spec, item_id)
        with store.reader() as conn:
            stored = get_record(conn, spec, tenant_id=tenant.id, external_id=item_id)
        if stored is None:
            raise not_found(spec, item_id)
        return JSONResponse(stored)

    router.add_api_route(
        f"/{segment(spec)}/{{item_id:record_id}}", read, methods=["GET"],
        name=f"get_{spec.name}", operation_id=f"get_{spec.name}",
        summary=f"Read a {label(spec)}", responses={200: {"model": spec.model}, **_errors(404)})


def add_update(router: APIRouter, spec: Entity) -> None:
    def patch(item_id: str, record: BaseModel, tenant: TenantDep,
              store: StoreDep) -> JSONResponse:
        if not valid_path_id(item_id):
            raise not_found(spec, item_id)
        _, stored = write_one(store, tenant, spec, same_id(record, item_id), "update")
        return JSONResponse(stored)

    router.add_api_route(
        f"/{segment(spec)}/{{item_id:record_id}}", with_body(patch, spec.model), methods=["PATCH"],
        name=f"update_{spec.name}", operation_id=f"update_{spec.name}",
        summary=f"Update a {label(spec)}",
        description="Changes only the fields given; the others keep their stored values. "
                    "The body's `id`, if given, must be the path's.",
        responses={200: {"model": spec.model}, **_errors(404, 409, 422)})


def add_upsert(router: APIRouter, spec: Entity) -> None:
    def put(item_id: str, record: BaseModel, tenant: TenantDep,
            store: StoreDep) -> JSONResponse:
        record = same_id(record, checked_path_id(item_id))
        outcome, stored = write_one(store, tenant, spec, record, "upsert")
        return JSONResponse(stored, status_code=201 if outcome.status == "created" else 200)

    router.add_api_route(
        f"/{segment(spec)}/{{item_id:record_id}}", with_body(put, spec.model), methods=["PUT"],
        name=f"upsert_{spec.name}", operation_id=f"upsert_{spec.name}",
        summary=f"Create or update a {label(spec)} by id",
        description="Creates the record with this id (201) or updates it with the fields "
                    "given (200). The body's `id`, if given, must be the path's.",
        responses={200: {"model": spec.model}, 201: {"model": spec.model},
                   **_errors(409, 422)})


def add_delete(router: APIRouter, spec: Entity) -> None:
    def remove(item_id: str, tenant: TenantDep, store: StoreDep) -> Response:
        if not valid_path_id(item_id):
            raise not_found(spec, item_id)
        if not write(store, tenant.id, lambda writer: writer.delete(spec.name, item_id)):
            raise not_found(spec, item_id)
        return Response(status_code=204)

    goes = ", ".join(sorted({f"{c.entity} ({c.action.replace('_', ' ')})"
                             for c in spec.children})) or "nothing else"
    router.add_api_route(
        f"/{segment(spec)}/{{item_id:record_id}}", remove, methods=["DELETE"], status_code=204,
        name=f"delete_{spec.name}", operation_id=f"delete_{spec.name}",
        summary=f"Delete a {label(spec)}",
        description=f"Deletes the record; linked records: {goes}.",
        response_class=Response, responses=_errors(404))


def add_list(router: APIRouter, spec: Entity) -> None:
    items: Any = list[spec.model]  # type: ignore[name-defined]
    page = create_model(f"{spec.model.__name__}Page", items=(items, ...),
                        next_cursor=(str | None, None))

    def list_(tenant: TenantDep, store: StoreDep,
              limit: Annotated[int, Query(ge=1, le=1000, description="Records per page.")
                               ] = 100,
              cursor: Annotated[str | None, Query(
                  description="`next_cursor` of the previous page.")] = None,
              modified_since: Annotated[DateTimeParam | None, Query(
                  description="Only records modified at or after this time (RFC 3339).")
              ] = None,
              modified_before: Annotated[DateTimeParam | None, Query(
                  description="Only records modified before this time (RFC 3339).")
              ] = None) -> JSONResponse:
        try:
            with store.reader() as conn:
                items, next_cursor = list_records(
                    conn, spec, tenant_id=tenant.id, limit=limit, cursor=cursor or None,
                    modified_since=millis(modified_since),
                    modified_before=millis(modified_before))
        except CursorError as exc:
            raise ApiError(400, str(exc), [{"field": "cursor", "reason": str(exc)}]) from None
        return JSONResponse({"items": items, "next_cursor": next_cursor})

    router.add_api_route(
        f"/{segment(spec)}", list_, methods=["GET"], name=f"list_{spec.name}",
        operation_id=f"list_{spec.name}", summary=f"List {spec.name.replace('_', ' ')}",
        description="Oldest change first; follow `next_cursor` until it is null.",
        responses={200: {"model": page}, **_errors(400, 422)})


def add_bulk(router: APIRouter, spec: Entity) -> None:
    async def bulk(request: Request, tenant: TenantDep, store: StoreDep) -> JSONResponse:
        settings = request.app.state.settings
        raws = await read_records(request, settings.max_bulk_records)
        answer = await run_in_threadpool(bulk_upsert, store, tenant, spec, raws)
        return JSONResponse(answer)

    # Any array is taken: each record is checked on its own, and an invalid one comes back
    # `rejected` with its reasons in a 200, so the items' schema only names the model.
    record = {"description": f"A `{spec.model.__name__}` (see its schema); one that is not "
                             "is answered `rejected`, with its fields and reasons."}
    schema = {"type": "array", "maxItems": 10_000, "items": record}
    router.add_api_route(
        f"/{segment(spec)}/bulk", bulk, methods=["POST"], name=f"bulk_{spec.name}",
        operation_id=f"bulk_upsert_{spec.name}",
        summary=f"Upsert many {spec.name.replace('_', ' ')} by id",
        description="A JSON array of records, or NDJSON (`Content-Type: application/x-ndjson`, "
                    "one record a line). Each record needs its `id` (your external id). Valid "
                    "records are created, updated or left unchanged in one transaction; each "
                    "invalid one is reported with its fields and reasons. Sending the same "
                    "call again changes nothing.",
        responses={200: {"model": BulkResponse}, **_errors(400, 413, 415, 422)},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": schema},
            "application/x-ndjson": {"schema": record}}}})


# -- bulk ----------------------------------------------------------------------------------

def body_kind(content_type: str | None) -> Literal["json", "ndjson"]:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in NDJSON_TYPES:
        return "ndjson"
    if media in ("", "application/json") or media.endswith("+json"):
        return "json"
    reason = ("must be application/json (a JSON array of records) or application/x-ndjson "
              "(one record a line)")
    raise ApiError(415, f"Content-Type: {reason}", [{"field": "Content-Type",
                                                     "reason": reason}])


def too_many(limit: int) -> ApiError:
    reason = f"a bulk call takes at most {limit} records; split the records into calls"
    return ApiError(413, reason, [{"field": "body", "reason": reason}])


def bad_json(line: int, column: int, message: str) -> ApiError:
    reason = f"is not valid JSON: {message} (column {column})"
    return ApiError(400, f"line {line}: {reason}", [{"field": f"line {line}", "reason": reason}],
                    code="malformed_json")


async def read_records(request: Request, limit: int) -> list[Any]:
    """The call's records, parsed in the thread pool; the body size is limited by the app's
    middleware, an NDJSON line by `MAX_LINE_BYTES`."""
    kind = body_kind(request.headers.get("content-type"))
    if kind == "json":
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
        return await run_in_threadpool(parse_json_array, bytes(body), limit)
    lines = NdjsonLines(limit)
    async for chunk in request.stream():
        lines.feed(chunk)
    return await run_in_threadpool(parse_ndjson, lines.finish())


MAX_LINE_BYTES = 1024 * 1024
"""An NDJSON line holds one record; no record is near this."""


class NdjsonLines:
    """Splits an NDJSON body into (line number, line) as it streams in, in linear time: each
    chunk is searched once, and the unfinished line is kept as a list of pieces (joined when
    its newline comes), never re-searched. Blank lines are skipped but counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[tuple[int, bytes]] = []
        self.number = 0  # lines completed so far
        self.pending: list[bytes] = []
        self.pending_size = 0

    def feed(self, chunk: bytes) -> None:
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            self._line_part(chunk[start:end])
            self._end_line()
            start = end + 1
        if start < len(chunk):
            self._line_part(chunk[start:])

    def finish(self) -> list[tuple[int, bytes]]:
        if self.pending:
            self._end_line()
        return self.lines

    def _line_part(self, part: bytes) -> None:
        self.pending.append(part)
        self.pending_size += len(part)
        if self.pending_size > MAX_LINE_BYTES:
            raise line_too_long(self.number + 1)

    def _end_line(self) -> None:
        self.number += 1
        line = b"".join(self.pending)
        self.pending.clear()
        self.pending_size = 0
        if line.strip():
            self.lines.append((self.number, line))
            if len(self.lines) > self.limit:
                raise too_many(self.limit)  # before reading the rest


def line_too_long(number: int) -> ApiError:
    reason = f"is longer than {MAX_LINE_BYTES} bytes: one record a line"
    return ApiError(413, f"line {number} {reason}", [{"field": f"line {number}",
                                                       "reason": reason}])


def _bad(line: int, exc: JsonRefused) -> ApiError:
    """Not JSON, or JSON past a limit (too deep, too long an integer)."""
    if exc.malformed:
        return bad_json(line, exc.column, exc.detail)
    return ApiError(400, f"line {line}: {exc.reason}", [{"field": f"line {line}",
                                                        "reason": exc.reason}],
                    code="malformed_json")


def parse_json_array(body: bytes, limit: int) -> list[Any]:
    if not body.strip():
        reason = "is empty: send a JSON array of records"
        raise ApiError(400, f"body {reason}", [{"field": "body", "reason": reason}])
    try:
        # Text a database cannot store is left to each record's own check (core/records.py):
        # one bad record does not fail the call.
        records = json_input.loads(body, storable=False)
    except JsonRefused as exc:
        raise _bad(exc.line, exc) from None
    if not isinstance(records, list):
        reason = "must be a JSON array of records (or NDJSON with Content-Type " \
                 "application/x-ndjson)"
        raise ApiError(422, f"body {reason}", [{"field": "body", "reason": reason}])
    if len(records) > limit:
        raise too_many(limit)
    return records


def parse_ndjson(lines: Sequence[tuple[int, bytes]]) -> list[Any]:
    records = []
    for number, line in lines:
        try:
            records.append(json_input.loads(line, storable=False))
        except JsonRefused as exc:
            raise _bad(number, exc) from None
    return records


def validate_records(spec: Entity, raws: Sequence[Any]
                     ) -> tuple[list[tuple[int, BaseModel]], dict[int, Outcome]]:
    """Each record on its own: the valid ones, and an outcome for each rejected one."""
    valid: list[tuple[int, BaseModel]] = []
    outcomes: dict[int, Outcome] = {}
    first_seen: dict[str, int] = {}
    for index, raw in enumerate(raws):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        ext = raw_id if isinstance(raw_id, str) else None
        if ext is not None:
            if ext in first_seen:
                outcomes[index] = Outcome(index, ext, "rejected", [{
                    "field": "id", "reason": f"appears more than once in this call (first at "
                                             f"index {first_seen[ext]})"}], 409)
                continue
            first_seen[ext] = index
        if not isinstance(raw, dict):
            outcomes[index] = Outcome(index, None, "rejected", [{
                "field": "record", "reason": "must be a JSON object"}], 422)
            continue
        try:
            model = spec.model.model_validate(raw)
        except ValidationError as exc:
            outcomes[index] = Outcome(index, ext, "rejected",
                                      field_errors(exc.errors(include_url=False)), 422)
            continue
        if getattr(model, "id", None) is None:
            outcomes[index] = Outcome(index, None, "rejected", [{
                "field": "id", "reason": "is required in a bulk call (your own id for the "
                                         "record)"}], 422)
            continue
        valid.append((index, model))
    return valid, outcomes


def bulk_upsert(store: Store, tenant: Tenant, spec: Entity, raws: Sequence[Any]
                ) -> dict[str, Any]:
    valid, outcomes = validate_records(spec, raws)
    if valid:
        written = write(store, tenant.id,
                        lambda writer: writer.records(spec.name, valid, mode="upsert"))
        outcomes.update((o.index, o) for o in written)
    results = [outcomes[index].as_json() for index in range(len(raws))]
    counts = Counter(r["status"] for r in results)
    summary = {s: counts.get(s, 0) for s in ("created", "updated", "unchanged", "rejected")}
    return {"summary": summary, "results": results}


# -- the router ------------------------------------------------------------------------------

def build_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, dependencies=[WAKE_SYNC])
    for spec in ENTITIES.values():
        sub = APIRouter(tags=[segment(spec)], route_class=IdempotentRoute)
        # Bulk first: `POST /x/bulk` must not be taken for a record id.
        add_bulk(sub, spec)
        add_list(sub, spec)
        add_create(sub, spec)
        add_read(sub, spec)
        add_upsert(sub, spec)
        add_update(sub, spec)
        add_delete(sub, spec)
        router.include_router(sub)
    return router
