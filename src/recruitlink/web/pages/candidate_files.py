"""The candidate page's file forms: upload or replace the candidate's resume, add a file to
one of its applications, remove a file. Any signed-in user of the workspace may, as for the
page's other forms (Replay, Link).

A form's file is parsed by Starlette's multipart parser, which spools it to a temporary file
on disk; it is then read a chunk at a time into the data API's own upload path
(`api_files.store_upload`: the same size and type checks, the same staged store), never held
whole in memory. A refused file is named with the reason next to its form, and nothing is
kept; a stored one is shown on the page with a flash line, and the sync sends it as it sends
the data API's uploads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message

from recruitlink.core.files import (
    CHUNK_BYTES,
    EXTENSIONS,
    MAX_FILE_BYTES,
    FileRefused,
    declared_size,
    media_type,
    safe_file_name,
)
from recruitlink.errors import BodyTooBig, OwnerMissing
from recruitlink.settings import Settings
from recruitlink.store import Store, candidate_details
from recruitlink.store import files as stored_files
from recruitlink.store.schema import candidates

from ..api_files import remove_stored, store_upload
from .admin_setup import see_other
from .ats import record_or_404
from .candidate import candidate_file, render_candidate
from .security import PageError, PageUser, page_user, require_csrf

FORM_OVERHEAD = 64 * 1024
"""Room for the multipart framing and the CSRF field around a file of the largest size."""
RESUME_FORM = "resume"
_BY_EXTENSION = {ext: kind for kind, ext in EXTENSIONS.items()}
_ACCEPTED_NAMES = "{} or {}".format(*", ".join(
    ext.upper() for ext in EXTENSIONS.values()).rsplit(", ", 1))


def _limited(request: Request, limit: int) -> Request:
    """The same request, whose body reading stops with `BodyTooBig` past `limit` bytes."""
    seen = 0

    async def receive() -> Message:
        nonlocal seen
        message = await request.receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooBig
        return message

    return Request(request.scope, receive)


async def close_form(request: Request) -> AsyncIterator[None]:
    """Dependency: the parsed form's temporary files are closed when the request is done,
    whatever answer it got (nothing in Starlette closes a form read by `request.form()`)."""
    try:
        yield
    finally:
        await request.close()


def _declared_type(upload: UploadFile) -> str:
    """The part's Content-Type; from the file name's extension when the browser did not know
    it (application/octet-stream). The bytes are checked against it either way."""
    given = (upload.content_type or "").split(";", 1)[0].strip().lower()
    if given in ("", "application/octet-stream"):
        ext = (upload.filename or "").rsplit(".", 1)[-1].lower()
        return _BY_EXTENSION.get(ext, given)
    return upload.content_type or ""


async def _pieces(upload: UploadFile) -> AsyncIterator[bytes]:
    while piece := await upload.read(CHUNK_BYTES):
        yield piece


def _refusal(name: str, declared: str, exc: FileRefused) -> str:
    if exc.reason.startswith("type "):
        shown = declared.split(";", 1)[0].strip() or "unknown"
        return (f"“{name}” was not uploaded: its type ({shown}) is not accepted; upload a "
                f"{_ACCEPTED_NAMES} file.")
    return f"“{name}” was not uploaded: {exc.reason}."


def build_candidate_files_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page_url(user: PageUser, external_id: str) -> str:
        return f"/t/{user.tenant_slug}/candidates/{quote(external_id, safe='')}"

    async def refused(request: Request, user: PageUser, external_id: str, form: str,
                      message: str, status: int) -> Response:
        return await run_in_threadpool(  # database reads
            lambda: render_candidate(request, settings, store, user, external_id,
                                     upload_error={"form": form, "message": message},
                                     status_code=status))

    def owner_rows(user: PageUser, external_id: str, application_id: str | None) -> None:
        """A 404 page unless the candidate is the workspace's (and the application its)."""
        with store.reader() as conn:
            cand = record_or_404(conn, candidates, user.tenant_id, external_id, "candidate")
            if application_id is None:
                return
            mine = candidate_details.application_of(conn, user.tenant_id, cand.id,
                                                    application_id)
        if mine is None:
            raise PageError(404, f"Candidate {external_id!r} has no application "
                                 f"{application_id!r}.", user=user)

    async def upload(request: Request, user: PageUser, external_id: str,
                     owner: stored_files.Owner, owner_external_id: str, form_key: str, *,
                     resume: bool) -> Response:
        # Refuse at once a body that says it is too big, before spooling it; and cut off one
        # that did not say (chunked) once past the largest form: the file's own check (in
        # store_upload) names the exact limit for anything in between.
        too_big = (f"The file was not uploaded: it is larger than "
                   f"{MAX_FILE_BYTES // (1024 * 1024)} MB.")
        try:
            declared_size(request.headers.get("content-length"),
                          MAX_FILE_BYTES + FORM_OVERHEAD)
        except FileRefused:
            return await refused(request, user, external_id, form_key, too_big, 413)
        limited = _limited(request, MAX_FILE_BYTES + FORM_OVERHEAD)
        try:
            return await _store_form(limited, user, external_id, owner, owner_external_id,
                                     form_key, resume=resume)
        except BodyTooBig:
            return await refused(request, user, external_id, form_key, too_big, 413)
        finally:
            await limited.close()  # the spooled file (Starlette closes no parsed form)

    async def _store_form(request: Request, user: PageUser, external_id: str,
                          owner: stored_files.Owner, owner_external_id: str, form_key: str, *,
                          resume: bool) -> Response:
        await require_csrf(request)
        form = await request.form()
        part = form.get("file")
        if not isinstance(part, UploadFile) or not part.filename:
            return await refused(request, user, external_id, form_key,
                           "Choose a file to upload.", 400)
        declared = _declared_type(part)
        try:
            content_type = media_type(declared, field="file")
            name = safe_file_name(part.filename, content_type)
            stored, created = await store_upload(
                store, user.tenant_id, owner, owner_external_id, _pieces(part),
                slot=stored_files.RESUME_SLOT if resume else name, file_name=name,
                content_type=content_type)
        except FileRefused as exc:
            return await refused(request, user, external_id, form_key,
                           _refusal(safe_file_name(part.filename, "text/plain"), declared, exc),
                           exc.status)
        except OwnerMissing:
            raise PageError(404, f"There is no candidate or application {owner_external_id!r}"
                                 " here.", user=user) from None
        return see_other(page_url(user, external_id),
                         files="uploaded" if created else "replaced", file=stored.file_name)

    @router.post("/t/{slug}/candidates/{external_id}/resume")
    async def upload_resume(request: Request, external_id: str,
                            user: PageUser = Depends(page_user)) -> Response:
        await run_in_threadpool(owner_rows, user, external_id, None)
        return await upload(request, user, external_id, "candidates", external_id,
                            RESUME_FORM, resume=True)

    @router.post("/t/{slug}/candidates/{external_id}/applications/{application_id}/files")
    async def upload_attachment(request: Request, external_id: str, application_id: str,
                                user: PageUser = Depends(page_user)) -> Response:
        await run_in_threadpool(owner_rows, user, external_id, application_id)
        return await upload(request, user, external_id, "applications", application_id,
                            application_id, resume=False)

    @router.post("/t/{slug}/candidates/{external_id}/files/{file_id}/remove",
                 dependencies=[Depends(close_form), Depends(require_csrf)])
    def remove_file(external_id: str, file_id: str,
                    user: PageUser = Depends(page_user)) -> Response:
        with store.reader() as conn:
            found = candidate_file(conn, user, external_id, file_id)
        remove_stored(store, user.tenant_id, found)
        return see_other(page_url(user, external_id), files="removed", file=found.file_name)

    return router
