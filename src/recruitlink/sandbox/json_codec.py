"""JSON on the sandbox's hot path (records stored, batch answers, the `/rest` family's
re-keying) by orjson, several times faster than the standard library.

What orjson refuses or would read apart (integers beyond 64 bits, keys that are not text)
goes to the standard library, so nothing that worked before fails. The one value both accept
but write apart, a float that is not finite, cannot reach these paths: LinkedIn's records
have no float field (core/linkedin_schema.py), so a record holding one is refused before it
is stored or answered. Request bodies go through `restli_http.parse_json`, which reads them
with `fast_loads` and checks what orjson cannot see (duplicate keys, depth)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import JSONResponse


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII kept (as `json.dumps(separators=(",", ":"),
    ensure_ascii=False)`)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_DIGITS_AS_ZEROS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_RUN = b"0" * 19


def _may_hold_long_int(raw: bytes) -> bool:
    """Whether 19 digits follow each other somewhere: where an integer may not fit in 64
    bits, which orjson would read as a float. (A byte translation and a substring search:
    a regular expression costs more than orjson's whole reading.)"""
    return _LONG_RUN in raw.translate(_DIGITS_AS_ZEROS)


def fast_loads(raw: bytes) -> Any:
    """orjson's reading of `raw`; ValueError where orjson refuses it or would read it apart
    from the standard library (an integer that may not fit in 64 bits)."""
    if _may_hold_long_int(raw):
        raise ValueError("an integer may not fit in 64 bits")
    return orjson.loads(raw)  # orjson.JSONDecodeError is a ValueError


def loads(raw: bytes) -> Any:
    if not _may_hold_long_int(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)  # the standard library's answer, or its error


class FastJSONResponse(JSONResponse):
    """Starlette's JSONResponse, rendered by orjson (by Starlette when orjson refuses). It
    keeps the value it rendered (`value`), so a caller that reshapes the answer (the `/rest`
    family) need not read the JSON back."""

    value: Any

    def render(self, content: Any) -> bytes:
        self.value = content
        try:
            return orjson.dumps(content)
        except TypeError:
            return super().render(content)
