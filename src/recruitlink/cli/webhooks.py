"""`recruitlink webhooks ...`: the tenant's webhook endpoints, their delivery log and replays
(the same as the admin page "Webhooks" and `/api/v1/webhooks`).

    recruitlink webhooks add --tenant acme --url https://ats.example.com/hooks \\
        --type candidate.created --type export.refused      # prints the secret, once
    recruitlink webhooks list --tenant acme
    recruitlink webhooks update --tenant acme 3 --url ... | --type ... | --all-types
    recruitlink webhooks disable|enable|rotate --tenant acme 3
    recruitlink webhooks remove --tenant acme 3 [--yes]
    recruitlink webhooks deliveries --tenant acme 3 [--status failed] [--delivery 42]
    recruitlink webhooks replay --tenant acme 3 --delivery 42
    recruitlink webhooks replay --tenant acme 3 --since 2026-01-01T00:00Z --until 2026-01-02T00:00Z
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from ..core.host_events import parse_types, timestamp
from ..core.webhook_endpoints import ROTATION_OVERLAP_MS, problems, types_label
from ..hooks.shapes import attempt_json, delivery_json, endpoint_json, last_delivery
from ..runtime.context import Runtime
from ..store import now_ms, webhooks
from .sync import DatabaseUrl, runtime, tenant_id

console = Console()
app = typer.Typer(name="webhooks", no_args_is_help=True,
                  help="Webhook endpoints: where recruitlink sends your ATS its events, "
                       "signed (Standard Webhooks); their delivery log and replays.")

Tenant = typer.Option(..., "--tenant", help="The tenant's slug.")
AsJson = typer.Option(False, "--json", help="JSON instead of a table.")
EndpointId = typer.Argument(..., min=1, help="The endpoint's id (`webhooks list`).")
Types = typer.Option(None, "--type", help="An event type to send (repeat, or comma-separate); "
                                          "none: every type.")


def fail(field: str, reason: str) -> NoReturn:
    console.print(f"[red]error:[/red] {field}: {reason}", highlight=False, markup=True)
    raise typer.Exit(2)


def _types(given: list[str] | None) -> list[str] | None:
    if given is None:
        return None
    try:
        return list(parse_types(",".join(given)))
    except ValueError as exc:
        fail("type", str(exc))


def _check(rt: Runtime, **fields: Any) -> None:
    found = problems(**fields, allow_http=rt.settings.webhook_allow_http)
    for field, reason in found.items():
        console.print(f"[red]error:[/red] {field}: {reason}", highlight=False)
    if found:
        raise typer.Exit(2)


def _endpoint(rt: Runtime, tid: int, endpoint_id: int) -> webhooks.Endpoint:
    with rt.store.reader() as conn:
        found = webhooks.get_endpoint(conn, tid, endpoint_id)
    if found is None:
        fail("endpoint", f"no webhook endpoint {endpoint_id} in this tenant")
    return found


def _secret(secret: str, what: str) -> None:
    console.print(f"{what}; its signing secret is shown only now, keep it with your "
                  "receiver:", highlight=False)
    typer.echo(secret)


def _parse_time(field: str, text: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(field, f"{text!r} is not a date and time (ISO 8601, e.g. 2026-01-31T09:00Z)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@app.command("add")
def add(tenant: str = Tenant,
        url: str = typer.Option(..., help="https (plain http only to loopback)."),
        types: list[str] | None = Types,
        description: str = typer.Option("", help="What receives the events."),
        as_json: bool = AsJson, database_url: str | None = DatabaseUrl) -> None:
    """Add an endpoint; it gets the events written from now on. Prints its secret once."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        chosen = _types(types) or []
        _check(rt, url=url, description=description)
        with rt.store.db.write() as conn:
            endpoint, secret = webhooks.create_endpoint(
                conn, rt.box, tid, url=url, types=chosen, description=description,
                now_ms=now_ms())
    if as_json:
        typer.echo(json.dumps({**endpoint_json(endpoint), "secret": secret}, indent=2))
        return
    _secret(secret, f"Endpoint {endpoint.id} added ({url}, {types_label(endpoint.types)})")


