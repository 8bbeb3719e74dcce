"""`recruitlink inbound …`: what comes from LinkedIn — seats and their mapping, the pollers
(InMails, notes, stub profiles, closures), the push inbox, and purging closed members."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from recruitlink.errors import NotReplayable, PollBusy, PollDeferred

from ..inbound import items as inbound_items
from ..inbound.closures import purge_closed
from ..inbound.pollers import KINDS, PollReport
from ..inbound.replays import replay_item
from ..inbound.seats import map_seat
from ..store import inbound_inbox as inbox
from ..store import member_seats
from .sync import DatabaseUrl, runtime, tenant_id

console = Console()
app = typer.Typer(name="inbound", no_args_is_help=True,
                  help="LinkedIn -> ATS: seats, pollers, push inbox, closed members.")


def now_ms() -> int:
    return int(time.time() * 1000)


@app.command("seats")
def seats(tenant: str = typer.Option(..., help="The tenant's slug."),
          refresh: bool = typer.Option(False, help="Pull the seats from LinkedIn first."),
          as_json: bool = typer.Option(False, "--json"),
          database_url: str | None = DatabaseUrl) -> None:
    """The Recruiter seat holders and the ATS user each maps to."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        if refresh:
            report = rt.poller().poll(tid, kinds=("seats",))
            if report.skipped:
                console.print(f"[yellow]not pulled:[/yellow] {report.skipped}")
        with rt.store.reader() as conn:
            rows = [dict(r._mapping) for r in member_seats.by_seat(conn, tid)]
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    table = Table(title=f"Recruiter seats of {tenant}")
    for column in ("seat", "holder", "email", "active", "ATS user", "mapping", "last change"):
        table.add_column(column)
    for r in rows:
        holder = " ".join(x for x in (r["first_name"], r["last_name"]) if x)
        table.add_row(r["seat"], holder, r["email"] or "", "yes" if r["active"] else "no",
                      f"{r['user_name']} ({r['user']})" if r["user"] else "[yellow]unmapped",
                      r["mapping"] or "", r["change"] or "")
    console.print(table)
    unmapped = sum(1 for r in rows if r["active"] and not r["user"])
    if unmapped:
        console.print(f"[yellow]{unmapped} active seat(s) unmapped: their InMails and notes "
                      "will not be synced.[/yellow]")


@app.command("map-seat")
def map_seat_command(tenant: str = typer.Option(...),
                     seat: str = typer.Option(..., help="urn:li:seat:<id>"),
                     user: str | None = typer.Option(None, help="The ATS user's id."),
                     unmap: bool = typer.Option(False, help="Unmap the seat (and keep it so)."),
                     database_url: str | None = DatabaseUrl) -> None:
    """Map a seat to an ATS user by hand (its history is back-filled at the next poll)."""
    if (user is None) == (not unmap):
        console.print("[red]error:[/red] give --user or --unmap")
        raise typer.Exit(2)
    with runtime(database_url) as rt:
        try:
            map_seat(rt.store, tenant_id(rt, tenant), seat, user, now_ms())
        except LookupError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    console.print(f"{seat}: {'mapped to ' + user if user else 'unmapped'}")


@app.command("poll")
def poll(tenant: str = typer.Option(...),
         kind: list[str] = typer.Option(list(KINDS), help=f"What to read: {', '.join(KINDS)}."),
         database_url: str | None = DatabaseUrl) -> None:
    """Read LinkedIn now (instead of waiting for the next round)."""
    unknown = sorted(set(kind) - set(KINDS))
    if unknown:
        console.print(f"[red]error:[/red] kind: unknown {', '.join(unknown)} (one of "
                      f"{', '.join(KINDS)})")
        raise typer.Exit(2)
    with runtime(database_url) as rt, Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console) as progress:
        task = progress.add_task("polling LinkedIn", total=None)

        def shown(report: PollReport) -> None:
            progress.update(task, description=f"polling LinkedIn: {report.windows} windows, "
                                              f"{sum(report.fetched.values())} items")

        try:
            report = rt.poller().poll(tenant_id(rt, tenant), kinds=tuple(kind),
                                      on_window=shown)
        except (PollBusy, PollDeferred) as exc:
            console.print(f"[yellow]not now:[/yellow] {exc}")
            raise typer.Exit(1) from exc
    if report.skipped:
        console.print(f"[yellow]skipped:[/yellow] {report.skipped}")
        raise typer.Exit(1)
    _print_report(report)
    for what, why in sorted(report.not_read.items()):
        console.print(f"[yellow]{what}: none to read:[/yellow] {why}")
    for error in report.errors:
        console.print(f"[red]not read:[/red] {error}")


def _print_report(report: PollReport) -> None:
    if report.seats is not None:
        s = report.seats
        console.print(f"seats: {s.seen} seen, {s.added} added, {s.removed} removed, "
                      f"{s.reassigned} reassigned; {s.mapped} mapped, {s.unmapped} unmapped")
    table = Table(title=f"{report.windows} windows read")
    table.add_column("what")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for key, count in sorted(report.outcomes.items()):
        what, _, outcome = key.partition(":")
        table.add_row(what, outcome, str(count))
    console.print(table)


