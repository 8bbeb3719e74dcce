"""Setup → "Who sees jobs in LinkedIn Recruiter" (issue 15 point 7): the admin chooses all
Recruiter users or only the job's hiring team, before connecting (the choice goes along with
the onboarding) or while connected (LinkedIn's configurations change, the hiring teams are
sent, the page says pending until they are); bad input gets its error next to the field.
Over loopback against the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from recruitlink.core.records import Job
from recruitlink.sandbox.store import configurations
from tests.integration import test_pages_admin
from tests.integration.test_pages_admin import (
    APPROVED,
    BASE,
    ORG,
    enable,
    post,
    status_json,
    wait_until,
)
from tests.support.pages import field_error

site = test_pages_admin.site  # the fixture


def configuration(site, itype: str, name: str) -> str | None:
    """A configuration of the organization's integration as the sandbox holds it."""
    sandbox = site.li.app.state.sandbox
    with sandbox.store.tx() as conn:
        rows = conn.execute(select(configurations.c.integration, configurations.c.value).where(
            configurations.c.context == ORG, configurations.c.name == name)).all()
    values = [r.value for r in rows if f"integrationType={itype}" in r.integration]
    assert len(values) <= 1
    return values[0] if values else None


def acl_records(site) -> set[tuple[str, str]]:
    body = site.li.control.get(f"/organizations/{ORG}/records/atsEntityAcls",
                               params={"count": 1000}).json()
    return {(e["key"]["atsEntityAclId"], e["key"]["atsEntityId"]) for e in body["elements"]}


def checked(page: str) -> str | None:
    found = re.search(r'name="visibility" value="([a-z_]+)" checked', page)
    return found.group(1) if found else None


def visibility_pending(page: str) -> str | None:
    found = re.search(r'class="visibility-state" data-pending="(yes|no)"', page)
    return found.group(1) if found else None


def test_chosen_before_connecting_then_switched_back(site):
    with site.store.writer(site.acme.id) as w:  # J0's hiring team: Rita
        w.records("jobs", [(0, Job(id="J0", viewer_ids=["R1"]))], mode="update")
    admin = site.client("ada@acme.example")
    page = admin.get(BASE).text
    assert "Who sees jobs in LinkedIn Recruiter" in page
    assert re.search(r'<label for="visibility-all_product_users">.*All Recruiter users', page)
    assert re.search(r'<label for="visibility-acls">.*Only the job&#39;s hiring team', page)
    assert checked(page) == "all_product_users" and "Save visibility" in page

    # A bad value: the error is next to the field, nothing is kept.
    r = post(admin, f"{BASE}/visibility", visibility="everyone")
    assert r.status_code == 400
    assert "hiring team" in (field_error(r.text, "visibility") or "")
    r = post(admin, f"{BASE}/visibility")
    assert r.status_code == 400 and field_error(r.text, "visibility")

    # Before connecting: kept, and carried through activation and the widget's approval.
    r = post(admin, f"{BASE}/visibility", visibility="acls", history_window="2y")
    assert r.status_code == 303 and "visibility=acls" in r.headers["location"]
    page = admin.get(r.headers["location"]).text
    assert checked(page) == "acls" and "applies when this workspace is connected" in page
    assert 'name="visibility" value="acls">' in page  # the activate form carries it
    r = post(admin, f"{BASE}/activate", acknowledge="on", visibility="acls")
    assert r.status_code == 303 and "visibility=acls" in r.headers["location"]
    choose = admin.get(r.headers["location"]).text
    assert "Who sees jobs in LinkedIn Recruiter:" in choose
    assert "Only the job&#39;s hiring team" in choose
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps(APPROVED), visibility="acls")
    assert r.status_code == 303, r.text
    assert site.connection().policy["visibility"] == "acls"
    assert configuration(site, "ONE_CLICK_EXPORT", "JOB_POSTING_VIEWERS") is None
    assert configuration(site, "IN_ATS_INDICATOR", "APPLICATION_VIEWERS") is None
    enable(site.li)
    wait_until(lambda: (status_json(admin).get("run") or {}).get("status") == "done",
               timeout=120, what="the initial sync")
    wait_until(lambda: visibility_pending(admin.get(BASE).text) == "no", timeout=120,
               what="ACLs sent")
    assert acl_records(site) == {("user-R1", "J0")}
    page = admin.get(BASE).text
    assert checked(page) == "acls" and "hiring-team records" in page

    # Back to all Recruiter users while connected: configurations at once, ACLs deleted by
    # the sync; the page says pending until then.
    r = post(admin, f"{BASE}/visibility", visibility="all_product_users")
    assert r.status_code == 303 and "done=visibility" in r.headers["location"]
    assert site.connection().policy["visibility"] == "all_product_users"
    assert configuration(site, "ONE_CLICK_EXPORT", "JOB_POSTING_VIEWERS") == "ALL_PRODUCT_USERS"
    assert configuration(site, "IN_ATS_INDICATOR", "APPLICATION_VIEWERS") == "ALL_PRODUCT_USERS"
    wait_until(lambda: visibility_pending(admin.get(BASE).text) == "no", timeout=120,
               what="ACLs deleted")
    assert acl_records(site) == set()
    page = admin.get(BASE).text
    assert checked(page) == "all_product_users"
    assert "every Recruiter user sees every job" in page

    # Only a company admin chooses.
    viewer = site.client("dan@acme.example")
    assert "Save visibility" not in viewer.get(BASE).text
    assert post(viewer, f"{BASE}/visibility", visibility="acls").status_code == 403
    assert site.connection().policy["visibility"] == "all_product_users"
