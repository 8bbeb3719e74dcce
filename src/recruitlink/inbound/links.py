"""The LinkedIn profile widget's Link and Unlink, persisted (reference §6.1).

The widget stores nothing: it calls the ATS page back with the member's person URN, and the
ATS keeps the choice on its candidate. `link_member` sets `person_urn` with match method
"profile_widget", a manual match that the sync sends as `manualMatchedMember` (see
`core.mapping.MANUAL_MATCH_METHODS`), which then wins over LinkedIn's own matching.
`unlink_member` clears `person_urn` and sets "unlinked", so no manual match is sent any more.
Both write through the store's Writer, so the changelog carries the change to the sync; both
are idempotent (a repeat changes nothing and writes no changelog row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recruitlink.core.records import Candidate
from recruitlink.store import Store, Writer
from recruitlink.store import identity as stored

PERSON_URN = re.compile(r"^urn:li:person:[A-Za-z0-9_-]{1,80}$")
LINKED = "profile_widget"
UNLINKED = "unlinked"


@dataclass(frozen=True)
class LinkResult:
    candidate_id: str
    person_urn: str | None
    match_method: str | None
    changed: bool


def check_person_urn(person_urn: object) -> str:
    """The URN if it is a LinkedIn member's (`urn:li:person:...`); ValueError naming it."""
    if not isinstance(person_urn, str) or not PERSON_URN.match(person_urn):
        shown = repr(person_urn)[:120]
        raise ValueError(f"person_urn: must be a LinkedIn member URN like "
                         f"urn:li:person:AbC123, not {shown}")
    return person_urn


def _write(writer: Writer, candidate_external_id: str, model: Candidate) -> LinkResult:
    (outcome,) = writer.records("candidates", [(0, model)], mode="update")
    if outcome.status == "rejected":
        if outcome.http_status == 404:
            raise LookupError(f"candidate: no candidate {candidate_external_id!r} in this "
                              f"tenant")
        reasons = "; ".join(f"{e['field']}: {e['reason']}" for e in outcome.errors)
        raise ValueError(reasons)
    return LinkResult(candidate_external_id, model.person_urn, model.match_method,
                      outcome.status == "updated")


def link_member(store: Store, tenant_id: int, candidate_external_id: str, person_urn: str,
                now_ms: int | None = None) -> LinkResult:
    """Link the candidate to the member `person_urn` (a manual match, synced to LinkedIn).
    ValueError naming the field for a bad URN; LookupError for an unknown candidate."""
    urn = check_person_urn(person_urn)
    model = Candidate(id=candidate_external_id, person_urn=urn, match_method=LINKED)
    with store.writer(tenant_id) as writer:
        if now_ms is not None:
            writer.now_ms = now_ms
        return _write(writer, candidate_external_id, model)


def unlink_member(store: Store, tenant_id: int, candidate_external_id: str,
                  now_ms: int | None = None) -> LinkResult:
    """Forget the candidate's member: no `manualMatchedMember` is sent any more.
    LookupError for an unknown candidate; ValueError naming `emails` for a linked candidate
    without an email address: LinkedIn holds a candidate without one only while it is linked
    to a member (reference §3.2), so the unlink could never reach LinkedIn (the sync would
    reject the candidate) and the widget would keep showing the link."""
    model = Candidate(id=candidate_external_id, person_urn=None, match_method=UNLINKED)
    with store.writer(tenant_id) as writer:
        if now_ms is not None:
            writer.now_ms = now_ms
        row = stored.link_and_emails(writer.conn, tenant_id, candidate_external_id)
        if row is not None and row.person_urn and not row.emails:
            raise ValueError("emails: this candidate has no email address, and LinkedIn keeps "
                             "a candidate without one only while it is linked to a LinkedIn "
                             "member. Add an email address to the candidate, then unlink.")
        return _write(writer, candidate_external_id, model)
