"""`recruitlink connect`, `recruitlink sync …` and `recruitlink disconnect`."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..core.heap import settled
from ..core.limits import EXPORTS_PER_SEAT_PER_MONTH
from ..errors import RecruitlinkError
from ..linkedin.versions import describe_api
from ..runtime.context import Runtime
from ..runtime.quotas import tenant_quotas
from ..settings import Settings
from ..store.tenants import tenant_by_slug
from ..sync import control, failures, parity, progress
from ..sync.engine import STOPPED_FOR_DISCONNECT, StepReport
from ..sync.support import subject_of, support_bundle
from .keys import require_key_or_exit

console = Console()
app = typer.Typer(name="sync", no_args_is_help=True,
                  help="The outbound sync: plan, start, status, quotas, pause, resume, retry.")

DatabaseUrl = typer.Option(None, "--database-url", help="Default: RECRUITLINK_DATABASE_URL.")


@contextmanager
def runtime(database_url: str | None) -> Iterator[Runtime]:
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    require_key_or_exit(settings)
    rt = Runtime.from_settings(settings)
    try:
        yield rt
    except RecruitlinkError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    finally:
        rt.close()


def tenant_id(rt: Runtime, slug: str) -> int:
    with rt.store.reader() as conn:
        tenant = tenant_by_slug(conn, slug)
    if tenant is None:
        console.print(f"[red]error:[/red] tenant: no tenant {slug!r}")
        raise typer.Exit(2)
    return tenant.id


@app.command("plan")
def plan(tenant: str = typer.Option(...), as_json: bool = typer.Option(
             False, "--json", help="Counts, reasons, and the ids it would send or exclude."),
         database_url: str | None = DatabaseUrl) -> None:
    """Dry run: what a historical sync would send, skip, exclude and reject, and why."""
    with runtime(database_url) as rt:
        result = control.plan(rt.engine, tenant_id(rt, tenant))
        if as_json:
            typer.echo(json.dumps(result.as_json(), indent=2))
            return
        table = Table(title=f"Sync plan for {tenant}")
        for column in ("stream", "send", "delete", "unchanged", "excluded", "invalid"):
            table.add_column(column, justify="left" if column == "stream" else "right")
        for stream, counts in result.per_stream.items():
            table.add_row(stream, *(str(counts.get(k, 0)) for k in
                                    ("send", "delete", "unchanged", "excluded", "invalid")))
        console.print(table)
        for stream, reasons in result.reasons.items():
            for reason, count in reasons.most_common():
                console.print(f"  {stream}: {count} x {reason}")


@app.command("start")
def start(
    tenant: str = typer.Option(...),
    follow: bool = typer.Option(False, help="Keep running the continuous sync afterwards."),
    restart: bool = typer.Option(False, help="Start a new full historical sync."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Run the historical sync (and the continuous sync beside it) with progress."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        engine = rt.engine
        state = control.status(engine, tid)
        if not state.get("connected"):
            console.print("[red]error:[/red] tenant: not connected (recruitlink connect)")
            raise typer.Exit(2)
        if restart or state.get("run") is None:
            engine.start_historical(tid)
        stopping = {"now": False}

        def stop_handler(_sig: int, _frame: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop_handler)
        signal.signal(signal.SIGINT, stop_handler)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                      console=console, transient=False) as progress:
            bars: dict[str, Any] = {}
            last_draw = [0.0]
            told = {"disconnect": False}

            def draw(report: StepReport) -> None:
                if report.kind == "error" and not report.terminal:  # terminal: "stopped:" below
                    progress.console.print(f"[yellow]retrying:[/yellow] {report.message}")
                stopped = report.message == STOPPED_FOR_DISCONNECT
                if stopped and not told["disconnect"]:
                    progress.console.print("[yellow]The tenant is being disconnected: its "
                                           "sync stopped and let the disconnect work.[/yellow]")
                told["disconnect"] = stopped
                if time.monotonic() - last_draw[0] < 0.5 and report.kind != "done":
                    return
                last_draw[0] = time.monotonic()
                current = control.status(engine, tid)
                for m in (current.get("run") or {}).get("milestones", []):
                    if m["name"] not in bars:
                        bars[m["name"]] = progress.add_task(m["name"], total=m["total"] or 0,
                                                            note="")
                    note = f"{m['excluded']} excluded"
                    progress.update(bars[m["name"]], completed=m["done"], note=note)

            with settled():  # what startup built stays out of the collector's walks
                last = engine.run(tid, stop=lambda: stopping["now"], on_step=draw,
                                  until_done=not follow)
        if last.terminal:
            console.print(f"[red]stopped:[/red] {last.message}")
            raise typer.Exit(1)
        final = control.status(engine, tid)
        console.print(f"Sync {final['run']['status'] if final.get('run') else 'idle'}: "
                      f"ledger {final['ledger']}, {final['failedRecords']} failed records.")


@app.command("status")
def status(tenant: str = typer.Option(...), as_json: bool = typer.Option(False, "--json"),
           database_url: str | None = DatabaseUrl) -> None:
    """The connection, the historical run's milestones, rate, ETA and errors."""
    with runtime(database_url) as rt:
        state = control.status(rt.engine, tenant_id(rt, tenant))
        if as_json:
            console.print_json(json.dumps(state))
            return
        _print_status(tenant, state)
        console.print(describe_api(rt.settings.linkedin_api_version), highlight=False,
                      soft_wrap=True)


