"""`recruitlink`: the command line."""

from __future__ import annotations

import socket
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .cli_db import register

app = typer.Typer(help="recruitlink: connect an ATS/CRM to LinkedIn Recruiter (RSC and CRM "
                       "Connect), with a local LinkedIn sandbox.", no_args_is_help=True)
console = Console()


def _register_sync_commands() -> None:
    from .cli_certify import certify
    from .cli_demo import demo
    from .cli_inbound import inbound_app
    from .cli_keys import keys_app
    from .cli_policy import policy_app
    from .cli_sync import connect, disconnect, sync_app
    from .cli_users import users_app
    from .cli_worker import worker

    app.add_typer(sync_app, name="sync")
    app.add_typer(users_app, name="users")
    app.add_typer(inbound_app, name="inbound")
    app.add_typer(keys_app, name="keys")
    app.add_typer(policy_app, name="policy")
    app.command()(connect)
    app.command()(disconnect)
    app.command()(demo)
    app.command()(worker)
    app.command()(certify)


_register_sync_commands()


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.command()
def sandbox(
    port: int = typer.Option(8765, help="Port to listen on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback by default)."),
    db: Path | None = typer.Option(None, help="SQLite file for the sandbox's state "
                                              "(default: in memory)."),
    partner_client_id: str | None = typer.Option(None, help="The partner (parent) app's "
                                                            "client id."),
    partner_client_secret: str | None = typer.Option(None, help="The partner app's client "
                                                                "secret (generated if not "
                                                                "given)."),
    token_ttl: int = typer.Option(1800, min=1, help="Access token lifetime in seconds."),
    records_per_minute: int | None = typer.Option(None, min=1, help="Records per minute per "
                                                  "app and resource (default: LinkedIn's)."),
    requests_per_day: int | None = typer.Option(None, min=1, help="Requests per UTC day per "
                                                "app and resource (default: LinkedIn's)."),
    auto_enable: bool = typer.Option(False, help="Integrations become ENABLED as soon as they "
                                                 "are created, with no admin step."),
    job_task_delay: float = typer.Option(2.0, min=0, help="Seconds before a job task "
                                                          "leaves IN_PROGRESS."),
    push_retries: int = typer.Option(6, min=0, help="Push retries after a non-2xx answer."),
    push_retry_delay: float = typer.Option(1.0, min=0, help="First push retry delay "
                                                            "(doubles each time)."),
    push_timeout: float = typer.Option(5.0, min=0.1, help="Seconds to wait for a callback."),
    fault_rate: float = typer.Option(0.0, min=0, max=1, help="Share of API requests answered "
                                                             "500, 503 or 504."),
    fault_drop_rate: float = typer.Option(0.0, min=0, max=1, help="Share of API requests whose "
                                                                  "connection is dropped."),
    fault_latency_ms: int = typer.Option(0, min=0, help="Latency added to every API request."),
    seed: int = typer.Option(1, help="Seed for fault injection (and demo data)."),
    members: int = typer.Option(10_000, min=0, help="Size of the synthetic member directory."),
    demo: bool = typer.Option(True, help="Create the demo customer."),
    live_versions: str | None = typer.Option(None, help="LinkedIn-Version values /rest serves, "
                                             "comma-separated YYYYMM (default: 202512,"
                                             "202601,202604)."),
    sunset_versions: str | None = typer.Option(None, help="LinkedIn-Version values /rest "
                                               "answers 426 (sunset), comma-separated."),
) -> None:
    """Run the LinkedIn sandbox: LinkedIn's API on loopback."""
    import uvicorn

    from .sandbox import SandboxConfig, create_app
    from .sandbox.config import versions_from_text

    config = SandboxConfig(
        db=str(db) if db else ":memory:", partner_client_id=partner_client_id,
        partner_client_secret=partner_client_secret, token_ttl=token_ttl,
        records_per_minute=records_per_minute, requests_per_day=requests_per_day,
        auto_enable=auto_enable, job_task_delay=job_task_delay, push_retries=push_retries,
        push_retry_delay=push_retry_delay, push_timeout=push_timeout, seed=seed,
        members=members, demo=demo)
    try:
        if live_versions is not None:
            config.live_api_versions = versions_from_text(live_versions)
        if sunset_versions is not None:
            config.sunset_api_versions = versions_from_text(sunset_versions)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    asgi = create_app(config)
    if fault_rate or fault_drop_rate or fault_latency_ms:
        from .sandbox.faults import FaultSpec

        try:
            asgi.state.sandbox.faults.set("*", FaultSpec(
                error_rate=fault_rate, drop_rate=fault_drop_rate, latency_ms=fault_latency_ms))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
    # Bind first, so the printed URL is live (and port 0 resolves to the real port).
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    bound = sock.getsockname()[1]
    url = f"http://{host if ':' not in host else f'[{host}]'}:{bound}"
    partner = asgi.state.partner
    table = Table(title="recruitlink LinkedIn sandbox", show_header=False)
    table.add_row("API", f"{url}/v2 and {url}/rest (LinkedIn-Version: "
                         f"{', '.join(config.live_api_versions)})")
    table.add_row("OAuth", f"{url}/oauth/v2/accessToken")
    table.add_row("Control + inspection", f"{url}/sandbox/docs")
    table.add_row("Recruiter pages", f"{url}/recruiter/")
    table.add_row("Widgets (JS SDK)", f"{url}/sdk.js")
    table.add_row("State", config.db)
    table.add_row("Partner client id", partner.client_id)
    table.add_row("Partner client secret", partner.client_secret)
    demo_customer = asgi.state.demo
    if demo_customer is not None:
        table.add_row("Demo customer app", demo_customer.app_urn)
        table.add_row("Demo client id", demo_customer.client_id)
        table.add_row("Demo client secret", demo_customer.client_secret)
        table.add_row("Demo organization", demo_customer.organization)
        table.add_row("Demo contract", demo_customer.contract)
    console.print(table)
    console.print(f"Sandbox listening on {url}", highlight=False)
    server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", lifespan="on",
                                           access_log=False))
    server.run(sockets=[sock])


