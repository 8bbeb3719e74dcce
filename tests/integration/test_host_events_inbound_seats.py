"""The host ATS hears of Recruiter seat mappings (issue 18), on SQLite and PostgreSQL: mapped
by email when seats are pulled, mapped and unmapped by an admin (the data API's LinkedIn
namespace and the Members page), a seat removed or reassigned in Recruiter, a mapped user
deactivated. A pull that changes nothing, and a refused mapping, announce nothing."""
# ruff: noqa: F811  (the fixtures imported from other test modules are parameters here)

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from recruitlink.core.records import User
from recruitlink.inbound.seats import map_seat, pull_seats, refresh_seats
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from tests.conftest import CONTRACT
from tests.integration.test_host_events_inbound_exports import host_events
from tests.integration.test_inbound_entry_points import api  # noqa: F401  (a fixture)
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    engine,
    server,
    wired,
)
from tests.integration.test_pages_admin import (  # noqa: F401  (`site` is a fixture)
    BASE,
    add_seat,
    connect_through_pages,
    enable,
    post,
    site,
    status_json,
    wait_until,
)


def seat_events(store, tenant_id: int, after: int = 0) -> list[Any]:
    return [e for e in host_events(store, tenant_id, ("seat.mapping_changed",))
            if e.seq > after]


def last(store, tenant_id: int) -> int:
    found = host_events(store, tenant_id)
    return found[-1].seq if found else 0


def test_pulled_and_mapped_seats_are_announced(store, tenant, li, linkedin_api_version):
    client = LinkedInClient(api_url=li.url, oauth_url=li.url,
                            client_id=li.app.state.demo.client_id,
                            client_secret=li.app.state.demo.client_secret,
                            api_version=linkedin_api_version)
    try:
        pulled = pull_seats(client, [CONTRACT])
        first, second, third = pulled[0], pulled[1], pulled[2]
        with store.writer(tenant.id) as w:
            w.records("users", [
                (0, User(id="U1", name="One", email=first["emailAddress"].upper(),
                         role="recruiter")),
                (1, User(id="U2", name="Two", email="two@acme.example", role="recruiter"))],
                mode="create")
        refresh_seats(store, tenant.id, pulled, now_ms=1)
        # Five seats came; one mapped by email: only that one is a mapping change.
        (auto,) = seat_events(store, tenant.id)
        assert (auto.subject, auto.subject_id) == ("seat", first["seat"])
        assert auto.data == {"seat": first["seat"], "user": "U1", "previous_user": None,
                             "mapping": "auto", "active": True, "person": first["person"],
                             "change": "mapped"}
        mark = last(store, tenant.id)
        refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=2)
        assert seat_events(store, tenant.id, mark) == []  # nothing changed, nothing said

        map_seat(store, tenant.id, third["seat"], "U2", now_ms=3)
        map_seat(store, tenant.id, first["seat"], None, now_ms=3)
        manual, unmapped = seat_events(store, tenant.id, mark)
        assert (manual.subject_id, manual.data["user"], manual.data["mapping"],
                manual.data["change"]) == (third["seat"], "U2", "manual", "mapped")
        assert (unmapped.subject_id, unmapped.data["user"], unmapped.data["previous_user"],
                unmapped.data["change"]) == (first["seat"], None, "U1", "unmapped")

        # In Recruiter: the mapped third seat goes to another member; the unmapped second is
        # removed (no mapping to change).
        mark = last(store, tenant.id)
        other = li.control.get("/members", params={"start": 250, "count": 1}).json()[
            "elements"][0]
        li.control.patch(f"/seats/{third['id']}", json={"person": other["person"]})
        li.control.patch(f"/seats/{second['id']}", json={"active": False})
        refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=4)
        (moved,) = seat_events(store, tenant.id, mark)
        assert (moved.subject_id, moved.data["user"], moved.data["previous_user"],
                moved.data["person"], moved.data["change"]) == (
            third["seat"], None, "U2", other["person"], "reassigned")

        # A mapped user deactivated in the ATS loses the seat.
        map_seat(store, tenant.id, first["seat"], "U1", now_ms=5)
        mark = last(store, tenant.id)
        with store.db.write() as conn:
            conn.execute(update(schema.users).where(schema.users.c.external_id == "U1")
                         .values(active=False))
        refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=6)
        (lost,) = seat_events(store, tenant.id, mark)
        assert (lost.subject_id, lost.data["user"], lost.data["previous_user"],
                lost.data["mapping"], lost.data["change"]) == (
            first["seat"], None, "U1", None, "unmapped")

        # The mapped seat removed in Recruiter: gone.
        map_seat(store, tenant.id, third["seat"], "U2", now_ms=7)
        mark = last(store, tenant.id)
        li.control.patch(f"/seats/{third['id']}", json={"active": False})
        refresh_seats(store, tenant.id, pull_seats(client, [CONTRACT]), now_ms=8)
        (gone,) = seat_events(store, tenant.id, mark)
        assert (gone.subject_id, gone.data["active"], gone.data["change"]) == (
            third["seat"], False, "seat_removed")
    finally:
        client.close()


def test_an_admin_mapping_over_the_api_is_announced_and_a_refused_one_is_not(
        store, tenant, wired, api):
    seat = wired["seat"]["seat"]
    mark = last(store, tenant.id)
    assert api.put(f"/seats/{seat}/user", json={"user": "NOBODY"}).status_code == 422
    assert seat_events(store, tenant.id, mark) == []
    assert api.put(f"/seats/{seat}/user", json={"user": None}).status_code == 200
    assert api.put(f"/seats/{seat}/user", json={"user": "INT"}).status_code == 200
    unmapped, remapped = seat_events(store, tenant.id, mark)
    assert (unmapped.data["user"], unmapped.data["previous_user"], unmapped.data["mapping"],
            unmapped.data["change"]) == (None, "U1", "manual", "unmapped")
    assert (remapped.data["user"], remapped.data["previous_user"],
            remapped.data["change"]) == ("INT", None, "mapped")


def test_the_members_page_mappings_are_announced(site):
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    enable(site.li)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    mapped = add_seat(site.li, 0, email="RITA@acme.example")
    loose = add_seat(site.li, 1)
    assert post(admin, f"{BASE}/members/refresh").status_code == 303
    (auto,) = seat_events(site.store, site.acme.id)
    assert (auto.subject_id, auto.data["user"], auto.data["mapping"]) == (
        mapped["seat"], "R1", "auto")
    mark = last(site.store, site.acme.id)
    assert post(admin, f"{BASE}/members/map", seat=loose["seat"], user="NOPE"
                ).status_code == 400
    assert seat_events(site.store, site.acme.id, mark) == []  # refused: nothing said
    assert post(admin, f"{BASE}/members/map", seat=loose["seat"], user="R2").status_code == 303
    assert post(admin, f"{BASE}/members/unmap", seat=mapped["seat"]).status_code == 303
    by_hand, unmapped = seat_events(site.store, site.acme.id, mark)
    assert by_hand.data == {"seat": loose["seat"], "user": "R2", "previous_user": None,
                            "mapping": "manual", "active": True, "person": loose["person"],
                            "change": "mapped"}
    assert (unmapped.subject_id, unmapped.data["user"], unmapped.data["previous_user"],
            unmapped.data["change"]) == (mapped["seat"], None, "R1", "unmapped")
