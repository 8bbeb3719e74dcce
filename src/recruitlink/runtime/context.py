"""Everything a recruitlink process needs, built from the settings: the store, the secret box,
the sync engine, the partner's LinkedIn client and the webhook delivery loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from recruitlink.core.limits import copy_limits
from recruitlink.crypto import SecretBox, secret_box
from recruitlink.errors import ConfigurationError
from recruitlink.linkedin import LinkedInClient
from recruitlink.settings import Settings
from recruitlink.store import Database, Store
from recruitlink.store.migrate import upgrade
from recruitlink.sync.engine import EngineSettings, SyncEngine

if TYPE_CHECKING:  # imported where used: a process that only syncs loads neither (~4 MB)
    from recruitlink.hooks.engine import DeliveryPolicy
    from recruitlink.hooks.worker import DeliveryWorker
    from recruitlink.inbound.pollers import Poller


@dataclass
class Runtime:
    settings: Settings
    store: Store
    box: SecretBox
    _engine: SyncEngine | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Runtime:
        box = secret_box(settings)  # refuses a missing or weak key before touching the database
        db = Database(settings.database_url)
        if migrate:
            upgrade(db)
        return cls(settings, Store(db), box)

    def engine_settings(self) -> EngineSettings:
        s = self.settings
        limits = copy_limits()
        for limit in limits.values():
            if s.rate_records_per_minute is not None and limit.per_minute is not None:
                limit.per_minute = s.rate_records_per_minute
            if s.rate_requests_per_day is not None and limit.per_day is not None:
                limit.per_day = s.rate_requests_per_day
        return EngineSettings(api_url=s.linkedin_api_url, oauth_url=s.linkedin_oauth_url,
                              api_version=s.linkedin_api_version,
                              environment=s.environment, ats_base_url=s.public_url, limits=limits,
                              lease_ttl_s=s.sync_lease_seconds,
                              job_task_poll_s=s.job_task_poll_seconds,
                              calls_in_flight=s.calls_in_flight,
                              backoff_s=s.retry_calls.first, retry_factor=s.retry_calls.factor,
                              retry_cap_s=s.retry_calls.cap, max_attempts=s.retry_calls.attempts,
                              replay_after_s=s.retry_replays.first,
                              replay_factor=s.retry_replays.factor,
                              replay_max_s=s.retry_replays.cap,
                              replay_attempts=s.retry_replays.attempts)

    @property
    def engine(self) -> SyncEngine:
        if self._engine is None:
            self._engine = SyncEngine(self.store, self.box, self.engine_settings())
        return self._engine

    def delivery_policy(self) -> DeliveryPolicy:
        from recruitlink.hooks.engine import DeliveryPolicy

        s = self.settings
        return DeliveryPolicy(retry=s.webhook_retry, timeout_s=s.webhook_timeout_seconds,
                              per_endpoint=s.webhook_per_endpoint,
                              claim_s=max(s.webhook_claim_seconds,
                                          2 * s.webhook_timeout_seconds),
                              senders=s.webhook_senders, keep_days=s.webhook_keep_days)

    def delivery_worker(self) -> DeliveryWorker:
        """The webhook delivery loop over this runtime's store (its own HTTP client)."""
        from recruitlink.hooks.engine import DeliveryEngine
        from recruitlink.hooks.worker import DeliveryWorker

        return DeliveryWorker(DeliveryEngine(self.store, self.box, self.delivery_policy()))

    def poller(self) -> Poller:
        from recruitlink.inbound.pollers import Poller

        return Poller(self.store, self.box, self.engine,
                      backfill_days=self.settings.inbound_backfill_days)

    def partner(self) -> LinkedInClient:
        s = self.settings
        if not s.partner_client_id or s.partner_client_secret is None:
            raise ConfigurationError("set RECRUITLINK_PARTNER_CLIENT_ID and "
                                     "RECRUITLINK_PARTNER_CLIENT_SECRET (the partner app's "
                                     "credentials) to connect tenants")
        return LinkedInClient(api_url=s.linkedin_api_url, oauth_url=s.linkedin_oauth_url,
                              client_id=s.partner_client_id,
                              client_secret=s.partner_client_secret.get_secret_value(),
                              http=self.engine.http, tokens=self.engine.tokens,
                              api_version=s.linkedin_api_version,
                              environment=s.environment)

    def close_engine(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def close(self) -> None:
        self.close_engine()
        self.store.dispose()
