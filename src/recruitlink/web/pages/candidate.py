"""The candidate page `/t/{slug}/candidates/{id}` (the sync's deep link): details,
applications with their stage history, possible duplicates, one timeline, and the LinkedIn
profile widget with its Link / Unlink persisted (`inbound.links`), and what LinkedIn sent
that was not kept (refused, failed, or values rejected), each with a Replay button
(`inbound.replays`) for when the cause is fixed.

The timeline merges notes (on the candidate and on its applications), interactions (InMails
with the mapped user's name, calls, emails, ...), stage changes and interview feedback,
newest first, `TIMELINE_PAGE` at a time. Each source is read in the same order with the same
keyset `(time, kind, id)`, a page's worth at most, on its candidate or application index, and
the sources are merged (store/candidate_details.py, where the page's reads are).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from recruitlink.core import field_labels
from recruitlink.core.export_rules import EXPORTED_BY
from recruitlink.core.files import EXTENSIONS, FILE_TYPES
from recruitlink.core.identity import LINK_ORIGINS, ONE_CLICK_EXPORT, describe_link
from recruitlink.crypto import secret_box
from recruitlink.errors import JsonRefused, NotReplayable
from recruitlink.inbound import evaluations as li_evaluations
from recruitlink.inbound import event_log, identity
from recruitlink.inbound import items as inbound_items
from recruitlink.inbound.links import link_member, unlink_member
from recruitlink.inbound.replays import ReplayResult, replay_item
from recruitlink.linkedin.versions import is_versioned
from recruitlink.settings import Settings
from recruitlink.store import Store, connections
from recruitlink.store import candidate_details as details
from recruitlink.store import files as stored_files
from recruitlink.store import identity as stored_identity
from recruitlink.store import inbound_items as stored_items
from recruitlink.store.candidate_details import (
    KIND_NAMES,
    MAX_ALERTS,
    timeline,
)
from recruitlink.store.candidate_details import TIMELINE_PAGE as TIMELINE_PAGE  # the page size
from recruitlink.store.schema import candidates
from recruitlink.sync.ledger import load_ledger

from .. import json_input
from ..api_files import send_file
from .admin_setup import see_other
from .ats import candidate_name, not_on_linkedin, record_or_404
from .render import format_millis, render
from .security import PageError, PageUser, page_user, require_csrf

REPLAYED = {
    "applied": "Replayed: what LinkedIn sent is now on the candidate (see Details).",
    "unchanged": "Replayed: the candidate already held everything LinkedIn sent.",
    "partly": "Replayed: applied, but some values are still not kept; the reason is below.",
    "refused": "Replayed: still refused; the reason is below.",
    "failed": "Replayed: failed again; the reason is below."}
"""What a Replay did, by the code the redirect carries (`replay_notice`)."""

CONTACT_DONE = {"saved": "Saved: the email addresses and phone numbers. The sync sends the "
                         "candidate to LinkedIn again."}

def decode_event_cursor(value: str | None) -> tuple[int, int, int] | None:
    if not value:
        return None
    parts = value.split(".")
    try:
        at, kind, row_id = (int(p) for p in parts)
    except ValueError:
        at, kind, row_id = 0, 0, -1
    if len(parts) != 3 or kind not in KIND_NAMES or row_id < 0 or abs(at) >= 2**62 \
            or row_id >= 2**62:
        raise PageError(400, "This timeline link is broken (bad cursor): start again from "
                             "the newest.")
    return at, kind, row_id


@dataclass(frozen=True)
class Widget:
    """What the page needs to embed LinkedIn's profile widget (None fields: not connected)."""

    sdk_url: str
    client_id: str
    organization: str
    widget_type: str
    paused: bool = False
    """The workspace's sync is paused: nothing is read from LinkedIn Recruiter meanwhile."""


def profile_widget(conn: Connection, settings: Settings, tenant_id: int) -> Widget | None:
    box = secret_box(settings)
    info = connections.load(conn, tenant_id, box)
    if info is None or not info.client_id or info.status == "DISCONNECTED":
        return None
    return Widget(sdk_url=settings.linkedin_api_url.rstrip("/") + "/sdk.js",
                  client_id=info.client_id, organization=info.organization,
                  widget_type="CRM" if info.kind == "CRM" else "ATS", paused=info.paused)


