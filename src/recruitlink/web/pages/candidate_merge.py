"""The candidate page's Merge and Unmerge (issue 19, part 3), for admins:

    POST /t/{slug}/candidates/{id}/merge     form `merged`: the candidate merged into this one
    POST /t/{slug}/candidates/{id}/unmerge   form `merge`: the merge to undo

The same operations as `recruitlink identity merge|unmerge` and the API's
`/api/v1/candidates/{id}/merge`.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from recruitlink.inbound import identity
from recruitlink.store import Store

from ..params import small_int
from .admin_setup import see_other
from .security import PageError, PageUser, admin, require_csrf


def build_merge_router(store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def back(request: Request, user: PageUser, external_id: str, **done: str) -> Response:
        background = getattr(request.app.state, "background", None)
        if background is not None:
            background.notify()  # the sync deletes, creates and re-sends at its next step
        return see_other(f"/t/{user.tenant_slug}/candidates/{quote(external_id, safe='')}",
                         **done)

    @router.post("/t/{slug}/candidates/{external_id}/merge",
                 dependencies=[Depends(require_csrf)])
    async def merge(request: Request, external_id: str,
                    user: PageUser = Depends(admin)) -> Response:
        merged = str((await request.form()).get("merged") or "").strip()
        if not merged:
            raise PageError(400, "merged: the id of the candidate to merge is required.",
                            user=user)
        try:
            result = await run_in_threadpool(identity.merge, store, user.tenant_id,
                                             external_id, merged)
        except LookupError as exc:
            raise PageError(404, str(exc).replace("kept:", "candidate:"), user=user) from exc
        except ValueError as exc:
            raise PageError(409, str(exc), user=user) from exc
        return back(request, user, external_id, merged=result.merged)

    @router.post("/t/{slug}/candidates/{external_id}/unmerge",
                 dependencies=[Depends(require_csrf)])
    async def unmerge(request: Request, external_id: str,
                      user: PageUser = Depends(admin)) -> Response:
        merge_id = small_int(str((await request.form()).get("merge") or ""))
        if merge_id is None:
            raise PageError(400, "merge: not a merge id.", user=user)
        try:
            result = await run_in_threadpool(identity.undo_merge, store, user.tenant_id,
                                             merge_id)
        except LookupError as exc:
            raise PageError(404, str(exc), user=user) from exc
        except ValueError as exc:
            raise PageError(409, str(exc), user=user) from exc
        return back(request, user, external_id, unmerged=result.merged)

    return router
