"""`recruitlink apikey create`: the keys of the data API."""

from __future__ import annotations

import typer
from rich.console import Console

from .db import DATABASE_URL_HELP

app = typer.Typer(name="apikey",
                  help="API keys for the data API (`Authorization: Bearer <key>`).",
                  no_args_is_help=True)
console = Console()


@app.command("create")
def apikey_create(
    tenant: str = typer.Option(..., "--tenant", help="The tenant's slug."),
    name: str = typer.Option("default", help="What the key is for."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Create an API key for a tenant; it is printed once (only its hash is stored)."""
    from ..settings import Settings
    from ..store import Database, now_ms
    from ..store.migrate import upgrade
    from ..store.tenants import create_api_key, tenant_by_slug

    db = Database(database_url or Settings().database_url)
    try:
        upgrade(db)
        with db.write() as conn:
            found = tenant_by_slug(conn, tenant)
            key = (create_api_key(conn, found.id, name=name, now_ms=now_ms())
                   if found is not None else None)
    finally:
        db.dispose()
    if key is None:
        console.print(f"[red]error:[/red] no tenant {tenant!r}", highlight=False)
        raise typer.Exit(2)
    console.print(f"API key {name!r} for tenant {tenant!r}; it is shown only now, keep it:",
                  highlight=False)
    typer.echo(key)
