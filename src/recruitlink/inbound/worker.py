"""Processes the push inbox: a background thread in the server (embedded mode), or called by
any worker process; the database decides who does what (`inbox.claim_due`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from recruitlink.core.assumed import EXPORT_PUSH, STATUS_PUSH
from recruitlink.core.integration_status import status_changes
from recruitlink.crypto import SecretBox
from recruitlink.errors import ClaimLost, TransientError
from recruitlink.linkedin.pool import ClientPool
from recruitlink.loops import WorkLoop
from recruitlink.store import Store, connections, entity
from recruitlink.store import inbound_inbox as inbox
from recruitlink.store.records import ids_by_external

from . import announce
from .exports import ExportResult, process_export

log = logging.getLogger(__name__)


def now_ms() -> int:
    return int(time.time() * 1000)


class InboundWorker(WorkLoop):
    name = "recruitlink-inbound"

    def __init__(self, store: Store, box: SecretBox, pool: ClientPool, *,
                 on_status_change: Callable[[int], tuple[str, int | None]],
                 idle_s: float = 1.0) -> None:
        """`on_status_change(tenant id)`: ask LinkedIn for the tenant's integration status
        and start its historical sync when it has just been enabled; (status, run id or
        None). The sync side provides it (`sync.connect.refresh_status`)."""
        super().__init__(idle_s=idle_s)
        self.store, self.box, self.pool = store, box, pool
        self.on_status_change = on_status_change

    def run_once(self) -> int:
        """Process the events due now; returns how many were taken."""
        with self.store.db.write() as conn:
            events = inbox.claim_due(conn, now_ms())
        for event in events:
            self._process(event)
        return len(events)

    def _process(self, event: inbox.Event) -> None:
        try:
            settled = self._handle(event)
        except ClaimLost:
            return  # another worker owns it now; our transaction was rolled back
        except TransientError as exc:
            reason = f"{type(exc).__name__}: {exc.message}"
            with self.store.db.write() as conn:
                if inbox.failed_attempt(conn, event, reason, now_ms()):
                    tries = f"{event.attempts} attempt{'s' if event.attempts != 1 else ''}"
                    self._refused(conn, event, f"gave up after {tries}: {reason}")
            return
        except Exception as exc:  # terminal: keep it, with its reason, for a replay
            log.warning("push %s (%s) failed: %s", event.request_id, event.type, exc)
            reason = f"{type(exc).__name__}: {exc}"
            with self.store.db.write() as conn:
                if inbox.fail(conn, event, reason, now_ms()):
                    self._refused(conn, event, reason)
            return
        if settled is not None:
            outcome, why, details = settled
            with self.store.db.write() as conn:
                if inbox.finish(conn, event, outcome=outcome, reason=why, candidate_id=None,
                                now_ms=now_ms(), details=details) and outcome == "failed":
                    self._refused(conn, event, why)

    @staticmethod
    def _refused(conn: Connection, event: inbox.Event, reason: str | None) -> None:
        """An export that failed before its effect was decided (LinkedIn has no such export,
        another organization's, malformed) or for good (after its retries): the host ATS
        hears of it with the export's refusals, in the transaction that marks it."""
        if event.type == EXPORT_PUSH:
            announce.export_refused(conn, event.tenant_id, request_id=event.request_id,
                                    reason=reason)

    def _handle(self, event: inbox.Event
                ) -> tuple[str, str | None, dict[str, Any] | None] | None:
        """Process one event; returns its outcome, reason and details when it is still to be
        marked done (an export's effect and its mark are committed together, and return
        None)."""
        info = connections.load_required(self.store, event.tenant_id, self.box)
        if event.type == STATUS_PUSH:
            # What this push changed (which feature, turned on or off), as LinkedIn answers
            # for its request id; then the tenant's status from every integration's.
            changed = status_changes(
                self.pool.client_for(info).integrations_for_request(event.request_id))
            status, run_id = self.on_status_change(event.tenant_id)
            started = f"started the historical sync (run {run_id})" if run_id else None
            return (status.lower(), started, {"changes": [c.to_json() for c in changed]})
        settled = False

        def settle(conn: Connection, result: ExportResult) -> bool:
            nonlocal settled
            candidate = None
            if result.candidate_id is not None:
                candidate = ids_by_external(conn, entity("candidates"), event.tenant_id,
                                            [result.candidate_id]).get(result.candidate_id)
            settled = inbox.finish(conn, event, outcome=result.outcome, reason=result.reason,
                                   candidate_id=candidate, now_ms=now_ms(), seat=result.seat,
                                   details=result.details)
            return settled

        result = process_export(self.store, self.pool.client_for(info),
                                tenant_id=event.tenant_id, organization=info.organization,
                                request_id=event.request_id, now_ms=now_ms(), settle=settle)
        return None if settled else (result.outcome, result.reason, None)
