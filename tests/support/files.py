"""Small real files of each accepted type, built in memory, for the resume tests."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator

from recruitlink.core.files import CHUNK_BYTES
from recruitlink.store import Store
from recruitlink.store import files as stored_files


def pdf(size: int = 4096) -> bytes:
    head = b"%PDF-1.4\n% recruitlink test resume\n"
    tail = b"\n%%EOF\n"
    filler = (b"0123456789abcdef" * (size // 16 + 1))[:max(0, size - len(head) - len(tail))]
    return head + filler + tail


def doc(size: int = 4096) -> bytes:
    head = bytes.fromhex("D0CF11E0A1B11AE1")
    return head + b"\x00" * max(0, size - len(head))


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Jane Doe, engineer</w:document>")
    return out.getvalue()


def zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def pieces(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent in pieces, without a Content-Length (chunked transfer encoding)."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def put_file(store: Store, tenant_id: int, owner: stored_files.Owner, owner_id: str,
             slot: str, name: str, content_type: str, data: bytes) -> stored_files.StoredFile:
    """Store a file as the data API does: a pending upload, its chunks, then the swap."""
    file_id = stored_files.begin(store, tenant_id, owner, owner_id, slot=slot, file_name=name,
                                 content_type=content_type)
    assert file_id is not None
    for seq, start in enumerate(range(0, len(data), CHUNK_BYTES)):
        stored_files.append(store, file_id, seq, data[start:start + CHUNK_BYTES])
    done = stored_files.finish(store, tenant_id, file_id, size=len(data),
                               sha256=hashlib.sha256(data).hexdigest())
    assert done is not None
    return done[0]
