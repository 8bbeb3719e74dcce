"""What a webhook endpoint's settings may be: the one check behind the admin page, the API and
the CLI, each showing the problems by field (`url`, `types`, `description`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .host_events import EVENT_TYPES
from .webhook_urls import url_problem

MAX_DESCRIPTION = 200
"""The longest description kept (the column's size)."""

ROTATION_OVERLAP_MS = 24 * 3600 * 1000
"""After a rotation the previous secret signs too for a day: time to switch the receiver."""

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters (but tab and line breaks) and lone UTF-16 surrogates: no database
stores a NUL, and none of them belongs in a label."""


def description_problem(text: str) -> str | None:
    if len(text) > MAX_DESCRIPTION:
        return f"is {len(text)} characters long; at most {MAX_DESCRIPTION}"
    if _UNSTORABLE.search(text):
        return "must not contain control characters"
    return None


def types_problem(names: Sequence[str]) -> str | None:
    unknown = [n for n in names if n not in EVENT_TYPES]
    if unknown:
        return ("unknown event type(s): " + ", ".join(repr(n[:60]) for n in unknown[:5])
                + "; known: " + ", ".join(EVENT_TYPES))
    return None


def problems(*, url: str | None = None, types: Sequence[str] | None = None,
             description: str | None = None, allow_http: bool = False) -> dict[str, str]:
    """field -> why it cannot be; the fields given as None are not checked (unchanged)."""
    found: dict[str, str | None] = {
        "url": url_problem(url, allow_http=allow_http) if url is not None else None,
        "types": types_problem(types) if types is not None else None,
        "description": description_problem(description) if description is not None else None,
    }
    return {field: reason for field, reason in found.items() if reason is not None}


def types_label(types: Sequence[str]) -> str:
    """The subscribed types as people read them: every type when none is chosen."""
    return ", ".join(types) if types else "all event types"
