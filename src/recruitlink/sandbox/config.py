"""The sandbox's settings: what `recruitlink sandbox` flags set, and tests tune."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SandboxConfig:
    db: str = ":memory:"
    """SQLite file path, or ":memory:"."""
    partner_client_id: str | None = None
    partner_client_secret: str | None = None
    token_ttl: int = 1800
    records_per_minute: int | None = None
    """Overrides every resource's records-per-minute limit (None: LinkedIn's numbers)."""
    requests_per_day: int | None = None
    """Overrides every resource's requests-per-UTC-day limit (None: LinkedIn's numbers)."""
    auto_enable: bool = False
    job_task_delay: float = 2.0
    push_retries: int = 6
    push_retry_delay: float = 1.0
    """First retry delay in seconds; doubles each attempt."""
    push_timeout: float = 5.0
    max_body_bytes: int = 16 * 1024 * 1024
    demo: bool = True
    """Create the demo customer (app, organization, contract, enabled integrations)."""
    seed: int = 1
    members: int = 10_000
    """Size of the synthetic member directory (deterministic from `seed`)."""
    extra: dict[str, object] = field(default_factory=dict)
