"""Building a page of applications uses the page's rows: an application deleted after the page
was read still builds (from the rows read) instead of failing on a second read."""

from __future__ import annotations

from recruitlink.core.mapping import MappingContext
from recruitlink.core.policy import Policy
from recruitlink.store.records import as_dicts
from recruitlink.store.seed import seed
from recruitlink.store.tenants import tenant_by_slug
from recruitlink.sync.items import STREAM, BuildContext, build
from recruitlink.sync.state import stream_query

ORG = "urn:li:organization:4400"


def test_an_application_deleted_after_its_page_was_read_still_builds(store):
    seed(store, "paged", 20, seed=5, kind="ATS")
    with store.reader() as conn:
        tenant = tenant_by_slug(conn, "paged")
        rows = as_dicts(conn.execute(stream_query(STREAM["applications"], tenant.id)))
    assert len(rows) > 1
    gone = rows[0]
    with store.writer(tenant.id) as w:
        assert w.delete("applications", gone["external_id"])
    with store.reader() as conn:
        bc = BuildContext(conn, tenant.id, MappingContext(ORG, "http://127.0.0.1:8000"),
                          Policy(), 1_900_000_000_000, historical=False)
        items = build(STREAM["applications"], rows, bc)
    assert [i.entity_id for i in items] == [r["id"] for r in rows]
    first = items[0]
    assert first.external_id == gone["external_id"]
    assert first.key["atsJobApplicationId"] == gone["external_id"]
    assert first.content_hash is not None