def _details(conn: Connection, user: PageUser, external_id: str) -> dict[str, Any]:
    cand = record_or_404(conn, candidates, user.tenant_id, external_id, "candidate")
    source = details.source_of(conn, cand.source_id)
    contact = details.contact_of(conn, cand.source_contact_id)
    apps = details.applications_of(conn, cand.id)
    history = details.stage_history(conn, [a.id for a in apps])
    alerts = [{"row": row, "direction": direction, "name": candidate_name(row)}
              for direction, row in details.duplicate_alerts_of(conn, user.tenant_id, cand.id)]
    alerts.sort(key=lambda a: (a["row"].status != "open", -a["row"].created_at))
    memberships = details.project_memberships_of(conn, cand.id)
    found_files = candidate_files(conn, user.tenant_id, cand.id, [a.id for a in apps])
    return {"candidate": cand, "name": candidate_name(cand), "source": source,
            # Explainable identity: since when and why this member (issue 19, part 3).
            "link_origins": LINK_ORIGINS, "one_click_export": ONE_CLICK_EXPORT,
            "exported_by": EXPORTED_BY,
            "link_line": describe_link(cand.person_urn, cand.match_method,
                                       format_millis(cand.linked_at) if cand.linked_at
                                       else None, cand.link_evidence),
            "member_closed": member_closed(conn, user.tenant_id, cand.person_urn),
            "merges": [identity.merge_json(r) for r in
                       stored_identity.merges_of(conn, user.tenant_id, external_id)],
            "contact": contact, "applications": [{"row": a, "history": history[a.id]}
                                                 for a in apps],
            "alerts": alerts[:MAX_ALERTS], "projects": memberships,
            "last_export": event_log.last_export(conn, user.tenant_id, cand.id),
            # Exports of this candidate recruitlink refused: LinkedIn only said "sent".
            "refused_exports": event_log.refused_exports(conn, user.tenant_id, cand.id),
            "exported_jobs": event_log.exported_jobs(conn, user.tenant_id, cand.id),
            "files": found_files,
            # The files LinkedIn did not take (a DOCX as a CRM resume, ...), with its reason.
            "refused_files": refused_files(conn, user.tenant_id, found_files),
            # LinkedIn Hiring Assistant's evaluations, by application (None: its application
            # is gone; shown on the candidate).
            "evaluations": _by_application(
                li_evaluations.for_candidate(conn, user.tenant_id, cand.id)),
            # Why LinkedIn does not hold the candidate: the sync's open errors (Sync logs).
            "not_on_linkedin": not_on_linkedin(conn, user.tenant_id, "candidates", cand.id),
            # What LinkedIn sent for this candidate that was refused or partly rejected.
            "linkedin_problems": inbound_items.problems(
                conn, user.tenant_id, candidate_external_id=external_id, limit=MAX_ALERTS)}


def member_closed(conn: Connection, tenant_id: int, person: str | None) -> str | None:
    """When the candidate's LinkedIn member closed their account (the closure poller noted
    it on the candidate), as the pages show a time; None if not closed or not linked."""
    if not person:
        return None
    seen = stored_items.seen(conn, tenant_id, "closure", person)
    if seen is None or seen.outcome in stored_items.KEPT or seen.li_modified_at is None:
        return None
    return format_millis(seen.li_modified_at)


def candidate_files(conn: Connection, tenant_id: int, candidate_id: int,
                    application_ids: Sequence[int]) -> list[stored_files.StoredFile]:
    """The candidate's resume, then its applications' attachments."""
    return [*stored_files.owned(conn, tenant_id, "candidates", [candidate_id]),
            *stored_files.owned(conn, tenant_id, "applications", application_ids)]


def refused_files(conn: Connection, tenant_id: int,
                  found: Sequence[stored_files.StoredFile]) -> dict[int, str]:
    """File id -> why LinkedIn did not take it, for the files the sync holds as rejected."""
    held = load_ledger(conn, tenant_id, [("files", f.id) for f in found])
    return {entity_id: row.reason or "rejected" for (_, entity_id), row in held.items()
            if row.state == "rejected"}


