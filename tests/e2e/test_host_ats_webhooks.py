"""Issue 18's acceptance, end to end over loopback against the sandbox: the example ATS
(examples/host_ats: its own SQLite database, its own receiver under uvicorn, speaking to
recruitlink only over HTTP) stays in step with what happens on LinkedIn's side.

- through verified webhooks: a One-Click Export clicked in the sandbox's Recruiter page (in
  Chromium) creates the candidate and the application in the example's database; a refused
  export arrives with its reason; a stub profile's email and an InMail reach the candidate; a
  record the sync rejected arrives with its field and reason; the member's account closed and
  purged deletes the candidate, application and InMails there too; forged deliveries are
  refused;
- through the change feed alone, the same (SQLite and PostgreSQL);
- the receiver down for a while, then up: every event arrives, in order per record, none
  applied twice, also when the deliveries are replayed (SQLite and PostgreSQL).
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import base64
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from examples.host_ats.db import Database
from examples.host_ats.feed import catch_up
from examples.host_ats.push import add_candidate, push_changes
from examples.host_ats.receiver import PATH, create_receiver
from examples.host_ats.recruitlink_api import Recruitlink
from standardwebhooks.webhooks import Webhook

from recruitlink.core.backoff import Backoff
from recruitlink.crypto import SecretBox
from recruitlink.inbound.closures import purge_closed
from recruitlink.runtime.servers import bound_socket, url_of
from recruitlink.settings import Settings
from recruitlink.store import Store, host_events, webhooks
from recruitlink.store.tenants import Tenant, create_api_key
from recruitlink.web import create_app
from tests.e2e.test_exports_browser import export_in_recruiter
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    KEY,
    engine,
    export,
    member,
    wait_for_events,
    wired,
)
from tests.integration.test_inbound_pollers import inmail, poller, reply
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
    save_screenshot,
)
from tests.support.servers import listening, refused_socket, serve

pytestmark = pytest.mark.timeout(600)

NOW = 1_700_000_000_000
FAST_RETRIES = Backoff(0.2, 2.0, 1.0, None)
"""Deliveries retried within a second (the product's default waits minutes, for three days)."""


@pytest.fixture
def server(store, li, linkedin_api_version) -> Iterator[str]:
    """recruitlink serving the data API, the push receiver and the webhook deliveries (the
    test drives the sync and the pollers itself, as tests/integration/test_inbound_* do)."""
    settings = Settings(secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                        linkedin_api_version=linkedin_api_version, background_sync=False,
                        pollers=False, webhook_retry=FAST_RETRIES)
    app = create_app(settings, store)
    with serve(app) as url:
        app.state.inbound.idle_s = 0.05
        yield url


@dataclass
class Host:
    """The example ATS: its database and its client of recruitlink's API."""

    db: Database
    api: Recruitlink
    store: Store
    tenant: Tenant
    url: str
    api_key: str

    def subscribe(self, url: str) -> str:
        """A webhook endpoint for every event type at `url`; its secret (shown once)."""
        with self.store.db.write() as conn:
            _, secret = webhooks.create_endpoint(conn, SecretBox(KEY), self.tenant.id,
                                                 url=url, types=(), now_ms=now_ms())
        return secret

    def recruitlink_events(self) -> list[Any]:
        with self.store.reader() as conn:
            return host_events.read_after(conn, self.tenant.id, 0, limit=10_000)


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def host(store, tenant, server, tmp_path: Path) -> Iterator[Host]:
    """The example ATS with its jobs, candidates (one with an email LinkedIn refuses) and an
    application pushed into recruitlink before the integration is connected."""
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="host ats", now_ms=NOW)
    api = Recruitlink(server, key)
    db = Database(tmp_path / "host_ats.db")
    from examples.host_ats.cli import seed
    seed(db)
    add_candidate(db, "HA-C3", "Cy", "Broken", email="cy.broken@@example")
    report = push_changes(db, api)
    assert report.sent == {"jobs": 2, "candidates": 3, "applications": 1}, report
    yield Host(db, api, store, tenant, server, key)
    api.close()


