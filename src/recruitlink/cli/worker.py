"""`recruitlink worker`: a procrastinate worker for scale-out (PostgreSQL). Start as many as the
load needs, on as many machines: they share the database, its leases and its rate budget.

    RECRUITLINK_DATABASE_URL=postgresql+psycopg://… recruitlink worker
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

import typer
from rich.console import Console

app = typer.Typer()
console = Console()
DATABASE_URL_HELP = "Default: RECRUITLINK_DATABASE_URL (must be PostgreSQL)."


@app.command()
def worker(
    concurrency: int = typer.Option(1, min=1, max=64,
                                    help="Jobs at once in this process (each is a thread)."),
    queue: list[str] = typer.Option([], "--queue",
                                    help="Only these queues (sync, poll, inbox, control, "
                                         "webhooks); "
                                         "default: all. Repeat for several."),
    name: str | None = typer.Option(None, help="Shown in procrastinate's tables; default "
                                               "host:pid."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
    verbose: bool = typer.Option(False, "--verbose", help="Log every job."),
) -> None:
    """Run a worker: tenants' syncs (a slice each, in turn), LinkedIn pollers and pushes, handed
    out by a periodic tick. Stops cleanly on Ctrl-C / SIGTERM (the running slice finishes)."""
    from sqlalchemy.engine import make_url

    from ..core.heap import settled
    from ..runtime.queue import QUEUES, TaskQueue, ensure_schema
    from ..settings import Settings
    from ..store import Database
    from ..store.migrate import upgrade
    from .keys import require_key_or_exit

    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    require_key_or_exit(settings)
    url = make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        console.print("[red]error:[/red] database_url: workers need PostgreSQL "
                      f"(postgresql+psycopg://…), not {url.get_backend_name()}; on SQLite "
                      "`recruitlink serve` runs the work itself", highlight=False)
        raise typer.Exit(2)
    unknown = sorted(set(queue) - set(QUEUES))
    if unknown:
        console.print(f"[red]error:[/red] --queue: unknown {', '.join(unknown)} (known: "
                      f"{', '.join(QUEUES)})", highlight=False)
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    db = Database(settings.database_url)
    try:
        upgrade(db)
        ensure_schema(db)
    finally:
        db.dispose()
    shown = name or f"{socket.gethostname()}:{os.getpid()}"
    console.print(f"Worker {shown} on {url.render_as_string(hide_password=True)}: queues "
                  f"{', '.join(queue or QUEUES)}, concurrency {concurrency}", highlight=False)
    tasks = TaskQueue(settings)
    try:
        with settled():  # what startup built stays out of the collector's walks while working
            asyncio.run(tasks.run_worker(concurrency=concurrency, name=shown,
                                         queues=list(queue) or None))
    except KeyboardInterrupt:
        pass
    finally:
        tasks.close()
    console.print(f"Worker {shown} stopped.", highlight=False)
