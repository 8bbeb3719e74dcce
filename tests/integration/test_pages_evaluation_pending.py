"""The candidate page says when a Hiring Assistant evaluation will arrive: after a One-Click
Export into a job, on the versioned family, the exported application says LinkedIn evaluates it
and that the evaluation appears after LinkedIn is next read (the pollers' interval); on the
unversioned v2 family the 'no evaluations' note is shown only on candidates with an exported
application. Over loopback, on SQLite and PostgreSQL."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import html
import re

import pytest

from recruitlink.core.records import Candidate
from tests.conftest import both_families
from tests.integration.test_inbound_evaluations import poller, signed_in
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)

pytestmark = pytest.mark.usefixtures("wired")

PENDING = ("LinkedIn Hiring Assistant evaluates exported applications; its evaluation appears "
           "here after LinkedIn is next read (every 30 minutes)")


def page_text(server: str, store, tenant, seat: dict, external_id: str) -> str:
    client = signed_in(server, store, tenant, seat["emailAddress"])
    try:
        r = client.get(f"/t/{tenant.slug}/candidates/{external_id}")
    finally:
        client.close()
    assert r.status_code == 200, r.text
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", r.text)).split())


def test_an_exported_application_says_its_evaluation_comes_after_the_next_read(
        store, tenant, li, wired, engine, server):
    m = member(li, 30)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    (row,) = candidate(store, person_urn=m["person"])
    before = page_text(server, store, tenant, wired["seat"], row.external_id)
    assert PENDING in before
    poller(store, engine).poll(tenant.id)  # LinkedIn is read: the evaluation is there
    after = page_text(server, store, tenant, wired["seat"], row.external_id)
    assert "LinkedIn Hiring Assistant evaluation" in after
    assert PENDING not in after


@both_families
def test_the_v2_note_is_only_on_candidates_with_an_exported_application(
        linkedin_api_version, store, tenant, li, wired, server):
    m = member(li, 31)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    (exported,) = candidate(store, person_urn=m["person"])
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="PLAIN", first_name="Plain",
                                               last_name="Person"))], mode="create")
    v2_note = "unversioned API (v2), which has none"
    on_exported = page_text(server, store, tenant, wired["seat"], exported.external_id)
    on_plain = page_text(server, store, tenant, wired["seat"], "PLAIN")
    assert v2_note not in on_plain and PENDING not in on_plain
    if linkedin_api_version == "v2":
        assert v2_note in on_exported and PENDING not in on_exported
    else:
        assert PENDING in on_exported and v2_note not in on_exported
