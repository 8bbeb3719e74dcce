"""What the sync engine is told: LinkedIn's addresses and version, the limits it keeps, and
how it waits and retries (each from `Settings`, through runtime.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from recruitlink.core.backoff import Backoff
from recruitlink.core.limits import Limit, copy_limits
from recruitlink.linkedin.versions import DEFAULT_API_VERSION, ApiVersion


@dataclass
class EngineSettings:
    api_url: str
    oauth_url: str
    ats_base_url: str
    api_version: str = DEFAULT_API_VERSION
    """RECRUITLINK_LINKEDIN_API_VERSION: the LinkedIn API family and version spoken."""
    environment: str = "development"
    """RECRUITLINK_ENVIRONMENT: what this instance is (the environment guard)."""
    limits: dict[str, Limit] = field(default_factory=copy_limits)
    rate_window_ms: int = 61_000
    lease_ttl_s: float = 75.0
    continuous_chunk: int = 1000
    job_task_poll_s: float = 5.0
    calls_in_flight: int = 3
    """RECRUITLINK_CALLS_IN_FLIGHT: calls of one batch sent at once (sync/sender.py)."""
    max_attempts: int | None = 6
    backoff_s: float = 0.5
    retry_factor: float = 2.0
    retry_cap_s: float | None = 30.0
    """With `backoff_s` and `max_attempts`: RECRUITLINK_RETRY_CALLS (`call_retry`)."""
    idle_sleep_s: float = 0.2
    replay_after_s: float = 30.0
    """A record LinkedIn kept failing is replayed this long after; the wait doubles with each
    failure in a row, up to `replay_max_s`."""
    replay_max_s: float | None = 900.0
    replay_attempts: int | None = 5
    """Automatic replays of a record before it is left failed for `sync retry`."""
    replay_factor: float = 2.0
    close_wait_s: float = 900.0
    """How long a disconnect waits for LinkedIn to confirm its job closes (the sync keeps
    polling the rest afterwards)."""

    @property
    def call_retry(self) -> Backoff:
        """Tries of one call to LinkedIn, and the waits between them."""
        return Backoff(self.backoff_s, self.retry_factor, self.retry_cap_s, self.max_attempts)

    @property
    def step_retry(self) -> Backoff:
        """The wait after a failed step of the sync loop (no limit: it keeps trying)."""
        return Backoff(self.backoff_s, self.retry_factor, self.retry_cap_s)

    @property
    def replay_retry(self) -> Backoff:
        """When a record LinkedIn kept failing is replayed, and how often."""
        return Backoff(self.replay_after_s, self.replay_factor, self.replay_max_s,
                       self.replay_attempts)

    @property
    def versioned_api(self) -> bool:
        """The client talks to LinkedIn's versioned API, the only one with `attachments`
        (applications' files); on v2 they are excluded, saying why (sync/items.py)."""
        return ApiVersion.parse(self.api_version).family == "rest"
