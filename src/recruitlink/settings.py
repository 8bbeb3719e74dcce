"""recruitlink's settings: environment variables prefixed `RECRUITLINK_` (ARCHITECTURE.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .core.backoff import Backoff
from .core.environment import InstanceEnvironment
from .linkedin.versions import DEFAULT_API_VERSION, ApiVersion


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting may be a secret (a key, a token): never echo it.
    model_config = SettingsConfigDict(env_prefix="RECRUITLINK_", extra="ignore",
                                      hide_input_in_errors=True)

    database_url: str = Field("sqlite:///recruitlink.db",
                              description="SQLite file (default) or postgresql+psycopg://…")
    linkedin_api_url: str = "http://127.0.0.1:8765"
    linkedin_oauth_url: str = "http://127.0.0.1:8765"
    linkedin_api_version: str = Field(
        DEFAULT_API_VERSION,
        description="The LinkedIn API the client speaks: a version YYYYMM (the versioned /rest "
                    "API with Rest.li 2.0, LinkedIn-Version header; LinkedIn serves each "
                    "version about two years) or \"v2\" (the unversioned /v2 API with Rest.li "
                    "1.0, which LinkedIn is leaving).")
    secret_key: SecretStr | None = Field(
        None, description="Root key (>= 32 characters, `recruitlink keys generate`): HKDF "
                          "derives the key that encrypts stored secrets and the one that "
                          "signs sessions. No default: commands that need it refuse to start "
                          "without it (keys.require_secret_key).")
    previous_secret_keys: SecretStr | None = Field(
        None, description="Earlier secret keys, comma-separated: they still decrypt; "
                          "`recruitlink keys rotate` re-encrypts with the current key.")
    partner_client_id: str | None = Field(None, description="The partner (parent) app's id.")
    partner_client_secret: SecretStr | None = None
    environment: InstanceEnvironment = Field(
        "development", description="What this instance is: production, staging or "
        "development. Only a production instance calls a LinkedIn app registered as "
        "production (and one whose environment LinkedIn does not name): elsewhere nothing is "
        "sent, and the Setup page, `sync status` and `connect` say why (core/environment.py). "
        "Deployments that serve customers set production.")
    public_url: str = Field("http://127.0.0.1:8000",
                            description="Where LinkedIn reaches this server (push callbacks, "
                                        "deep links).")
    host: str = "127.0.0.1"
    port: int = 8000
    rate_records_per_minute: int | None = Field(
        None, description="Override LinkedIn's records/minute per resource (tests, scaled "
                          "benchmarks); None: LinkedIn's published numbers.")
    rate_requests_per_day: int | None = None
    inbound_worker: bool = True
    """Process LinkedIn's pushes (exports, status changes) in the server process."""
    background_sync: bool = True
    """Run the connected tenants' syncs in the server process (embedded mode)."""
    pollers: bool = True
    """Run the LinkedIn pollers (seats, InMails, notes, stub profiles, closures) in the server
    process."""
    poll_interval_seconds: float = Field(
        1800.0, gt=0, description="How often the pollers read LinkedIn (seeds: every 30 "
                                  "minutes; seconds in tests).")
    compliance_interval_seconds: float = Field(
        300.0, ge=0, description="How often the compliance scheduler looks at the tenants' "
                                 "duties (member closures, erasures to verify on LinkedIn, "
                                 "retention of imported history); 0: never.")
    parity_interval_seconds: float = Field(
        3600.0, ge=0, description="How often live parity reads back what LinkedIn holds for "
                                  "each tenant and compares it with the ledger (0: only on "
                                  "demand: `sync parity`, the API, the Setup page).")
    parity_share: float = Field(
        0.2, gt=0, le=1, description="The part of LinkedIn's rate budget (per minute and per "
                                     "day, per resource family) parity may use; it waits "
                                     "while the sync uses the rest.")
    parity_max_records: int = Field(
        10_000, ge=1, description="Ledger records read back per entity in one round; a "
                                  "bigger ledger is checked over several rounds, by id "
                                  "range.")
    parity_slice_seconds: float = Field(
        30.0, gt=0, description="How long a scheduled round may wait for its share of the "
                                "budget before it gives way (it goes on at the next one).")
    inbound_backfill_days: float = Field(
        30.0, ge=0, description="How far back a seat's InMails, notes and stub profiles are "
                                "read the first time (or when it is mapped later).")
    sync_lease_seconds: float = 75.0  # > the client timeout: one call never outlives it
    calls_in_flight: int = Field(
        3, ge=1, le=8, description="Calls of one sync batch sent to LinkedIn at once (each of "
                                   "up to 100 records; the batch's first call goes alone).")
    job_task_poll_seconds: float = Field(
        30.0, description="How long after submitting a job its task is polled (LinkedIn "
                          "suggests ~5 minutes; the sandbox answers within seconds).")
    work_queue: Literal["auto", "in-process", "procrastinate"] = Field(
        "auto", description="Where background work runs: threads in the server (SQLite), or "
                            "procrastinate workers (`recruitlink worker`) on PostgreSQL; "
                            "auto picks by the database URL.")
    tick_seconds: int = Field(
        5, ge=1, le=30, description="Scale-out: how often the periodic tick hands each "
                                    "tenant's sync, due pollers and pushes to the workers (a "
                                    "divisor of 60).")
    sync_slice_seconds: float = Field(
        5.0, gt=0, description="Scale-out: how long one job works on one tenant's sync before "
                               "it goes to the back of the queue (fairness across tenants).")
    worker_heartbeat_seconds: float = Field(10.0, gt=0)
    worker_stalled_seconds: float = Field(
        30.0, gt=0, description="A worker silent this long is dead: its jobs are run again.")
    max_bulk_records: int = 10_000
    webhook_allow_http: bool = Field(
        False, description="Let webhook endpoints use plain http to hosts other than this "
                           "machine (a private network); otherwise https is required, http "
                           "only to loopback (core/webhook_urls.py).")
    # -- waits before trying again (core/backoff.py; JSON: first, factor, cap, attempts) --
    retry_calls: Backoff = Field(
        Backoff(0.5, 2.0, 30.0, 6), description="A call to LinkedIn that failed for a while "
        "(5xx, timeout, dropped connection, entities answered as retryable): tries in all, "
        "and the waits between them; also the sync loop's wait after a failed step.")
    retry_replays: Backoff = Field(
        Backoff(30.0, 2.0, 900.0, 5), description="A record LinkedIn kept failing is sent "
        "again by the running sync after these waits; after `attempts` replays it is left "
        "for `sync retry`.")
    retry_tenants: Backoff = Field(
        Backoff(5.0, 2.0, 300.0), description="The background work backs off a tenant "
        "whose sync step or poll failed, in the server's threads and in scale-out workers' "
        "jobs alike (a poll: at most the poll interval).")
    # -- webhook deliveries to the host ATS (issue 18; recruitlink.hooks) --
    webhooks: bool = True
    """Deliver webhooks from the server (embedded mode; scale-out: the workers)."""
    webhook_process: bool = True
    """Embedded mode: deliver from a child process of the server (runtime/deliveries.py),
    started once an endpoint is enabled, so the sync's threads share no GIL with the
    deliveries; false: from a thread of the server."""
    webhook_retry: Backoff = Field(
        Backoff(5.0, 2.0, 21600.0, 25), description="A webhook delivery that fails is tried "
        "again after these waits (the default: 25 tries over about 3.2 days); when they give "
        "up the delivery is failed and its endpoint disabled with a notice.")
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, le=60, description="How long an endpoint has to answer one delivery.")
    webhook_per_endpoint: int = Field(
        4, ge=1, description="Deliveries in flight to one endpoint at most (per process).")
    webhook_senders: int = Field(
        16, ge=1, description="Deliveries in flight at most (per process).")
    webhook_keep_days: float = Field(
        30.0, gt=0, description="Delivered and failed webhook deliveries (the delivery log) "
                                "are kept this long, then deleted.")
    webhook_claim_seconds: float = Field(
        60.0, gt=0, description="A delivery taken by a worker that died is sent again after "
                                "this (longer than the timeout).")
    # -- who may read /metrics, page sessions, sign-in budgets (issue 14) --
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token Prometheus sends to read /metrics (which names every "
                          "tenant and client id); unset: /metrics answers 404.")
    session_idle_seconds: float = Field(
        1800.0, gt=0, description="A page session unused this long ends (NIST SP 800-63B "
                                  "AAL2: 30 minutes).")
    session_lifetime_seconds: float = Field(
        12 * 3600.0, gt=0, description="A page session ends this long after sign-in, however "
                                       "active (AAL2: 12 hours).")
    session_cookie_secure: bool | None = Field(
        None, description="Send the session cookie over https only; unset: on when "
                          "public_url is https (also when TLS ends at a proxy).")
    signin_window_seconds: float = Field(
        900.0, gt=0, description="The window the sign-in budgets below count failures in.")
    signin_failures_per_account: int = Field(10, ge=1, description="Per workspace and email.")
    signin_failures_per_address: int = Field(
        50, ge=1, description="Per client address (IPv6: per /64).")
    signin_failures_global: int = Field(
        1000, ge=1, description="All failures together: caps guessing from many addresses.")

    @field_validator("metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters long; make one with: python -c "
                             "'import secrets; print(secrets.token_urlsafe(32))'")
        return value

    @model_validator(mode="after")
    def _demo_key_file(self) -> Settings:
        # Unset key on SQLite: the key a demo keeps beside its database (keys.py), so that
        # `recruitlink sync status` etc. work in the demo's directory as they are.
        if self.secret_key is None:
            from .keys import key_beside_database

            found = key_beside_database(self.database_url)
            if found is not None:
                self.secret_key = SecretStr(found)
        return self

    @field_validator("linkedin_api_version")
    @classmethod
    def _known_api_version(cls, value: str) -> str:
        return str(ApiVersion.parse(value))

    @field_validator("tick_seconds")
    @classmethod
    def _divides_a_minute(cls, value: int) -> int:
        if 60 % value:
            raise ValueError("must divide 60 (the tick is a cron schedule in seconds)")
        return value
    max_body_bytes: int = 64 * 1024 * 1024
