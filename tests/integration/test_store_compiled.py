"""Statements run on the driver's connection (store/compiled.py `run_compiled`) read and
write inside the caller's transaction, answer as a SQLAlchemy result would for the calls
the store makes, and fail with SQLAlchemy's errors, without their parameters; on both
databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError, NoResultFound

from recruitlink.store import Store
from recruitlink.store.compiled import run_compiled
from recruitlink.store.schema import sync_leases


def _insert() -> Any:
    return sync_leases.insert().values(tenant_id=bindparam("t"), owner=bindparam("o"),
                                       expires_at=bindparam("e"))


def _row() -> Any:
    return select(sync_leases.c.owner, sync_leases.c.expires_at).where(
        sync_leases.c.tenant_id == bindparam("t"))


def _extend() -> Any:
    return sync_leases.update().where(sync_leases.c.owner == bindparam("o")).values(
        expires_at=sync_leases.c.expires_at + bindparam("more"))


def test_reads_and_writes_in_the_callers_transaction(store: Store) -> None:
    with store.db.write() as conn:
        for tenant in (1, 2):
            run_compiled(conn, "test_insert", _insert, {"t": tenant, "o": "me", "e": 10})
        assert run_compiled(conn, "test_extend", _extend, {"o": "me", "more": 5}).rowcount == 2
        row = run_compiled(conn, "test_row", _row, {"t": 1}).one()
        assert (row.owner, row.expires_at) == ("me", 15)
    with store.reader() as conn:  # committed, and read without an explicit transaction
        assert run_compiled(conn, "test_row", _row, {"t": 2}).first() == ("me", 15)
        assert run_compiled(conn, "test_row", _row, {"t": 3}).scalar() is None
        assert run_compiled(conn, "test_row", _row, {"t": 3}).all() == []
        with pytest.raises(NoResultFound):
            run_compiled(conn, "test_row", _row, {"t": 3}).one()


def test_a_rolled_back_transaction_keeps_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.db.write() as conn:
        run_compiled(conn, "test_insert", _insert, {"t": 7, "o": "me", "e": 10})
        raise RuntimeError("roll back")
    with store.reader() as conn:
        assert run_compiled(conn, "test_row", _row, {"t": 7}).first() is None


def test_driver_errors_are_sqlalchemys_without_parameters(store: Store) -> None:
    with pytest.raises(IntegrityError) as raised, store.db.write() as conn:
        run_compiled(conn, "test_insert", _insert, {"t": 9, "o": "secret-owner", "e": 1})
        run_compiled(conn, "test_insert", _insert, {"t": 9, "o": "secret-owner", "e": 1})
    assert "secret-owner" not in str(raised.value)
    with store.reader() as conn:  # the failed transaction kept nothing
        assert run_compiled(conn, "test_row", _row, {"t": 9}).first() is None
