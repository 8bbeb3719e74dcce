"""Support bundles on the pages, in Debian's Chromium (issue 19.6): Sync logs -> View errors of
the batch LinkedIn refused a record in -> the batch's failed calls with their x-li-uuid ->
"Support bundle" of the record downloads the zip LinkedIn support asks for, with the
sandbox's x-li-uuid and no secret in it. Screenshot: artifacts/screenshots/support_bundle.png."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import User
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts
from recruitlink.web import create_app
from tests.integration.test_support_bundle import (  # noqa: F401  (pytest fixtures)
    KEY,
    assert_no_secret,
    engine,
    opened,
    refuse_a_note,
    sandbox,
    secrets_of,
    synced,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
    save_screenshot,
)
from tests.support.servers import serve

PASSWORD = "correct horse battery"


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk."""
    with sqlite_template.store() as fresh:
        yield fresh


def test_the_admin_downloads_a_failed_records_support_bundle(
        store, tenant, sandbox, engine, synced, page, tmp_path):  # noqa: F811
    error = refuse_a_note(store, tenant, sandbox, engine, synced)
    with store.writer(tenant.id) as w:
        w.records("users", [(90, User(id="ADM", name="Ada Admin", email="ada@acme.example",
                                      role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "ADM", PASSWORD)
    settings = Settings(secret_key=KEY, linkedin_api_url=sandbox.url,
                        linkedin_oauth_url=sandbox.url, background_sync=False, pollers=False,
                        inbound_worker=False, webhooks=False)
    with serve(create_app(settings, store)) as url:
        page.goto(f"{url}/login")
        page.get_by_label("Workspace").fill("acme")
        page.get_by_label("Email").fill("ada@acme.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{url}/t/acme/integrations/linkedin/sync-logs")
        page.locator(f"a[href$='/batches/{error['batch_id']}']").click()
        row = page.locator(f"tr[data-error='{error['id']}']")
        expect(row).to_contain_text("N9")
        calls = page.locator("table.failed-calls tbody tr[data-call]")
        expect(calls).to_have_count(1)
        uuid = calls.first.locator("td").nth(3).inner_text().strip()
        assert uuid and uuid in {e.li_uuid for e in sandbox.witness.exchanges}
        save_screenshot(page, "support_bundle")
        with page.expect_download() as waiting:
            row.get_by_role("link", name="Support bundle").click()
        download = waiting.value
        assert download.suggested_filename.startswith("recruitlink-support-acme-record-")
        saved = Path(tmp_path / download.suggested_filename)
        download.save_as(saved)
        content = saved.read_bytes()
        doc = json.loads(opened(content)["bundle.json"])
        assert doc["xLiUuids"] == [uuid]
        assert [r["id"] for r in doc["records"]] == ["N9"]
        assert_no_secret(content, secrets_of(sandbox, synced))
        # The batch's own link downloads too.
        with page.expect_download() as waiting:
            page.get_by_role("link", name="Download support bundle").click()
        assert waiting.value.suggested_filename.startswith("recruitlink-support-acme-batch-")
