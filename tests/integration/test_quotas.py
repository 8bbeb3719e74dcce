"""Quotas in sight (issue 19, part 2), over loopback against the sandbox, on SQLite and
PostgreSQL: One-Click Exports left this month per Recruiter seat (300), the LinkedIn app's
requests left today and records left this minute per family, the stub-query cap among them;
warnings at 80%; the same answer from the API, the CLI and (tests/e2e/test_quotas_browser.py)
the pages."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.core.limits import EXPORTS_PER_SEAT_PER_MONTH, PROSPECT_FAMILY, copy_limits
from recruitlink.core.quotas import month_start_ms
from recruitlink.linkedin.budget import RateBudget
from recruitlink.store import schema
from tests.integration.test_data_api import client_for, new_key
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)


def quotas_of(server: str, store, tenant) -> dict[str, Any]:
    with client_for(server, new_key(store, tenant)) as api:
        answer = api.get("/linkedin/quotas")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def seat_of(body: dict[str, Any], seat: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in body["seats"] if s["seat"] == seat)
    return found


def budget_of(body: dict[str, Any], family: str) -> dict[str, Any]:
    found: dict[str, Any] = next(b for b in body["budgets"] if b["family"] == family)
    return found


def exported_earlier(store, tenant, seat: str, n: int) -> None:
    """`n` exports this seat made earlier this month, as the inbox keeps processed ones."""
    now = int(time.time() * 1000)
    with store.db.write() as conn:
        conn.execute(schema.inbox_events.insert(), [{
            "tenant_id": tenant.id, "type": "EXPORT_CANDIDATE_PROFILE",
            "request_id": f"earlier-{i}", "body": {}, "status": "done", "attempts": 1,
            "outcome": "created", "received_at": max(month_start_ms(now), now - 1000 - i),
            "next_attempt_at": now, "processed_at": now, "seat": seat} for i in range(n)])


def test_exports_per_seat_and_the_budgets_after_a_sync(store, tenant, li, wired, server):
    seat = wired["seat"]["seat"]
    for n in (0, 1):
        export(li, wired["seat"], member(li, 10 * n)["person"], externalJobPostingId="J1")
    wait_for_events(store, 4)

    body = quotas_of(server, store, tenant)
    assert body["connected"] is True
    assert body["exportsPerSeatPerMonth"] == EXPORTS_PER_SEAT_PER_MONTH == 300
    exports = seat_of(body, seat)["exports"]
    assert (exports["used"], exports["left"], exports["warning"]) == (2, 298, False)
    assert seat_of(body, seat)["user"] == "Rita Recruiter"
    # The historical sync went through the app's budget: what it used today shows.
    with store.reader() as conn:
        requests = dict(conn.execute(select(schema.rate_days.c.family,
                                            schema.rate_days.c.requests)).all())
    jobs = budget_of(body, "simpleJobPostings")
    assert jobs["label"] == "Jobs"
    assert jobs["today"]["used"] == requests["simpleJobPostings"] > 0
    assert jobs["today"]["left"] == 100_000 - requests["simpleJobPostings"]
    assert jobs["minute"] is None
    candidates = budget_of(body, "atsCandidates")
    assert (candidates["today"]["used"], candidates["minute"]["limit"]) == (0, 10_000)
    cap = budget_of(body, PROSPECT_FAMILY)
    assert cap["label"] == "InMail, stub profile and note reads"
    assert cap["today"]["limit"] == 100_000 and cap["minute"] is None
    assert body["warnings"] == []


def test_a_seat_at_80_percent_of_its_exports_is_warned_about(store, tenant, li, wired,
                                                             server):
    seat = wired["seat"]["seat"]
    exported_earlier(store, tenant, seat, 239)
    assert seat_of(quotas_of(server, store, tenant), seat)["exports"]["warning"] is False
    export(li, wired["seat"], member(li, 0)["person"], externalJobPostingId="J1")
    wait_for_events(store, 3 + 239)

    body = quotas_of(server, store, tenant)
    exports = seat_of(body, seat)["exports"]
    assert (exports["used"], exports["left"], exports["percentUsed"]) == (240, 60, 80.0)
    assert exports["warning"] is True and exports["exhausted"] is False
    assert body["warnings"] == [  # the seat holder has no name at LinkedIn: the mapped user's
        "Rita Recruiter has used 240 of 300 One-Click Exports this month (60 left until "
        "the 1st)."]


def test_a_family_at_80_percent_of_its_day_is_warned_about_and_the_cli_says_so(
        store, tenant, li, wired, server, monkeypatch):
    with store.reader() as conn:
        client_id = conn.execute(select(schema.connections.c.client_id)).scalar_one()
        used = conn.execute(select(schema.rate_days.c.requests).where(
            schema.rate_days.c.family == "simpleJobPostings")).scalar() or 0
    # Jobs may take 10 more requests today than the sync used; 8 of them reserved: 80%.
    limits = copy_limits()
    limits["simpleJobPostings"].per_day = used + 10
    budget = RateBudget(store.db, client_id, limits)
    for _ in range(8):
        assert budget.try_acquire("simpleJobPostings", 1) == 0.0

    monkeypatch.setenv("RECRUITLINK_RATE_REQUESTS_PER_DAY", str(used + 10))
    runner = CliRunner()
    db = ["--database-url", store.db.url]
    shown = runner.invoke(cli, ["sync", "quotas", "--tenant", tenant.slug, "--json", *db])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    jobs = budget_of(body, "simpleJobPostings")["today"]
    assert (jobs["used"], jobs["left"], jobs["warning"]) == (used + 8, 2, True)
    assert any(w.startswith("Jobs: ") and "requests used today" in w for w in body["warnings"])

    words = runner.invoke(cli, ["sync", "quotas", "--tenant", tenant.slug, *db])
    assert words.exit_code == 0, words.output
    text = " ".join(words.output.split())
    assert "warning: Jobs:" in text and f"{used + 8:,} of {used + 10:,}" in text
    assert "One-Click Exports in" in text


def test_not_connected_shows_the_seats_and_no_budgets(store, tenant, server):
    body = quotas_of(server, store, tenant)
    assert (body["connected"], body["seats"], body["budgets"], body["warnings"]) == (
        False, [], [], [])
