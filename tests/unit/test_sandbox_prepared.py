"""The sandbox's prepared statements (compiled once, run by the driver) bind what they are
given and keep the statement's literal values, run in the request's transaction (rolled back
with it), and refuse what would need SQLAlchemy's own processing."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, select, update

from recruitlink.sandbox.store import BulkInsert, Prepared, Store, counters, records


def test_a_prepared_statement_binds_names_and_literals_in_the_request_transaction() -> None:
    store = Store(":memory:")
    add = Prepared(insert(counters).values(name=bindparam("name"), value=7))
    read = Prepared(select(counters.c.value).where(counters.c.name == bindparam("name"),
                                                   counters.c.value > 1))
    with store.tx() as conn:
        add.run(conn, {"name": "kept"})
    with pytest.raises(RuntimeError), store.tx() as conn:
        add.run(conn, {"name": "undone"})
        assert read.scalar(conn, {"name": "undone"}) == 7  # seen inside the transaction
        raise RuntimeError
    with store.tx() as conn:
        assert read.scalar(conn, {"name": "kept"}) == 7
        assert read.first(conn, {"name": "undone"}) is None


def test_what_needs_sqlalchemys_processing_is_refused() -> None:
    with pytest.raises(ValueError, match="expanding IN"):
        Prepared(select(counters.c.value).where(
            counters.c.name.in_(bindparam("names", expanding=True))))
    with pytest.raises(ValueError, match="body"):
        Prepared(update(records).values(body=bindparam("body")))


def test_a_bulk_insert_of_values_stores_what_one_of_mappings_stores() -> None:
    """`run_values` (values in the statement's order) writes the rows `run` writes, JSON
    columns as SQLAlchemy reads them back, in the caller's transaction."""
    store = Store(":memory:")
    bulk = BulkInsert(insert(records))
    row = {"resource": "r", "parent": "", "org": "o", "app_id": 1,
           "key_fields": {"k": "é"}, "body": {"a": [1, None, "x"]}, "candidate": None,
           "created_at": 1, "updated_at": 2}
    with store.tx() as conn:
        bulk.run(conn, [{**row, "key": "by-name"}])
        bulk.run_values(conn, [tuple({**row, "key": "by-value"}[n] for n in bulk.names)])
        bulk.run_values(conn, [])
    with store.tx() as conn:
        got = {r.key: r._asdict() for r in conn.execute(select(records))}
    assert set(got) == {"by-name", "by-value"}
    assert {**got["by-value"], "key": "by-name"} == got["by-name"]
    assert got["by-value"]["key_fields"] == {"k": "é"}
    assert got["by-value"]["body"] == {"a": [1, None, "x"]}