def wait_until(check: Callable[[], Any], what: str, timeout: float = 90.0,
               db: Database | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what}"
                                 + (f"\nthe example ATS holds: {dump(db)}" if db else ""))
        time.sleep(0.1)


def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    return {table: [dict(r) for r in db.query(f"SELECT * FROM {table}")]
            for table in ("candidates", "applications", "activities", "problems", "inbox")}


def ats_candidate(db: Database, **where: Any) -> Any:
    clause = " AND ".join(f"{k} = ?" for k in where)
    rows = db.query(f"SELECT * FROM candidates WHERE {clause}", tuple(where.values()))
    return rows[0] if rows else None


def problems(db: Database, kind: str) -> list[Any]:
    return db.query("SELECT * FROM problems WHERE kind = ? ORDER BY event_id", (kind,))


def linkedin_activity(li, store, tenant, engine, wired, export_member: Callable[[str], None]
                      ) -> dict[str, Any]:
    """What happens on LinkedIn's side: a member exported into J1 twice (the second refused),
    then they reply to an InMail sharing their contact details (a stub profile)."""
    m = member(li, 30)
    export_member(m["person"])
    export_member(m["person"])
    events = wait_for_events(store, 4)[2:]
    assert [e.outcome for e in events] == ["created", "failed"], events
    reply(li, inmail(li, wired["seat"], m["person"]), share=True)
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["stubs:updated"] == 1, report.outcomes
    profile = li.control.get(f"/members/{m['person']}").json()
    return {"member": m, "email": profile["emailAddresses"][0]}


def assert_in_step(host: Host, seen: dict[str, Any], via: str) -> None:
    """The example ATS's database holds what LinkedIn-side activity changed, each event once,
    in order per record."""
    db, person = host.db, seen["member"]["person"]
    expected = {e.envelope()["id"] for e in host.recruitlink_events()}
    wait_until(lambda: expected <= {r["event_id"] for r in db.query("SELECT event_id FROM inbox")},
               f"every event recruitlink wrote ({via})", db=db)
    exported = wait_until(lambda: ats_candidate(db, person_urn=person, email=seen["email"]),
                          f"the exported candidate with the stub profile's email ({via})", db=db)
    assert exported["origin"] == "linkedin" and exported["last_name"] == \
        seen["member"]["lastName"]
    # The email came by the stub profile's own event (not only by reading the record later).
    assert db.query("SELECT * FROM inbox WHERE type = 'candidate.updated' AND record_key = ?",
                    (f"candidate:{exported['id']}",))
    # The InMail and the member's reply, imported by recruitlink, are on the candidate too.
    inmails = db.query("SELECT * FROM activities WHERE kind = 'interaction' AND candidate_id = ?",
                       (exported["id"],))
    assert "Staff Engineer role" in {r["summary"] for r in inmails}, [dict(r) for r in inmails]
    (application,) = db.query("SELECT * FROM applications WHERE candidate_id = ?",
                              (exported["id"],))
    assert application["job_id"] == "J1" and application["origin"] == "linkedin"

    (refused,) = problems(db, "export.refused")
    assert refused["record_id"] == person
    assert "already" in refused["reason"] and "J1" in refused["reason"], refused["reason"]
    rejected = [p for p in problems(db, "record.rejected") if p["record_id"] == "HA-C3"]
    assert rejected and all("email" in (p["field"] or "") for p in rejected), \
        [dict(p) for p in rejected]
    assert all(p["reason"] for p in rejected)
    assert db.get_state("integration_status"), "the integration's status changes arrived"

    # Every event recruitlink wrote for the tenant, each once, by the way asked, in order per
    # record.
    inbox = db.query("SELECT * FROM inbox ORDER BY applied_order")
    assert {r["event_id"] for r in inbox} == expected
    assert len(inbox) == len(expected) and {r["via"] for r in inbox} == {via}
    assert all(r["outcome"] in ("applied", "gone") for r in inbox), [dict(r) for r in inbox]
    assert_ordered_per_record(inbox)


def member_closes_and_is_purged(li, store, tenant, engine, person: str) -> None:
    """The member closes their LinkedIn account; the admin purges them from the ATS."""
    assert li.control.post(f"/recruiter/members/{person}/close").status_code == 200
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["closures:notified"] == 1, report.outcomes
    assert purge_closed(store, tenant.id, person) == 1


