"""Small real files of each accepted type, built in memory, for the resume tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator


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
