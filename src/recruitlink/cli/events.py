"""`recruitlink events list`: the tenant's host ATS events (the change feed of
`GET /api/v1/events`), oldest first from a cursor; `--follow` keeps printing new ones."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..core.host_events import EVENT_TYPES, parse_types, timestamp
from ..settings import Settings
from ..store import Database, Store, host_events
from ..store.host_events import HostEvent
from ..store.tenants import tenant_by_slug
from .db import DATABASE_URL_HELP

app = typer.Typer(name="events", no_args_is_help=True,
                  help="The events recruitlink tells the host ATS about (the change feed).")
console = Console()
PAGE = 500
"""Events read per query (a page: never the whole log)."""


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(2)


def _summary(event: HostEvent) -> str:
    """The payload on one line, for the table."""
    text = json.dumps(event.data, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 200 else text[:199] + "…"


def _table(events: Sequence[HostEvent], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("cursor", "time", "type", "subject", "data"):
        table.add_column(column, overflow="fold")
    for e in events:
        table.add_row(str(e.seq), timestamp(e.at), e.type,
                      escape(e.record_key.rstrip(":")), escape(_summary(e)))
    return table


def _print(events: Sequence[HostEvent], *, as_json: bool, title: str) -> None:
    if as_json:
        for e in events:  # one envelope per line (the feed's and the webhooks' shape)
            typer.echo(json.dumps(e.envelope(), ensure_ascii=False))
    elif events:
        console.print(_table(events, title))


@app.command("list")
def list_events(
    tenant: str = typer.Option(..., "--tenant", help="The tenant's slug."),
    after: int = typer.Option(0, "--after", min=0,
                              help="Only events after this cursor (the last one handled)."),
    types: str = typer.Option("", "--types", help="Only these types, comma-separated: "
                                                  + ", ".join(EVENT_TYPES) + "."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000,
                              help="At most this many (without --follow)."),
    follow: bool = typer.Option(False, "--follow", "-f",
                                help="Keep printing new events as they come (Ctrl-C stops)."),
    interval: float = typer.Option(2.0, "--interval", min=0.1,
                                   help="With --follow: seconds between looks."),
    as_json: bool = typer.Option(False, "--json",
                                 help="One JSON event per line, as the feed and webhooks "
                                      "send them."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """The tenant's events, oldest first, from a cursor; the next cursor is printed last."""
    try:
        wanted = parse_types(types)
    except ValueError as exc:
        raise _fail(f"types: {exc}") from None
    db = Database(database_url or Settings().database_url)
    store = Store(db)
    try:
        with store.reader() as conn:
            found = tenant_by_slug(conn, tenant)
        if found is None:
            raise _fail(f"tenant: no tenant {tenant!r}")
        cursor = after
        if not follow:
            with store.reader() as conn:
                page = host_events.read_after(conn, found.id, cursor, limit=limit, types=wanted)
            _print(page, as_json=as_json, title=f"Events of {tenant} after {after}")
            cursor = page[-1].seq if page else cursor
            if not as_json:
                console.print(f"{len(page):,} event(s). Next: --after {cursor}",
                              highlight=False)
            return
        if not as_json:
            console.print(f"Following the events of {tenant} after {after} (Ctrl-C stops)...",
                          highlight=False)
        try:
            while True:
                with store.reader() as conn:
                    page = host_events.read_after(conn, found.id, cursor, limit=PAGE,
                                                  types=wanted)
                if page:
                    cursor = page[-1].seq
                    _print(page, as_json=as_json, title="")
                if len(page) < PAGE:
                    time.sleep(interval)
        except KeyboardInterrupt:
            if not as_json:
                console.print(f"Stopped. Next: --after {cursor}", highlight=False)
    finally:
        db.dispose()
