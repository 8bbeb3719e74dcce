"""A project's Visibility Settings on its page, for admins (seed: PageUp "Controlling
Synchronised Data": only projects shared with all recruiters are synchronised):

    POST /t/{slug}/projects/{id}/visibility   form `sharing`: all | private

The same update as the data API's PATCH of `shared_with_all`; the sync then sends the project
and its members, or removes them from LinkedIn.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from recruitlink.core.records import Project
from recruitlink.store import Store
from recruitlink.store.schema import projects

from .admin_setup import see_other
from .ats import PROJECT_SHARING, record_or_404
from .security import PageError, PageUser, admin, require_csrf


def build_project_visibility_router(store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post("/t/{slug}/projects/{external_id}/visibility",
                 dependencies=[Depends(require_csrf)])
    async def save_visibility(request: Request, external_id: str,
                              user: PageUser = Depends(admin)) -> Response:
        sharing = str((await request.form()).get("sharing") or "")
        if sharing not in dict(PROJECT_SHARING):
            raise PageError(400, "sharing: choose 'Share this project with all recruiters' or "
                                 "'Private', then Save.", user=user)
        with store.reader() as conn:
            record_or_404(conn, projects, user.tenant_id, external_id, "project")
        # The pages' WAKE_SYNC starts the sync's next round: it sends or removes the project.
        await run_in_threadpool(_update, store, user.tenant_id,
                                Project(id=external_id, shared_with_all=sharing == "all"))
        return see_other(f"/t/{user.tenant_slug}/projects/{quote(external_id, safe='')}",
                         done=sharing)

    return router


def _update(store: Store, tenant_id: int, record: Project) -> None:
    with store.writer(tenant_id) as writer:
        writer.records("projects", [(0, record)], mode="update")
