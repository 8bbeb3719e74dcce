"""Recruiter seats pulled from the sandbox and mapped to ATS users, on both databases:
automatic mapping by email (any case), manual mapping and unmapping, and the changes an admin
must see (seat removed, reassigned, user deactivated)."""

from __future__ import annotations

from sqlalchemy import select, update

from recruitlink.core.records import User
from recruitlink.inbound.seats import map_seat, pull_seats, refresh_seats
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from tests.conftest import CONTRACT, both_families


def seats_by_urn(store, tenant_id):
    with store.reader() as conn:
        return {r.seat: r for r in conn.execute(select(schema.linkedin_seats).where(
            schema.linkedin_seats.c.tenant_id == tenant_id))}


@both_families
def test_seats_are_pulled_mapped_and_changes_noted(store, tenant, li, linkedin_api_version):
    client = LinkedInClient(api_url=li.url, oauth_url=li.url,
                            client_id=li.app.state.demo.client_id,
                            client_secret=li.app.state.demo.client_secret,
                            api_version=linkedin_api_version)
    try:
        pulled = pull_seats(client, [CONTRACT])
        assert len(pulled) == 5
        first, second, third = pulled[0], pulled[1], pulled[2]
        with store.writer(tenant.id) as w:
            outcomes = w.records("users", [
                (0, User(id="U1", name="One", email=first["emailAddress"].upper(),
                         role="recruiter")),
                (1, User(id="U2", name="Two", email="two@acme.example", role="recruiter"))],
                mode="create")
            assert [o.status for o in outcomes] == ["created", "created"]
        report = refresh_seats(store, tenant.id, pulled, now_ms=1)
        assert (report.added, report.mapped, report.unmapped) == (5, 1, 4)
        seats = seats_by_urn(store, tenant.id)
        assert seats[first["seat"]].mapping == "auto"
        # A pull that finds nothing new leaves each seat's time of last change alone: the
        # Members page's "Last change" said "seat added" at the time of the latest pull.
        refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=2)
        assert {s.updated_at for s in seats_by_urn(store, tenant.id).values()} == {1}

        # Manual mapping wins over email and survives a pull; unmapping stays unmapped.
        map_seat(store, tenant.id, third["seat"], "U2", now_ms=2)
        map_seat(store, tenant.id, first["seat"], None, now_ms=2)
        report = refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=3)
        seats = seats_by_urn(store, tenant.id)
        assert seats[first["seat"]].user_id is None and seats[first["seat"]].mapping == "manual"
        assert seats[third["seat"]].mapping == "manual" and seats[third["seat"]].user_id
        assert report.mapped == 1

        # Recruiter admin removes one seat and reassigns another.
        li.control.patch(f"/seats/{second['id']}", json={"active": False})
        other = li.control.get("/members", params={"start": 250, "count": 1}).json()[
            "elements"][0]
        li.control.patch(f"/seats/{third['id']}", json={"person": other["person"]})
        report = refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=4)
        assert (report.removed, report.reassigned) == (1, 1)
        seats = seats_by_urn(store, tenant.id)
        assert seats[second["seat"]].active is False
        assert seats[second["seat"]].change == "seat removed in Recruiter"
        assert seats[third["seat"]].change == "seat reassigned to another member"
        assert seats[third["seat"]].user_id is None  # the manual mapping was for the old holder
        assert {urn: s.updated_at for urn, s in seats.items() if s.updated_at == 4} == {
            second["seat"]: 4, third["seat"]: 4}

        # A user deactivated in the ATS loses their seat mapping.
        map_seat(store, tenant.id, first["seat"], "U1", now_ms=5)
        with store.db.write() as conn:
            conn.execute(update(schema.users).where(schema.users.c.external_id == "U1")
                         .values(active=False))
        refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=6)
        seats = seats_by_urn(store, tenant.id)
        assert seats[first["seat"]].user_id is None
        assert seats[first["seat"]].change == "the mapped user was deactivated"
    finally:
        client.close()


def test_mapping_errors_name_the_field(store, tenant):
    import pytest

    with pytest.raises(LookupError, match="seat"):
        map_seat(store, tenant.id, "urn:li:seat:404", None, now_ms=1)
