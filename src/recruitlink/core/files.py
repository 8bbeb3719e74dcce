"""Resume and attachment files: which types are accepted, how big, and the streaming check
that a file's bytes are what its Content-Type says (shared by the data API and the sandbox).

A file is checked as it streams in, a chunk at a time, never held whole: the size as it
grows, the type by its magic bytes (PDF `%PDF`; DOC, an OLE2 compound file `D0 CF 11 E0`;
DOCX, a zip holding `word/`; TXT, valid UTF-8 without NUL). LinkedIn takes PDF, DOC, DOCX
and TXT up to 10 MB on `attachments`, and PDF, DOC and TXT for CRM resumes (reference §3.8).
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass

MAX_FILE_BYTES = 10 * 1024 * 1024
CHUNK_BYTES = 256 * 1024
"""The store keeps a file as pieces of at most this size."""

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT = "text/plain"
FILE_TYPES = (PDF, DOC, DOCX, TXT)
CRM_RESUME_TYPES = (PDF, DOC, TXT)
EXTENSIONS = {PDF: "pdf", DOC: "doc", DOCX: "docx", TXT: "txt"}

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP = b"PK\x03\x04"
_WORD = b"word/"


class FileRefused(ValueError):
    """A file that may not be stored or sent: the field it is about, why, and the HTTP
    status that says so (400 bad bytes, 413 too big, 415 a type not accepted)."""

    def __init__(self, field: str, reason: str, status: int) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.status = status


def media_type(content_type: str | None, *, field: str = "Content-Type",
               accepted: tuple[str, ...] = FILE_TYPES) -> str:
    """The accepted type a Content-Type names (parameters such as charset ignored)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind not in accepted:
        names = ", ".join(accepted)
        shown = kind or "none"
        raise FileRefused(field, f"type {shown!r} is not accepted; send one of {names}", 415)
    if kind == TXT and ";" in (content_type or ""):
        charset = (content_type or "").split(";", 1)[1].strip().lower().replace(" ", "")
        if charset.startswith("charset=") and charset[8:].strip('"') not in ("utf-8", "utf8",
                                                                             "us-ascii"):
            raise FileRefused(field, "text files must be UTF-8", 415)
    return kind


def declared_size(content_length: str | None, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse at once a body whose Content-Length is over the limit."""
    if content_length is not None and content_length.strip().isdigit() and \
            int(content_length) > limit:
        raise too_big(limit)


def too_big(limit: int = MAX_FILE_BYTES) -> FileRefused:
    return FileRefused("body", f"the file is larger than {limit // (1024 * 1024)} MB "
                               f"({limit:,} bytes)", 413)


@dataclass
class FileCheck:
    """Feed a file's bytes in order; `finish()` once they are all in. Raises `FileRefused`
    as soon as the bytes cannot be the declared type, or pass the size limit."""

    content_type: str
    limit: int = MAX_FILE_BYTES
    size: int = 0

    def __post_init__(self) -> None:
        self._head = b""
        self._digest = hashlib.sha256()
        self._tail = b""
        self._saw_word = False
        self._text = codecs.getincrementaldecoder("utf-8")("strict")

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self.size > self.limit:
            raise too_big(self.limit)
        self._digest.update(chunk)
        if len(self._head) < 8:
            self._head += chunk[:8 - len(self._head)]
            self._check_head(final=False)
        if self.content_type == DOCX and not self._saw_word:
            window = self._tail + chunk
            self._saw_word = _WORD in window
            self._tail = window[-(len(_WORD) - 1):]
        elif self.content_type == TXT:
            if b"\x00" in chunk:
                raise self._wrong("a text file must not contain NUL bytes")
            try:
                self._text.decode(chunk)
            except UnicodeDecodeError:
                raise self._wrong("a text file must be valid UTF-8") from None

    def finish(self) -> None:
        if self.size == 0:
            raise FileRefused("body", "the file is empty", 400)
        self._check_head(final=True)
        if self.content_type == DOCX and not self._saw_word:
            raise self._wrong("a DOCX file is a zip archive holding word/, this one does not")
        if self.content_type == TXT:
            try:
                self._text.decode(b"", final=True)
            except UnicodeDecodeError:
                raise self._wrong("a text file must be valid UTF-8") from None

    def _check_head(self, *, final: bool) -> None:
        magic = {PDF: b"%PDF", DOC: _OLE2, DOCX: _ZIP}.get(self.content_type)
        if magic is None:
            return
        seen = self._head[:len(magic)]
        if seen != magic[:len(seen)] or (final and len(seen) < len(magic)):
            name = EXTENSIONS[self.content_type].upper()
            raise self._wrong(f"the bytes are not a {name} file (it starts with "
                              f"{magic!r}, this one with {self._head[:8]!r})")

    def _wrong(self, reason: str) -> FileRefused:
        return FileRefused("body", f"does not match Content-Type {self.content_type}: "
                                   f"{reason}", 400)


def safe_file_name(name: str | None, content_type: str) -> str:
    """A file name to store and show: no path, no control characters, bounded; a default
    when none is given."""
    text = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable()).strip()[:200]
    return text or f"resume.{EXTENSIONS[content_type]}"
