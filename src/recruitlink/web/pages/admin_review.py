"""Integrations -> LinkedIn -> Review: LinkedIn items that could be several candidates, kept
for an admin instead of guessed (issue 19, part 3).

    GET  /t/{slug}/integrations/linkedin/review                the open items
    POST /t/{slug}/integrations/linkedin/review/{id}/resolve   link, create, or merge + link

The same operations as `recruitlink identity review` and `/api/v1/linkedin/review`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from recruitlink.errors import IdentityRequestInvalid
from recruitlink.inbound import identity
from recruitlink.store import identity as stored

from ..params import RowId
from .admin_setup import BASE, base_url, runtime_of, see_other
from .render import format_millis, render
from .security import PageError, PageUser, admin, require_csrf

REVIEW = BASE + "/review"


def _items(request: Request, tenant_id: int) -> list[dict[str, Any]]:
    store = runtime_of(request).store
    items = identity.list_reviews(store, tenant_id)
    wanted = sorted({c["id"] for item in items for c in item["candidates"]})
    with store.reader() as conn:
        known = stored.names(conn, tenant_id, wanted) if wanted else {}
    for item in items:
        for c in item["candidates"]:
            c["name"] = known.get(c["id"])  # None: gone since (merged or deleted)
        item["live"] = [c for c in item["candidates"] if c["name"] is not None]
    return items


def build_review_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(REVIEW)
    def review_page(request: Request, user: PageUser = Depends(admin),
                    resolved: str = "") -> Response:
        notice = None
        if resolved.isdigit() and len(resolved) < 19:
            with runtime_of(request).store.reader() as conn:
                row = stored.review(conn, user.tenant_id, int(resolved))
            if row is not None and row.resolution:
                notice = f"Item {row.id}: {row.resolution}."
        return render(request, "admin_review.html", {
            "title": "LinkedIn review", "user": user, "base": base_url(user),
            "here": base_url(user) + "/review", "items": _items(request, user.tenant_id),
            "notice": notice, "millis": format_millis})

    @router.post(REVIEW + "/{review_id}/resolve")
    async def resolve(request: Request, review_id: RowId, user: PageUser = Depends(admin),
                      _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        action = str(form.get("action") or "")
        candidate = str(form.get("candidate") or "") or None
        merge = [str(m) for m in form.getlist("merge") if m]
        try:
            result = await run_in_threadpool(
                identity.resolve, runtime_of(request).store, user.tenant_id, review_id,
                action, candidate, merge or None)
        except LookupError as exc:
            raise PageError(404, str(exc), user=user) from exc
        except ValueError as exc:
            status = 400 if isinstance(exc, IdentityRequestInvalid) else 409
            raise PageError(status, str(exc), user=user) from exc
        background = getattr(request.app.state, "background", None)
        if background is not None:
            background.notify()  # the sync sends the link (and a merge) at its next step
        return see_other(base_url(user) + "/review", resolved=str(result["id"]))

    return router