@app.command("list")
def list_(tenant: str = Tenant, as_json: bool = AsJson,
          database_url: str | None = DatabaseUrl) -> None:
    """The endpoints: URL, event types, enabled or why disabled, last delivery."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        with rt.store.reader() as conn:
            rows = [(e, last_delivery(conn, tid, e.id))
                    for e in webhooks.list_endpoints(conn, tid)]
    if as_json:
        typer.echo(json.dumps([endpoint_json(e, last) for e, last in rows], indent=2))
        return
    table = Table(title=f"Webhook endpoints of {tenant}")
    for column in ("id", "url", "event types", "state", "last delivery"):
        table.add_column(column, overflow="fold")
    for e, last in rows:
        state = "enabled" if e.enabled else f"[red]disabled[/red]: {e.disabled_reason}"
        if e.enabled and e.held_until is not None:
            state = ("[yellow]held[/yellow] after a connection failure: " + (
                f"next try at {timestamp(e.held_until)}" if e.held(now_ms())
                else "trying again now, one delivery until it answers"))
        table.add_row(str(e.id), e.url + (f"\n{e.description}" if e.description else ""),
                      types_label(e.types), state,
                      "none yet" if last is None else
                      f"{last.status} {last.last_code or ''} {timestamp(last.created_at)}")
    console.print(table)


@app.command("update")
def update(endpoint_id: int = EndpointId, tenant: str = Tenant,
           url: str | None = typer.Option(None, help="A new URL."),
           types: list[str] | None = Types,
           all_types: bool = typer.Option(False, "--all-types", help="Send every type."),
           description: str | None = typer.Option(None, help="A new description."),
           database_url: str | None = DatabaseUrl) -> None:
    """Change an endpoint's URL, event types or description (what is given)."""
    if types and all_types:
        fail("type", "give --type or --all-types, not both")
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        chosen = [] if all_types else _types(types)
        _check(rt, url=url, description=description)
        with rt.store.db.write() as conn:
            endpoint = webhooks.update_endpoint(conn, tid, endpoint_id, now_ms=now_ms(),
                                                url=url, types=chosen,
                                                description=description)
        if endpoint is None:
            fail("endpoint", f"no webhook endpoint {endpoint_id} in this tenant")
    console.print(f"Endpoint {endpoint.id}: {endpoint.url}, {types_label(endpoint.types)}.",
                  highlight=False)


def _switch(tenant: str, endpoint_id: int, enabled: bool, database_url: str | None) -> None:
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        with rt.store.db.write() as conn:
            endpoint = webhooks.update_endpoint(conn, tid, endpoint_id, now_ms=now_ms(),
                                                enabled=enabled)
        if endpoint is None:
            fail("endpoint", f"no webhook endpoint {endpoint_id} in this tenant")
    console.print(f"Endpoint {endpoint_id} is {'enabled' if enabled else 'disabled'}"
                  + ("." if enabled else ": its events wait as pending deliveries."),
                  highlight=False)


@app.command("disable")
def disable(endpoint_id: int = EndpointId, tenant: str = Tenant,
            database_url: str | None = DatabaseUrl) -> None:
    """Stop sending to an endpoint (its deliveries wait)."""
    _switch(tenant, endpoint_id, False, database_url)


@app.command("enable")
def enable(endpoint_id: int = EndpointId, tenant: str = Tenant,
           database_url: str | None = DatabaseUrl) -> None:
    """Send to an endpoint again (also one disabled by failing deliveries)."""
    _switch(tenant, endpoint_id, True, database_url)


@app.command("rotate")
def rotate(endpoint_id: int = EndpointId, tenant: str = Tenant,
           database_url: str | None = DatabaseUrl) -> None:
    """A new signing secret, printed once; the previous one signs too for 24 hours."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        now = now_ms()
        with rt.store.db.write() as conn:
            secret = webhooks.rotate_secret(conn, rt.box, tid, endpoint_id, now_ms=now,
                                            overlap_ms=ROTATION_OVERLAP_MS)
    if secret is None:
        fail("endpoint", f"no webhook endpoint {endpoint_id} in this tenant")
    _secret(secret, f"Endpoint {endpoint_id} has a new secret (the previous one signs too "
                    f"until {timestamp(now + ROTATION_OVERLAP_MS)})")


@app.command("remove")
def remove(endpoint_id: int = EndpointId, tenant: str = Tenant,
           yes: bool = typer.Option(False, "--yes", help="Do not ask."),
           database_url: str | None = DatabaseUrl) -> None:
    """Delete an endpoint and its delivery log (pending deliveries included)."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        endpoint = _endpoint(rt, tid, endpoint_id)
        if not yes and not typer.confirm(f"Delete endpoint {endpoint_id} ({endpoint.url}) "
                                         "and its delivery log?"):
            raise typer.Exit(1)
        with rt.store.db.write() as conn:
            webhooks.delete_endpoint(conn, tid, endpoint_id)
    console.print(f"Endpoint {endpoint_id} deleted.", highlight=False)


