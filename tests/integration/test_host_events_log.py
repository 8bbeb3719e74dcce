"""The host ATS's event log: written in the caller's transaction, read oldest first by cursor,
one tenant's events only, unknown types refused (issue 18)."""

from __future__ import annotations

import pytest

from recruitlink.core.host_events import UnknownEventType, parse_types
from recruitlink.store import host_events
from tests.conftest import make_tenant


def test_events_are_read_after_a_cursor_oldest_first(store, tenant):
    other = make_tenant(store, "globex")
    with store.db.write() as conn:
        first = host_events.emit(conn, tenant.id, "candidate.created", "c-1", {"id": "c-1"})
        host_events.emit(conn, other.id, "candidate.created", "c-9", {"id": "c-9"})
        second = host_events.emit(conn, tenant.id, "export.refused", None,
                                  {"reason": "the job is closed"})
    with store.db.read() as conn:
        page = host_events.read_after(conn, tenant.id, 0, limit=10)
        assert [e.seq for e in page] == [first, second]
        assert page[0].envelope()["id"] == f"evt_{first}"
        assert page[0].record_key == "candidate:c-1"
        assert [e.seq for e in host_events.read_after(conn, tenant.id, first, limit=10)] == [
            second]
        assert [e.type for e in host_events.read_after(
            conn, tenant.id, 0, limit=10, types=["export.refused"])] == ["export.refused"]
        assert host_events.head(conn, tenant.id) == second


def test_an_event_rolls_back_with_its_change(store, tenant):
    with pytest.raises(RuntimeError), store.db.write() as conn:
        host_events.emit(conn, tenant.id, "candidate.created", "c-1", {"id": "c-1"})
        raise RuntimeError("the change failed")
    with store.db.read() as conn:
        assert host_events.read_after(conn, tenant.id, 0, limit=10) == []


def test_unknown_types_are_refused(store, tenant):
    with pytest.raises(UnknownEventType), store.db.write() as conn:
        host_events.emit(conn, tenant.id, "candidate.exploded", "c-1", {})
    with pytest.raises(ValueError, match=r"candidate\.exploded"):
        parse_types("candidate.created, candidate.exploded")
    assert parse_types("candidate.created,,candidate.created") == ("candidate.created",)
