"""OAuth 2.0 client-credentials tokens, cached and reused until shortly before they expire.

LinkedIn wants one token per app reused for its 30 minutes, not one per call (CRM-002).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from recruitlink.core.assumed import AppEnvironment, app_environment_of
from recruitlink.errors import LinkedInAuthError, LinkedInUnavailable

EXPIRY_MARGIN_S = 60.0
"""Renew this long before expiry, so a token never dies in flight."""


@dataclass
class _Cached:
    token: str
    expires_at: float
    environment: AppEnvironment | None
    """What LinkedIn said of the app when it minted the token (core/assumed.py)."""


class TokenCache:
    """Tokens per (token URL, client id), shared by every client in the process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str], _Cached] = {}
        self.minted = 0

    def get(self, http: httpx.Client, token_url: str, client_id: str,
            client_secret: str) -> str:
        return self.get_with_environment(http, token_url, client_id, client_secret)[0]

    def get_with_environment(self, http: httpx.Client, token_url: str, client_id: str,
                             client_secret: str) -> tuple[str, AppEnvironment | None]:
        """A live token, and the app's environment LinkedIn named when minting it."""
        key = (token_url, client_id)
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and cached.expires_at > self._clock():
                return cached.token, cached.environment
            token, lifetime, environment = self._mint(http, token_url, client_id,
                                                      client_secret)
            margin = min(EXPIRY_MARGIN_S, lifetime / 10)
            self._tokens[key] = _Cached(token, self._clock() + lifetime - margin, environment)
            return token, environment

    def invalidate(self, token_url: str, client_id: str, token: str) -> None:
        """Forget a token LinkedIn refused, unless another thread already replaced it."""
        with self._lock:
            cached = self._tokens.get((token_url, client_id))
            if cached is not None and cached.token == token:
                del self._tokens[(token_url, client_id)]

    def _mint(self, http: httpx.Client, token_url: str, client_id: str,
              client_secret: str) -> tuple[str, float, AppEnvironment | None]:
        try:
            response = http.post(token_url, data={"grant_type": "client_credentials",
                                                  "client_id": client_id,
                                                  "client_secret": client_secret})
        except httpx.TransportError as exc:
            raise LinkedInUnavailable(f"token endpoint unreachable: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise LinkedInUnavailable(f"token endpoint answered {response.status_code}",
                                      status=response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or "access_token" not in body:
            reason = body.get("error_description") or body.get("error") or response.text[:200]
            raise LinkedInAuthError(f"LinkedIn refused the credentials of {client_id}: "
                                    f"{reason}", status=response.status_code)
        self.minted += 1
        return (str(body["access_token"]), float(body.get("expires_in", 1800)),
                app_environment_of(body))
