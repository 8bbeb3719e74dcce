"""The sandbox's prepared statements (compiled once, run by the driver) bind what they are
given and keep the statement's literal values, run in the request's transaction (rolled back
with it), and refuse what would need SQLAlchemy's own processing."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, select, update

from recruitlink.sandbox.store import Prepared, Store, counters, records


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
