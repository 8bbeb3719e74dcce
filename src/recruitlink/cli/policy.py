"""`recruitlink policy ...`: who sees which job in LinkedIn Recruiter (`sync.visibility`).

    recruitlink policy show --tenant acme [--json]
    recruitlink policy set --tenant acme --visibility acls                # the job's hiring team
    recruitlink policy set --tenant acme --visibility all_product_users   # every Recruiter user
"""

from __future__ import annotations

import json

import typer
from rich.console import Console

from ..store import connections
from ..sync.visibility import CHOICES, set_visibility, visibility_state
from .sync import DatabaseUrl, runtime, tenant_id

console = Console()
app = typer.Typer(name="policy", no_args_is_help=True,
                  help="Who sees which job in LinkedIn Recruiter: show it, set it.")


@app.command("show")
def show(tenant: str = typer.Option(..., help="The tenant's slug."),
         as_json: bool = typer.Option(False, "--json"),
         database_url: str | None = DatabaseUrl) -> None:
    """Who sees jobs in Recruiter, and whether LinkedIn has been told yet."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        with rt.store.reader() as conn:
            info = connections.load(conn, tid, rt.box)
            state = None if info is None else visibility_state(conn, tid, info.policy)
        out = {"connected": state is not None, **(state.as_json() if state else {})}
        if as_json:
            print(json.dumps(out))
            return
        if state is None:
            console.print(f"{tenant} is not connected to LinkedIn.")
            return
        console.print(f"Who sees jobs in LinkedIn Recruiter: [bold]{state.label}[/bold] "
                      f"({state.visibility})", highlight=False)
        if state.pending:
            console.print(f"Pending: {state.queued} jobs and users still to send, "
                          f"{state.acl_records} hiring-team records on LinkedIn.",
                          highlight=False)
        else:
            console.print(f"On LinkedIn: {state.acl_records} hiring-team records.",
                          highlight=False)


@app.command("set")
def set_(tenant: str = typer.Option(..., help="The tenant's slug."),
         visibility: str = typer.Option(..., help="all_product_users (every Recruiter user "
                                                  "sees every job) or acls (only the job's "
                                                  "hiring team)."),
         database_url: str | None = DatabaseUrl) -> None:
    """Choose who sees which job in LinkedIn Recruiter; the sync sends the change."""
    with runtime(database_url) as rt:
        change = set_visibility(rt.engine, tenant_id(rt, tenant), visibility)
        label = CHOICES[change.visibility]
        if not change.changed:
            console.print(f"Already: {label}.", highlight=False)
        elif change.applied_on_linkedin:
            console.print(f"Set to {label}: LinkedIn's viewers configurations changed; "
                          f"{change.queued} jobs and users queued for the sync.",
                          highlight=False)
        else:
            console.print(f"Set to {label}: it applies when {tenant} connects again.",
                          highlight=False)