def assert_purged(host: Host, person: str, via: str, catch_up_first: bool = False) -> None:
    """The purge reached the example ATS: the candidate, their application and their InMails
    are deleted there too (deletions are events like any other)."""
    db = host.db
    # Every event written so far: the closure's (an InMail-like activity created, the
    # candidate updated) and the purge's deletions, each record's own webhook.
    expected = {e.envelope()["id"] for e in host.recruitlink_events()}

    def deleted() -> Any:
        # Each deletion is its own event (the dependents' first); webhooks for different
        # records may arrive in any order, so wait for all of them, not the candidate's alone
        # (the closure's activity, created and deleted by events of its own, may come last).
        if catch_up_first:
            catch_up(db, host.api)
        if not expected <= {r["event_id"] for r in db.query("SELECT event_id FROM inbox")}:
            return None
        found = ats_candidate(db, person_urn=person)
        if not (found and found["deleted"]):
            return None
        applications = [r["deleted"] for r in db.query(
            "SELECT deleted FROM applications WHERE candidate_id = ?", (found["id"],))]
        activities = {r["deleted"] for r in db.query(
            "SELECT deleted FROM activities WHERE candidate_id = ?", (found["id"],))}
        return found if applications == [1] and activities == {1} else None

    wait_until(deleted, f"the purged candidate, its application and its InMails deleted ({via})",
               db=db)
    assert_ordered_per_record(db.query("SELECT * FROM inbox ORDER BY applied_order"))


def assert_ordered_per_record(inbox: list[Any]) -> None:
    last: dict[str, int] = {}
    for row in inbox:
        assert row["cursor"] > last.get(row["record_key"], 0), (row["record_key"], row["cursor"])
        last[row["record_key"]] = row["cursor"]


@dataclass
class Receiving:
    url: str
    secret: str
    sock: socket.socket | None = None


@pytest.fixture
def receiving(host: Host) -> Iterator[Receiving]:
    """The example's receiver on loopback, subscribed to every event type before the
    integration is connected (so its status changes arrive too)."""
    sock = bound_socket()
    url = f"{url_of(sock)}{PATH}"
    secret = host.subscribe(url)
    with serve(create_receiver(host.db, host.api, [secret]), sock=sock):
        yield Receiving(url, secret)


@pytest.fixture
def receiver_down(host: Host) -> Iterator[Receiving]:
    """An endpoint subscribed at a loopback port where nothing listens yet. The port stays
    bound, not listening (connections to it are refused), until the receiver listens on it:
    let go meanwhile, an outgoing connection or another server could take it (ephemeral)."""
    sock = refused_socket()
    try:
        url = f"{url_of(sock)}{PATH}"
        yield Receiving(url, host.subscribe(url), sock)
    finally:
        sock.close()


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # a browser walk: once
def test_an_export_clicked_in_recruiter_reaches_the_example_ats_by_verified_webhooks(
        store, tenant, li, host, receiving, wired, engine, page):
    page.set_default_timeout(30_000)
    page.goto(f"{li.url}/recruiter/login?next=/recruiter/")
    page.click(f"button[data-seat='{wired['seat']['id']}']")
    notices: list[str] = []

    def click_export(person: str) -> None:
        notices.append(export_in_recruiter(page, person, "J1"))

    seen = linkedin_activity(li, store, tenant, engine, wired, click_export)
    save_screenshot(page, "host_ats_recruiter_export")
    assert all(n.startswith("Sent to your ATS") for n in notices), notices
    assert_in_step(host, seen, "webhook")
    member_closes_and_is_purged(li, store, tenant, engine, seen["member"]["person"])
    assert_purged(host, seen["member"]["person"], "webhook")

    # A delivery forged without the endpoint's secret is refused and changes nothing.
    before = host.db.query("SELECT COUNT(*) AS n FROM inbox")[0]["n"]
    assert forged_delivery(receiving.url, b"not-the-secret-but-24-bytes").status_code == 401
    assert host.db.query("SELECT COUNT(*) AS n FROM inbox")[0]["n"] == before
    assert ats_candidate(host.db, id="HA-C1")["deleted"] == 0


