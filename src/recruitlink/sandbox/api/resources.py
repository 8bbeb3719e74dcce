"""Which handler serves each LinkedIn API resource, and what a call is charged: read by both
API families (`/v2` in app.py, the versioned `/rest` in versioned.py)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response

from recruitlink.core.limits import family_of

from ..state import Sandbox
from . import (
    attachments,
    evaluations,
    integrations,
    jobs,
    media,
    prospects,
    provisioning,
    records,
    seats,
)
from .oauth import App
from .restli_http import RestliCall

Handler = Callable[[Sandbox, App, RestliCall], Response]
"""A resource handler: it reads a call in the `/v2` (Rest.li 1.0) shape and answers it."""

HANDLERS: dict[str, Handler] = {
    "provisionedApplications": provisioning.handle,
    "atsIntegrations": integrations.handle,
    "simpleJobPostings": jobs.handle_postings,
    "simpleJobPostingTasks": jobs.handle_tasks,
    "seatsV2": seats.handle,
    "seats": seats.handle,
    "hireMediaUrl": media.handle,
    **{name: records.handle for name in records.RESOURCES},
    **{name: prospects.handle for name in prospects.RESOURCES},
}
"""The `/v2` resources, by their `/v2` names (`/rest` translates its names to these)."""

REST_ONLY_HANDLERS: dict[str, Handler] = {
    "attachments": attachments.handle,
    "exportedApplicationEvaluations": evaluations.handle,
}
"""Resources only the versioned family has (core.api_families.REST_ONLY); /v2 answers 404."""


def throttle_family(call: RestliCall) -> str | None:
    resource = call.segments[0]
    if resource == "provisionedApplications":
        return None
    if resource == "atsIntegrations":
        return "integrationConfigurations" if len(call.segments) > 1 else "atsIntegrations"
    return family_of(resource)


def charge(sandbox: Sandbox, app: App, call: RestliCall, records: int | None = None) -> None:
    """Count a request against its throttle family (a `/rest` call in its `/v2` family)."""
    family = throttle_family(call)
    if family is not None:
        with sandbox.store.tx() as conn:
            sandbox.throttles.charge(conn, app.id, family,
                                     records_in(call) if records is None else records,
                                     sandbox.clock.now_ms())


def records_in(call: RestliCall) -> int:
    if call.segments[0] == "simpleJobPostings" and isinstance(call.body, dict):
        elements = call.body.get("elements")
        if isinstance(elements, list):
            return max(1, len(elements))
    return records.records_in_request(call)
