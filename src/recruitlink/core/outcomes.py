"""What one entity's status in a LinkedIn batch response means for the sync.

LinkedIn answers a batch with HTTP 200 and a status per entity; the sync must read each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["synced", "rejected", "retryable"]


@dataclass(frozen=True)
class EntityOutcome:
    verdict: Verdict
    status: int
    message: str = ""


def classify(status: int, message: str = "", *, deleting: bool = False) -> EntityOutcome:
    """2xx: synced. 429 and 5xx: retryable. Other 4xx: rejected with LinkedIn's message, except
    that deleting something LinkedIn no longer has (404) is what a delete wants: "already
    gone" is a success. Used for an entity's status in a batch answer and for a whole call
    LinkedIn refused alike."""
    if 200 <= status < 300:
        return EntityOutcome("synced", status)
    if deleting and status == 404:
        return EntityOutcome("synced", status, message)
    if status == 429 or status >= 500 or status == 408:
        return EntityOutcome("retryable", status, message)
    return EntityOutcome("rejected", status, message)
