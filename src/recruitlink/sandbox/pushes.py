"""Outgoing push notifications: signed with the customer app's secret, retried on non-2xx.

Pushes are rows in the `pushes` table (the outbox), so a push survives a restart; a background
task delivers due rows and records each attempt's outcome for the inspection API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import httpx
from sqlalchemy import Connection, select, update

from recruitlink.core.assumed import SIGNATURE_HEADER, PushType, push_body
from recruitlink.core.backoff import Backoff
from recruitlink.core.signing import sign

from .clock import Clock
from .config import SandboxConfig
from .store import Store, apps, pushes

log = logging.getLogger("recruitlink.sandbox.pushes")


def enqueue(conn: Connection, clock: Clock, *, app_id: int, url: str, push_type: PushType,
            request_id: str, integration_context: str) -> int:
    now = clock.now_ms()
    body = json.dumps(push_body(push_type, request_id, integration_context, now),
                      separators=(",", ":"))
    result = conn.execute(pushes.insert().values(
        app_id=app_id, url=url, type=push_type, request_id=request_id, body=body,
        status="PENDING", attempts=0, next_attempt_at=now, created_at=now))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


class PushSender:
    def __init__(self, store: Store, clock: Clock, config: SandboxConfig) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.config.push_timeout)
        self._task = asyncio.create_task(self._run(), name="sandbox-push-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    @property
    def retry(self) -> Backoff:
        """A push is tried once, then `push_retries` more times, the wait doubling."""
        return Backoff(self.config.push_retry_delay, 2.0, None, self.config.push_retries + 1)

    def notify(self) -> None:
        self.wake.set()

    async def _run(self) -> None:
        while True:
            try:
                delay = await self.deliver_due()
            except Exception:  # keep delivering: a bug here must not silence every push
                log.exception("push delivery round failed")
                delay = 1.0
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=delay)

    async def deliver_due(self) -> float:
        """Deliver every due push; return seconds until the next one is due (max 1 s)."""
        now = self.clock.now_ms()
        with self.store.tx() as conn:
            due = conn.execute(
                select(pushes, apps.c.client_secret).join(apps, apps.c.id == pushes.c.app_id)
                .where(pushes.c.status == "PENDING", pushes.c.next_attempt_at <= now)
                .order_by(pushes.c.id).limit(50)).all()
        for row in due:
            await self._attempt(row._mapping)
        with self.store.tx() as conn:
            nxt = conn.execute(select(pushes.c.next_attempt_at)
                               .where(pushes.c.status == "PENDING")
                               .order_by(pushes.c.next_attempt_at).limit(1)).scalar()
        if nxt is None:
            return 1.0
        return min(1.0, max(0.0, (int(nxt) - self.clock.now_ms()) / 1000))

    async def _attempt(self, push: object) -> None:
        m = push  # a RowMapping
        body: bytes = m["body"].encode()  # type: ignore[index]
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(m["client_secret"], body)}  # type: ignore[index]
        status: int | None = None
        error: str | None = None
        assert self._client is not None
        try:
            response = await self._client.post(m["url"], content=body, headers=headers)  # type: ignore[index]
            status = response.status_code
        except Exception as exc:  # any failure to send is this push's failed attempt
            error = f"{type(exc).__name__}: {exc}"
        attempts = m["attempts"] + 1  # type: ignore[index]
        now = self.clock.now_ms()
        values: dict[str, object] = {"attempts": attempts, "last_status": status,
                                     "last_error": error}
        if status is not None and 200 <= status < 300:
            values.update(status="DELIVERED", delivered_at=now)
        elif self.retry.gives_up(attempts):
            values.update(status="FAILED")
            log.warning("push %s to %s failed after %d attempts", m["id"], m["url"], attempts)  # type: ignore[index]
        else:
            values.update(next_attempt_at=now + int(self.retry.delay(attempts) * 1000))
        with self.store.tx() as conn:
            conn.execute(update(pushes).where(pushes.c.id == m["id"]).values(**values))  # type: ignore[index]