def _print_status(tenant: str, state: dict[str, Any]) -> None:
    """`sync status` in words: the connection, the latest run's milestones, what the records
    came to, and what to do about failures (the same labels as the Setup page)."""
    from ..web.pages.admin_setup import STATUS_LABELS, duration
    from ..web.pages.render import format_millis

    if not state.get("connected"):
        console.print(f"{tenant}: not connected to LinkedIn (`recruitlink connect --tenant "
                      f"{tenant} ...`, or Integrations -> LinkedIn in the pages)",
                      highlight=False, soft_wrap=True)
        return
    status = str(state.get("status"))
    contracts = ", ".join(str(c["urn"]) + (" (paused)" if c.get("paused") else "")
                          for c in state.get("contracts") or [])
    console.print(f"{tenant}: {STATUS_LABELS.get(status, status)}"
                  f"{', paused' if state.get('paused') else ''}; organization "
                  f"{state.get('organization')}, contracts {contracts or 'none'}",
                  highlight=False, soft_wrap=True)
    if state.get("environmentRefusal"):  # the environment guard: nothing is sent, and why
        console.print(f"[red]{state['environmentRefusal']}[/red]", soft_wrap=True)
    for c in state.get("contracts") or []:
        if c.get("reason"):  # a contract LinkedIn has not enabled yet: why, and what to do
            console.print(f"[yellow]{c['urn']}: {c['linkedinStatus']}: {c['reason']}[/yellow]",
                          soft_wrap=True)
    console.print(f"Last sync: {format_millis(state.get('lastSyncAt')) or 'not yet'}",
                  highlight=False, soft_wrap=True)
    run = state.get("run")
    if run:
        finished = format_millis(run.get("finishedAt"))
        console.print(f"{run['kind'].capitalize()} sync (run {run['id']}): {run['status']}, "
                      f"started {format_millis(run.get('startedAt'))}"
                      + (f", finished {finished}" if finished else ""),
                      highlight=False, soft_wrap=True)
        table = Table()
        for column in ("milestone", "records", "done", "failed", "excluded"):
            table.add_column(column, justify="right" if column in (
                "done", "failed", "excluded") else "left")
        for m in run["milestones"]:
            table.add_row(m["milestone"], m["name"].replace("_", " "),
                          f"{m['done']:,} of {m['total'] or 0:,}", f"{m['failed']:,}",
                          f"{m['excluded']:,}")
        console.print(table)
        if state.get("waiting"):  # held by LinkedIn's rate limit or our budget: until when
            console.print(state["waiting"]["text"], highlight=False, soft_wrap=True)
        if run["status"] == "running":
            eta = duration(state.get("etaSeconds"))
            console.print(f"Sending: {state['rateText']}{', ' + eta + ' left' if eta else ''}",
                          highlight=False, soft_wrap=True)
    ledger = dict(state.get("ledger") or {})
    synced, excluded = ledger.pop("synced", 0), ledger.pop("excluded", 0)
    ledger.pop("rejected", None)  # counted below, as failed records
    in_flight = sum(ledger.values())
    console.print(f"Records: {synced:,} synced to LinkedIn, {excluded:,} excluded by the "
                  f"policy" + (f", {in_flight:,} being sent" if in_flight else ""),
                  highlight=False, soft_wrap=True)
    failing = int(state.get("failedRecords") or 0)
    if failing:
        console.print(f"Failed records: {failing:,} waiting for a fix in the ATS or a retry "
                      f"(`recruitlink sync errors --tenant {tenant}` lists them; "
                      f"`recruitlink sync retry --tenant {tenant}`)",
                      highlight=False, soft_wrap=True)
    behind = state.get("changelogBehind")
    console.print("Changes: " + ("not followed yet" if behind is None
                                 else "all sent" if not behind
                                 else f"{behind:,} not sent yet"),
                  highlight=False, soft_wrap=True)


