"""Webhook endpoints, deliveries and attempts as JSON: the one shape the API
(web/api_webhooks.py) answers and the CLI's `--json` prints (without loading the web app)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from recruitlink.core.host_events import timestamp
from recruitlink.store import webhooks


def _time(at_ms: int | None) -> str | None:
    return timestamp(at_ms) if at_ms is not None else None


def endpoint_json(endpoint: webhooks.Endpoint,
                  last: webhooks.Delivery | None = None) -> dict[str, Any]:
    return {"id": endpoint.id, "url": endpoint.url, "description": endpoint.description,
            "types": list(endpoint.types), "enabled": endpoint.enabled,
            "disabledReason": endpoint.disabled_reason,
            "disabledAt": _time(endpoint.disabled_at),
            "createdAt": timestamp(endpoint.created_at),
            "updatedAt": timestamp(endpoint.updated_at),
            "rotatingUntil": _time(endpoint.rotating_until),
            "heldUntil": _time(endpoint.held_until) if endpoint.enabled else None,
            "lastDelivery": None if last is None else {
                "status": last.status, "code": last.last_code,
                "at": timestamp(last.created_at)}}


def delivery_json(d: webhooks.Delivery) -> dict[str, Any]:
    return {"id": d.id, "eventId": d.event_id, "eventType": d.event_type,
            "eventAt": timestamp(d.event_at), "record": d.record_key, "status": d.status,
            "attempts": d.attempts,
            "nextAttemptAt": timestamp(d.next_attempt_at) if d.status == "pending" else None,
            "lastCode": d.last_code, "lastLatencyMs": d.last_latency_ms,
            "lastError": d.last_error, "createdAt": timestamp(d.created_at),
            "deliveredAt": _time(d.delivered_at)}


def attempt_json(a: webhooks.Attempt) -> dict[str, Any]:
    return {"id": a.id, "at": timestamp(a.at), "code": a.code, "latencyMs": a.latency_ms,
            "error": a.error}


def last_delivery(conn: Connection, tenant_id: int, endpoint_id: int
                  ) -> webhooks.Delivery | None:
    newest = webhooks.list_deliveries(conn, tenant_id, endpoint_id, limit=1)
    return newest[0] if newest else None