@app.command("seed")
def seed_command(
    tenant: str = typer.Option(..., help="Tenant slug; created if missing (an existing tenant "
                                         "must hold no records yet)."),
    candidates: int = typer.Option(1000, min=0, help="Candidates to create; users, jobs, "
                                                     "applications, ... scale with it."),
    seed: int = typer.Option(1, help="Random seed: the same seed and size give the same data."),
    kind: str = typer.Option("BOTH", help="ATS, CRM or BOTH (for a new tenant)."),
    database_url: str | None = typer.Option(None, "--database-url",
                                            help="Default: RECRUITLINK_DATABASE_URL."),
) -> None:
    """Fill a tenant with realistic synthetic ATS/CRM data: three years of history."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from .errors import SeedError
    from .settings import Settings
    from .store import Database, Store
    from .store.migrate import upgrade
    from .store.seed import Step
    from .store.seed import seed as run_seed
    from .store.tenants import KINDS

    kind = kind.upper()
    if kind not in KINDS:
        raise typer.BadParameter(f"must be one of {', '.join(KINDS)}", param_hint="--kind")
    url = database_url or Settings().database_url
    store = Store(Database(url))
    written = 0
    started = time.perf_counter()
    try:
        upgrade(store.db)
        with Progress(TextColumn("[bold]seeding {task.fields[tenant]}"), BarColumn(),
                      MofNCompleteColumn(), TextColumn("candidates"),
                      TextColumn("{task.fields[records]:,} records"),
                      TextColumn("{task.fields[rate]:,.0f} records/s"), TimeElapsedColumn(),
                      console=console) as bar:
            task = bar.add_task("seed", total=candidates, tenant=tenant, records=0, rate=0.0)

            def progress(step: Step) -> None:
                nonlocal written
                if step.kind != "write":
                    return
                written += step.records
                bar.update(task, advance=step.records if step.entity == "candidates" else 0,
                           records=written,
                           rate=written / max(time.perf_counter() - started, 1e-9))

            counts = run_seed(store, tenant, candidates, seed=seed, kind=kind,
                              progress=progress)
    except SeedError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        store.dispose()
    elapsed = time.perf_counter() - started
    table = Table(title=f"Seeded tenant {tenant!r} (seed {seed})")
    table.add_column("entity")
    table.add_column("records", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    total = sum(counts.values())
    table.add_row("[bold]total", f"[bold]{total:,}", end_section=True)
    console.print(table)
    console.print(f"{total:,} records in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f} "
                  f"records/s), each with its changelog row", highlight=False)


db_app = typer.Typer(help="The database: `db upgrade` applies the migrations.",
                     no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants: the ATS/CRM customer accounts of the data API.",
                         no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for the data API (`Authorization: Bearer <key>`).",
                         no_args_is_help=True)
app.add_typer(db_app, name="db")
register(db_app)
app.add_typer(tenant_app, name="tenant")
app.add_typer(apikey_app, name="apikey")

DATABASE_URL_HELP = "Default: RECRUITLINK_DATABASE_URL (a SQLite file recruitlink.db)."


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade(
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Create or migrate the database to the latest schema."""
    from .settings import Settings
    from .store import Database
    from .store.migrate import current_revision, upgrade

    url = database_url or Settings().database_url
    db = Database(url)
    try:
        upgrade(db)
        revision = current_revision(db)
        if db.is_postgres:  # the work queue of scale-out mode lives beside the store
            from .runtime.queue import ensure_schema

            ensure_schema(db)
    finally:
        db.dispose()
    console.print(f"Database {_shown_url(url)} is at revision {revision}.", highlight=False)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default: RECRUITLINK_HOST, "
                                               "loopback)."),
    port: int | None = typer.Option(None, help="Port (default: RECRUITLINK_PORT, 8000; 0: any "
                                               "free port)."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Run the web app (the data API under /api/v1); migrates the database first."""
    import uvicorn

    from .cli_keys import require_key_or_exit
    from .settings import Settings
    from .store import Database
    from .store.migrate import upgrade
    from .web import create_app

    overrides = {k: v for k, v in (("host", host), ("port", port),
                                   ("database_url", database_url)) if v is not None}
    settings = Settings().model_copy(update=overrides)
    require_key_or_exit(settings)
    db = Database(settings.database_url)
    try:
        upgrade(db)
    finally:
        db.dispose()
    asgi = create_app(settings)
    if getattr(asgi.state, "queue", None) is not None:
        console.print("Work queue: procrastinate (start `recruitlink worker` processes)",
                      highlight=False)
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET,
                         socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(2048)
    bound = sock.getsockname()[1]
    shown_host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    url = f"http://{shown_host}:{bound}"
    console.print(f"Database: {_shown_url(settings.database_url)}", highlight=False)
    console.print(f"Data API: {url}/api/v1", highlight=False)
    console.print(f"API docs: {url}/docs", highlight=False)
    console.print(f"recruitlink listening on {url}", highlight=False)
    server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", lifespan="on",
                                           access_log=False))
    server.run(sockets=[sock])


@tenant_app.command("create")
def tenant_create(
    slug: str = typer.Argument(..., help="Lower-case letters, digits and '-'."),
    name: str | None = typer.Option(None, help="Display name (default: the slug)."),
    kind: str = typer.Option("ATS", help="ATS, CRM or BOTH."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Create a tenant (with its default integration user)."""
    from .settings import Settings
    from .store import Database, now_ms
    from .store.changelog import ChangeSet
    from .store.migrate import upgrade
    from .store.tenants import create_tenant

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


@apikey_app.command("create")
def apikey_create(
    tenant: str = typer.Option(..., "--tenant", help="The tenant's slug."),
    name: str = typer.Option("default", help="What the key is for."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
) -> None:
    """Create an API key for a tenant; it is printed once (only its hash is stored)."""
    from .settings import Settings
    from .store import Database, now_ms
    from .store.migrate import upgrade
    from .store.tenants import create_api_key, tenant_by_slug

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


if __name__ == "__main__":  # pragma: no cover
    app()
