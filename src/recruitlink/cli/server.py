"""`recruitlink version`, `sandbox` (the LinkedIn sandbox) and `serve` (the web app)."""

from __future__ import annotations

import socket
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .. import __version__
from ..core.heap import settled
from .db import DATABASE_URL_HELP, shown_url

app = typer.Typer()
console = Console()


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

    from ..sandbox import SandboxConfig, create_app
    from ..sandbox.config import versions_from_text

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
        from ..sandbox.api.faults import FaultSpec

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
    with settled():  # what startup built stays out of the collector's walks while serving
        server.run(sockets=[sock])


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

    from ..settings import Settings
    from ..store import Database
    from ..store.migrate import upgrade
    from ..web import create_app
    from .keys import require_key_or_exit

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
    console.print(f"Database: {shown_url(settings.database_url)}", highlight=False)
    console.print(f"Data API: {url}/api/v1", highlight=False)
    console.print(f"API docs: {url}/docs", highlight=False)
    console.print(f"recruitlink listening on {url}", highlight=False)
    server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", lifespan="on",
                                           access_log=False))
    with settled():  # what startup built stays out of the collector's walks while serving
        server.run(sockets=[sock])