def test_the_change_feed_alone_keeps_the_example_ats_in_step(store, tenant, li, host, wired,
                                                             engine):
    seen = linkedin_activity(li, store, tenant, engine, wired,
                             lambda person: export_by_control(li, wired, person))

    def polled() -> Any:
        catch_up(host.db, host.api)
        return ats_candidate(host.db, person_urn=seen["member"]["person"], email=seen["email"])

    wait_until(polled, "the feed brings the stub profile's email")
    catch_up(host.db, host.api)
    assert_in_step(host, seen, "feed")
    member_closes_and_is_purged(li, store, tenant, engine, seen["member"]["person"])
    assert_purged(host, seen["member"]["person"], "feed", catch_up_first=True)
    # Read again from the start: every event is found applied, nothing changes.
    with host.db.write() as conn:
        conn.execute("DELETE FROM state WHERE key = 'feed_cursor'")
    before = [dict(r) for r in host.db.query("SELECT * FROM inbox ORDER BY applied_order")]
    assert catch_up(host.db, host.api) == len(before)
    assert [dict(r) for r in host.db.query("SELECT * FROM inbox ORDER BY applied_order")] == \
        before


def test_a_receiver_down_for_a_while_gets_every_event_once_in_order(
        store, tenant, li, host, receiver_down, wired, engine):
    seen = linkedin_activity(li, store, tenant, engine, wired,
                             lambda person: export_by_control(li, wired, person))
    # Nothing listens: the deliveries fail and wait for their next try.
    endpoint = only_endpoint(store, tenant)
    wait_until(lambda: any(d.attempts and d.status == "pending" and d.last_error
                           for d in deliveries(store, tenant, endpoint)),
               "failed attempts at the dead endpoint")
    assert ats_candidate(host.db, person_urn=seen["member"]["person"]) is None

    app = create_receiver(host.db, host.api, [receiver_down.secret])
    assert receiver_down.sock is not None
    with serve(app, sock=listening(receiver_down.sock)):
        assert_in_step(host, seen, "webhook")
        wait_until(lambda: all(d.status == "delivered"
                               for d in deliveries(store, tenant, endpoint)),
                   "every delivery marked delivered")
        # An admin replays every delivery: each arrives again, none is applied twice.
        applied = [dict(r) for r in host.db.query("SELECT * FROM inbox ORDER BY applied_order")]
        replayed_at = now_ms()
        with store.db.write() as conn:
            replayed = webhooks.replay_range(conn, tenant.id, endpoint, since_ms=0,
                                             until_ms=replayed_at + 60_000, now_ms=replayed_at)
        assert replayed == len(applied)
        wait_until(lambda: all(d.status == "delivered" and (d.delivered_at or 0) >= replayed_at
                               for d in deliveries(store, tenant, endpoint)),
                   "the replays delivered")
        assert [dict(r) for r in host.db.query(
            "SELECT * FROM inbox ORDER BY applied_order")] == applied


def export_by_control(li, wired, person: str) -> None:
    """The same export as the Recruiter page's button (its form posts to the same action)."""
    export(li, wired["seat"], person, externalJobPostingId="J1")


def only_endpoint(store: Store, tenant: Tenant) -> int:
    with store.reader() as conn:
        (endpoint,) = webhooks.list_endpoints(conn, tenant.id)
    return endpoint.id


def deliveries(store: Store, tenant: Tenant, endpoint_id: int) -> list[Any]:
    with store.reader() as conn:
        return webhooks.list_deliveries(conn, tenant.id, endpoint_id, limit=1000)


def forged_delivery(url: str, wrong_secret: bytes) -> httpx.Response:
    """A well-formed delivery signed with a secret that is not the endpoint's."""
    body = (b'{"id":"evt_999999","cursor":"999999","type":"candidate.deleted",'
            b'"timestamp":"2026-01-01T00:00:00.000Z","data":{"candidate":"HA-C1"}}')
    stamp = datetime.now(UTC)
    forger = Webhook("whsec_" + base64.b64encode(wrong_secret).decode())
    return httpx.post(url, content=body, timeout=30, headers={
        "webhook-id": "evt_999999", "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": forger.sign("evt_999999", stamp, body)})
