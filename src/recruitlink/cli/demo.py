"""`recruitlink demo`: the whole product on the embedded defaults, in one command.

It starts the LinkedIn sandbox and the recruitlink server on loopback (on any ports: the
server's public URL is the one it really listens on), seeds the demo tenants (an RSC one and
a CRM Connect one, SQLite, synthetic data), connects them to the sandbox, prints where to look
and how to sign in, then shows the historical sync's progress while the server's background
work (the same as `recruitlink serve`) syncs every connected tenant and polls LinkedIn.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..demo_setup import (
    TENANTS,
    CredentialsFile,
    DemoTenant,
    add_member_candidates,
    ensure_seats,
    seat_holders,
)
from ..errors import ConfigurationError, RecruitlinkError
from ..keys import KEY_FILE_NAME, PUBLIC_KEYS, key_file, previous_keys
from ..linkedin.versions import API_LABEL, ApiVersion
from ..runtime.context import Runtime
from ..runtime.servers import bound_socket, serve, url_of
from ..settings import Settings
from ..store.connections import reseal_secrets
from ..store.tenants import tenant_by_slug
from ..sync import control
from ..sync.connect import connect, follow_public_url, refresh_status
from .keys import require_key_or_exit

app = typer.Typer()
console = Console()
PARTNER_ID = "recruitlink-demo-partner"
DEMO_POLL_INTERVAL_S = 20.0
"""The demo polls LinkedIn often, so what is done in the sandbox's Recruiter shows up
quickly; RECRUITLINK_POLL_INTERVAL_SECONDS overrides it."""


@app.command()
def demo(
    candidates: int = typer.Option(2000, min=1, help="Size of the seeded demo tenant (the CRM "
                                                     "tenant gets a third of it)."),
    port: int = typer.Option(8000, help="recruitlink server port (0: any free port)."),
    sandbox_port: int = typer.Option(8765, help="LinkedIn sandbox port (0: any free port)."),
    directory: Path = typer.Option(Path("."), help="Where the SQLite files live."),
    seed: int = typer.Option(1, help="Seed of the synthetic data."),
    exit_after_sync: bool = typer.Option(False, help="Stop once the historical sync is done "
                                                     "(scripted runs)."),
) -> None:
    """Run everything locally: sandbox, server, seeded tenants, sync. Ctrl-C stops it."""
    from ..sandbox import SandboxConfig, create_app
    from ..web.app import create_app as create_web_app

    directory.mkdir(parents=True, exist_ok=True)
    keys = _demo_keys(Settings(), directory)
    sandbox_sock, server_sock = _listen(sandbox_port, "--sandbox-port"), _listen(port, "--port")
    sandbox_url, server_url = url_of(sandbox_sock), url_of(server_sock)
    secret = "recruitlink-demo-partner-secret"  # the local sandbox's partner app only
    sandbox_app = create_app(SandboxConfig(
        db=str(directory / "recruitlink-sandbox.db"), partner_client_id=PARTNER_ID,
        partner_client_secret=secret, auto_enable=True, job_task_delay=1.0, demo=False))
    base = Settings()
    database_url = (base.database_url if "RECRUITLINK_DATABASE_URL" in os.environ
                    else f"sqlite:///{directory / 'recruitlink.db'}")
    poll_s = (base.poll_interval_seconds if "RECRUITLINK_POLL_INTERVAL_SECONDS" in os.environ
              else DEMO_POLL_INTERVAL_S)
    settings = base.model_copy(update={
        **keys, "database_url": database_url, "linkedin_api_url": sandbox_url,
        "linkedin_oauth_url": sandbox_url, "partner_client_id": PARTNER_ID,
        "partner_client_secret": SecretStr(secret), "job_task_poll_seconds": 2.0,
        # LinkedIn reaches the server where it really listens (any --port), and the
        # server's background work syncs every connected tenant, as `serve` does.
        "public_url": server_url, "background_sync": True, "pollers": True,
        "poll_interval_seconds": poll_s})
    _where_to_look(sandbox_url, server_url, settings.linkedin_api_version)
    rt = Runtime.from_settings(settings)
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda _sig, _frame: stopping.set())
    signal.signal(signal.SIGTERM, lambda _sig, _frame: stopping.set())
    try:
        with rt.store.db.write() as conn:  # what an earlier demo sealed: the current key
            reseal_secrets(conn, rt.box)
        with serve(sandbox_app, sock=sandbox_sock), \
                serve(create_web_app(settings, rt.store), sock=server_sock):
            sandbox = sandbox_app.state.sandbox
            prepared = [_prepare(rt, sandbox, t, candidates, seed, directory)
                        for t in TENANTS]
            for tenant, tenant_id in prepared:
                _connect(rt, tenant, tenant_id)
            _follow_public_url(rt)
            console.print(f"Demo ready at {server_url}", highlight=False)
            done = _follow_sync(rt, prepared, stopping)
            if exit_after_sync or stopping.is_set():
                return
            if done:
                console.print("Continuous sync running: change data through the API or act "
                              "in the sandbox's Recruiter and watch it arrive within seconds. "
                              "Ctrl-C to stop.")
            stopping.wait()
    except RecruitlinkError as exc:
        console.print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    finally:
        rt.close()  # the server's background work released its leases when it stopped


def _listen(port: int, option: str) -> Any:
    try:
        return bound_socket(port=port)
    except OSError as exc:
        console.print(f"[red]error:[/red] {option}: cannot listen on 127.0.0.1:{port} "
                      f"({exc.strerror}); choose another port, or 0 for any free one",
                      highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


def _demo_keys(base: Settings, directory: Path) -> dict[str, Any]:
    """The demo's secret key: RECRUITLINK_SECRET_KEY if set, else one made on the first run
    and kept in `recruitlink.key` (0600) beside the database. The public key earlier releases
    defaulted to stays a previous key, so a demo database they made still opens."""
    if "RECRUITLINK_SECRET_KEY" in os.environ:
        require_key_or_exit(base)
        assert base.secret_key is not None
        key = base.secret_key.get_secret_value()
    else:
        try:
            key = key_file(directory / KEY_FILE_NAME)
        except ConfigurationError as exc:
            console.print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc
    previous = ",".join([*previous_keys(base), *PUBLIC_KEYS])
    return {"secret_key": SecretStr(key), "previous_secret_keys": SecretStr(previous)}


def _prepare(rt: Runtime, sandbox: Any, tenant: DemoTenant, candidates: int, seed: int,
             directory: Path) -> tuple[DemoTenant, int]:
    """Seed the tenant on the first run; its seats and its sign-in credentials on every run.
    Prints how to sign in."""
    from ..store.seed import seed as run_seed

    with rt.store.reader() as conn:
        found = tenant_by_slug(conn, tenant.slug)
    if found is None:
        size = max(1, candidates * tenant.share // 10)
        console.print(f"Seeding tenant [bold]{tenant.slug}[/bold] ({tenant.product}) with "
                      f"{size:,} candidates and three years of history...")
        started = time.perf_counter()
        counts = run_seed(rt.store, tenant.slug, size, seed=seed, kind=tenant.kind)
        with rt.store.reader() as conn:
            found = tenant_by_slug(conn, tenant.slug)
        assert found is not None
        offset = 20 + 10 * TENANTS.index(tenant)  # after the seat holders; one set each
        added = add_member_candidates(rt.store, sandbox, found.id, offset=offset)
        console.print(f"  {sum(counts.values()) + len(added):,} records in "
                      f"{time.perf_counter() - started:.1f}s; LinkedIn members among the "
                      f"candidates: {', '.join(added)}", highlight=False)
    ensure_seats(sandbox, tenant, seat_holders(rt.store, found.id))
    creds = CredentialsFile(directory).ensure(rt.store, tenant.slug, found.id)
    console.print(f"Workspace [bold]{tenant.slug}[/bold] ({tenant.product}): API key "
                  f"{creds.api_key}", highlight=False, soft_wrap=True)
    for s in creds.sign_ins:
        # One line each: a narrow terminal must not wrap a password.
        console.print(f"  sign in as {s.role}: workspace {tenant.slug}, email {s.email}, "
                      f"password {s.password}", highlight=False, soft_wrap=True)
    return tenant, found.id


def _connect(rt: Runtime, tenant: DemoTenant, tenant_id: int) -> None:
    """Connect the tenant on its first run (or after a disconnect)."""
    state = control.status(rt.engine, tenant_id)
    if not state.get("connected") or state.get("status") == "DISCONNECTED":
        connect(rt.store, rt.box, rt.engine, rt.partner(), tenant_slug=tenant.slug,
                organization=tenant.organization, contracts=[tenant.contract],
                public_url=rt.settings.public_url)
    status, _ = refresh_status(rt.store, rt.box, rt.engine, tenant_id)
    console.print(f"{tenant.slug}: connected to LinkedIn (sandbox), integration "
                  f"[bold]{status}[/bold]", highlight=False)


def _follow_public_url(rt: Runtime) -> None:
    """Point LinkedIn at this server's real URL for every connected workspace (the demo's
    and any connected through the pages), wherever an earlier run listened: the widget
    domains and the push callback."""
    from ..store.connections import connected_tenants

    with rt.store.reader() as conn:
        rows = connected_tenants(conn)
    partner = rt.partner()
    for tenant_id, slug in rows:
        try:
            follow_public_url(rt.store, rt.box, rt.engine, partner, tenant_id,
                              rt.settings.public_url)
        except RecruitlinkError as exc:  # one workspace's trouble must not stop the demo
            console.print(f"[yellow]warning:[/yellow] {slug}: LinkedIn still has the "
                          f"previous URL: {exc.message}", highlight=False, soft_wrap=True)


def _follow_sync(rt: Runtime, prepared: list[tuple[DemoTenant, int]],
                 stopping: threading.Event) -> bool:
    """Show each tenant's historical sync (run by the server's background work) until all
    are done or Ctrl-C; True when all are done."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                  console=console) as progress:
        bars: dict[tuple[str, str], Any] = {}
        while True:
            states = {t.slug: control.status(rt.engine, tid) for t, tid in prepared}
            for slug, state in states.items():
                for m in (state.get("run") or {}).get("milestones", []):
                    key = (slug, m["name"])
                    if key not in bars:
                        bars[key] = progress.add_task(
                            f"{slug} {m['milestone']}: {m['name']}", total=m["total"] or 0,
                            note="")
                    progress.update(bars[key], completed=m["done"], total=m["total"] or 0,
                                    note=f"{m['excluded']} excluded")
            if all((s.get("run") or {}).get("status") not in (None, "running")
                   for s in states.values()):
                break
            if stopping.wait(0.5):
                return False
    table = Table(title="Historical sync", show_header=False)
    for slug, state in states.items():
        table.add_row(slug, f"{(state.get('run') or {}).get('status')}; "
                            f"{state.get('failedRecords')} failed records, with reasons "
                            f"(recruitlink sync errors --tenant {slug})")
    console.print(table)
    return True


def _where_to_look(sandbox_url: str, server_url: str, api_version: str) -> None:
    table = Table(title="recruitlink demo", show_header=False)
    table.add_column()
    table.add_column(overflow="fold")  # a narrow terminal wraps a URL, never cuts it
    table.add_row("recruitlink pages", f"{server_url}/login (workspaces: "
                                       f"{', '.join(t.slug for t in TENANTS)})")
    table.add_row("recruitlink API", f"{server_url}/docs")
    table.add_row("LinkedIn Recruiter (sandbox)", f"{sandbox_url}/recruiter/")
    table.add_row("LinkedIn sandbox", f"{sandbox_url}/sandbox/docs")
    table.add_row(API_LABEL, ApiVersion.parse(api_version).summary())
    for t in TENANTS:
        table.add_row(f"What LinkedIn holds ({t.slug})",
                      f"{sandbox_url}/sandbox/organizations/{t.organization}/summary")
    table.add_row("Sync status", "recruitlink sync status --tenant demo (in this directory)")
    console.print(table)
