"""`recruitlink connect` and `disconnect`: a tenant's link to LinkedIn."""

from __future__ import annotations

import time
from dataclasses import replace

import typer
from rich.console import Console
from rich.table import Table

from ..core.policy import Policy
from ..settings import Settings
from ..store import connections
from ..sync import control
from ..sync.connect import connect as connect_tenant
from ..sync.connect import refresh_status
from ..sync.visibility import parse_visibility
from .keys import require_key_or_exit
from .sync import DatabaseUrl, runtime, tenant_id

app = typer.Typer()
console = Console()


@app.command()
def connect(
    tenant: str = typer.Option(..., help="The tenant's slug."),
    organization: str = typer.Option(..., help="urn:li:organization:<id>"),
    contract: list[str] = typer.Option(..., help="urn:li:contract:<id> (repeatable)."),
    wait: float = typer.Option(0.0, help="Seconds to wait for LinkedIn to turn it ENABLED."),
    visibility: str | None = typer.Option(None, help="Who sees jobs in Recruiter: "
                                          "all_product_users or acls (the job's hiring team); "
                                          "default: as before, else all_product_users."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Connect a tenant to LinkedIn: provision its app, register integrations and callback."""
    with runtime(database_url) as rt:
        partner = rt.partner()
        with rt.store.reader() as conn:
            before = connections.load(conn, tenant_id(rt, tenant), rt.box)
        policy = before.policy if before is not None else Policy()
        if visibility is not None:
            policy = replace(policy, visibility=parse_visibility(visibility))
        result = connect_tenant(rt.store, rt.box, rt.engine, partner, tenant_slug=tenant,
                                organization=organization, contracts=list(contract),
                                public_url=rt.settings.public_url, policy=policy)
        status = result.status
        deadline = time.monotonic() + wait
        while status != "ENABLED" and time.monotonic() < deadline:
            time.sleep(1.0)
            status, _ = refresh_status(rt.store, rt.box, rt.engine, result.tenant_id)
        console.print(f"Connected {tenant}: app {result.app_key}, status [bold]{status}[/bold]")
        console.print(f"Callback URL: {result.callback_url}")
        if status != "ENABLED":
            console.print("Waiting for the customer's Recruiter admin to enable the "
                          "integration; the historical sync starts when it is ENABLED.")


@app.command()
def disconnect(
    tenant: str = typer.Option(..., help="The tenant's slug."),
    yes: bool = typer.Option(False, "--yes", help="Do it without asking."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Delete everything synced for the tenant from LinkedIn and disconnect it."""
    require_key_or_exit(Settings())  # before asking: without a key it cannot run anyway
    if not yes and not typer.confirm(f"Delete all of {tenant}'s data from LinkedIn?"):
        raise typer.Exit(1)
    with runtime(database_url) as rt:
        # A sync running for the tenant (another process, a server) is asked to stop first.
        report = control.disconnect(rt.engine, tenant_id(rt, tenant),
                                    progress=lambda stage: console.print(stage))
        table = Table(title=f"Deletion report for {tenant}")
        table.add_column("resource")
        table.add_column("deleted", justify="right")
        table.add_column("failed", justify="right")
        for resource in sorted(set(report["deleted"]) | set(report["failed"])):
            table.add_row(resource, str(report["deleted"].get(resource, 0)),
                          str(report["failed"].get(resource, 0)))
        console.print(table)
        verified = report["verified"]
        read_back = ", ".join(f"{n} {r}" for r, n in
                              sorted((verified.get("checkedByResource") or {}).items()))
        console.print(f"Verified by reading back {verified['checked']} records"
                      f"{f' ({read_back}: what LinkedIn can read back)' if read_back else ''}: "
                      f"{sum(verified['stillPresent'].values())} still present.")
        for resource, count in (report.get("pending") or {}).items():
            console.print(f"[yellow]{count} {resource} closes not confirmed by LinkedIn yet; "
                          "the sync keeps following them.[/yellow]")
