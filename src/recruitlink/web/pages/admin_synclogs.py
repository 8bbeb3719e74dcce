"""Integrations -> LinkedIn -> Sync logs (seeds: PageUp "Sync Logs" with "View errors",
Tracker's feature milestones, SmartRecruiters' historical sync).

    GET  /t/{slug}/integrations/linkedin/sync-logs              milestones (live), batches
    GET  /t/{slug}/integrations/linkedin/sync-logs/batches/{id} "View errors": failed records
                                                                and failed calls
    GET  /t/{slug}/integrations/linkedin/sync-logs/support-bundle?error=|batch=|call=
                                                                a support bundle (zip)
    POST /t/{slug}/integrations/linkedin/sync-logs/retry        retry one batch's failed
                                                                records, or all of them

Batches page by key (`before`/`after` = a batch id), newest first; filters: status, entity,
dates (see synclog_queries). Retrying one batch runs in the request; retrying everything
runs in the background (tasks.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from recruitlink.errors import RecruitlinkError
from recruitlink.store import failed_calls
from recruitlink.sync import control
from recruitlink.sync.support import subject_of, support_bundle

from ..params import RowId, small_int
from . import synclog_queries as q
from . import tasks
from .admin_setup import BASE, base_url, duration, live_status, runtime_of, see_other
from .render import format_millis, render
from .security import PageError, PageUser, admin, company_admin, require_csrf

LOGS = BASE + "/sync-logs"

NOTICES = {
    "retried": "The failed records were sent again; see the new batches below.",
    "nothing": "There were no failed records to retry.",
    "retrying": "Retrying every failed record in the background; new batches appear below.",
    "busy": "A retry of every failed record is already running.",
}


def build_synclogs_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(LOGS)
    def sync_logs(request: Request, user: PageUser = Depends(admin)) -> Response:
        runtime = runtime_of(request)
        params = request.query_params
        flt, errors = q.parse_filter(params)
        before, after = small_int(params.get("before")), small_int(params.get("after"))
        progress = live_status(runtime, user.tenant_id)
        with runtime.store.reader() as conn:
            page = q.batches(conn, user.tenant_id, flt, before=before, after=after)
            open_errors = q.open_errors(conn, user.tenant_id)
        retry_task = tasks.get(user.tenant_id, "retry")
        done = params.get("done", "")
        notice = NOTICES.get(done)
        retried = small_int(params.get("n"))
        if done == "retried" and retried is not None:
            notice = f"{retried:,} failed records were sent again; see the new batches."
        run = progress.get("run")
        context = {
            "title": "Sync logs", "user": user, "base": base_url(user),
            "logs": base_url(user) + "/sync-logs", "progress": progress, "run": run,
            "run_key": f"{run['id']}:{run['status']}" if run else "",
            "filter": flt, "filter_query": flt.query(), "errors": errors,
            "statuses": list(q.STATUSES), "entities": q.entity_options(user.tenant_kind),
            "page": page, "first_page": before is None and after is None,
            "open_errors": open_errors, "cap": q.COUNT_CAP,
            "can_act": user.is_company_admin, "notice": notice,
            "retrying": bool(retry_task and retry_task.running),
            "retry_error": retry_task.error if retry_task and not retry_task.running else None,
            "millis": format_millis, "eta": duration(progress.get("etaSeconds")),
        }
        return render(request, "admin_synclogs.html", context, status=400 if errors else 200)

    @router.get(LOGS + "/batches/{batch_id}")
    def batch_errors(request: Request, batch_id: RowId, user: PageUser = Depends(admin)
                     ) -> Response:
        runtime = runtime_of(request)
        after = small_int(request.query_params.get("after"))
        with runtime.store.reader() as conn:
            batch = q.batch(conn, user.tenant_id, batch_id)
            if batch is None:
                raise PageError(404, "There is no such batch.", user=user)
            rows, next_after = q.batch_errors(conn, user.tenant_id, batch_id, after=after)
            open_count = q.batch_open_errors(conn, user.tenant_id, batch_id)
            carried = q.batch_entities(conn, batch_id)
            calls = failed_calls.of_batch(conn, user.tenant_id, batch_id)
        context: dict[str, Any] = {
            "title": f"Batch {batch_id}: errors", "user": user, "base": base_url(user),
            "logs": base_url(user) + "/sync-logs", "batch": batch, "rows": rows,
            "next_after": next_after, "after": after, "open_count": open_count,
            "carried": carried, "can_act": user.is_company_admin, "millis": format_millis,
            "notice": NOTICES.get(request.query_params.get("done", "")),
            "slug": user.tenant_slug, "calls": calls,
            "bundle": base_url(user) + "/sync-logs/support-bundle",
        }
        return render(request, "admin_batch_errors.html", context)

    @router.get(LOGS + "/support-bundle")
    def download_bundle(request: Request, user: PageUser = Depends(admin)) -> Response:
        params = request.query_params
        try:
            subject, subject_id = subject_of(
                *(None if params.get(n) is None else _row_id(params.get(n), n)
                  for n in ("error", "batch", "call")))
        except ValueError as exc:
            raise PageError(400, str(exc), user=user) from exc
        runtime = runtime_of(request)
        try:
            bundle = support_bundle(runtime.store, runtime.box, user.tenant_id,
                                    user.tenant_slug, subject, subject_id,
                                    api_version=runtime.settings.linkedin_api_version)
        except LookupError as exc:
            raise PageError(404, f"There is no such {subject}.", user=user) from exc
        return Response(bundle.content, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{bundle.filename}"',
            "Cache-Control": "no-store"})

    @router.post(LOGS + "/retry")
    async def retry(request: Request, user: PageUser = Depends(company_admin),
                    _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        raw = form.get("batch_id")
        batch_id = small_int(raw) if isinstance(raw, str) and raw else None
        runtime = runtime_of(request)
        logs = base_url(user) + "/sync-logs"
        if batch_id is None:
            tenant_id = user.tenant_id
            started = tasks.start(tenant_id, "retry",
                                  lambda: control.retry(runtime.engine, tenant_id))
            return see_other(logs, done="retrying" if started else "busy")
        with runtime.store.reader() as conn:
            if q.batch(conn, user.tenant_id, batch_id) is None:
                raise PageError(404, "There is no such batch.", user=user)
        try:
            report = await run_in_threadpool(control.retry, runtime.engine, user.tenant_id,
                                             batch_id=batch_id)
        except RecruitlinkError as exc:
            raise PageError(502, f"The retry failed: {exc.message}", user=user) from exc
        if report.kind == "idle":
            return see_other(f"{logs}/batches/{batch_id}", done="nothing")
        return see_other(logs, done="retried", n=str(report.records))

    return router


def _row_id(text: str | None, name: str) -> int:
    value = small_int(text)
    if value is None or value < 1:
        raise ValueError(f"{name}: must be a positive whole number")
    return value
