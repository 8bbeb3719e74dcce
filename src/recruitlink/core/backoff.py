"""The one retry policy: a wait that grows by `factor` from `first`, at most `cap`, for at
most `attempts` tries; a wait the other side asked for (Retry-After) wins.

Every place that waits before trying again uses it (the sync's calls, its loop and replays,
the server's per-tenant retries, the push inbox, the sandbox's pushes); the real system's
policies are settable (`Settings.retry_*`, README "Settings").
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    first: float
    """Seconds before the first retry."""
    factor: float = 2.0
    """Each further retry waits this many times longer (1: always `first`)."""
    cap: float | None = None
    """The longest wait in seconds; None: no cap."""
    attempts: int | None = None
    """How many tries in all before giving up; None: no limit."""

    def __post_init__(self) -> None:
        for name, value, low in (("first", self.first, 0.0), ("factor", self.factor, 1.0),
                                 ("cap", self.cap, 0.0), ("attempts", self.attempts, 1)):
            if value is not None and not (math.isfinite(value) and value >= low):
                raise ValueError(f"{name} must be a finite number >= {low:g}, not {value!r}")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1: the first retry), or
        `retry_after` when the other side said how long (never negative)."""
        if retry_after is not None:
            return max(0.0, retry_after)
        if attempt < 1:
            raise ValueError(f"attempt must be >= 1, not {attempt}")
        try:
            wait = self.first * self.factor ** (attempt - 1)
        except OverflowError:  # a very long run of failures: the cap (or forever) it is
            wait = math.inf
        return wait if self.cap is None else min(self.cap, wait)

    def gives_up(self, tries: int) -> bool:
        """True when `tries` tries have been made and no further one is allowed."""
        return self.attempts is not None and tries >= self.attempts
