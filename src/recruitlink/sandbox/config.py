"""The sandbox's settings: what `recruitlink sandbox` flags set, and tests tune."""

from __future__ import annotations

from dataclasses import dataclass, field

from recruitlink.core.assumed import LIVE_API_VERSIONS, SUNSET_API_VERSIONS


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
    live_api_versions: tuple[str, ...] = LIVE_API_VERSIONS
    """`LinkedIn-Version` values `/rest` serves (YYYYMM); any other is unknown (400)..."""
    sunset_api_versions: tuple[str, ...] = SUNSET_API_VERSIONS
    """...except these, which LinkedIn no longer serves (426)."""
    extra: dict[str, object] = field(default_factory=dict)


def versions_from_text(text: str) -> tuple[str, ...]:
    """A comma-separated list of YYYYMM versions (an environment variable, a CLI flag)."""
    versions = tuple(v.strip() for v in text.split(",") if v.strip())
    bad = [v for v in versions if not (len(v) == 6 and v.isascii() and v.isdigit()
                                       and 1 <= int(v[4:]) <= 12)]
    if bad:
        raise ValueError(f"API versions must be YYYYMM, not {', '.join(bad)}")
    return versions
