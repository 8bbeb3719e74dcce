"""`recruitlink compliance ...`: LinkedIn's duties as a task list (runtime/compliance.py).

    recruitlink compliance list --tenant acme [--state due|overdue|done] [--json]
    recruitlink compliance run --tenant acme      # the scheduler's round for one tenant, now
"""

from __future__ import annotations

import json
import time

import typer
from rich.console import Console
from rich.table import Table

from ..runtime import compliance
from .sync import DatabaseUrl, runtime, tenant_id

console = Console()
app = typer.Typer(name="compliance", no_args_is_help=True,
                  help="LinkedIn's duties (member closures, erasures, retention): list, run.")


def _when(ms: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ms / 1000)) if ms else ""


@app.command("list")
def list_(tenant: str = typer.Option(..., help="The tenant's slug."),
          state: str | None = typer.Option(None, help="due, overdue or done."),
          limit: int = typer.Option(200, min=1, max=1000),
          as_json: bool = typer.Option(False, "--json"),
          database_url: str | None = DatabaseUrl) -> None:
    """The duties, open ones soonest due first, then those done."""
    if state not in (None, "due", "overdue", "done"):
        console.print("[red]error:[/red] state: must be due, overdue or done")
        raise typer.Exit(2)
    with runtime(database_url) as rt:
        duties = compliance.task_list(rt.store, tenant_id(rt, tenant), int(time.time() * 1000),
                                      state=state, limit=limit)
    if as_json:
        typer.echo(json.dumps({"duties": duties}, indent=2))
        return
    table = Table("State", "Kind", "Subject", "Due", "Done", "Outcome")
    for d in duties:
        table.add_row(d["state"], d["kind"], d["subject"], _when(d["dueAt"]),
                      _when(d["doneAt"]), d["outcome"] or "")
    console.print(table if duties else "No duties.")


@app.command("run")
def run(tenant: str = typer.Option(..., help="The tenant's slug."),
        database_url: str | None = DatabaseUrl) -> None:
    """Run the scheduler's round for the tenant now (it also runs by itself)."""
    with runtime(database_url) as rt:
        report = compliance.for_runtime(rt).run_tenant(tenant_id(rt, tenant), None, "cli")
    console.print(", ".join(f"{k}: {v}" for k, v in report.acted.items()) or "Nothing to do.",
                  highlight=False)
