"""Sync logs, View errors: a note held back because its candidate is not on LinkedIn names
that candidate and says why in plain words, so the person knows which record to fix (the
walk found "candidate: its candidate is not on LinkedIn (field is required but not found and
has no default value ...)": no id, LinkedIn's raw wording)."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from recruitlink.core.records import Note
from recruitlink.store import schema
from tests.integration.test_pages_admin import BASE, connected_and_synced, running_site


def test_a_note_of_a_rejected_candidate_names_it_and_its_plain_reason(store, li):
    with running_site(store, li) as site:
        with store.writer(site.acme.id) as w:  # C3's email is invalid: C3 is rejected
            w.records("notes", [(0, Note(id="N1", candidate_id="C3", body="Met at a fair"))],
                      mode="create")
        admin = site.client("ada@acme.example")
        connected_and_synced(site, admin)
        with store.reader() as conn:
            error = conn.execute(select(schema.sync_errors).where(
                schema.sync_errors.c.tenant_id == site.acme.id,
                schema.sync_errors.c.external_id == "N1")).one()
            ledger = conn.execute(select(schema.sync_ledger.c.reason).where(
                schema.sync_ledger.c.tenant_id == site.acme.id,
                schema.sync_ledger.c.external_id == "C3")).scalar_one()
        page = admin.get(f"{BASE}/sync-logs/batches/{error.batch_id}")
        assert page.status_code == 200
        row = re.search(rf'<tr data-error="{error.id}".*?</tr>', page.text, re.S)
        assert row is not None
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row.group(0))).split())
        assert "its candidate C3 is not on LinkedIn (Email address 1: not a valid email " \
               "address)" in text, text
        # The audit trail shows the ledger's reason: the same plain words.
        assert ledger == "Email address 1: not a valid email address"
