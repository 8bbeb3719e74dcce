"""The sandbox's clock: wall time plus an offset the control API can move forward, so tests
can reach token expiry, the UTC-midnight reset or a job task's due time without waiting."""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self.offset_ms = 0

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset_ms += int(seconds * 1000)
        return self.now_ms()
