"""`recruitlink db upgrade` (the schema) and `db migrate-state` (move tenants, with their sync
state, to another database)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..errors import RecruitlinkError

if TYPE_CHECKING:  # the store (and Alembic) load when the command runs, not with the CLI
    from ..store.db import Database
    from ..store.transfer import TransferProgress, TransferReport

console = Console()
app = typer.Typer(name="db", help="The database: `db upgrade` applies the migrations.",
                  no_args_is_help=True)

DATABASE_URL_HELP = "Default: RECRUITLINK_DATABASE_URL (a SQLite file recruitlink.db)."


@app.command("upgrade")
def db_upgrade(
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Create or migrate the database to the latest schema."""
    from ..settings import Settings
    from ..store import Database
    from ..store.migrate import current_revision, upgrade

    url = database_url or Settings().database_url
    db = Database(url)
    try:
        upgrade(db)
        revision = current_revision(db)
        if db.is_postgres:  # the work queue of scale-out mode lives beside the store
            from ..runtime.queue import ensure_schema

            ensure_schema(db)
    finally:
        db.dispose()
    console.print(f"Database {shown_url(url)} is at revision {revision}.", highlight=False)


@app.command("migrate-state")
def migrate_state(
    tenant: list[str] = typer.Option(..., "--tenant", metavar="SLUG",
                                     help="The tenant's slug (repeatable)."),
    source: str = typer.Option(..., "--from", metavar="URL",
                               help="The database holding the tenant now, e.g. "
                                    "sqlite:///recruitlink.db."),
    target: str | None = typer.Option(None, "--to", metavar="URL",
                                      help="Where to move it (default: "
                                           "RECRUITLINK_DATABASE_URL)."),
) -> None:
    """Move tenants with their sync state to another database (e.g. SQLite -> PostgreSQL),
    ids unchanged, so the sync carries on there without sending everything again. The
    tenant's sync is paused on the source."""
    from ..settings import Settings

    target_url = target or Settings().database_url
    if _same_database(source, target_url):
        _fail(f"--from and --to are the same database ({shown_url(source)})")
    done: list[str] = []
    with _databases(source, target_url) as (src, dst):
        for slug in dict.fromkeys(tenant):  # each once, in the order given
            try:
                report = _migrate(src, dst, slug)
            except (RecruitlinkError, SQLAlchemyError) as exc:
                _fail(_message(exc), done)
            _show(report, src)
            done.append(slug)


@contextmanager
def _databases(source: str, target: str) -> Iterator[tuple[Database, Database]]:
    from ..store.db import Database

    try:
        src, dst = Database(source), Database(target)
    except (ValueError, SQLAlchemyError) as exc:
        _fail(str(exc))
    try:
        yield src, dst
    finally:
        src.dispose()
        dst.dispose()


def _migrate(src: Database, dst: Database, slug: str) -> TransferReport:
    from ..store.transfer import migrate_tenant

    # Transient bars, one per table: the table of counts printed afterwards is what stays.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        bars: dict[tuple[str, str], TaskID] = {}

        def on_progress(step: TransferProgress) -> None:
            key = (step.phase, step.table)
            if key not in bars:
                verb = "checking" if step.phase == "check" else "copying"
                bars[key] = progress.add_task(f"{slug}: {verb} {step.table}", total=step.total,
                                              visible=step.total > 0)
            progress.update(bars[key], completed=step.done)
            if step.phase == "check" and step.done >= step.total:
                progress.update(bars[key], visible=False)  # only the copy bars stay up

        return migrate_tenant(src, dst, slug, on_progress=on_progress)


def _show(report: TransferReport, src: Database) -> None:
    table = Table(title=f"Tenant {report.slug!r} moved (tenant id {report.tenant_id})")
    table.add_column("table")
    table.add_column("rows copied", justify="right")
    empty = 0
    for name, count in report.rows.items():
        if count:
            table.add_row(name, f"{count:,}")
        else:
            empty += 1
    table.add_row("[bold]total", f"[bold]{report.total:,}", end_section=True)
    if empty:
        table.caption = f"(and {empty} empty tables)"
    console.print(table)
    console.print(f"[dim]Not copied: {', '.join(report.not_copied)} (transient or held by the "
                  "source's processes).[/dim]", highlight=False)
    where = shown_url(src.url)
    if not report.source_paused:
        console.print(f"Not connected to LinkedIn: nothing to pause on {where}.",
                      highlight=False)
    elif report.was_paused:
        console.print(f"Its sync was already paused on {where}, and stays paused on the "
                      f"target (recruitlink sync resume --tenant {report.slug}).",
                      highlight=False)
    else:
        console.print(f"Its sync is now [bold]paused[/bold] on {where}, so a server still "
                      "running there stops syncing it; the target syncs it from where it "
                      "stopped.", highlight=False)
    if report.source_paused:
        console.print("The target's server needs the source's RECRUITLINK_SECRET_KEY: the "
                      "LinkedIn client secret was copied encrypted.", highlight=False)


def _message(exc: Exception) -> str:
    if isinstance(exc, RecruitlinkError):
        return exc.message
    orig = getattr(exc, "orig", None)  # the driver's own words, without the SQL
    return f"database: {str(orig or exc).strip().splitlines()[0]}"


def _fail(message: str, done: list[str] | None = None) -> NoReturn:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    if done:
        console.print(f"Already moved: {', '.join(done)}.", highlight=False)
    raise typer.Exit(1)


def _same_database(a: str, b: str) -> bool:
    try:
        return make_url(a) == make_url(b)
    except SQLAlchemyError:
        return False


def shown_url(url: str) -> str:
    """A database URL as it may be shown: without its password."""
    return make_url(url).render_as_string(hide_password=True)
