"""`GET /metrics`: what to watch, in Prometheus' text format, computed from the database.

A server and N workers on several machines share one database and nothing else, so every
number here is read from the database at scrape time (no process-local counters): any
server's /metrics shows the whole system. Each family is one small aggregate over an indexed
table; nothing is loaded row by row.

Label `app` is a LinkedIn client id (public; secrets and tokens are never read), `tenant` a
tenant's slug. `recruitlink_queue_jobs` has `backend="procrastinate"` for procrastinate's jobs
(scale-out) and `backend="database"` for the work they dispatch, which is in the store
(pushes in the inbox, tenants with unsynced changes): the queue names overlap on purpose.

The tenant slugs are the sign-in workspace names, so reading /metrics takes a bearer token
(`RECRUITLINK_METRICS_TOKEN`, as Prometheus' `authorization` setting sends it); without a
token configured /metrics is off (404), never open by default.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from pydantic import SecretStr
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response

from recruitlink.core.limits import Limit
from recruitlink.core.parity import DRIFT_KINDS
from recruitlink.linkedin.budget import DEFAULT_WINDOW_MS, utc_day
from recruitlink.store import Store, postgres_queue, webhook_deliveries
from recruitlink.store import metrics as reads
from recruitlink.store import parity as parity_rows

from .auth import ApiError

log = logging.getLogger(__name__)

# name -> (family class, help, labels). Counters are named without `_total`: the client adds it.
FAMILIES: dict[str, tuple[Callable[..., Metric], str, list[str]]] = {
    "recruitlink_queue_jobs": (
        GaugeMetricFamily, "Work waiting or running: procrastinate jobs per queue (scale-out), "
        "and in the database pushes in the inbox (queue=inbox) and tenants with unsynced "
        "changes (queue=sync).", ["backend", "queue", "status"]),
    "recruitlink_records_synced": (
        CounterMetricFamily, "Records LinkedIn accepted, over committed sync batches.",
        ["tenant"]),
    "recruitlink_records_rejected": (
        CounterMetricFamily, "Records rejected (by validation or by LinkedIn), over committed "
        "sync batches; a record rejected again counts again.", ["tenant"]),
    "recruitlink_sync_failing_records": (
        GaugeMetricFamily, "Records with open sync errors (rejected or kept failing), kept for "
        "replay.", ["tenant"]),
    "recruitlink_sync_lag_changes": (
        GaugeMetricFamily, "Changelog entries the continuous sync has not passed yet.",
        ["tenant"]),
    "recruitlink_sync_lag_seconds": (
        GaugeMetricFamily, "Age of the oldest changelog entry not synced yet (0: none).",
        ["tenant"]),
    "recruitlink_linkedin_throttled": (
        CounterMetricFamily, "429 answers from LinkedIn (whole calls, or entities within one).",
        ["app", "family"]),
    "recruitlink_budget_remaining": (
        GaugeMetricFamily, "What the shared rate budget still allows: records in the sliding "
        "minute (window=minute), requests until UTC midnight (window=day).",
        ["app", "family", "window"]),
    "recruitlink_budget_limit": (
        GaugeMetricFamily, "The rate budget's limit per app: records per minute, requests per "
        "UTC day.", ["family", "window"]),
    "recruitlink_tenant_app": (
        InfoMetricFamily, "The LinkedIn app (client id) each connected tenant sends with.",
        ["tenant", "app"]),
    "recruitlink_webhook_deliveries": (
        GaugeMetricFamily, "Webhook deliveries per status: pending (waiting, in flight or "
        "retrying), delivered, failed (given up; a replay makes one pending again).",
        ["tenant", "status"]),
    "recruitlink_webhook_oldest_pending_seconds": (
        GaugeMetricFamily, "Age of the oldest webhook delivery not delivered yet.",
        ["tenant"]),
    "recruitlink_webhook_latency_seconds": (
        GaugeMetricFamily, "Mean answer time of a webhook endpoint over its newest "
        "deliveries.", ["tenant", "endpoint"]),
    "recruitlink_webhook_endpoint_enabled": (
        GaugeMetricFamily, "1 while a webhook endpoint is enabled, 0 once disabled (by an "
        "admin, or after its retries gave up).", ["tenant", "endpoint"]),
    "recruitlink_parity_ratio": (
        GaugeMetricFamily, "Live parity: the share (0 to 1) of the records read back that "
        "LinkedIn holds as it should, per entity.", ["tenant", "entity"]),
    "recruitlink_parity_drift": (
        GaugeMetricFamily, "Live parity: records LinkedIn holds differently from the ledger "
        "(missing, stale: an older version, extra: should have been deleted).",
        ["tenant", "entity", "kind"]),
    "recruitlink_parity_checked": (
        GaugeMetricFamily, "Live parity: records read back by the latest pass.",
        ["tenant", "entity"]),
    "recruitlink_metrics_query_seconds": (
        GaugeMetricFamily, "Time this scrape spent reading the database.", []),
}


def _family(name: str) -> Metric:
    make, doc, labels = FAMILIES[name]
    return make(name, doc, labels=labels)


class StoreCollector(Collector):
    """Reads every metric from the store; one read connection per scrape."""

    def __init__(self, store: Store, limits: Mapping[str, Limit], *,
                 window_ms: int = DEFAULT_WINDOW_MS,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.limits = dict(limits)
        self.window_ms = window_ms
        self.clock = clock

    def describe(self) -> Iterable[Metric]:
        # Registering asks for the names: answer without touching the database.
        return [_family(name) for name in FAMILIES]

    def collect(self) -> Iterable[Metric]:
        started = time.perf_counter()
        now = int(self.clock() * 1000)
        families: dict[str, Any] = {name: _family(name) for name in FAMILIES}
        with self.store.reader() as conn:
            lag = list(reads.sync_lag(conn))
            _add_queues(conn, families["recruitlink_queue_jobs"],
                        behind=sum(1 for _slug, changes, _at in lag if changes),
                        postgres=self.store.db.is_postgres)
            _add_lag(families, lag, now)
            _add_records(conn, families)
            _add_throttled(conn, families["recruitlink_linkedin_throttled"])
            _add_budget(conn, families, self.limits, now, self.window_ms)
            _add_tenant_apps(conn, families["recruitlink_tenant_app"])
            _add_webhooks(conn, families, now)
            _add_parity(conn, families)
        families["recruitlink_metrics_query_seconds"].add_metric(
            [], time.perf_counter() - started)
        return families.values()


# -- queues ------------------------------------------------------------------------------------

_INBOX_STATUS = {"pending": "waiting", "processing": "running"}
_PROCRASTINATE_STATUS = {"todo": "waiting", "doing": "running"}


def _add_queues(conn: Connection, family: Any, *, behind: int, postgres: bool) -> None:
    counts = dict.fromkeys(_INBOX_STATUS.values(), 0)
    for status, n in reads.inbox_counts(conn, list(_INBOX_STATUS)).items():
        counts[_INBOX_STATUS[status]] = n
    for status, n in counts.items():
        family.add_metric(["database", "inbox", status], n)
    family.add_metric(["database", "sync", "waiting"], behind)
    if postgres:
        for queue, status, n in postgres_queue.live_jobs(conn):
            family.add_metric(["procrastinate", queue, _PROCRASTINATE_STATUS[status]], n)


# -- the outbound sync -------------------------------------------------------------------------

def _add_lag(families: Mapping[str, Any], lag: Iterable[tuple[str, int, int | None]],
             now: int) -> None:
    for slug, changes, oldest in lag:
        families["recruitlink_sync_lag_changes"].add_metric([slug], changes)
        age = max(0.0, (now - oldest) / 1000) if changes and oldest is not None else 0.0
        families["recruitlink_sync_lag_seconds"].add_metric([slug], age)


def _add_records(conn: Connection, families: Mapping[str, Any]) -> None:
    for slug, synced, rejected in reads.committed_records(conn):
        families["recruitlink_records_synced"].add_metric([slug], synced)
        families["recruitlink_records_rejected"].add_metric([slug], rejected)
    for slug, n in reads.failing_records(conn):
        families["recruitlink_sync_failing_records"].add_metric([slug], n)


# -- LinkedIn's throttles and the shared budget -------------------------------------------------

def _add_throttled(conn: Connection, family: Any) -> None:
    for app, name, n in reads.throttled(conn):
        family.add_metric([app, name], n)


def _add_budget(conn: Connection, families: Mapping[str, Any], limits: Mapping[str, Limit],
                now: int, window_ms: int) -> None:
    minute = reads.records_since(conn, now - window_ms)
    today = reads.requests_on(conn, utc_day(now))
    remaining, limit_family = (families["recruitlink_budget_remaining"],
                               families["recruitlink_budget_limit"])
    for name, limit in sorted(limits.items()):
        for window, allowed in (("minute", limit.per_minute), ("day", limit.per_day)):
            if allowed is not None:
                limit_family.add_metric([name, window], allowed)
    for app in reads.budget_apps(conn):
        for name, limit in sorted(limits.items()):
            if limit.per_minute is not None:
                left = limit.per_minute - minute.get((app, name), 0)
                remaining.add_metric([app, name, "minute"], max(0, left))
            if limit.per_day is not None:
                left = limit.per_day - today.get((app, name), 0)
                remaining.add_metric([app, name, "day"], max(0, left))


def _add_tenant_apps(conn: Connection, family: Any) -> None:
    for slug, app in reads.tenant_apps(conn):
        family.add_metric([slug, app], {})


# -- webhook deliveries to the host ATS (recruitlink.hooks) -------------------------------------

def _add_webhooks(conn: Connection, families: Mapping[str, Any], now: int) -> None:
    for slug, status, n in webhook_deliveries.status_counts(conn):
        families["recruitlink_webhook_deliveries"].add_metric([slug, status], n)
    for slug, created_at in webhook_deliveries.oldest_pending(conn):
        families["recruitlink_webhook_oldest_pending_seconds"].add_metric(
            [slug], max(0.0, (now - created_at) / 1000))
    for slug, endpoint, enabled, latency_ms in webhook_deliveries.endpoint_latency(conn):
        families["recruitlink_webhook_endpoint_enabled"].add_metric([slug, str(endpoint)],
                                                                    int(enabled))
        if latency_ms is not None:
            families["recruitlink_webhook_latency_seconds"].add_metric(
                [slug, str(endpoint)], latency_ms / 1000)


# -- live parity (sync/parity.py) ---------------------------------------------------------------

def _add_parity(conn: Connection, families: Mapping[str, Any]) -> None:
    for slug, entities in sorted(parity_rows.all_summaries(conn).items()):
        for entity, s in sorted(entities.items()):
            drifted = s["missing"] + s["stale"] + s["extra"]
            families["recruitlink_parity_checked"].add_metric([slug, entity], s["checked"])
            for kind in DRIFT_KINDS:
                families["recruitlink_parity_drift"].add_metric([slug, entity, kind], s[kind])
            if s["checked"] > 0:
                families["recruitlink_parity_ratio"].add_metric(
                    [slug, entity], max(0, s["checked"] - drifted) / s["checked"])


# -- the route ---------------------------------------------------------------------------------

def check_token(request: Request, token: SecretStr | None) -> None:
    """404 when no token is configured (the endpoint is off); 401 unless the request sends
    `Authorization: Bearer <token>` (compared in constant time)."""
    if token is None:
        raise HTTPException(404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        reason = "send the metrics token (RECRUITLINK_METRICS_TOKEN) as a Bearer token"
        raise ApiError(401, reason, [{"field": "Authorization", "reason": reason}],
                       headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


def build_metrics_router(store: Store, limits: Mapping[str, Limit], *,
                         token: SecretStr | None = None,
                         window_ms: int = DEFAULT_WINDOW_MS) -> APIRouter:
    """`GET /metrics` over its own registry: only the store's metrics, none of this process.
    Readable only with `token` (see `check_token`)."""
    registry = CollectorRegistry()
    registry.register(StoreCollector(store, limits, window_ms=window_ms))
    router = APIRouter(tags=["health"])

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        check_token(request, token)
        try:
            body = generate_latest(registry)
        except SQLAlchemyError as exc:  # the database is down: a failed scrape, not a crash
            log.warning("metrics: the database could not be read: %s", exc)
            return PlainTextResponse(f"database unavailable: {type(exc).__name__}\n", 503)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
