"""`recruitlink seed`: a tenant full of realistic synthetic ATS/CRM data."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()
console = Console()


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

    from ..errors import SeedError
    from ..settings import Settings
    from ..store import Database, Store
    from ..store.migrate import upgrade
    from ..store.seed import Step
    from ..store.seed import seed as run_seed
    from ..store.tenants import KINDS

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
