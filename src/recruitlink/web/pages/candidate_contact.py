"""The candidate page's "Edit email addresses and phone numbers", for admins:

    POST /t/{slug}/candidates/{id}/contact   form `emails`, `phones`: one per line

Sync logs name an invalid email address or phone number as the most common reason LinkedIn
refuses a candidate (PageUp: "The email address is invalid ... or The phone number is
invalid") and send the admin to the candidate from View errors; here the admin corrects it,
and the sync sends the candidate again (the same update as the data API's PATCH).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from recruitlink.core.records import Candidate
from recruitlink.settings import Settings
from recruitlink.store import Store
from recruitlink.store.schema import candidates

from .admin_setup import see_other
from .ats import record_or_404
from .candidate import render_candidate
from .security import PageUser, admin, require_csrf

MOST_LINES = 20
"""As many as a candidate holds (the data API's limit)."""

LABELS = {"emails": "Email addresses", "phones": "Phone numbers"}


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def parse(emails: str, phones: str, kept: list[dict[str, Any]]
          ) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields to update, or the errors by field. A phone number already held keeps its
    type and extension."""
    found = {"emails": lines(emails), "phones": lines(phones)}
    errors = {name: f"{LABELS[name]}: at most {MOST_LINES}, one per line."
              for name, values in found.items() if len(values) > MOST_LINES}
    if errors:
        return {}, errors
    by_number = {str(p.get("number")): p for p in kept}
    held = [{k: v for k, v in by_number.get(n, {}).items() if k in ("type", "extension")}
            for n in found["phones"]]
    return {"emails": found["emails"],
            "phones": [{**kind, "number": n} for n, kind in zip(found["phones"], held,
                                                                 strict=True)]}, {}


def build_contact_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post("/t/{slug}/candidates/{external_id}/contact",
                 dependencies=[Depends(require_csrf)])
    async def save_contact(request: Request, external_id: str,
                           user: PageUser = Depends(admin)) -> Response:
        form = await request.form()
        emails, phones = str(form.get("emails") or ""), str(form.get("phones") or "")
        with store.reader() as conn:
            row = record_or_404(conn, candidates, user.tenant_id, external_id, "candidate")
        values, errors = parse(emails, phones, list(row.phones or []))
        if not errors:
            try:
                record = Candidate.model_validate({"id": external_id, **values})
            except ValidationError as exc:
                first = exc.errors()[0]
                field = str(first["loc"][0]) if first["loc"] else "emails"
                errors = {field if field in LABELS else "emails":
                          f"{LABELS.get(field, LABELS['emails'])}: {first['msg']}."}
        if not errors:
            # The pages' WAKE_SYNC starts the sync's next round: the candidate is sent again.
            # Refused: the store's own checks (a unique field, a candidate gone meanwhile).
            errors = await run_in_threadpool(_update, store, user.tenant_id, record)
        if errors:  # the form again, as typed, with each field's reason
            return render_candidate(request, settings, store, user, external_id,
                                    contact_form={"emails": emails, "phones": phones,
                                                  "errors": errors}, status_code=400)
        return see_other(f"/t/{user.tenant_slug}/candidates/{quote(external_id, safe='')}",
                         contact="saved")

    return router


def _update(store: Store, tenant_id: int, record: Candidate) -> dict[str, str]:
    """Saves the contact fields; the errors by form field when the store refuses them."""
    with store.writer(tenant_id) as writer:
        (outcome,) = writer.records("candidates", [(0, record)], mode="update")
    if outcome.status != "rejected":
        return {}
    errors: dict[str, str] = {}
    for error in outcome.errors or []:
        field = str(error.get("field", "")).split(".")[0]
        field = field if field in LABELS else "emails"
        errors.setdefault(field, f"{LABELS[field]}: {error.get('reason', 'refused')}.")
    return errors
