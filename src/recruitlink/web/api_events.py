"""The change feed: `GET /api/v1/events`, the tenant's host events (core/host_events.py) oldest
first, for a host ATS that polls instead of (or besides) receiving webhooks.

A poller keeps one cursor: it sends it as `after`, applies the page's events, and stores the
answer's `next_cursor`, which is always there, even for an empty page, so the next poll
continues from it and never sees an event twice or misses one. Deletions are events too.
"""

# No `from __future__ import annotations`: FastAPI reads the handler's annotations.

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from recruitlink.core.host_events import EVENT_TYPES, parse_types
from recruitlink.store import host_events

from .api import PREFIX, ErrorBody, JSONResponse, StoreDep, TenantDep
from .auth import ApiError
from .params import BIGINT_MAX

_NAMES = "|".join(re.escape(name) for name in EVENT_TYPES)
TYPES_PATTERN = rf"^(?:(?:{_NAMES})(?:,(?:{_NAMES}))*)?$"
"""`types=`: event type names separated by commas (nothing else, so that the OpenAPI
description says exactly what is accepted)."""

EventTypeName = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]


class FeedItem(BaseModel):
    """One event, in the shape a webhook delivers it (Standard Webhooks' payload: type,
    timestamp, data) plus its id and cursor."""
    id: str = Field(description="`evt_<n>`: the same id as the webhook delivery's "
                                "`webhook-id`; deduplicate by it.")
    cursor: str = Field(description="This event's position: `after=<cursor>` lists the "
                                    "events that follow it.")
    type: EventTypeName  # type: ignore[valid-type]
    timestamp: str = Field(description="When the change happened (RFC 3339, UTC).")
    data: dict[str, Any] = Field(description="Ids and what changed; per type.")


class FeedPage(BaseModel):
    items: list[FeedItem] = Field(description="Oldest first.")
    next_cursor: str = Field(description="Send it as `after` on the next call. Always "
                                         "present, also when `items` is empty: keep it and "
                                         "poll again later.")


def _types_error(value: str) -> ApiError:
    try:
        parse_types(value)
        reason = "must be event type names separated by commas, without spaces"
    except ValueError as exc:
        reason = str(exc)
    return ApiError(422, f"types: {reason}", [{"field": "types", "reason": reason}])


def feed_page(conn: Connection, tenant_id: int, after: int, limit: int,
              types: tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
    """A page of events after `after` and the cursor to continue from.

    A short page means every matching event committed so far has been listed; the cursor then
    moves to the tenant's newest event, read BEFORE the page: per tenant, sequence numbers are
    handed out in commit order (store/host_events.py), so everything up to that head was
    committed before the page was read and is in it if it matches. A poller filtering on rare
    types thus does not scan the same unwanted events again and again."""
    newest = host_events.head(conn, tenant_id)
    events = host_events.read_after(conn, tenant_id, after, limit=limit, types=types)
    last = events[-1].seq if events else after
    next_cursor = last if len(events) == limit else max(last, newest, after)
    return [e.envelope() for e in events], next_cursor


def build_events_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["events"])

    @router.get(
        "/events", name="list_events", operation_id="list_events",
        summary="The change feed: what LinkedIn-side activity changed, oldest first",
        description=(
            "The tenant's events (candidates, applications, notes and InMails created, "
            "changed or deleted by LinkedIn-side activity; refused exports; records LinkedIn "
            "or validation rejected; integration status changes; seat mappings; sync "
            "milestones; disconnect reports), oldest first, the same events webhooks "
            "deliver.\n\nPolling: start with `after=0` (or without `after`), apply the "
            "`items`, store `next_cursor` and send it as `after` on the next call. "
            "`next_cursor` is always returned, also for an empty page: keep polling from "
            "it. A full page (`limit` items) means more may follow at once."),
        response_model=FeedPage,
        responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}})
    def list_events(
            tenant: TenantDep, store: StoreDep,
            after: Annotated[int, Query(
                ge=0, le=BIGINT_MAX,
                description="`next_cursor` of the previous answer (or the `cursor` of the "
                            "last event applied); 0: from the first event.")] = 0,
            types: Annotated[str, Query(
                max_length=2000, json_schema_extra={"pattern": TYPES_PATTERN},
                description="Only these event types, separated by commas (e.g. "
                            "`candidate.created,record.rejected`); absent or empty: all.")
            ] = "",
            limit: Annotated[int, Query(ge=1, le=1000, description="Events per page.")
                             ] = 100) -> JSONResponse:
        # As JSON Schema reads a pattern (a search; `$` also before a final newline).
        if not re.search(TYPES_PATTERN, types):
            raise _types_error(types)
        wanted = parse_types(types)
        with store.reader() as conn:
            items, next_cursor = feed_page(conn, tenant.id, after, limit, wanted)
        return JSONResponse({"items": items, "next_cursor": str(next_cursor)})

    return router
