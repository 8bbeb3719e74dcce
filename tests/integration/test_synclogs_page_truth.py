"""The sync logs pages after a sync with a failed and an excluded record (issue 15.4): the
failed-records figure is the Retry button's, the batch table has Excluded apart from
Unchanged, and View errors gives the reason in plain words with the field's label and
LinkedIn's raw message one click away (a <details>, no script)."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from recruitlink.store import schema
from tests.integration.test_pages_admin import (  # noqa: F401  (site is a fixture)
    BASE,
    connected_and_synced,
    site,
)


def test_failed_figure_excluded_column_and_plain_reasons(site):  # noqa: F811
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    logs = admin.get(f"{BASE}/sync-logs").text
    figure = re.search(r'<strong class="open-errors"[^>]*>([\d,]+)</strong>', logs)
    assert figure and figure.group(1) == "1"  # C3: one record, two failed checks
    assert f"Retry the {figure.group(1)} failed record</button>" in logs
    assert "<th class=\"num\">Unchanged</th><th class=\"num\">Excluded</th>" in logs
    assert re.search(r'<tr class="milestone" data-milestone="activities">', logs)
    with site.store.reader() as conn:
        error = conn.execute(select(schema.sync_errors).where(
            schema.sync_errors.c.tenant_id == site.acme.id)).first()
    page = admin.get(f"{BASE}/sync-logs/batches/{error.batch_id}").text
    row = re.search(rf'<tr data-error="{error.id}".*?</tr>', page, re.S)
    assert row
    cell = re.search(r'<td class="reason">(.*?)<details>', row.group(0), re.S)
    assert cell and cell.group(1).strip() == "Email address 1: not a valid email address"
    raw = re.search(r"<details><summary>The check's full message</summary><pre>(.*?)</pre>",
                    html.unescape(row.group(0)), re.S)
    # C3's two failed checks of one address are one row, both messages kept under it.
    with site.store.reader() as conn:
        reasons = [r.reason for r in conn.execute(select(schema.sync_errors.c.reason).where(
            schema.sync_errors.c.batch_id == error.batch_id,
            schema.sync_errors.c.entity_id == error.entity_id).order_by(
            schema.sync_errors.c.id))]
    assert len(reasons) == 2
    assert raw and raw.group(1).splitlines() == reasons
    assert page.count("<tr data-error=") == 1
    # The batch's Retry button counts records too (C3 failed two checks: one record).
    assert "Retry this batch's failed records (1)" in html.unescape(page)


def test_the_entity_filter_offers_only_what_the_workspace_syncs(site):  # noqa: F811
    """An ATS workspace (Recruiter System Connect) sends no pipelines, interactions nor
    candidate resumes: its Sync logs filter no longer offers them, entities that never have a
    batch there (a CRM workspace still has them)."""
    admin = site.client("ada@acme.example")
    logs = admin.get(f"{BASE}/sync-logs").text
    select_ = re.search(r'<select[^>]*name="entity".*?</select>', logs, re.S)
    assert select_, logs
    offered = re.findall(r'<option value="([^"]*)"', select_.group(0))
    assert "jobs" in offered and "candidates" in offered and "applications" in offered
    for crm_only in ("projects", "project_stages", "project_memberships", "interactions",
                     "candidate_resumes"):
        assert crm_only not in offered, offered
    # A link kept from elsewhere still filters (nothing listed), it is not an error.
    assert admin.get(f"{BASE}/sync-logs", params={"entity": "projects"}).status_code == 200
