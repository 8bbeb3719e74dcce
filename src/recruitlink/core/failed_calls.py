"""A call to LinkedIn that failed, as kept for a support bundle (issue 19.6): what was sent
and what came back, with its `x-li-uuid`, secrets already taken out (core/redaction.py) and
bodies bounded, so what is stored can be handed to LinkedIn support as it is.

"Failed": LinkedIn refused or could not answer the whole call (4xx, 5xx, no answer), or it
answered 2xx with some entities refused (a batch's `errors`, a job's per-element status).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .redaction import clean, headers, scrub

MAX_BODY = 64 * 1024
"""Characters of a request or answer body kept (bounded storage; a batch of 100 candidates
fits)."""


@dataclass
class FailedCall:
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: str | None
    status: int | None
    """LinkedIn's status; None when no answer came (timeout, dropped connection)."""
    response_headers: list[tuple[str, str]]
    response_body: str | None
    li_uuid: str | None
    started_at_ms: int
    duration_ms: int
    error: str | None = None
    """What went wrong when there was no answer."""
    records: list[tuple[str, int]] = field(default_factory=list)
    """The records (entity, id) this call carried that did not sync (filled by the sync)."""
    id: int | None = None


def bounded(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_BODY:
        return text
    return text[:MAX_BODY] + f"\n... [{len(text) - MAX_BODY} more characters not kept]"


def body_text(raw: bytes, secrets: Sequence[str]) -> str | None:
    """A body as kept: JSON with secret-named values replaced, any text with known secrets
    replaced, bounded."""
    if not raw:
        return None
    try:
        text = json.dumps(scrub(json.loads(raw)), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        text = raw[:MAX_BODY * 2].decode("utf-8", "replace")
    return bounded(clean(text, secrets))


def redacted(method: str, url: str, request_headers: Iterable[tuple[str, str]],
             request_body: bytes, status: int | None,
             response_headers: Iterable[tuple[str, str]], response_body: bytes, *,
             started_at_ms: int, duration_ms: int, error: str | None,
             secrets: Sequence[str]) -> FailedCall:
    """A failed call as kept: nothing secret in it (`secrets`: the values known to be)."""
    answer = list(response_headers)
    uuid = next((v for k, v in answer if k.lower() == "x-li-uuid"), None)
    return FailedCall(method=method, url=clean(url, secrets),
                      request_headers=headers(request_headers, secrets),
                      request_body=body_text(request_body, secrets), status=status,
                      response_headers=headers(answer, secrets),
                      response_body=body_text(response_body, secrets), li_uuid=uuid,
                      started_at_ms=started_at_ms, duration_ms=duration_ms,
                      error=None if error is None else clean(error, secrets)[:2000])


def refused_entities(status: int, body: Mapping[str, Any] | Any) -> bool:
    """A 2xx answer that still refused something: a batch's `errors`, or a batch_create
    element with an error status."""
    if status >= 400:
        return True
    if not isinstance(body, Mapping):
        return False
    if body.get("errors"):
        return True
    results = body.get("results")
    if isinstance(results, Mapping) and any(_refused(v) for v in results.values()):
        return True
    elements = body.get("elements")
    return isinstance(elements, list) and any(_refused(e) for e in elements)


def _refused(entity: Any) -> bool:
    status = entity.get("status") if isinstance(entity, Mapping) else None
    return isinstance(status, int) and status >= 400
