"""`recruitlink tenant create`: the ATS/CRM customer accounts of the data API."""

from __future__ import annotations

import typer
from rich.console import Console

from .db import DATABASE_URL_HELP

app = typer.Typer(name="tenant", help="Tenants: the ATS/CRM customer accounts of the data API.",
                  no_args_is_help=True)
console = Console()


@app.command("create")
def tenant_create(
    slug: str = typer.Argument(..., help="Lower-case letters, digits and '-'."),
    name: str | None = typer.Option(None, help="Display name (default: the slug)."),
    kind: str = typer.Option("ATS", help="ATS, CRM or BOTH."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Create a tenant (with its default integration user)."""
    from ..settings import Settings
    from ..store import Database, now_ms
    from ..store.changelog import ChangeSet
    from ..store.migrate import upgrade
    from ..store.tenants import create_tenant

    db = Database(database_url or Settings().database_url)
    try:
        upgrade(db)
        with db.write() as conn:
            tenant = create_tenant(conn, ChangeSet, slug=slug, name=name or slug,
                                   kind=kind.upper(), now_ms=now_ms())
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    console.print(f"Created tenant {tenant.slug!r} ({tenant.name}, {tenant.kind}); next: "
                  f"recruitlink apikey create --tenant {tenant.slug}", highlight=False)
