"""A claim round's candidate read (store/webhook_deliveries.due) on SQLite and PostgreSQL: at
most `per_endpoint` per endpoint, the oldest due first, one endpoint's long backlog crowding
out no other; and the database reads each endpoint's firsts through the
(endpoint_id, status, next_attempt_at, id) index, as its EXPLAIN shows, not by scanning
every pending delivery."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import insert

from recruitlink.crypto import SecretBox
from recruitlink.store import host_events, webhooks
from recruitlink.store import webhook_deliveries as queue
from recruitlink.store.schema import webhook_deliveries
from tests.support.keys import TEST_SECRET_KEY

BOX = SecretBox(TEST_SECRET_KEY)
NOW = 1_750_000_000_000
INDEX = "ix_webhook_deliveries_endpoint_due"


def backlog(store, tenant, sizes: list[int]) -> list[int]:
    """An endpoint per size with that many pending deliveries, due one millisecond apart
    (the bigger backlogs' oldest first); the endpoints' ids."""
    with store.db.write() as conn:
        endpoints = [webhooks.create_endpoint(conn, BOX, tenant.id, url=f"https://h{i}.test/",
                                              types=[], now_ms=NOW)[0].id
                     for i in range(len(sizes))]
        rows = []
        for endpoint, size in zip(endpoints, sizes, strict=True):
            for n in range(size):
                seq = host_events.emit(conn, tenant.id, "candidate.updated", f"E{endpoint}-{n}",
                                       {}, at_ms=NOW)
                rows.append({"tenant_id": tenant.id, "endpoint_id": endpoint, "event_seq": seq,
                             "record_key": f"candidate:E{endpoint}-{n}", "status": "pending",
                             "attempts": 0, "next_attempt_at": NOW - size + n,
                             "created_at": NOW})
        conn.execute(insert(webhook_deliveries), rows)
    return endpoints


def test_at_most_per_endpoint_each_the_oldest_first(store, tenant):
    big, small, tiny = backlog(store, tenant, [600, 5, 1])
    with store.db.read() as conn:
        found = queue.due(conn, now_ms=NOW, limit=8, per_endpoint=3)
    per = Counter(c.endpoint_id for c in found)
    assert per == {big: 3, small: 3, tiny: 1}  # the 600 oldest crowd out neither other
    due_at = [(c.endpoint_id, c.seq) for c in found]
    firsts = {ep: sorted(seq for e, seq in due_at if e == ep) for ep in per}
    with store.db.read() as conn:
        for ep in per:
            oldest = sorted(d.event_seq for d in webhooks.list_deliveries(
                conn, tenant.id, ep, limit=1000))[:per[ep]]
            assert firsts[ep] == oldest
    with store.db.read() as conn:  # 2 x limit of the firsts, the oldest due first
        fewer = queue.due(conn, now_ms=NOW, limit=2, per_endpoint=3)
    assert [c.endpoint_id for c in fewer] == [big, big, big, small]


def plan_of(conn, statement) -> str:
    sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    return "\n".join(" ".join(str(col) for col in row)
                     for row in conn.exec_driver_sql(explain + sql, ()))


def assert_no_full_scan(conn, plan: str) -> None:
    if conn.dialect.name == "sqlite":
        assert "SCAN webhook_deliveries" not in plan and "SCAN c " not in plan, plan
    else:
        assert "Seq Scan on webhook_deliveries" not in plan, plan


@pytest.mark.parametrize("analyzed", [False, True])
def test_the_candidates_are_read_through_the_endpoint_index(store, tenant, analyzed):
    """With the planner's statistics and, on SQLite, without (SQLite gathers none by itself;
    PostgreSQL's autovacuum does)."""
    if store.db.dialect == "postgresql" and not analyzed:
        pytest.skip("PostgreSQL's autovacuum analyzes a table that changed")
    endpoints = backlog(store, tenant, [3000, 3000, 10])
    with store.db.write() as conn:
        if analyzed:
            conn.exec_driver_sql("ANALYZE")
        if conn.dialect.name == "postgresql":
            plans = [plan_of(conn, queue._DUE_LATERAL.params(
                now=NOW, per_endpoint=4, candidates=8, full=[-1]))]
        else:
            plans = [plan_of(conn, queue._FIRSTS_OF.params(now=NOW, per_endpoint=4,
                                                          endpoint=endpoints[0]))]
            rows = plan_of(conn, queue._ROWS.params(ids=[1, 2], candidates=8))
            assert_no_full_scan(conn, rows)
        for due in plans:
            assert INDEX in due, due
            assert_no_full_scan(conn, due)  # only an endpoint's firsts are read
        in_flight = plan_of(conn, queue._IN_FLIGHT.params(now=NOW))
        assert "ix_webhook_deliveries_claimed" in in_flight, in_flight
        assert_no_full_scan(conn, in_flight)
