"""`recruitlink demo`: the whole product on the embedded defaults, in one command.

It starts the LinkedIn sandbox and the recruitlink server on loopback, seeds a demo tenant
(SQLite file, synthetic ATS/CRM data), connects it to the sandbox, runs the historical sync
with a progress bar, keeps the continuous sync running, and prints where to look.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .cli_keys import require_key_or_exit
from .errors import ConfigurationError
from .keys import PUBLIC_KEYS, key_file, previous_keys
from .runtime.context import Runtime
from .runtime.servers import serve
from .settings import Settings
from .store.tenants import create_api_key, tenant_by_slug
from .sync import control
from .sync.connect import connect, refresh_status
from .sync.connections import reseal_secrets
from .sync.engine import StepReport, now_ms

console = Console()
DEMO_TENANT = "demo"
DEMO_ORGANIZATION = "urn:li:organization:2001001"
DEMO_CONTRACT = "urn:li:contract:3001001"
PARTNER_ID = "recruitlink-demo-partner"


def demo(
    candidates: int = typer.Option(2000, min=1, help="Size of the seeded demo tenant."),
    port: int = typer.Option(8000, help="recruitlink server port (0: any free port)."),
    sandbox_port: int = typer.Option(8765, help="LinkedIn sandbox port (0: any free port)."),
    directory: Path = typer.Option(Path("."), help="Where the SQLite files live."),
    seed: int = typer.Option(1, help="Seed of the synthetic data."),
    exit_after_sync: bool = typer.Option(False, help="Stop once the historical sync is done "
                                                     "(scripted runs)."),
) -> None:
    """Run everything locally: sandbox, server, seeded tenant, sync. Ctrl-C stops it."""
    from .sandbox import SandboxConfig, create_app
    from .store.seed import seed as run_seed
    from .web.app import create_app as create_web_app

    directory.mkdir(parents=True, exist_ok=True)
    keys = _demo_keys(Settings(), directory)
    secret = "recruitlink-demo-partner-secret"  # the local sandbox's partner app only
    sandbox_app = create_app(SandboxConfig(
        db=str(directory / "recruitlink-sandbox.db"), partner_client_id=PARTNER_ID,
        partner_client_secret=secret, auto_enable=True, job_task_delay=1.0, demo=False))
    _ensure_demo_seats(sandbox_app.state.sandbox)
    with serve(sandbox_app, port=sandbox_port) as sandbox_url:
        base = Settings()
        database_url = (base.database_url if "RECRUITLINK_DATABASE_URL" in os.environ
                        else f"sqlite:///{directory / 'recruitlink.db'}")
        settings = base.model_copy(update={
            **keys, "database_url": database_url, "linkedin_api_url": sandbox_url,
            "linkedin_oauth_url": sandbox_url, "partner_client_id": PARTNER_ID,
            "partner_client_secret": SecretStr(secret), "job_task_poll_seconds": 2.0,
            # The demo drives the sync itself (with progress bars); the server polls
            # LinkedIn often, so what is done in the sandbox's Recruiter shows up quickly.
            "background_sync": False, "poll_interval_seconds": 20.0})
        rt = Runtime.from_settings(settings)
        try:
            with rt.store.db.write() as conn:  # what an earlier demo sealed: the current key
                reseal_secrets(conn, rt.box)
            with serve(create_web_app(settings, rt.store), port=port) as server_url:
                rt.settings = settings.model_copy(update={"public_url": server_url})
                _run(rt, candidates, seed, sandbox_url, server_url, exit_after_sync, run_seed)
        finally:
            rt.close()


def _demo_keys(base: Settings, directory: Path) -> dict[str, Any]:
    """The demo's secret key: RECRUITLINK_SECRET_KEY if set, else one made on the first run
    and kept in `recruitlink.key` (0600) beside the database. The public key earlier releases
    defaulted to stays a previous key, so a demo database they made still opens."""
    if base.secret_key is not None:
        require_key_or_exit(base)
        key = base.secret_key.get_secret_value()
    else:
        try:
            key = key_file(directory / "recruitlink.key")
        except ConfigurationError as exc:
            console.print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc
    previous = ",".join([*previous_keys(base), *PUBLIC_KEYS])
    return {"secret_key": SecretStr(key), "previous_secret_keys": SecretStr(previous)}


def _ensure_demo_seats(sandbox: Any, count: int = 3) -> None:
    """Recruiter seats on the demo contract, so the sandbox's Recruiter pages have someone to
    sign in as (the In-ATS indicator, Export, InMail)."""
    from sqlalchemy import select

    from .sandbox.seats import add_seat
    from .sandbox.store import members, seats

    with sandbox.store.tx() as conn:
        if conn.execute(select(seats.c.id).where(seats.c.contract == DEMO_CONTRACT)).first():
            return
        people = [r.urn for r in conn.execute(select(members.c.urn).order_by(members.c.urn)
                                              .limit(count))]
    for person in people:
        add_seat(sandbox, DEMO_CONTRACT, person, None)


def _run(rt: Runtime, candidates: int, seed: int, sandbox_url: str, server_url: str,
         exit_after_sync: bool, run_seed: Any) -> None:
    with rt.store.reader() as conn:
        tenant = tenant_by_slug(conn, DEMO_TENANT)
    if tenant is None:
        console.print(f"Seeding tenant [bold]{DEMO_TENANT}[/bold] with {candidates:,} "
                      "candidates and three years of history...")
        started = time.perf_counter()
        counts = run_seed(rt.store, DEMO_TENANT, candidates, seed=seed, kind="BOTH")
        console.print(f"  {sum(counts.values()):,} records in "
                      f"{time.perf_counter() - started:.1f}s")
        with rt.store.reader() as conn:
            tenant = tenant_by_slug(conn, DEMO_TENANT)
    assert tenant is not None
    with rt.store.db.write() as conn:
        api_key = create_api_key(conn, tenant.id, name="demo", now_ms=now_ms())
    sign_ins = _demo_sign_ins(rt, tenant.id)
    engine = rt.engine
    state = control.status(engine, tenant.id)
    if not state.get("connected") or state.get("status") == "DISCONNECTED":
        partner = rt.partner()
        connect(rt.store, rt.box, engine, partner, tenant_slug=DEMO_TENANT,
                organization=DEMO_ORGANIZATION, contracts=[DEMO_CONTRACT],
                public_url=rt.settings.public_url)
    status, _ = refresh_status(rt.store, rt.box, engine, tenant.id)
    console.print(f"Connected to LinkedIn (sandbox): integration [bold]{status}[/bold]")

    stopping = {"now": False}

    def stop_handler(_sig: int, _frame: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGINT, stop_handler)
    signal.signal(signal.SIGTERM, stop_handler)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                  console=console) as progress:
        bars: dict[str, Any] = {}
        last = [0.0]

        def draw(_report: StepReport) -> None:
            if time.monotonic() - last[0] < 0.3:
                return
            last[0] = time.monotonic()
            current = control.status(engine, tenant.id)
            for m in (current.get("run") or {}).get("milestones", []):
                if m["name"] not in bars:
                    bars[m["name"]] = progress.add_task(f"{m['milestone']}: {m['name']}",
                                                        total=m["total"] or 0, note="")
                progress.update(bars[m["name"]], completed=m["done"],
                                note=f"{m['excluded']} excluded")

        engine.run(tenant.id, stop=lambda: stopping["now"], on_step=draw, until_done=True)
    final = control.status(engine, tenant.id)
    _where_to_look(final, sandbox_url, server_url, api_key, sign_ins)
    if exit_after_sync or stopping["now"]:
        return
    console.print("Continuous sync running: change data through the API and watch it reach "
                  "LinkedIn within seconds. Ctrl-C to stop.")
    engine.run(tenant.id, stop=lambda: stopping["now"])


def _demo_sign_ins(rt: Runtime, tenant_id: int) -> list[tuple[str, str, str]]:
    """A fresh password (shown once) for the demo's company admin and a recruiter, so the
    web pages can be signed into: [(role, email, password)]."""
    import secrets

    from sqlalchemy import select

    from .store.accounts import set_password
    from .store.schema import users

    chosen: list[tuple[str, str, str]] = []
    with rt.store.db.write() as conn:
        for role in ("company_admin", "recruiter"):
            row = conn.execute(select(users.c.external_id, users.c.email).where(
                users.c.tenant_id == tenant_id, users.c.role == role,
                users.c.active.is_(True)).order_by(users.c.id).limit(1)).first()
            if row is None:
                continue
            password = secrets.token_urlsafe(9)
            set_password(conn, tenant_id, row.external_id, password)
            chosen.append((role.replace("_", " "), row.email, password))
    return chosen


def _where_to_look(state: dict[str, Any], sandbox_url: str, server_url: str,
                   api_key: str, sign_ins: list[tuple[str, str, str]]) -> None:
    table = Table(title="recruitlink demo", show_header=False)
    table.add_row("Historical sync", f"{(state.get('run') or {}).get('status')}; ledger "
                                     f"{state.get('ledger')}; {state.get('failedRecords')} "
                                     "failed records, with reasons (sync errors)")
    table.add_row("recruitlink API", f"{server_url}/docs")
    table.add_row("recruitlink pages", f"{server_url}/login (workspace: {DEMO_TENANT})")
    table.add_row("API key (tenant demo)", api_key)
    table.add_row("LinkedIn sandbox", f"{sandbox_url}/sandbox/docs")
    table.add_row("LinkedIn Recruiter (sandbox)", f"{sandbox_url}/recruiter/")
    table.add_row("What LinkedIn holds",
                  f"{sandbox_url}/sandbox/organizations/{DEMO_ORGANIZATION}/summary")
    table.add_row("Sync status", "recruitlink sync status --tenant demo")
    console.print(table)
    for role, email, password in sign_ins:
        # Outside the table: a narrow terminal must not wrap a password.
        console.print(f"Sign in to the pages as {role}: workspace {DEMO_TENANT}, email "
                      f"{email}, password {password}", highlight=False, soft_wrap=True)
    console.print(f"Demo ready at {server_url}", highlight=False)
