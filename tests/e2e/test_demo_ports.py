"""`recruitlink demo` on any ports, restarted on others, used as a person uses it (issue 15.11):
LinkedIn's widget and pushes follow the server's real URL on every start, the credentials it
prints work before the sync is done and stay the same, the CLI works beside it, and its
candidates include LinkedIn members, so the In-ATS indicator has data at once."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from recruitlink.store.schema import candidates, linkedin_seats, sync_leases, tenants
from tests.support.demo import (
    CONTRACT,
    CRM_CONTRACT,
    CRM_ORGANIZATION,
    ORGANIZATION,
    Demo,
    clean_env,
    eventually,
)
from tests.support.process import BIN


def child_app(demo: Demo, workspace: str = "demo") -> dict[str, Any]:
    apps = httpx.get(f"{demo.sandbox}/sandbox/apps", timeout=10).json()
    return next(a for a in apps if a["uniqueForeignId"] == f"recruitlink-{workspace}")


def exportable_member(demo: Demo, skip: int) -> str:
    members = httpx.get(f"{demo.sandbox}/sandbox/members", params={"start": 200, "count": 50},
                        timeout=10).json()["elements"]
    shared = [m["person"] for m in members
              if not m.get("exportBlocked") and not m.get("privateProfile")]
    return shared[skip]


def export_and_wait(demo: Demo, person: str, contract: str = CONTRACT) -> None:
    """A recruiter exports `person` in the sandbox (into a job, or a pipeline for CRM
    Connect); the push must reach the demo's store."""
    seat = httpx.post(f"{demo.sandbox}/sandbox/contracts/{contract}/seats",
                      json={"person": exportable_member(demo, 40)}, timeout=10).json()["id"]
    targets = httpx.get(f"{demo.sandbox}/sandbox/recruiter/seats/{seat}/export-targets",
                        timeout=10).json()
    field = ("externalPipelineId" if targets["integrationType"] == "CRM_ONE_CLICK_EXPORT"
             else "externalJobPostingId")
    made = httpx.post(f"{demo.sandbox}/sandbox/recruiter/exports",
                      json={"seat": seat, "person": person,
                            field: targets["elements"][0]["id"]}, timeout=10)
    assert made.status_code == 201, made.text
    db = demo.db()
    try:
        def arrived() -> bool:
            with db.read() as conn:
                return conn.execute(select(candidates.c.id).where(
                    candidates.c.person_urn == person)).first() is not None
        eventually(arrived, 30, f"the export of {person} in the demo's store")
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = Demo.start(tmp_path_factory.mktemp("demo"), RECRUITLINK_POLL_INTERVAL_SECONDS="1")
    try:
        yield demo
    finally:
        demo.command.stop()


def test_demo_prints_where_to_look_and_how_to_sign_in_before_the_sync(first_run):
    out = first_run.output
    signs = first_run.sign_ins()
    assert set(signs) == {"company admin", "recruiter"}, out
    assert out.index(f"{first_run.server}/login") < out.index("sign in as company admin")
    # Credentials come before the historical sync's progress and its summary.
    assert out.index("sign in as recruiter") < out.index("Historical sync"), out
    assert f"{first_run.sandbox}/recruiter/" in out
    # They work: a page sign-in and the API key.
    email, password = signs["recruiter"]
    with httpx.Client(base_url=first_run.server, timeout=10) as web:
        signed = web.post("/login", data={"workspace": "demo", "email": email,
                                          "password": password, "next": ""})
        assert signed.status_code == 303, signed.text
        assert "/login" not in signed.headers["location"], signed.headers
        key = first_run.api_key()
        assert key, first_run.output
        listed = web.get("/api/v1/candidates", headers={"Authorization": f"Bearer {key}"})
        assert listed.status_code == 200, listed.text


def test_widget_domains_and_pushes_follow_the_real_port(first_run):
    assert first_run.server in child_app(first_run)["validJsSdkDomains"]
    export_and_wait(first_run, exportable_member(first_run, 0))


def test_crm_connect_tenant_beside_the_rsc_one_syncs_and_receives_exports(first_run):
    """Both products: `demo-crm` is connected with CRM Connect's integrations, synced by the
    server's background work (as any second workspace is), and takes CRM exports."""
    records = eventually(lambda: httpx.get(
        f"{first_run.sandbox}/sandbox/organizations/{CRM_ORGANIZATION}/summary",
        timeout=10).json()["records"].get("tcrmPipelines"), 30, "demo-crm's pipelines synced")
    assert records > 0
    export_and_wait(first_run, exportable_member(first_run, 2), CRM_CONTRACT)


