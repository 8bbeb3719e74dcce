"""`recruitlink certify`: run LinkedIn's certification cases against the configured LinkedIn
(the sandbox by default) with a throwaway tenant, and write the report.

    recruitlink certify                                   # RSC modules, ./certification-<date>/
    recruitlink certify --kind crm --out reports/crm      # the CRM ids
    recruitlink certify --api-version v2                  # the unversioned family
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..settings import Settings

if TYPE_CHECKING:
    from ..certify.cases import Kind

app = typer.Typer()
console = Console()
MARKS = {"pass": "[green]pass[/green]", "fail": "[red]FAIL[/red]",
         "manual": "[yellow]manual[/yellow]"}


@app.command()
def certify(
    kind: str = typer.Option("rsc", help="rsc (Recruiter System Connect, modules 1-5) or crm "
                                         "(CRM Connect's ids)."),
    out: Path | None = typer.Option(None, help="Where the report goes (default: "
                                               "./certification-<date>/)."),
    api_version: str | None = typer.Option(
        None, "--api-version", help="The API family to certify: a LinkedIn-Version such as "
                                    "202604 (versioned /rest) or v2 (default: "
                                    "RECRUITLINK_LINKEDIN_API_VERSION)."),
    organization: str | None = typer.Option(None, help="urn:li:organization:<id> of the test "
                                                       "company (default on the sandbox: a "
                                                       "fresh one)."),
    contract: str | None = typer.Option(None, help="urn:li:contract:<id> of the test contract."),
    public_url: str | None = typer.Option(
        None, "--public-url", help="The URL LinkedIn reaches this product at: the push "
                                   "callback is registered under it (default: on the "
                                   "sandbox, the run's own push receiver; against LinkedIn, "
                                   "RECRUITLINK_PUBLIC_URL)."),
    receiver_port: int = typer.Option(
        0, "--receiver-port", min=0, max=65535,
        help="The loopback port the run's push receiver listens on (default: a free one); "
             "against LinkedIn, the port --public-url forwards to."),
    sync_timeout: float = typer.Option(120.0, min=1, help="Seconds one step's sync may take."),
    enable_timeout: float = typer.Option(600.0, min=0, help="Against LinkedIn: seconds to wait "
                                                            "for the admin's switch."),
) -> None:
    """Run LinkedIn's certification cases with a throwaway tenant; write the report."""
    from pydantic import ValidationError

    from ..certify import CaseResult, Certification, Options, write_report
    from ..certify.cases import cases_for
    from ..errors import RecruitlinkError

    wanted: Kind = "CRM" if kind.strip().upper() == "CRM" else "RSC"
    if kind.strip().upper() != wanted:
        raise typer.BadParameter("must be rsc or crm", param_hint="--kind")
    settings = Settings()
    if api_version is not None:
        try:  # validated as RECRUITLINK_LINKEDIN_API_VERSION is
            settings = Settings(linkedin_api_version=api_version)
        except ValidationError as exc:
            raise typer.BadParameter(exc.errors()[0]["msg"], param_hint="--api-version") from exc
    if not settings.partner_client_id or settings.partner_client_secret is None:
        console.print("[red]error:[/red] set RECRUITLINK_PARTNER_CLIENT_ID and "
                      "RECRUITLINK_PARTNER_CLIENT_SECRET (the partner app's credentials)")
        raise typer.Exit(2)
    target = out or Path(f"certification-{datetime.now(UTC):%Y-%m-%d}")
    options = Options(kind=wanted, organization=organization, contract=contract,
                      sync_timeout_s=sync_timeout, public_url=public_url,
                      receiver_port=receiver_port,
                      enable_timeout_s=enable_timeout)
    console.print(f"Certifying {wanted} against {settings.linkedin_api_url}", highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("cases", total=len(cases_for(options.kind)))

        def shown(result: CaseResult) -> None:
            progress.console.print(f"{MARKS[result.status]} {result.case.id} "
                                   f"{result.case.title}", highlight=False)
            if result.status == "fail":
                progress.console.print(f"      {result.notes[-1]}", highlight=False,
                                       markup=False)
            progress.advance(task)

        run = Certification(settings, options, on_result=shown,
                            say=lambda m: progress.console.print(m, highlight=False))
        try:
            report = run.run()
        except RecruitlinkError as exc:
            console.print(f"[red]error:[/red] {exc.message}", highlight=False)
            raise typer.Exit(2) from exc
    files = write_report(report, target)
    console.print(f"Push callback registered under {report.public_url}", highlight=False)
    for note in report.teardown:
        console.print(note, highlight=False)
    console.print("Report: " + ", ".join(str(f) for f in files), highlight=False)
    if report.failed:
        console.print(f"[red]Certification failed:[/red] {', '.join(report.failed)}",
                      highlight=False)
        raise typer.Exit(1)
    manual = [r.case.id for r in report.results if r.status == "manual"]
    console.print("[green]Every case passed[/green]"
                  + (f" ({', '.join(manual)} to be shown by a person)" if manual else ""),
                  highlight=False)