def candidate_file(conn: Connection, user: PageUser, external_id: str,
                   file_id: str) -> stored_files.StoredFile:
    """One of the candidate's files by its id; a 404 page when there is no such file."""
    cand = record_or_404(conn, candidates, user.tenant_id, external_id, "candidate")
    app_ids = list(details.applications_by_id(conn, cand.id))
    found = next((f for f in candidate_files(conn, user.tenant_id, cand.id, app_ids)
                  if f.external_id == file_id), None)
    if found is None:
        raise PageError(404, f"Candidate {external_id!r} has no file {file_id!r}.", user=user)
    return found


def _by_application(found: list[dict[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    grouped: dict[str | None, list[dict[str, Any]]] = {}
    for evaluation in found:
        grouped.setdefault(evaluation["application"], []).append(evaluation)
    return grouped


FILE_ACCEPT = ",".join([*(f".{ext}" for ext in EXTENSIONS.values()), *FILE_TYPES])
"""The file inputs' `accept`: what core/files.py takes (the server checks the bytes)."""
FILES_DONE = {"uploaded": "Uploaded “{}”: it goes to LinkedIn with the next sync.",
              "replaced": "Replaced with “{}”: the new file goes to LinkedIn with the next sync.",
              "removed": "Removed “{}”: LinkedIn's copy goes with the next sync."}
"""What a file form did, by the code its redirect carries (pages/candidate_files.py)."""


def every(seconds: float) -> str:
    """`every 30 minutes` for the pollers' interval."""
    if seconds < 90:
        n, unit = round(seconds), "second"
    elif seconds < 5400:
        n, unit = round(seconds / 60), "minute"
    else:
        n, unit = round(seconds / 3600), "hour"
    return f"every {n} {unit}{'' if n == 1 else 's'}"


def files_notice(done: str | None, name: str | None) -> str | None:
    template = FILES_DONE.get(done or "")
    return template.format((name or "the file")[:200]) if template else None


def render_candidate(request: Request, settings: Settings, store: Store, user: PageUser,
                     external_id: str, *, before: str | None = None,
                     notice: str | None = None, upload_error: dict[str, str] | None = None,
                     contact_form: dict[str, Any] | None = None,
                     status_code: int = 200) -> HTMLResponse:
    """The candidate page; `upload_error` ({"form", "message"}) is shown next to the file
    form it is about."""
    cursor = decode_event_cursor(before)
    with store.reader() as conn:
        context = _details(conn, user, external_id)
        events, next_before = timeline(conn, context["candidate"].id,
                                       [a["row"].id for a in context["applications"]],
                                       cursor)
        widget = profile_widget(conn, settings, user.tenant_id)
    return render(request, "candidate.html", {
        **context, "title": context["name"], "events": events, "before": before,
        "next_before": next_before, "widget": widget,
        # Hiring Assistant evaluates exported applications: on the versioned API the page says
        # when an evaluation comes; the unversioned API has none, and the page says so where
        # one would be expected.
        "evaluations_expected": (widget is not None and widget.widget_type == "ATS"
                                 and is_versioned(settings.linkedin_api_version)),
        "evaluations_unavailable": (widget is not None and widget.widget_type == "ATS"
                                    and not is_versioned(settings.linkedin_api_version)
                                    and bool(context["exported_jobs"])),
        "poll_every": every(settings.poll_interval_seconds),
        "fit_labels": li_evaluations.FIT_LABELS,
        "assessment_labels": li_evaluations.ASSESSMENT_LABELS,
        "notice": notice, "upload_error": upload_error or {},
        # "Edit email addresses and phone numbers" as typed, with its errors (a 400).
        "contact_form": contact_form,
        "accept": FILE_ACCEPT, "user": user}, status=status_code)


def build_candidate_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/t/{slug}/candidates/{external_id}/files/{file_id}")
    def download_file(external_id: str, file_id: str,
                      user: PageUser = Depends(page_user)) -> Response:
        with store.reader() as conn:
            found = candidate_file(conn, user, external_id, file_id)
        return send_file(store, found)

    @router.get("/t/{slug}/candidates/{external_id}", response_class=HTMLResponse)
    def candidate_page(request: Request, external_id: str, before: str | None = None,
                       replayed: str | None = None, files: str | None = None,
                       file: str | None = None, merged: str | None = None,
                       unmerged: str | None = None, contact: str | None = None,
                       user: PageUser = Depends(page_user)) -> HTMLResponse:
        notice = (REPLAYED.get(replayed or "") or files_notice(files, file)
                  or merge_notice(merged, unmerged) or CONTACT_DONE.get(contact or ""))
        return render_candidate(request, settings, store, user, external_id, before=before,
                                notice=notice)

    @router.post("/t/{slug}/candidates/{external_id}/linkedin-items/replay",
                 dependencies=[Depends(require_csrf)])
    async def replay(request: Request, external_id: str,
                     user: PageUser = Depends(page_user)) -> Response:
        form = await request.form()
        kind, li_id = str(form.get("kind") or ""), str(form.get("li_id") or "")
        if kind not in inbound_items.KIND_LABELS:
            raise PageError(400, "This Replay button is broken (kind: not a LinkedIn item "
                                 "kind): reload the page.", user=user)
        if not 0 < len(li_id) <= 200:
            raise PageError(400, "This Replay button is broken (li_id: missing or too long):"
                                 " reload the page.", user=user)
        try:
            result = await run_in_threadpool(replay_item, store, user.tenant_id, kind, li_id,
                                             candidate_external_id=external_id)
        except LookupError as exc:
            raise PageError(404, "There is no such LinkedIn item on this candidate.",
                            user=user) from exc
        except NotReplayable as exc:
            raise PageError(409, f"Nothing to replay: {str(exc).split(': ', 1)[-1]}.",
                            user=user) from exc
        return see_other(f"/t/{user.tenant_slug}/candidates/{quote(external_id, safe='')}",
                         replayed=replay_notice(result))

    async def _answer(work: Any) -> JSONResponse:
        try:
            result = await run_in_threadpool(work)
        except LookupError as exc:
            return JSONResponse({"error": {"field": "candidate", "message": str(exc)}}, 404)
        except ValueError as exc:
            field = str(exc).split(":", 1)[0] if ":" in str(exc) else "person_urn"
            return JSONResponse({"error": {"field": field,
                                           "message": field_labels.labelled(str(exc))}}, 422)
        return JSONResponse({"candidate": result.candidate_id, "person_urn": result.person_urn,
                             "match_method": result.match_method, "changed": result.changed})

    @router.post("/t/{slug}/candidates/{external_id}/linkedin-link",
                 dependencies=[Depends(require_csrf)])
    async def link(request: Request, external_id: str,
                   user: PageUser = Depends(page_user)) -> JSONResponse:
        try:
            person = await _person_of(request)
        except JsonRefused as exc:
            field = exc.field or "body"
            return JSONResponse({"error": {"field": field, "message": f"{field} {exc.reason}"}},
                                400)
        return await _answer(lambda: link_member(store, user.tenant_id, external_id, person,
                                                 int(time.time() * 1000)))

    @router.post("/t/{slug}/candidates/{external_id}/linkedin-unlink",
                 dependencies=[Depends(require_csrf)])
    async def unlink(external_id: str, user: PageUser = Depends(page_user)) -> JSONResponse:
        return await _answer(lambda: unlink_member(store, user.tenant_id, external_id,
                                                   int(time.time() * 1000)))

    return router


def merge_notice(merged: str | None, unmerged: str | None) -> str | None:
    if merged:
        return (f"Merged candidate {merged[:200]} into this one: the sync deletes it on "
                "LinkedIn and sends this one again.")
    if unmerged:
        return (f"Unmerged candidate {unmerged[:200]}: it is a candidate again, with its "
                "applications, notes and InMails.")
    return None


def replay_notice(result: ReplayResult) -> str:
    """The REPLAYED code for a replay's result."""
    left = result.problem
    if left is None:
        return "applied" if result.added else "unchanged"
    if left.outcome in (inbound_items.REFUSED, inbound_items.FAILED):
        return left.outcome
    return "partly"


async def _person_of(request: Request) -> Any:
    """The person URN of a link call: JSON `{"person_urn": ...}` or a form field."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = json_input.loads(await request.body())
        return body.get("person_urn") if isinstance(body, dict) else None
    form = await request.form()
    return form.get("person_urn")
