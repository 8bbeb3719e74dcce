"""`recruitlink users ...`: a tenant's users and their page passwords.

    recruitlink users list --tenant acme
    recruitlink users set-password --tenant acme --user U1            # prompts, hidden
    printf '%s\\n' "$PASSWORD" | recruitlink users set-password --tenant acme --user U1 \\
        --password-stdin
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

console = Console()
app = typer.Typer(name="users", no_args_is_help=True,
                  help="A tenant's users: list them, set their page passwords.")
DATABASE_URL_HELP = "Default: RECRUITLINK_DATABASE_URL, else sqlite:///recruitlink.db."


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


@app.command("list")
def list_users(
    tenant: str = typer.Option(..., "--tenant", help="The tenant's slug."),
    limit: int = typer.Option(200, min=1, max=10_000, help="At most this many users."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """List a tenant's users: id, name, email, role, active, whether a password is set."""
    from ..settings import Settings
    from ..store import Database
    from ..store.accounts import users_of
    from ..store.tenants import tenant_by_slug

    db = Database(database_url or Settings().database_url)
    try:
        with db.read() as conn:
            found = tenant_by_slug(conn, tenant)
            if found is None:
                raise _fail(f"no tenant {tenant!r}")
            rows = users_of(conn, found.id, limit)
    finally:
        db.dispose()
    table = Table(title=f"users of {tenant}")
    for column in ("id", "name", "email", "role", "active", "password"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.external_id, row.name, row.email, row.role,
                      "yes" if row.active else "no", "set" if row.password_hash else "—")
    console.print(table)


@app.command("set-password")
def set_password_command(
    tenant: str = typer.Option(..., "--tenant", help="The tenant's slug."),
    user: str = typer.Option(..., "--user", help="The user's id (external id)."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of "
                                             "standard input (scripts)."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Set a user's password for the web pages (signs the user out everywhere)."""
    from ..settings import Settings
    from ..store import Database
    from ..store.accounts import check_password, set_password
    from ..store.migrate import upgrade
    from ..store.tenants import tenant_by_slug

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    db = Database(database_url or Settings().database_url)
    try:
        upgrade(db)
        with db.write() as conn:
            found = tenant_by_slug(conn, tenant)
            if found is None:
                raise _fail(f"no tenant {tenant!r}")
            try:
                set_password(conn, found.id, user, password)
            except (LookupError, ValueError) as exc:
                raise _fail(str(exc)) from exc
    finally:
        db.dispose()
    console.print(f"Password set for user {user!r} of tenant {tenant!r}; they sign in at "
                  f"/login with workspace {tenant!r}.", highlight=False)
