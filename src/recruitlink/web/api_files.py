"""The data API's files: a candidate's resume and an application's attachments.

    PUT    /candidates/{id}/resume                   upload (raw body, its Content-Type)
    GET    /candidates/{id}/resume                   download
    DELETE /candidates/{id}/resume
    GET    /candidates/{id}/files                    the resume and the applications' files
    PUT    /applications/{id}/attachments/{name}     upload
    GET    /applications/{id}/attachments            list
    GET    /applications/{id}/attachments/{name}     download
    DELETE /applications/{id}/attachments/{name}

Uploads stream from the request into the store's chunks (never the whole body in memory),
checked as they come: PDF, DOC, DOCX or TXT by their magic bytes, at most 10 MB
(core/files.py). These routes are registered before the generic record routes, whose ids may
hold slashes.
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations.

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from recruitlink.core.files import (
    CHUNK_BYTES,
    FILE_TYPES,
    MAX_FILE_BYTES,
    FileCheck,
    FileRefused,
    declared_size,
    media_type,
    safe_file_name,
)
from recruitlink.core.records import from_millis
from recruitlink.errors import OwnerMissing
from recruitlink.store import Store, candidate_details
from recruitlink.store import files as stored_files
from recruitlink.store.tenants import Tenant

from .api import PREFIX, JSONResponse, _errors
from .auth import ApiError, current_tenant, get_store
from .idempotency import IdempotentRoute
from .wake import WAKE_SYNC

TenantDep = Annotated[Tenant, Depends(current_tenant)]
StoreDep = Annotated[Store, Depends(get_store)]
NameParam = Annotated[str, Path(description="The attachment's file name (its id here).",
                                min_length=1, max_length=200)]


class FileInfo(BaseModel):
    name: str = Field(description="The file name shown and sent to LinkedIn.")
    id: str = Field(description="The file's id (LinkedIn's externalAttachmentId).")
    owner: str = Field(description="`candidates/{id}` or `applications/{id}`.")
    content_type: str
    size: int = Field(description="Bytes.")
    sha256: str | None
    created_at: str | None
    modified_at: str | None
    download: str = Field(description="The path that downloads it.")


class FileList(BaseModel):
    data: list[FileInfo]


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_UPLOAD_BODY = {"requestBody": {
    "required": True,
    "description": f"The file's bytes, at most {MAX_FILE_BYTES:,}; its Content-Type one of "
                   + ", ".join(FILE_TYPES) + ", matching its content.",
    "content": {t: _BINARY for t in FILE_TYPES}}}
_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file's bytes.", "content": {t: _BINARY for t in FILE_TYPES}}}


def _refused(exc: FileRefused) -> ApiError:
    return ApiError(exc.status, f"{exc.field}: {exc.reason}",
                    [{"field": exc.field, "reason": exc.reason}])


def _no_owner(owner: str, external_id: str) -> ApiError:
    reason = f"no {owner[:-1]} with id {external_id!r}"
    return ApiError(404, reason, [{"field": "id", "reason": reason}])


def _no_file(what: str) -> ApiError:
    return ApiError(404, what, [{"field": "name", "reason": what}])


def _info(stored: stored_files.StoredFile, owner_external_id: str) -> dict[str, Any]:
    owner = f"{stored.owner_entity}/{owner_external_id}"
    path = (f"{PREFIX}/candidates/{quote(owner_external_id, safe='')}/resume"
            if stored.owner_entity == "candidates" else
            f"{PREFIX}/applications/{quote(owner_external_id, safe='')}/attachments/"
            f"{quote(stored.slot, safe='')}")
    return {"name": stored.file_name, "id": stored.external_id, "owner": owner,
            "content_type": stored.content_type, "size": stored.size,
            "sha256": stored.sha256, "created_at": from_millis(stored.created_at),
            "modified_at": from_millis(stored.modified_at), "download": path}


def _attachment_name(name: str) -> str:
    if "/" in name or not name.strip() or not name.isprintable():
        reason = "must be a file name: printable, without '/'"
        raise ApiError(422, f"name: {reason}", [{"field": "name", "reason": reason}])
    return name


async def store_upload(store: Store, tenant_id: int, owner: stored_files.Owner,
                       owner_external_id: str, pieces: AsyncIterator[bytes], *, slot: str,
                       file_name: str, content_type: str
                       ) -> tuple[stored_files.StoredFile, bool]:
    """Stream `pieces` into the slot's file, checking them as they come (core/files.py):
    (the file, True if new). Raises `FileRefused` (nothing kept) or `OwnerMissing`. The one
    upload path of the data API and the candidate page."""
    file_id = await run_in_threadpool(
        stored_files.begin, store, tenant_id, owner, owner_external_id, slot=slot,
        file_name=file_name, content_type=content_type)
    if file_id is None:
        raise OwnerMissing(owner_external_id)
    check = FileCheck(content_type)
    try:
        buffer = bytearray()
        seq = 0
        async for piece in pieces:
            check.feed(piece)
            buffer += piece
            while len(buffer) >= CHUNK_BYTES:
                await run_in_threadpool(stored_files.append, store, file_id, seq,
                                        bytes(buffer[:CHUNK_BYTES]))
                del buffer[:CHUNK_BYTES]
                seq += 1
        check.finish()
        if buffer:
            await run_in_threadpool(stored_files.append, store, file_id, seq, bytes(buffer))
        done = await run_in_threadpool(stored_files.finish, store, tenant_id, file_id,
                                       size=check.size, sha256=check.sha256)
    except BaseException:
        await run_in_threadpool(stored_files.discard, store, file_id)
        raise
    if done is None:
        raise OwnerMissing(owner_external_id)
    return done


def remove_stored(store: Store, tenant_id: int, stored: stored_files.StoredFile) -> None:
    """Delete a stored file (LinkedIn's copy goes on the next sync)."""
    with store.writer(tenant_id) as writer:
        stored_files.remove(writer.conn, writer.changes, stored)


async def receive_file(request: Request, store: Store, tenant: Tenant, owner: stored_files.Owner,
                       owner_external_id: str, *, slot: str, file_name: str | None) -> Response:
    """Stream the request's body into the store, checking it as it comes."""
    try:
        content_type = media_type(request.headers.get("content-type"))
        declared_size(request.headers.get("content-length"))
        stored, created = await store_upload(
            store, tenant.id, owner, owner_external_id, request.stream(), slot=slot,
            file_name=safe_file_name(file_name, content_type), content_type=content_type)
    except FileRefused as exc:
        raise _refused(exc) from None
    except OwnerMissing:
        raise _no_owner(owner, owner_external_id) from None
    return JSONResponse(_info(stored, owner_external_id), status_code=201 if created else 200)


def send_file(store: Store, stored: stored_files.StoredFile) -> StreamingResponse:
    def body() -> Iterator[bytes]:
        yield from stored_files.read_chunks(store, stored.id)

    disposition = f"attachment; filename*=UTF-8''{quote(stored.file_name, safe='')}"
    return StreamingResponse(body(), media_type=stored.content_type, headers={
        "Content-Length": str(stored.size), "Content-Disposition": disposition})


def _find(store: Store, tenant: Tenant, owner: stored_files.Owner, owner_external_id: str,
          slot: str) -> stored_files.StoredFile:
    with store.reader() as conn:
        found = stored_files.owner_id(conn, tenant.id, owner, owner_external_id)
        if found is None:
            raise _no_owner(owner, owner_external_id)
        stored = stored_files.get(conn, tenant.id, owner, found, slot)
    if stored is None:
        raise _no_file(f"{owner[:-1]} {owner_external_id!r} has no file {slot!r}"
                       if owner == "applications" else
                       f"candidate {owner_external_id!r} has no resume")
    return stored


def _remove(store: Store, tenant: Tenant, owner: stored_files.Owner, owner_external_id: str,
            slot: str) -> Response:
    remove_stored(store, tenant.id, _find(store, tenant, owner, owner_external_id, slot))
    return Response(status_code=204)


def build_files_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["files"], dependencies=[WAKE_SYNC],
                       route_class=IdempotentRoute)

    @router.put("/candidates/{item_id:record_id}/resume", operation_id="put_candidate_resume",
                summary="Upload a candidate's resume",
                description="The raw file as the body (PDF, DOC, DOCX or TXT, at most 10 MB, "
                            "checked by its content). Replaces the resume the candidate has.",
                responses={200: {"model": FileInfo}, 201: {"model": FileInfo},
                           **_errors(400, 404, 413, 415)},
                openapi_extra=_UPLOAD_BODY)
    async def put_resume(item_id: str, request: Request, tenant: TenantDep, store: StoreDep,
                         filename: Annotated[str | None, Query(
                             max_length=200, description="The file name to show and send "
                                                         "(default resume.<type>).")] = None
                         ) -> Response:
        return await receive_file(request, store, tenant, "candidates", item_id,
                                  slot=stored_files.RESUME_SLOT, file_name=filename)

    @router.get("/candidates/{item_id:record_id}/resume", operation_id="get_candidate_resume",
                summary="Download a candidate's resume", response_class=Response,
                responses={**_DOWNLOAD, **_errors(404)})
    def get_resume(item_id: str, tenant: TenantDep, store: StoreDep) -> Response:
        return send_file(store, _find(store, tenant, "candidates", item_id,
                                      stored_files.RESUME_SLOT))

    @router.delete("/candidates/{item_id:record_id}/resume", status_code=204,
                   operation_id="delete_candidate_resume", response_class=Response,
                   summary="Delete a candidate's resume (and LinkedIn's copy on the next sync)",
                   responses=_errors(404))
    def delete_resume(item_id: str, tenant: TenantDep, store: StoreDep) -> Response:
        return _remove(store, tenant, "candidates", item_id, stored_files.RESUME_SLOT)

    @router.get("/candidates/{item_id:record_id}/files", operation_id="list_candidate_files",
                summary="A candidate's files: its resume and its applications' attachments",
                responses={200: {"model": FileList}, **_errors(404)})
    def candidate_files(item_id: str, tenant: TenantDep, store: StoreDep) -> JSONResponse:
        with store.reader() as conn:
            return JSONResponse({"data": candidate_file_infos(conn, tenant.id, item_id)})

    @router.put("/applications/{item_id:record_id}/attachments/{name}",
                operation_id="put_application_attachment",
                summary="Upload an application's attachment (e.g. the resume it was made with)",
                description="The raw file as the body (PDF, DOC, DOCX or TXT, at most 10 MB, "
                            "checked by its content). The name in the path is its file name; "
                            "uploading to a name again replaces that file.",
                responses={200: {"model": FileInfo}, 201: {"model": FileInfo},
                           **_errors(400, 404, 413, 415)},
                openapi_extra=_UPLOAD_BODY)
    async def put_attachment(item_id: str, name: NameParam, request: Request,
                             tenant: TenantDep, store: StoreDep) -> Response:
        name = _attachment_name(name)
        return await receive_file(request, store, tenant, "applications", item_id,
                                  slot=name, file_name=name)

    @router.get("/applications/{item_id:record_id}/attachments",
                operation_id="list_application_attachments",
                summary="An application's attachments",
                responses={200: {"model": FileList}, **_errors(404)})
    def list_attachments(item_id: str, tenant: TenantDep, store: StoreDep) -> JSONResponse:
        with store.reader() as conn:
            found = stored_files.owner_id(conn, tenant.id, "applications", item_id)
            if found is None:
                raise _no_owner("applications", item_id)
            listed = stored_files.owned(conn, tenant.id, "applications", [found])
        return JSONResponse({"data": [_info(f, item_id) for f in listed]})

    @router.get("/applications/{item_id:record_id}/attachments/{name}",
                operation_id="get_application_attachment", response_class=Response,
                summary="Download an application's attachment",
                responses={**_DOWNLOAD, **_errors(404)})
    def get_attachment(item_id: str, name: NameParam, tenant: TenantDep,
                       store: StoreDep) -> Response:
        return send_file(store, _find(store, tenant, "applications", item_id, name))

    @router.delete("/applications/{item_id:record_id}/attachments/{name}", status_code=204,
                   operation_id="delete_application_attachment", response_class=Response,
                   summary="Delete an application's attachment (and LinkedIn's copy on the "
                           "next sync)",
                   responses=_errors(404))
    def delete_attachment(item_id: str, name: NameParam, tenant: TenantDep,
                          store: StoreDep) -> Response:
        return _remove(store, tenant, "applications", item_id, name)

    # The record routes take any text as an id, slashes included: without these, PATCH on a
    # resume would be read as a PATCH of candidate "C1/resume". Other methods are a 405.
    for path, allowed in ((r"/candidates/{item_id:record_id}/resume", ("GET", "PUT", "DELETE")),
                          (r"/candidates/{item_id:record_id}/files", ("GET",)),
                          (r"/applications/{item_id:record_id}/attachments", ("GET",)),
                          (r"/applications/{item_id:record_id}/attachments/{name}",
                           ("GET", "PUT", "DELETE"))):
        others = [m for m in ("GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "TRACE")
                  if m not in allowed]
        router.add_api_route(path, not_allowed(allowed), methods=others,
                             include_in_schema=False)
    return router


def not_allowed(allowed: tuple[str, ...]) -> Any:
    # As the other routes' 405s say it (core/routing.py): sorted, HEAD with GET.
    header = ", ".join(sorted({*allowed, "HEAD"} if "GET" in allowed else set(allowed)))

    def refuse(request: Request) -> Response:
        message = f"{request.method} is not allowed on {request.url.path}"
        raise ApiError(405, message, [{"field": "method", "reason": message}],
                       headers={"Allow": header})
    return refuse


def candidate_file_infos(conn: Any, tenant_id: int, candidate_external_id: str
                         ) -> list[dict[str, Any]]:
    """The candidate's resume, then its applications' attachments (the candidate page too)."""
    found = stored_files.owner_id(conn, tenant_id, "candidates", candidate_external_id)
    if found is None:
        raise _no_owner("candidates", candidate_external_id)
    out = [_info(f, candidate_external_id)
           for f in stored_files.owned(conn, tenant_id, "candidates", [found])]
    apps = candidate_details.applications_by_id(conn, found)
    out.extend(_info(f, apps[f.owner_id])
               for f in stored_files.owned(conn, tenant_id, "applications", apps))
    return out
