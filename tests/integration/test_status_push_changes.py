"""Integration status pushes say which feature changed and whether it was turned on or off
(reviewer's walk: a push sent after the admin turned a feature OFF read "Enabled"), on SQLite
and PostgreSQL, in both of LinkedIn's API families: the sandbox pushes, recruitlink asks
LinkedIn's `q=request` finder what that request changed and keeps it with the push."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import re

from sqlalchemy import update

from recruitlink.inbound import event_log
from recruitlink.store import connections, schema
from tests.conftest import both_families
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    CONTRACT,
    ORG,
    engine,
    server,
    wait_for_events,
    wired,
)

pytestmark = both_families

OFF = "Profile widget: Turned off in LinkedIn Recruiter"
ON = "Profile widget: Turned on in LinkedIn Recruiter"


def status_rows(store, tenant_id: int) -> list[dict]:
    """The Exports page's status rows, oldest first."""
    with store.reader() as conn:
        page = event_log.events(conn, tenant_id, event_log.EventFilter(
            type="INTEGRATION_STATUS_CHANGE"))
    return list(reversed(page.rows))


def test_each_status_push_names_the_feature_and_the_change(store, tenant, li, engine, wired):
    enabling = status_rows(store, tenant.id)
    assert [r["changes"] for r in enabling] == [
        [f"Recruiter data (InMails, notes, seats) ({CONTRACT}): Turned on in LinkedIn "
         "Recruiter"],
        ["1-Click Export: Turned on in LinkedIn Recruiter",
         "In-ATS indicator: Turned on in LinkedIn Recruiter", ON]]
    # The push that activated the integration says what it started, as the sync logs name
    # runs (it read "historical sync 3 started", an id alone in the Reason column).
    assert re.fullmatch(r"started the historical sync \(run \d+\)",
                        enabling[0]["reason"] or ""), enabling[0]
    assert enabling[1]["reason"] is None

    # The admin turns the profile widget off, then on again: the tenant stays enabled (an
    # optional feature), and each push says what it did, the older one still "off".
    for status in ("DISABLED", "ENABLED"):
        li.control.post("/integrations/status", json={
            "integrationContext": ORG, "status": status, "integrationTypes": ["PROFILE_PLUGIN"]})
        wait_for_events(store, 3 if status == "DISABLED" else 4)
    rows = status_rows(store, tenant.id)
    assert [r["label"] for r in rows[2:]] == [OFF, ON]
    assert [r["changes"] for r in rows[2:]] == [[OFF], [ON]]
    assert [r["outcome"] for r in rows] == ["enabled"] * 4  # the tenant's status, kept
    assert "Enabled" not in {r["label"] for r in rows}
    # LinkedIn answers each request with what it changed, not with today's status: a replay
    # of the older push would still read "off".
    client = engine.client_for(connections.load_required(store, tenant.id, engine.box))
    assert [(r["integrationType"], r["status"]) for r in client.integrations_for_request(
        rows[2]["request_id"])] == [("PROFILE_PLUGIN", "DISABLED")]


def test_a_status_push_kept_before_changes_were_recorded_says_it_was_checked(store, tenant,
                                                                             wired):
    with store.db.write() as conn:
        conn.execute(update(schema.inbox_events).where(
            schema.inbox_events.c.tenant_id == tenant.id,
            schema.inbox_events.c.type == "INTEGRATION_STATUS_CHANGE").values(details=None))
    rows = status_rows(store, tenant.id)
    assert {r["label"] for r in rows} == {"Status checked: enabled"}
    assert all(r["changes"] == [] for r in rows)