@app.command("deliveries")
def deliveries(endpoint_id: int = EndpointId, tenant: str = Tenant,
               status: str | None = typer.Option(None, help="pending, delivered or failed."),
               limit: int = typer.Option(50, min=1, max=1000),
               before: int | None = typer.Option(None, min=1, help="Older than this "
                                                 "delivery id (the next page)."),
               delivery: int | None = typer.Option(None, min=1, help="One delivery, with "
                                                   "its attempts."),
               as_json: bool = AsJson, database_url: str | None = DatabaseUrl) -> None:
    """An endpoint's delivery log, newest first; or one delivery's attempts."""
    if status is not None and status not in webhooks.STATUSES:
        fail("status", f"must be one of {', '.join(webhooks.STATUSES)}")
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        _endpoint(rt, tid, endpoint_id)
        with rt.store.reader() as conn:
            if delivery is not None:
                one = webhooks.get_delivery(conn, tid, delivery)
                if one is None or one.endpoint_id != endpoint_id:
                    fail("delivery", f"no delivery {delivery} of endpoint {endpoint_id}")
                attempts = webhooks.list_attempts(conn, tid, delivery)
                _show_attempts(one, attempts, as_json)
                return
            rows = webhooks.list_deliveries(conn, tid, endpoint_id, before_id=before,
                                            limit=limit, status=status)
    if as_json:
        typer.echo(json.dumps([delivery_json(d) for d in rows], indent=2))
        return
    table = Table(title=f"Deliveries to endpoint {endpoint_id}, newest first")
    for column in ("id", "created", "event", "record", "status", "code", "latency",
                   "attempts", "last error"):
        table.add_column(column, overflow="fold")
    for d in rows:
        table.add_row(str(d.id), timestamp(d.created_at), f"{d.event_type} {d.event_id}",
                      d.record_key, d.status, str(d.last_code or ""),
                      f"{d.last_latency_ms} ms" if d.last_latency_ms is not None else "",
                      str(d.attempts), d.last_error or "")
    console.print(table)
    if len(rows) == limit:
        console.print(f"Older: --before {rows[-1].id}", highlight=False)


def _show_attempts(d: webhooks.Delivery, attempts: list[webhooks.Attempt],
                   as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({**delivery_json(d),
                               "attemptsLog": [attempt_json(a) for a in attempts]}, indent=2))
        return
    console.print(f"Delivery {d.id} of {d.event_type} {d.event_id} ({d.record_key}): "
                  f"{d.status}", highlight=False)
    table = Table(title="Attempts, oldest first")
    for column in ("at", "code", "latency", "error"):
        table.add_column(column, overflow="fold")
    for a in attempts:
        table.add_row(timestamp(a.at), "no answer" if a.code is None else str(a.code),
                      f"{a.latency_ms} ms", a.error or "")
    console.print(table)


@app.command("replay")
def replay(endpoint_id: int = EndpointId, tenant: str = Tenant,
           delivery: int | None = typer.Option(None, min=1, help="One delivery's id."),
           since: str | None = typer.Option(None, help="Deliveries created from (ISO 8601; "
                                                       "no offset: UTC) ..."),
           until: str | None = typer.Option(None, help="... to (inclusive)."),
           database_url: str | None = DatabaseUrl) -> None:
    """Send one delivery again now, or every delivery created in a time range."""
    if (delivery is None) == (since is None and until is None):
        fail("delivery", "give --delivery, or --since and --until")
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        _endpoint(rt, tid, endpoint_id)
        if delivery is not None:
            with rt.store.db.write() as conn:
                found = webhooks.get_delivery(conn, tid, delivery)
                if found is None or found.endpoint_id != endpoint_id:
                    fail("delivery", f"no delivery {delivery} of endpoint {endpoint_id}")
                webhooks.replay_delivery(conn, tid, delivery, now_ms=now_ms())
            console.print(f"Delivery {delivery} will be sent again.", highlight=False)
            return
        if since is None or until is None:
            fail("until" if since else "since", "give both --since and --until")
        start, end = _parse_time("since", since), _parse_time("until", until)
        if end < start:
            fail("until", "must not be before --since")
        with rt.store.db.write() as conn:
            count = webhooks.replay_range(conn, tid, endpoint_id, since_ms=start,
                                          until_ms=end, now_ms=now_ms())
    console.print(f"{count} deliveries will be sent again.", highlight=False)
