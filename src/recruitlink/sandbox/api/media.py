"""Files LinkedIn receives: `hireMediaUrl` hands out an upload URL and a media URN, and
`PUT /media/upload/<token>` takes the bytes (streamed, at most 10 MB, their magic bytes
matching the declared type). A media URN is usable, by the app that asked for it, once
uploaded: as a CRM candidate's `resume`, or an application's attachment (`attachments`).

All shapes are assumed (design16 §5, core/assumed.py): the reference gives the call and its
parameters (`usageParameter`, `contentType`, `blobTtl`; §3.8, §8.2), not the answer.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import MEDIA_USAGES, error_body, media_upload_answer
from recruitlink.core.files import (
    CHUNK_BYTES,
    CRM_RESUME_TYPES,
    FILE_TYPES,
    FileCheck,
    FileRefused,
    declared_size,
    media_type,
)

from ..errors import ApiError
from ..state import Sandbox
from ..store import media, media_chunks
from .oauth import App
from .restli_http import RestliCall

USAGES: dict[str, tuple[str, ...]] = dict(zip(MEDIA_USAGES, (
    CRM_RESUME_TYPES,  # tcrmResumeParameters, CRM: PDF, DOC, TXT
    FILE_TYPES,  # rscAttachmentParameters, RSC attachments: PDF, DOC, DOCX, TXT
), strict=True))
DEFAULT_TTL_S = 3600
MAX_TTL_S = 7 * 24 * 3600
UPLOAD_PATH = "/media/upload/"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    """`POST hireMediaUrl` (an action: one upload URL per call)."""
    if app.is_parent:
        raise ApiError(403, "Not enough permissions to access: hireMediaUrl needs the "
                            "customer (child) application's token")
    if len(call.segments) != 1 or call.method != "POST" or call.ids is not None:
        raise ApiError(405, "hireMediaUrl only takes POST with a JSON body")
    body = call.body
    if not isinstance(body, dict):
        raise ApiError(400, "hireMediaUrl needs a JSON object body with usageParameter and "
                            "contentType")
    unknown = sorted(set(body) - {"usageParameter", "contentType", "blobTtl"})
    if unknown:
        raise ApiError(400, f"/{unknown[0]}: unrecognized field")
    usage = body.get("usageParameter")
    if usage not in USAGES:
        raise ApiError(400, f"/usageParameter: must be one of {', '.join(USAGES)}")
    content_type = body.get("contentType")
    if not isinstance(content_type, str):
        raise ApiError(400, "/contentType: field is required but not found")
    try:
        kind = media_type(content_type, field="/contentType", accepted=USAGES[usage])
    except FileRefused as exc:
        raise ApiError(400, f"{exc.field}: {exc.reason} for {usage}") from None
    ttl = body.get("blobTtl", DEFAULT_TTL_S)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 < ttl <= MAX_TTL_S:
        raise ApiError(400, f"/blobTtl: must be seconds between 1 and {MAX_TTL_S}")
    token = secrets.token_urlsafe(24)
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        number = sandbox.store.next_value(conn, "media")
        urn = f"urn:li:media:{number}"
        conn.execute(media.insert().values(
            urn=urn, app_id=app.id, token_hash=_hash(token), usage=usage, content_type=kind,
            expires_at=now + ttl * 1000, uploaded=False, created_at=now))
    host = call.headers.get("host", "localhost")
    scheme = call.headers.get("x-forwarded-proto", "http")
    return JSONResponse(media_upload_answer(f"{scheme}://{host}{UPLOAD_PATH}{token}", urn))


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status)


async def upload(sandbox: Sandbox, request: Request, token: str) -> Response:
    """`PUT <uploadUrl>`: the file's bytes, streamed into the store chunk by chunk. The
    token in the URL is the credential (no bearer token), as for a pre-signed upload URL."""
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        row = conn.execute(select(media).where(media.c.token_hash == _hash(token))).first()
    if row is None or row.expires_at < now:
        return _refuse(404, "Unknown or expired upload URL")
    if row.uploaded:
        return _refuse(409, f"{row.urn} is already uploaded; ask hireMediaUrl for a new URL")
    try:
        declared = media_type(request.headers.get("content-type"))
        if declared != row.content_type:
            raise FileRefused("Content-Type", f"{declared} is not the {row.content_type} "
                                              "this upload URL was made for", 400)
        declared_size(request.headers.get("content-length"))
        check = FileCheck(row.content_type)
        buffer = bytearray()
        seq = 0
        with sandbox.store.tx() as conn:
            conn.execute(delete(media_chunks).where(media_chunks.c.media_id == row.id))
        async for piece in request.stream():
            check.feed(piece)
            buffer += piece
            while len(buffer) >= CHUNK_BYTES:
                _append(sandbox, row.id, seq, bytes(buffer[:CHUNK_BYTES]))
                del buffer[:CHUNK_BYTES]
                seq += 1
        check.finish()
        if buffer:
            _append(sandbox, row.id, seq, bytes(buffer))
    except FileRefused as exc:
        with sandbox.store.tx() as conn:
            conn.execute(delete(media_chunks).where(media_chunks.c.media_id == row.id))
        return _refuse(exc.status, f"{exc.field}: {exc.reason}")
    with sandbox.store.tx() as conn:
        conn.execute(update(media).where(media.c.id == row.id).values(
            uploaded=True, size=check.size, sha256=check.sha256))
    return Response(status_code=201)


def _append(sandbox: Sandbox, media_id: int, seq: int, data: bytes) -> None:
    with sandbox.store.tx() as conn:
        conn.execute(media_chunks.insert().values(media_id=media_id, seq=seq, data=data))


@dataclass(frozen=True)
class Media:
    urn: str
    usage: str
    content_type: str
    size: int
    sha256: str


def uploaded(conn: Connection, app: App, urn: Any) -> Media | None:
    """The app's uploaded media of that URN, or None."""
    if not isinstance(urn, str):
        return None
    row = conn.execute(select(media).where(media.c.urn == urn, media.c.app_id == app.id,
                                           media.c.uploaded.is_(True))).first()
    if row is None:
        return None
    return Media(row.urn, row.usage, row.content_type, row.size, row.sha256)


def media_problem(conn: Connection, app: App, reference: Any, *, usage: str,
                  path: str) -> str | None:
    """Why a record's media reference (`{"media", "contentType", ...}`) cannot be used."""
    if not isinstance(reference, dict):
        return None  # the schema check reports it
    found = uploaded(conn, app, reference.get("media"))
    if found is None:
        return f"{path}/media: {reference.get('media')!r} is not an uploaded media of this " \
               "application (POST hireMediaUrl, then PUT the file to its uploadUrl)"
    if found.usage != usage:
        return f"{path}/media: {found.urn} was uploaded for {found.usage}, not {usage}"
    if found.content_type != reference.get("contentType"):
        return f"{path}/contentType: {found.urn} is {found.content_type}"
    return None


def content(conn: Connection, urn: str) -> bytes:
    """An uploaded media's bytes (tests and the Recruiter pages' download; small files)."""
    row = conn.execute(select(media.c.id).where(media.c.urn == urn)).first()
    if row is None:
        return b""
    return b"".join(r.data for r in conn.execute(
        select(media_chunks.c.data).where(media_chunks.c.media_id == row.id)
        .order_by(media_chunks.c.seq)))