@app.command("events")
def events(tenant: str = typer.Option(...),
           status: str | None = typer.Option(None, help="pending, processing, done, failed"),
           limit: int = typer.Option(50, min=1, max=1000),
           database_url: str | None = DatabaseUrl) -> None:
    """LinkedIn's pushes (exports, status changes) and what each became."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        with rt.store.reader() as conn:
            rows = inbox.newest(conn, tid, status=status, limit=limit)
    table = Table(title=f"Pushes from LinkedIn for {tenant}")
    for column in ("id", "type", "request", "seat", "status", "outcome", "reason"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r.id), r.type, r.request_id, r.seat or "", r.status,
                      r.outcome or "", (r.reason or "")[:120])
    console.print(table)


@app.command("items")
def list_items(tenant: str = typer.Option(...),
               candidate: str | None = typer.Option(None, help="One candidate's (ATS id)."),
               limit: int = typer.Option(100, min=1, max=500),
               as_json: bool = typer.Option(False, "--json"),
               database_url: str | None = DatabaseUrl) -> None:
    """What LinkedIn sent that was refused, failed or had values rejected, and why (the
    candidate page's "Not taken from LinkedIn"); replay one with `replay --item KIND:ID`."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        with rt.store.reader() as conn:
            found = inbound_items.problems(conn, tid, candidate_external_id=candidate,
                                           limit=limit)
    if as_json:
        print(json.dumps([{"item": f"{p.kind}:{p.li_id}", "kind": p.label,
                           "outcome": p.outcome, "reason": p.reason,
                           "candidate": p.candidate_id, "replayable": p.replayable,
                           "rejected": [{"field": r.label, "value": r.value,
                                         "reason": r.reason} for r in p.rejected]}
                          for p in found], indent=2))
        return
    table = Table(title=f"Not taken from LinkedIn for {tenant}")
    for column in ("item", "kind", "candidate", "outcome", "why"):
        table.add_column(column)
    for p in found:
        why = [p.reason or ""] if p.outcome in ("refused", "failed") else []
        why += [f"{r.label} “{r.value}”: {r.reason}" for r in p.rejected]
        table.add_row(f"{p.kind}:{p.li_id}", p.label, p.candidate_id or "", p.outcome,
                      "\n".join(why))
    console.print(table if found else "nothing: everything LinkedIn sent was kept")


@app.command("replay")
def replay(tenant: str = typer.Option(...),
           event: list[int] = typer.Option([], help="A failed push's id (repeatable)."),
           item: list[str] = typer.Option([], help="An item listed by `inbound items`, as "
                                                  "KIND:ID (repeatable): applied again now."),
           items: bool = typer.Option(False, help="Also apply again the polled items the "
                                                  "store refused."),
           database_url: str | None = DatabaseUrl) -> None:
    """Put failed pushes back in the queue (the server's worker processes them), and apply
    chosen LinkedIn items again once their cause is fixed."""
    keys = [_item_key(text) for text in item]
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        if event:
            with rt.store.db.write() as conn:
                owned = inbox.owned(conn, tid, event)
                queued = [e for e in event if e in owned and inbox.replay(conn, e, now_ms())]
            refused = [e for e in event if e not in queued]
            console.print(f"{len(queued)} push(es) queued again")
            if refused:
                console.print(f"[yellow]not failed or not this tenant's:[/yellow] "
                              f"{', '.join(map(str, refused))}")
        failures = 0
        for kind, li_id in keys:
            try:
                result = replay_item(rt.store, tid, kind, li_id)
            except (LookupError, NotReplayable) as exc:
                failures += 1
                console.print(f"[red]{kind}:{li_id}[/red] {str(exc).split(': ', 1)[-1]}")
                continue
            console.print(f"{kind}:{li_id} {result.message}")
        if items:
            done: Any = rt.poller().replay_failed(tid)
            console.print(f"items applied again: {dict(done) or 'none'}")
    if failures:
        raise typer.Exit(1)


def _item_key(text: str) -> tuple[str, str]:
    kind, _, li_id = text.partition(":")
    if kind not in inbound_items.KIND_LABELS or not li_id:
        console.print(f"[red]error:[/red] --item {text!r}: give KIND:ID, KIND one of "
                      f"{', '.join(inbound_items.KIND_LABELS)} (see `inbound items`)")
        raise typer.Exit(2)
    return kind, li_id


@app.command("purge-closed")
def purge(tenant: str = typer.Option(...),
          person: str | None = typer.Option(None, help="One closed member (urn:li:person:…)."),
          all_closed: bool = typer.Option(False, "--all", help="Every closed member seen."),
          yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
          database_url: str | None = DatabaseUrl) -> None:
    """Delete the candidates of members who closed their LinkedIn account."""
    if (person is None) == (not all_closed):
        console.print("[red]error:[/red] give --person or --all")
        raise typer.Exit(2)
    if not yes:
        typer.confirm(f"Delete the candidates of {person or 'every closed member'}?",
                      abort=True)
    with runtime(database_url) as rt:
        try:
            deleted = purge_closed(rt.store, tenant_id(rt, tenant), person)
        except LookupError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    console.print(f"{deleted} candidate(s) deleted; the sync removes them from LinkedIn")