@app.command("errors")
def errors(tenant: str = typer.Option(...), as_json: bool = typer.Option(False, "--json"),
           entity: str | None = typer.Option(None, help="Only this entity (candidates, …)."),
           limit: int = typer.Option(1000, min=1, help="At most this many."),
           database_url: str | None = DatabaseUrl) -> None:
    """The failed records: entity, id, field and reason (as the sync logs page lists them)."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        with rt.store.reader() as conn:
            rows, _ = failures.open_failures(conn, tid, limit=limit, entity=entity)
            failed = progress.failed_records(conn, tid)
        if as_json:
            typer.echo(json.dumps({"failedRecords": failed,
                                   "errors": [failures.as_json(r) for r in rows]}, indent=2))
            return
        table = Table(title=f"{failed:,} failed records for {tenant}")
        for column in ("entity", "id", "field", "reason"):
            table.add_column(column)
        for row in rows:
            table.add_row(row["entity"], row["external_id"], row["field"] or "",
                          row["plain"])
        console.print(table)


@app.command("quotas")
def quotas(tenant: str = typer.Option(...), as_json: bool = typer.Option(False, "--json"),
           database_url: str | None = DatabaseUrl) -> None:
    """LinkedIn's quotas: One-Click Exports left this month per seat, and the app's requests
    left today and records left this minute per kind of call; warnings at 80%."""
    with runtime(database_url) as rt:
        found = tenant_quotas(rt, tenant_id(rt, tenant), int(time.time() * 1000))
    if as_json:
        typer.echo(json.dumps(found.as_json(), indent=2))
        return
    for warning in found.warnings():
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    seats = Table(title=f"One-Click Exports in {found.month} (LinkedIn allows "
                        f"{EXPORTS_PER_SEAT_PER_MONTH} per seat)")
    for column in ("seat", "member", "recruitlink user", "used", "left"):
        seats.add_column(column, justify="right" if column in ("used", "left") else "left")
    for s in found.seats:
        style = "yellow" if s.exports.warning else None
        seats.add_row(s.seat, s.name, s.user or "unmapped", f"{s.exports.used:,}",
                      f"{s.exports.left:,}", style=style)
    console.print(seats)
    if not found.connected:
        console.print(f"{tenant}: not connected to LinkedIn: no LinkedIn budgets to show.",
                      highlight=False, soft_wrap=True)
        return
    budgets = Table(title="LinkedIn budgets of the workspace's app")
    for column in ("calls", "requests today", "left today", "records this minute",
                   "left this minute"):
        budgets.add_column(column, justify="left" if column == "calls" else "right")
    for b in found.budgets:
        today, minute = b.today, b.minute
        budgets.add_row(
            b.label + (" (throttled by LinkedIn)" if b.blocked_until else ""),
            f"{today.used:,} of {today.limit:,}" if today else "no daily limit",
            f"{today.left:,}" if today else "",
            f"{minute.used:,} of {minute.limit:,}" if minute else "no limit",
            f"{minute.left:,}" if minute else "", style="yellow" if b.warning else None)
    console.print(budgets)


@app.command("support-bundle")
def support_bundle_command(
        tenant: str = typer.Option(...),
        error: int | None = typer.Option(None, min=1, help="A failed record's error id "
                                         "(`sync errors --json`: errorId)."),
        batch: int | None = typer.Option(None, min=1, help="A batch id (the sync logs)."),
        call: int | None = typer.Option(None, min=1, help="A failed call's id (a batch's "
                                        "page lists them)."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Where to write the "
                                           "zip (default: its own name, here)."),
        database_url: str | None = DatabaseUrl) -> None:
    """The zip LinkedIn support asks for about a failed record, batch or call: requests and
    responses (secrets removed) with their x-li-uuid, README.md, calls.har, bundle.json."""
    try:
        subject, subject_id = subject_of(error, batch, call)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2) from exc
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        try:
            bundle = support_bundle(rt.store, rt.box, tid, tenant, subject, subject_id,
                                    api_version=rt.settings.linkedin_api_version)
        except LookupError as exc:
            console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
            raise typer.Exit(2) from exc
    target = output or Path(bundle.filename)
    target.write_bytes(bundle.content)
    console.print(f"Wrote {target} ({len(bundle.content):,} bytes): attach it to your "
                  "LinkedIn support ticket.", highlight=False, soft_wrap=True)


@app.command("pause")
def pause(tenant: str = typer.Option(...), contract: str | None = typer.Option(None),
          database_url: str | None = DatabaseUrl) -> None:
    """Stop sending (within one batch); resume continues where it stopped."""
    with runtime(database_url) as rt:
        control.set_paused(rt.engine, tenant_id(rt, tenant), True, contract)
        console.print(f"Paused {contract or tenant}.")


@app.command("resume")
def resume(tenant: str = typer.Option(...), contract: str | None = typer.Option(None),
           database_url: str | None = DatabaseUrl) -> None:
    """Resume a paused sync."""
    with runtime(database_url) as rt:
        control.set_paused(rt.engine, tenant_id(rt, tenant), False, contract)
        console.print(f"Resumed {contract or tenant}.")


@app.command("retry")
def retry(tenant: str = typer.Option(...), batch: int | None = typer.Option(None),
          database_url: str | None = DatabaseUrl) -> None:
    """Send again the records that failed (all, or one batch's), as they are now."""
    with runtime(database_url) as rt:
        report = control.retry(rt.engine, tenant_id(rt, tenant), batch_id=batch)
        tally = report.tally
        if tally is None:
            console.print(report.message or "nothing to retry")
        else:
            console.print(f"Retried: {tally.synced} synced, {tally.rejected} rejected, "
                          f"{tally.retryable} still failing.")
            if report.kind == "paused":
                console.print(f"[yellow]{report.message}[/yellow]")


@app.command("parity")
def parity_command(tenant: str = typer.Option(...), reconcile: bool = typer.Option(
                       False, "--reconcile", help="Then queue every drifted record for the sync: "
                                                 "missing and stale ones sent again, extra "
                                                 "ones deleted."),
                   as_json: bool = typer.Option(False, "--json"),
                   database_url: str | None = DatabaseUrl) -> None:
    """Live parity now: read back what LinkedIn holds (within the parity share of the rate
    budget) and compare it with what it should hold, per entity."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        s = rt.settings
        parity.run_round(rt.engine, tid, share=s.parity_share, max_records=s.parity_max_records)
        state = parity.status(rt.engine, tid)
        queued = parity.reconcile(rt.engine, tid) if reconcile else None
        if as_json:
            typer.echo(json.dumps({**state, "reconciled": queued}, indent=2))
            return
        table = Table(title=f"LinkedIn parity for {tenant}")
        for column in ("entity", "checked", "missing", "stale", "extra", "parity"):
            table.add_column(column, justify="left" if column == "entity" else "right")
        for e in state["entities"]:
            figure = "-" if e["parityPercent"] is None else f"{e['parityPercent']}%"
            table.add_row(e["entity"], str(e["checked"]), str(e["missing"]), str(e["stale"]),
                          str(e["extra"]), figure)
        console.print(table)
        for d in state["drift"]:
            fields = f" ({', '.join(d['fields'])})" if d["fields"] else ""
            console.print(f"  {d['entity']} {d['id']}: {d['kind']}{fields}")
        if queued is not None:
            console.print(f"queued for the sync: {queued['missing']} missing and "
                          f"{queued['stale']} stale to send again, {queued['extra']} extra to "
                          "delete")
