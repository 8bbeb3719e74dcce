"""`recruitlink candidates ...`: a candidate's erasure both ways and its audit journey.

    recruitlink candidates erase C42 --tenant acme         # deletes it and what hangs on it
    recruitlink candidates erasure C42 --tenant acme [--verify] [--json]   # the certificate
    recruitlink candidates audit C42 --tenant acme [--json]
"""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from ..runtime import compliance
from ..runtime.audit import candidate_audit
from .sync import DatabaseUrl, runtime, tenant_id

console = Console()
app = typer.Typer(name="candidates", no_args_is_help=True,
                  help="A candidate's erasure (both ways, with a certificate) and audit "
                       "journey.")


def _fail(exc: LookupError) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(2)


def _show(cert: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(cert, indent=2))
        return
    body = cert["certificate"]
    console.print(f"Erasure of {cert['subject']}: [bold]{cert['state']}[/bold] "
                  f"({cert['outcome']})", highlight=False)
    console.print("Deleted: " + ", ".join(f"{n} {e}" for e, n in body["deleted"].items()),
                  highlight=False)
    read = body.get("readBack")
    if read:
        console.print(f"Read back: {read['checked']} record(s), LinkedIn still holds "
                      f"{len(read['held'])}", highlight=False)


@app.command("erase")
def erase(candidate: str = typer.Argument(..., help="The candidate's id (external id)."),
          tenant: str = typer.Option(..., help="The tenant's slug."),
          as_json: bool = typer.Option(False, "--json"),
          database_url: str | None = DatabaseUrl) -> None:
    """Erase the candidate both ways: it and what hangs on it are deleted (on LinkedIn by the
    sync), what came from LinkedIn for it purged; the scheduler verifies it by read-back."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        scheduler = compliance.for_runtime(rt)
        try:
            scheduler.erase(tid, candidate, process="cli")
        except LookupError as exc:
            raise _fail(exc) from exc
        _show(scheduler.certificate(tid, candidate), as_json)


@app.command("erasure")
def erasure(candidate: str = typer.Argument(..., help="The candidate's id (external id)."),
            tenant: str = typer.Option(..., help="The tenant's slug."),
            verify: bool = typer.Option(False, "--verify", help="Read LinkedIn back now."),
            as_json: bool = typer.Option(False, "--json"),
            database_url: str | None = DatabaseUrl) -> None:
    """The erasure's certificate: what was erased, when, and what the read-back found."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        scheduler = compliance.for_runtime(rt)
        try:
            cert = (scheduler.verify_now(tid, candidate, "cli") if verify
                    else scheduler.certificate(tid, candidate))
        except LookupError as exc:
            raise _fail(exc) from exc
        _show(cert, as_json)


@app.command("audit")
def audit(candidate: str = typer.Argument(..., help="The candidate's id (external id)."),
          tenant: str = typer.Option(..., help="The tenant's slug."),
          limit: int = typer.Option(200, min=1, max=1000),
          as_json: bool = typer.Option(False, "--json"),
          database_url: str | None = DatabaseUrl) -> None:
    """The record's journey: sent, received, change feed, compliance; newest first."""
    with runtime(database_url) as rt:
        found = candidate_audit(rt.store, tenant_id(rt, tenant), candidate,
                                now=int(time.time() * 1000), limit=limit)
    if found is None:
        console.print(f"[red]error:[/red] candidate: no candidate {candidate!r}")
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    table = Table("When", "Direction", "What", "Process", "Outcome")
    for step in found["journey"]:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime((step["at"] or 0) / 1000))
        table.add_row(when, step["direction"], step["what"], step["process"], step["outcome"])
    console.print(table)
