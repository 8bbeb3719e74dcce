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

# Reading: core/json_text.py (the store reads its JSON columns the same way).
from recruitlink.core.json_text import fast_loads as fast_loads
from recruitlink.core.json_text import loads as loads


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII kept (as `json.dumps(separators=(",", ":"),
    ensure_ascii=False)`)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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
