"""What the seed walks share: a fresh workspace added beside the running demo with the CLI,
LinkedIn's side through the sandbox's documented control API (what only LinkedIn's back
office does: contracts, seats, auto-enable), signing in, the Recruiter admin's switches, and
waiting for pages that do not update by themselves."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from recruitlink.store.schema import candidates, tenants, users
from tests.support.demo import Demo, clean_env, eventually
from tests.support.process import BIN


def control(demo: Demo, method: str, path: str, **kwargs: Any) -> Any:
    """The sandbox's documented control API (/sandbox/docs)."""
    r = httpx.request(method, f"{demo.sandbox}/sandbox{path}", timeout=10, **kwargs)
    assert r.status_code < 300, r.text
    return r.json()


def shareable_members(demo: Demo, start: int, count: int = 40) -> list[dict[str, Any]]:
    """Members of the sandbox's directory whose profiles may be exported."""
    found = control(demo, "GET", "/members", params={"start": start, "count": count})
    return [m for m in found["elements"] if not m["exportBlocked"] and not m["privateProfile"]]


def cli(demo: Demo, *args: str, stdin: str | None = None) -> str:
    """`recruitlink ARGS` in the demo's directory, as a person types it beside the demo."""
    done = subprocess.run([str(BIN), *args], cwd=demo.directory, input=stdin,
                          env=clean_env(COLUMNS="200", NO_COLOR="1"), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def new_workspace(demo: Demo, slug: str, kind: str, password: str, candidates: int = 30,
                  api_key: bool = False) -> dict[str, Any]:
    """A fresh workspace of `kind` beside the demo (`recruitlink seed`), its company admin
    given `password` (`recruitlink users set-password`), and if asked an API key (`recruitlink
    apikey create`). Returns its company admin and a recruiter (user rows) and the key."""
    cli(demo, "seed", "--tenant", slug, "--candidates", str(candidates), "--kind", kind)
    db = demo.db()
    try:
        with db.read() as conn:
            tenant_id = conn.execute(select(tenants.c.id).where(tenants.c.slug == slug)
                                     ).scalar_one()
            rows = conn.execute(select(users).where(
                users.c.tenant_id == tenant_id, users.c.active.is_(True),
                users.c.email.is_not(None)).order_by(users.c.id)).all()
    finally:
        db.dispose()
    admin = next(r for r in rows if r.role == "company_admin")
    cli(demo, "users", "set-password", "--tenant", slug, "--user", admin.external_id,
        "--password-stdin", stdin=password + "\n")
    key = re.search(r"rlk_\S+", cli(demo, "apikey", "create", "--tenant", slug)) if (
        api_key) else None
    return {"admin": admin, "recruiter": next(r for r in rows if r.role == "recruiter"),
            "api_key": key.group(0) if key else None}


def sign_in(page: Page, server: str, workspace: str, email: str, password: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Workspace").fill(workspace)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def turn_on(table: Locator, *types: str) -> None:
    """The Recruiter admin's switches on Recruiter's admin settings, one integration at a
    time (the page reloads after each)."""
    for itype in types:
        status = table.locator(f"tr[data-integration='{itype}'] .status")
        expect(status).to_have_text("PENDING")
        table.locator(f"tr[data-integration='{itype}']").get_by_role(
            "button", name="Turn on").click()
        expect(status).to_have_text("ENABLED")


def reload_until(page: Page, shown: Locator, what: str) -> None:
    """Pages that do not update by themselves: reload as a person would, until it shows."""
    def reloaded() -> bool:
        page.reload()
        return shown.count() > 0
    eventually(reloaded, 30, what)
    expect(shown.first).to_be_visible()


def candidate_of_member(demo: Demo, person: str) -> str | None:
    """The id of the candidate a LinkedIn member became (an export, a match)."""
    db = demo.db()
    try:
        with db.read() as conn:
            return conn.execute(select(candidates.c.external_id).where(
                candidates.c.person_urn == person)).scalar()
    finally:
        db.dispose()
