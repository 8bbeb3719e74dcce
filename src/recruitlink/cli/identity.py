"""`recruitlink identity review list|resolve` and `recruitlink identity merge|unmerge`:
explainable identity's review queue and candidate merges (issue 19, part 3), as the Review tab,
the candidate page and `/api/v1/linkedin/review`, `/api/v1/linkedin/merges` do them."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from ..core.identity import moved_summary
from ..inbound import identity
from .sync import DatabaseUrl, runtime, tenant_id

console = Console()
app = typer.Typer(name="identity", no_args_is_help=True,
                  help="Who is who: the review queue of LinkedIn items several candidates "
                       "could be, and candidate merges.")
review_app = typer.Typer(name="review", no_args_is_help=True,
                         help="LinkedIn items that could be several candidates.")


def _fail(exc: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(1 if isinstance(exc, LookupError) else 2)


@review_app.command("list")
def list_review(tenant: str = typer.Option(..., help="The tenant's slug."),
                status: str = typer.Option("open", help="open, resolved or all."),
                as_json: bool = typer.Option(False, "--json"),
                database_url: str | None = DatabaseUrl) -> None:
    """The items kept for review, with the candidates they could be and why."""
    if status not in ("open", "resolved", "all"):
        console.print(f"[red]error:[/red] --status: must be open, resolved or all, not "
                      f"{status!r}")
        raise typer.Exit(2)
    with runtime(database_url) as rt:
        found = identity.list_reviews(rt.store, tenant_id(rt, tenant),
                                      status=None if status == "all" else status)
    if as_json:
        print(json.dumps(found, indent=2))
        return
    table = Table(title=f"Review items of {tenant} ({status})")
    for column in ("id", "member", "name", "why", "candidates", "resolution"):
        table.add_column(column)
    for item in found:
        table.add_row(str(item["id"]), item["person"] or "", item["name"], item["reason"],
                      ", ".join(f"{c['id']} ({c['why']})" for c in item["candidates"]),
                      item["resolution"] or "")
    console.print(table)


@review_app.command("resolve")
def resolve(tenant: str = typer.Option(..., help="The tenant's slug."),
            item: int = typer.Option(..., help="The review item's id (`review list`)."),
            action: str = typer.Option(..., help="link, create or merge."),
            candidate: str | None = typer.Option(None, help="link: the candidate; merge: the "
                                                            "one kept."),
            merge: list[str] = typer.Option([], help="merge: a candidate merged into "
                                                     "--candidate (repeatable)."),
            database_url: str | None = DatabaseUrl) -> None:
    """Link the item to a candidate, create a new one, or merge candidates and link."""
    with runtime(database_url) as rt:
        try:
            result = identity.resolve(rt.store, tenant_id(rt, tenant), item, action,
                                      candidate, merge or None)
        except (LookupError, ValueError) as exc:
            raise _fail(exc) from exc
    console.print(f"item {item}: {result['resolution']}; the sync sends it to LinkedIn")


@app.command("merge")
def merge_command(tenant: str = typer.Option(..., help="The tenant's slug."),
                  kept: str = typer.Option(..., help="The candidate kept."),
                  merged: str = typer.Option(..., help="The candidate merged into it."),
                  database_url: str | None = DatabaseUrl) -> None:
    """Merge a candidate into another: its applications, notes, InMails and files move; it is
    deleted (on LinkedIn too, at the next sync). `unmerge` undoes it."""
    with runtime(database_url) as rt:
        try:
            result = identity.merge(rt.store, tenant_id(rt, tenant), kept, merged)
        except (LookupError, ValueError) as exc:
            raise _fail(exc) from exc
    console.print(f"merge {result.merge_id}: {merged} merged into {kept} "
                  f"(moved: {moved_summary(result.moved)})")


@app.command("unmerge")
def unmerge_command(tenant: str = typer.Option(..., help="The tenant's slug."),
                    merge: int = typer.Option(..., help="The merge's id."),
                    database_url: str | None = DatabaseUrl) -> None:
    """Undo a merge: the merged candidate again, with the records that moved."""
    with runtime(database_url) as rt:
        try:
            result = identity.undo_merge(rt.store, tenant_id(rt, tenant), merge)
        except (LookupError, ValueError) as exc:
            raise _fail(exc) from exc
    console.print(f"merge {merge} undone: {result.merged} is a candidate again")


app.add_typer(review_app)
