"""The LinkedIn clients, tokens and rate budgets of one process, per connection: the outbound
sync, the inbound pollers and the push worker take them here, so an app's token is minted
once and every caller counts against the one budget of its app.

A connection is anything with a tenant slug and app credentials (`ConnectionInfo`); clients
are kept per (client id, secret): rotated credentials get a new client, with no restart.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

import httpx

from recruitlink.core.limits import Limit
from recruitlink.errors import ConfigurationError
from recruitlink.linkedin.budget import RateBudget
from recruitlink.store.db import Database

from .client import LinkedInClient
from .tokens import TokenCache
from .transport import linkedin_http


class Credentials(Protocol):
    """What the pool needs of a connection."""

    @property
    def tenant_slug(self) -> str: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def client_secret(self) -> str | None: ...


class PoolSettings(Protocol):
    """Where LinkedIn is, which API it speaks, and its rate limits (`EngineSettings`)."""

    @property
    def api_url(self) -> str: ...
    @property
    def oauth_url(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    @property
    def environment(self) -> str: ...
    @property
    def limits(self) -> Mapping[str, Limit]: ...
    @property
    def rate_window_ms(self) -> int: ...


class ClientPool:
    def __init__(self, db: Database, settings: Callable[[], PoolSettings], *,
                 http: httpx.Client | None = None, tokens: TokenCache | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """`settings` is read at each use: its owner may replace them (a test switching
        the API family); a client already made keeps the settings it was made with."""
        self.db = db
        self._settings = settings
        self._owns_http = http is None
        self.http = http or linkedin_http()
        self.tokens = tokens or TokenCache()
        self.sleep = sleep
        self._clients: dict[tuple[str, str], LinkedInClient] = {}
        self._lock = threading.Lock()

    @property
    def api_version(self) -> str:
        return self._settings().api_version

    def client_for(self, connection: Credentials) -> LinkedInClient:
        """The connection's client; ConfigurationError when it has no credentials."""
        client_id, secret = connection.client_id, connection.client_secret
        if not client_id or not secret:
            raise ConfigurationError(
                f"tenant {connection.tenant_slug} has no LinkedIn credentials")
        # Keyed on the secret too (hashed: the pool keeps no secret but in the client).
        key = (client_id, hashlib.sha256(secret.encode()).hexdigest())
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                settings = self._settings()
                client = LinkedInClient(api_url=settings.api_url, oauth_url=settings.oauth_url,
                                        client_id=client_id, client_secret=secret,
                                        http=self.http, tokens=self.tokens,
                                        api_version=settings.api_version,
                                        environment=settings.environment)
                self._clients[key] = client
            return client

    def budget_for(self, connection: Credentials) -> RateBudget:
        """The rate budget of the connection's app (in the database: shared by every
        process sending for it)."""
        settings = self._settings()
        return RateBudget(self.db, connection.client_id or "", settings.limits,
                          window_ms=settings.rate_window_ms, sleep=self.sleep)

    def close(self) -> None:
        """Close the HTTP client if the pool made it (a lent one is its owner's)."""
        if self._owns_http:
            self.http.close()


class HasPool(Protocol):
    """Something that carries a process's pool (the sync engine)."""

    @property
    def pool(self) -> ClientPool: ...


def pool_of(source: ClientPool | HasPool) -> ClientPool:
    """The pool itself, or the one `source` carries."""
    return source if isinstance(source, ClientPool) else source.pool
