"""Webhook deliveries and attempts as the delivery engine leaves them, written straight into
the database, for the tests of the pages, the API and the CLI that show them."""

from __future__ import annotations

from recruitlink.store import Store, host_events, schema


def seed_deliveries(store: Store, tenant_id: int, endpoint_id: int, statuses: list[str],
                    start_ms: int) -> list[int]:
    """One `candidate.updated` event and its delivery per status, a minute apart from
    `start_ms` (record `candidate:C<i>`), each with one attempt: HTTP 204 for a delivered
    one, HTTP 500 otherwise. The deliveries' ids, oldest first."""
    ids = []
    with store.db.write() as conn:
        for i, status in enumerate(statuses):
            at = start_ms + i * 60_000
            ok = status == "delivered"
            seq = host_events.emit(conn, tenant_id, "candidate.updated", f"C{i}",
                                   {"candidate": f"C{i}"}, at_ms=at)
            delivery = conn.execute(schema.webhook_deliveries.insert().values(
                tenant_id=tenant_id, endpoint_id=endpoint_id, event_seq=seq,
                record_key=f"candidate:C{i}", status=status, attempts=1,
                next_attempt_at=at + 10**9, created_at=at, last_code=204 if ok else 500,
                last_latency_ms=12, last_error=None if ok else "HTTP 500",
                delivered_at=at + 5 if ok else None,
            ).returning(schema.webhook_deliveries.c.id)).scalar_one()
            conn.execute(schema.webhook_attempts.insert().values(
                delivery_id=delivery, at=at + 5, code=204 if ok else 500, latency_ms=12,
                error=None if ok else "HTTP 500"))
            ids.append(int(delivery))
    return ids
