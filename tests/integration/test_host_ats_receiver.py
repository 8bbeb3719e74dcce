"""The example ATS's webhook receiver (examples/host_ats), on its own: deliveries signed as
Standard Webhooks says (by the `standardwebhooks` library, as recruitlink's sender does) are
verified, applied once, and in order per record; forged, altered, stale and unsigned ones are
refused and change nothing. (Against a running recruitlink: tests/e2e/test_host_ats*.py.)"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from examples.host_ats.apply import Event, apply_event
from examples.host_ats.db import Database
from examples.host_ats.receiver import PATH, create_receiver
from examples.host_ats.recruitlink_api import Recruitlink
from standardwebhooks.webhooks import Webhook

from tests.support.servers import serve

SECRET = "whsec_" + base64.b64encode(b"k" * 24).decode()
OTHER = "whsec_" + base64.b64encode(b"x" * 24).decode()


def event(seq: int, type_: str, **data: Any) -> dict[str, Any]:
    return {"id": f"evt_{seq}", "cursor": str(seq), "type": type_,
            "timestamp": "2026-01-01T00:00:00.000Z", "data": data}


def signed(envelope: dict[str, Any], secret: str = SECRET, *, at: float | None = None,
           msg_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(envelope).encode()
    when = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    msg_id = msg_id or envelope["id"]
    return body, {"webhook-id": msg_id, "webhook-timestamp": str(int(when.timestamp())),
                  "webhook-signature": Webhook(secret).sign(msg_id, when, body),
                  "content-type": "application/json"}


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "ats.db")


@contextmanager
def receiver(db: Database, secrets: list[str],
             api: Recruitlink | None = None) -> Iterator[httpx.Client]:
    """The receiver under uvicorn on loopback, as `python -m host_ats receive` runs it."""
    with serve(create_receiver(db, api, secrets)) as url, \
            httpx.Client(base_url=url, timeout=30) as http:
        yield http


@pytest.fixture
def client(db: Database) -> Iterator[httpx.Client]:
    with receiver(db, [SECRET]) as http:
        yield http


def deliver(client: httpx.Client, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return client.post(PATH, content=body, headers=headers)


def problems(db: Database) -> list[tuple[str, str, str, str]]:
    return [(r["entity"], r["record_id"], r["field"], r["reason"])
            for r in db.query("SELECT * FROM problems ORDER BY event_id")]


REJECTED = event(7, "record.rejected", entity="candidates", id="C1", field="emails.0",
                 reason="not a valid email address", source="validation", batch=3)


def test_a_signed_delivery_is_applied_once(client, db):
    body, headers = signed(REJECTED)
    first = deliver(client, body, headers)
    assert (first.status_code, first.json()) == (200, {"outcome": "applied"})
    assert problems(db) == [("candidates", "C1", "emails.0", "not a valid email address")]
    # recruitlink retrying (a lost answer) or an admin replaying it: acknowledged, not re-applied
    again = deliver(client, *signed(REJECTED))
    assert (again.status_code, again.json()) == (200, {"outcome": "duplicate"})
    assert len(problems(db)) == 1
    assert [r["event_id"] for r in db.query("SELECT event_id FROM inbox")] == ["evt_7"]


def test_forged_altered_unsigned_and_stale_deliveries_are_refused(client, db):
    body, headers = signed(REJECTED, OTHER)  # signed with another secret
    assert deliver(client, body, headers).status_code == 401
    body, headers = signed(REJECTED)
    altered = body.replace(b"emails.0", b"phones.0")
    assert deliver(client, altered, headers).status_code == 401
    other_id = dict(headers, **{"webhook-id": "evt_8"})
    assert deliver(client, body, other_id).status_code == 401
    unsigned = {k: v for k, v in headers.items() if k != "webhook-signature"}
    assert deliver(client, body, unsigned).status_code == 401
    # A genuine delivery captured and sent again later: its timestamp is too old.
    old = signed(REJECTED, at=time.time() - 3600)
    assert deliver(client, *old).status_code == 401
    assert problems(db) == [] and db.query("SELECT * FROM inbox") == []


def test_the_body_must_be_the_event_the_header_names(client, db):
    body, headers = signed(REJECTED, msg_id="evt_99")  # signed, but the id is not the body's
    assert deliver(client, body, headers).status_code == 400
    assert problems(db) == []


def test_during_rotation_either_secret_verifies(db):
    refused = event(9, "export.refused", reason="the candidate is confidential",
                    request="req-1", seat="urn:li:seat:1", person="urn:li:person:p1")
    with receiver(db, [OTHER, SECRET]) as client:
        assert deliver(client, *signed(REJECTED)).status_code == 200
        assert deliver(client, *signed(refused, OTHER)).status_code == 200
    assert ("member", "urn:li:person:p1", None, "the candidate is confidential") in problems(db)


def test_an_older_event_never_undoes_a_newer_one_of_the_same_record(db):
    newer = event(12, "integration.status_changed", to="PAUSED", **{"from": "ACTIVE"})
    older = event(10, "integration.status_changed", to="ACTIVE", **{"from": "PENDING"})
    assert apply_event(db, None, newer, via="webhook") == "applied"
    assert apply_event(db, None, older, via="webhook") == "superseded"
    assert db.get_state("integration_status") == "PAUSED"
    # Another record's events are independent of this one's.
    assert apply_event(db, None, event(11, "candidate.deleted", candidate="C9"),
                       via="feed") == "applied"


def test_record_keys_follow_the_subject():
    assert Event.parse(event(1, "candidate.updated", candidate="C1")).record_key == "candidate:C1"
    assert Event.parse(event(2, "seat.mapping_changed", seat="urn:li:seat:9")).record_key == \
        "seat:urn:li:seat:9"
    # Facts of their own: a later one never makes an earlier one stale.
    assert Event.parse(REJECTED).record_key == "event:evt_7"
    assert Event.parse(event(3, "sync.milestone_reached", milestone=1)).record_key == \
        "event:evt_3"


def test_facts_are_never_superseded(db):
    later = event(8, "record.rejected", entity="candidates", id="C1", field="phones.0",
                  reason="not a phone number")
    assert apply_event(db, None, later, via="webhook") == "applied"
    assert apply_event(db, None, REJECTED, via="webhook") == "applied"
    assert len(problems(db)) == 2


@pytest.mark.parametrize("body", [b"[]", b'{"id": "evt_1"}', b'{"id": "evt_1", "cursor": "x",'
                                  b' "type": "a.b"}', b"not json"])
def test_a_signed_body_that_is_not_an_event_is_a_400(client, db, body):
    when = datetime.now(UTC)
    headers = {"webhook-id": "evt_1", "webhook-timestamp": str(int(when.timestamp())),
               "webhook-signature": Webhook(SECRET).sign("evt_1", when, body)}
    assert deliver(client, body, headers).status_code == 400
    assert db.query("SELECT * FROM inbox") == []


def test_an_oversized_body_is_refused_before_anything_else(client, db):
    body, headers = signed(event(5, "record.rejected", entity="candidates", id="C1",
                                 field="x", reason="r" * (1 << 20)))
    assert deliver(client, body, headers).status_code == 413
    assert db.query("SELECT * FROM inbox") == []


def test_a_record_that_cannot_be_read_back_is_retried_later(db):
    """recruitlink's data API unreachable: 503 with Retry-After, nothing recorded, so the
    delivery comes again."""
    unreachable = Recruitlink("http://127.0.0.1:9", "rlk_x_y", timeout=2)
    created = event(4, "candidate.created", candidate="C1", source="one_click_export")
    with receiver(db, [SECRET], unreachable) as client:
        answer = deliver(client, *signed(created))
    unreachable.close()
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "30")
    assert db.query("SELECT * FROM inbox") == [] and db.query("SELECT * FROM versions") == []
