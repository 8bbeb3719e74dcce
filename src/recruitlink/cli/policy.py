"""`recruitlink policy ...`: who sees which job in LinkedIn Recruiter (`sync.visibility`).

    recruitlink policy show --tenant acme [--json]
    recruitlink policy set --tenant acme --visibility acls                # the job's hiring team
    recruitlink policy set --tenant acme --visibility all_product_users   # every Recruiter user
    recruitlink policy set --tenant acme --never-share phones,addresses --exclude-tags internal
    recruitlink policy set --tenant acme --require-consent linkedin_recruiter   # '' to drop it
    recruitlink policy set --tenant acme --closed-members purge --closure-window-days 30
    recruitlink policy set --tenant acme --history-retention-days 365   # 'none': keep them
"""

from __future__ import annotations

import json
import time

import typer
from rich.console import Console

from ..core.policy import DENIABLE_CANDIDATE_FIELDS
from ..runtime import compliance
from ..runtime.context import Runtime
from ..store import connections
from ..sync.sharing import set_sharing
from ..sync.visibility import CHOICES, set_visibility, visibility_state
from .sync import DatabaseUrl, runtime, tenant_id

console = Console()
app = typer.Typer(name="policy", no_args_is_help=True,
                  help="Who sees which job in LinkedIn Recruiter, and what is never shared: "
                       "show, set.")


@app.command("show")
def show(tenant: str = typer.Option(..., help="The tenant's slug."),
         as_json: bool = typer.Option(False, "--json"),
         database_url: str | None = DatabaseUrl) -> None:
    """Who sees jobs in Recruiter, and whether LinkedIn has been told yet."""
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        with rt.store.reader() as conn:
            info = connections.load(conn, tid, rt.box)
            state = None if info is None else visibility_state(conn, tid, info.policy)
        out = {"connected": state is not None, **(state.as_json() if state else {})}
        if info is not None:
            out["sharing"] = {"neverShared": list(info.policy.never_shared),
                              "excludedTags": list(info.policy.excluded_tags),
                              "requiredConsent": info.policy.required_consent}
            out["compliance"] = compliance.policy_json(info.policy)
        if as_json:
            print(json.dumps(out))
            return
        if state is None:
            console.print(f"{tenant} is not connected to LinkedIn.")
            return
        console.print(f"Who sees jobs in LinkedIn Recruiter: [bold]{state.label}[/bold] "
                      f"({state.visibility})", highlight=False)
        if state.pending:
            console.print(f"Pending: {state.queued} jobs and users still to send, "
                          f"{state.acl_records} hiring-team records on LinkedIn.",
                          highlight=False)
        else:
            console.print(f"On LinkedIn: {state.acl_records} hiring-team records.",
                          highlight=False)
        assert info is not None
        p = info.policy
        console.print(f"Never shared: {', '.join(p.never_shared) or 'nothing'}; candidates "
                      f"tagged {', '.join(p.excluded_tags) or '(no tag rule)'} excluded; "
                      f"consent required: {p.required_consent or 'none'}.", highlight=False)


@app.command("set")
def set_(tenant: str = typer.Option(..., help="The tenant's slug."),
         visibility: str | None = typer.Option(
             None, help="all_product_users (every Recruiter user sees every job) or acls "
                        "(only the job's hiring team)."),
         never_share: str | None = typer.Option(
             None, help="Candidate fields never sent to LinkedIn, comma-separated (replaces "
                        "the list; '' for none): " + ", ".join(DENIABLE_CANDIDATE_FIELDS)),
         exclude_tags: str | None = typer.Option(
             None, help="Candidates with any of these tags are not shared, comma-separated "
                        "(replaces the list; '' for none)."),
         require_consent: str | None = typer.Option(
             None, help="Share only candidates whose consents include this purpose ('' for "
                        "no consent rule)."),
         closed_members: str | None = typer.Option(
             None, help="A member who closed their LinkedIn account: notify (an activity on "
                        "the candidate) or purge (the candidate deleted)."),
         closure_window_days: int | None = typer.Option(
             None, help="Days after a closure by which it is acted on (0 to 30)."),
         history_retention_days: str | None = typer.Option(
             None, help="Purge imported InMails and notes this many days after LinkedIn "
                        "dated them ('none' to keep them)."),
         database_url: str | None = DatabaseUrl) -> None:
    """Choose who sees which job in LinkedIn Recruiter, what is never shared, and the
    compliance duties' policy; the sync sends the change (candidates no longer shared are
    deleted from LinkedIn)."""
    compliance_given = (closed_members, closure_window_days, history_retention_days) != (
        None, None, None)
    if visibility is None and never_share is None and exclude_tags is None \
            and require_consent is None and not compliance_given:
        console.print("[red]error:[/red] give --visibility, --never-share, --exclude-tags, "
                      "--require-consent, --closed-members, --closure-window-days or "
                      "--history-retention-days")
        raise typer.Exit(2)
    with runtime(database_url) as rt:
        tid = tenant_id(rt, tenant)
        if compliance_given:
            _set_compliance(rt, tid, closed_members, closure_window_days,
                            history_retention_days)
        if visibility is not None:
            _set_visibility(rt, tenant, tid, visibility)
        if never_share is None and exclude_tags is None and require_consent is None:
            return
        policy, change = set_sharing(
            rt.store.db, tid, never_shared=_listed(never_share),
            excluded_tags=_listed(exclude_tags),
            required_consent=require_consent or None, clear_consent=require_consent == "",
            at=int(time.time() * 1000))
        console.print(f"Sharing: never shared {', '.join(policy.never_shared) or 'nothing'}; "
                      f"tags excluded {', '.join(policy.excluded_tags) or 'none'}; consent "
                      f"required {policy.required_consent or 'none'}.", highlight=False)
        if change.queued:
            console.print(f"{change.now_excluded} candidates no longer shared (deleted from "
                          f"LinkedIn by the sync), {change.now_shared} shared again; "
                          f"{change.queued} queued for the sync.", highlight=False)


def _set_compliance(rt: Runtime, tid: int, closed_members: str | None,
                    window: int | None, retention: str | None) -> None:
    kept: object = compliance.KEEP
    if retention is not None:
        if retention.strip().lower() == "none":
            kept = None
        elif retention.strip().isdigit():
            kept = int(retention)
        else:
            console.print("[red]error:[/red] history_retention_days: a number of days, or none")
            raise typer.Exit(2)
    try:
        policy = compliance.set_policy(rt.store, tid, closed_members=closed_members,
                                       closure_window_days=window,
                                       history_retention_days=kept)
    except (LookupError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    retained = (f"{policy.history_retention_days} days" if policy.history_retention_days
                else "kept")
    console.print(f"Closed members: {policy.closed_members} within "
                  f"{policy.closure_window_days} days; imported InMails and notes: "
                  f"{retained}.", highlight=False)


def _listed(raw: str | None) -> list[str] | None:
    return None if raw is None else [v.strip() for v in raw.split(",") if v.strip()]


def _set_visibility(rt: Runtime, tenant: str, tid: int, visibility: str) -> None:
    change = set_visibility(rt.engine, tid, visibility)
    label = CHOICES[change.visibility]
    if not change.changed:
        console.print(f"Already: {label}.", highlight=False)
    elif change.applied_on_linkedin:
        console.print(f"Set to {label}: LinkedIn's viewers configurations changed; "
                      f"{change.queued} jobs and users queued for the sync.",
                      highlight=False)
    else:
        console.print(f"Set to {label}: it applies when {tenant} connects again.",
                      highlight=False)