def test_demo_candidates_include_members_that_linkedin_matches(first_run):
    """The In-ATS indicator and the profile widget show data at once: some demo candidates
    are members of the sandbox's directory, matched once synced."""
    db = first_run.db()
    try:
        with db.read() as conn:
            tenant_id = conn.execute(select(tenants.c.id).where(tenants.c.slug == "demo")
                                     ).scalar_one()
            ids = [r.external_id for r in conn.execute(select(candidates.c.external_id).where(
                candidates.c.tenant_id == tenant_id).order_by(candidates.c.external_id))]
    finally:
        db.dispose()
    matched = []
    for candidate_id in ids:
        view = httpx.get(f"{first_run.sandbox}/sandbox/organizations/{ORGANIZATION}/candidates/"
                         f"{candidate_id}", timeout=10)
        if view.status_code == 200 and view.json().get("matchedMembers"):
            matched.append(candidate_id)
    assert len(matched) >= 3, matched


def test_seats_map_to_demo_users_and_the_poll_interval_is_honoured(first_run):
    """RECRUITLINK_POLL_INTERVAL_SECONDS=1: a seat added in Recruiter is pulled within
    seconds (the demo used to poll every 20 s whatever it was told); the demo's own seats
    are held under demo users' emails, so they map to them."""
    db = first_run.db()
    try:
        def mapped() -> int:
            with db.read() as conn:
                return len(conn.execute(select(linkedin_seats.c.seat).where(
                    linkedin_seats.c.contract == CONTRACT,
                    linkedin_seats.c.user_id.is_not(None))).all())
        eventually(lambda: mapped() >= 2, 20, "the demo's seats mapped to its users")
        seat = httpx.post(f"{first_run.sandbox}/sandbox/contracts/{CONTRACT}/seats",
                          json={"person": exportable_member(first_run, 30)},
                          timeout=10).json()["seat"]

        def pulled() -> bool:
            with db.read() as conn:
                return conn.execute(select(linkedin_seats.c.seat).where(
                    linkedin_seats.c.seat == seat)).first() is not None
        eventually(pulled, 10, "a new seat pulled at the next poll")
    finally:
        db.dispose()


def test_cli_works_in_the_demos_directory_without_environment(first_run):
    done = subprocess.run([str(BIN), "sync", "status", "--tenant", "demo"],
                          cwd=first_run.directory, env=clean_env(COLUMNS="200"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    # It reads as sentences: the state in the pages' words, no Python values.
    assert out.startswith("demo: Active; organization urn:li:organization:2001001"), out
    assert re.search(r"Historical sync \(run \d+\): done", out), out
    assert re.search(r"Records: [\d,]+ synced to LinkedIn", out), out
    assert "None" not in out and "{" not in out, out


SECOND_ORGANIZATION = "urn:li:organization:2001009"


def test_a_second_workspace_connected_beside_the_demo_syncs(first_run):
    """A workspace the user adds and connects while the demo runs is synced by the demo's
    server (its sync used to run only for `demo`)."""
    # The key given explicitly: this test is about the sync, not about finding the key.
    key = (first_run.directory / "recruitlink.key").read_text().strip()

    def cli(*args: str, **env: str) -> None:
        done = subprocess.run([str(BIN), *args], cwd=first_run.directory,
                              env=clean_env(COLUMNS="200", RECRUITLINK_SECRET_KEY=key, **env),
                              capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    cli("seed", "--tenant", "second", "--candidates", "5", "--kind", "ATS")
    cli("connect", "--tenant", "second", "--organization", SECOND_ORGANIZATION,
        "--contract", "urn:li:contract:3001009", "--wait", "20",
        RECRUITLINK_LINKEDIN_API_URL=first_run.sandbox,
        RECRUITLINK_LINKEDIN_OAUTH_URL=first_run.sandbox,
        RECRUITLINK_PARTNER_CLIENT_ID="recruitlink-demo-partner",
        RECRUITLINK_PARTNER_CLIENT_SECRET="recruitlink-demo-partner-secret",
        RECRUITLINK_PUBLIC_URL=first_run.server)
    eventually(lambda: httpx.get(
        f"{first_run.sandbox}/sandbox/organizations/{SECOND_ORGANIZATION}/summary",
        timeout=10).json()["records"].get("atsCandidates"), 60, "the second workspace synced")


def test_restart_on_other_ports_keeps_credentials_and_loses_no_export(first_run):
    signs, key = first_run.sign_ins(), first_run.api_key()
    assert first_run.command.stop() == 0, first_run.output
    db = first_run.db()
    try:  # stopped (SIGTERM, as Ctrl-C): no tenant's sync lease is left behind
        with db.read() as conn:
            assert conn.execute(select(sync_leases)).all() == []
    finally:
        db.dispose()
    again = Demo.start(first_run.directory)
    try:
        assert "Seeding" not in again.output
        assert again.server != first_run.server
        # LinkedIn was told where the server is now: the widget is accepted on its pages,
        # and an export reaches it (not the first run's port).
        assert again.server in child_app(again)["validJsSdkDomains"]
        assert again.server in child_app(again, "second")["validJsSdkDomains"]
        export_and_wait(again, exportable_member(again, 1))
        assert signs and again.sign_ins() == signs
        assert key and again.api_key() == key
        listed = httpx.get(f"{again.server}/api/v1/candidates", timeout=10,
                           headers={"Authorization": f"Bearer {key}"})
        assert listed.status_code == 200, listed.text
    finally:
        again.command.stop()
