"""`recruitlink certify` as a vendor runs it, against `recruitlink sandbox` run as a
subprocess: every case of the RSC modules and the CRM ids passes on a throwaway tenant, both
report files hold every case with its calls and no secret, and a LinkedIn bug injected in the
sandbox (deletes answered 204 but ignored) fails the run, naming the cases it breaks."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from recruitlink.certify.cases import cases_for
from recruitlink.linkedin.versions import ApiVersion
from recruitlink.settings import Settings
from tests.support.process import BIN, sandbox_process

PARTNER_ID = "certify-partner"
PARTNER_SECRET = "certify-partner-secret-0123456789"
SANDBOX_TOKEN = re.compile(r"AQV[A-Za-z0-9_-]{20,}")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    state = tmp_path_factory.mktemp("sandbox") / "state.db"
    with sandbox_process("--partner-client-id", PARTNER_ID, "--partner-client-secret",
                         PARTNER_SECRET, "--no-demo", "--members", "60",
                         "--job-task-delay", "0.2", "--db", str(state)) as (url, _lines):
        yield url, state


def certify(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RECRUITLINK_LINKEDIN_API_URL=url, RECRUITLINK_LINKEDIN_OAUTH_URL=url,
               RECRUITLINK_PARTNER_CLIENT_ID=PARTNER_ID,
               RECRUITLINK_PARTNER_CLIENT_SECRET=PARTNER_SECRET,
               # The real store: certify must never open it.
               RECRUITLINK_DATABASE_URL=f"sqlite:///{cwd / 'real.db'}",
               COLUMNS="200", NO_COLOR="1")
    return subprocess.run([str(BIN), "certify", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=180)


def configured_family() -> str:
    """The family RECRUITLINK_LINKEDIN_API_VERSION (or its default) picks."""
    return ApiVersion.parse(Settings().linkedin_api_version).family


def summary(markdown: str) -> dict[str, str]:
    """Case id -> result, from the report's summary table."""
    return dict(re.findall(r"^\| ((?:RSC|CRM)-\d+) \|.*\| (pass|fail|manual) \|$", markdown,
                           re.MULTILINE))


def secrets_of(state: Path) -> set[str]:
    with sqlite3.connect(state) as db:
        return {row[0] for row in db.execute("SELECT client_secret FROM apps")}


@pytest.mark.parametrize(("kind", "family"), [("rsc", []), ("rsc", ["--api-version", "v2"]),
                                              ("crm", [])],
                         ids=["rsc-configured", "rsc-v2", "crm-configured"])
def test_certify_passes_every_case_against_the_sandbox(sandbox, tmp_path, kind, family):
    url, state = sandbox
    done = certify(url, tmp_path, "--kind", kind, "--out", "report", *family)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Every case passed" in done.stdout
    markdown = (tmp_path / "report" / "report.md").read_text()
    html = (tmp_path / "report" / "report.html").read_text()
    expected = [c.id for c in cases_for(kind.upper())]
    assert summary(markdown) == {case_id: "pass" for case_id in expected}
    for case_id in expected:
        assert f'id="{case_id}"' in html
    # Each case shows its calls with LinkedIn's request id, in the family certified.
    prefix = "/v2/" if family else ("/rest/" if configured_family() == "rest" else "/v2/")
    assert re.search(rf"\| DELETE {prefix}\S+ \| 200 \| [0-9a-f-]{{36}} \|", markdown)
    assert f"API family in use: {prefix.strip('/')}" in markdown
    # No secret in the report: the client secrets LinkedIn handed out, the partner's, tokens.
    secrets = secrets_of(state) | {PARTNER_SECRET}
    assert len(secrets) >= 3  # the partner and the run's two child applications
    assert "/linkedin/push/[redacted]" in markdown  # the push URL's token is a secret too
    for text in (markdown, html, done.stdout):
        assert not [s for s in secrets if s in text]
        assert not SANDBOX_TOKEN.search(text)
    # Who asks, against what: a rehearsal on the sandbox says it is no evidence for LinkedIn.
    banner = "Rehearsal against the recruitlink sandbox, not evidence for LinkedIn"
    assert f"> **{banner}.**" in markdown and f'<p class="rehearsal" role="note">{banner}' in html
    assert re.search(r"^\| Vendor / product \| recruitlink \d+\.\d+\.\d+"
                     r"( \(commit [0-9a-f]{7,}\))? \|$", markdown, re.MULTILINE)
    assert f"| Partner application (client id) | {PARTNER_ID} |" in markdown
    assert "max-width" in html and "margin: 2rem auto" in html
    # Values as JSON (what LinkedIn speaks), not Python reprs; Markdown text kept as written.
    if kind == "rsc":
        assert re.search(r'availability sent: \{"J-PUBLIC": "PUBLIC"', markdown)
        assert "['" not in markdown and "{'" not in markdown and ": None" not in markdown
        assert "&gt;" not in markdown
    # One-Click Exports came as LinkedIn's signed pushes to the run's own push receiver,
    # registered as the callback, and were processed by the product's inbound worker.
    if kind == "rsc":
        receiver = re.search(r"\| Push callback registered \| (http://127\.0\.0\.1:\d+)/linkedin/"
                             r"push/\[redacted\] \(the product's push receiver listened at "
                             r"(\S+)\) \|", markdown)
        assert receiver and receiver.group(1) == receiver.group(2), markdown[:2000]
        pushed = re.findall(r"LinkedIn's push (\S+): DELIVERED to (\S+)/linkedin/push/…, answered "
                            r"200; signature verified by the receiver; processed by the inbound "
                            r"worker: done, (created|merged)", markdown)
        assert [(base, outcome) for _id, base, outcome in pushed] == [
            (receiver.group(1), "created"), (receiver.group(1), "merged")]
        deliveries = httpx.get(f"{url}/sandbox/pushes", params={"count": 1000}).json()
        mine = [d for d in deliveries["elements"] if d["requestId"] in {p[0] for p in pushed}]
        assert [d["status"] for d in mine] == ["DELIVERED", "DELIVERED"]
        # Every push of the run (the admin's switch too) reached the receiver.
        to_run = [d["status"] for d in deliveries["elements"]
                  if d["url"].startswith(receiver.group(1) + "/")]
        assert len(to_run) > 2 and set(to_run) == {"DELIVERED"}
    # The throwaway tenant lived in a throwaway store; its data left LinkedIn at the end.
    assert not (tmp_path / "real.db").exists()
    assert "0 still present when read back" in done.stdout


def test_certify_fails_naming_the_cases_an_ignored_delete_breaks(sandbox, tmp_path):
    url, _state = sandbox
    fault = httpx.put(f"{url}/sandbox/faults/*", json={"ignore_deletes": True})
    assert fault.json()["endpoints"]["*"]["ignore_deletes"] is True
    try:
        done = certify(url, tmp_path, "--out", "report")
    finally:
        httpx.delete(f"{url}/sandbox/faults")
    assert done.returncode == 1, done.stdout + done.stderr
    failed = re.search(r"Certification failed: (.*)", done.stdout).group(1)
    assert {"RSC-501", "RSC-502"} <= set(failed.split(", "))
    results = summary((tmp_path / "report" / "report.md").read_text())
    assert results["RSC-501"] == results["RSC-502"] == "fail"
    assert results["RSC-101"] == results["RSC-202"] == "pass"
    assert "LinkedIn still holds candidates C4 after it was deleted" in done.stdout


def test_certify_against_linkedin_asks_for_the_test_contract(tmp_path):
    # Not a sandbox (nothing listens there): the run needs LinkedIn's test company and contract.
    done = certify("http://127.0.0.1:9", tmp_path, "--out", "report")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--organization, --contract" in done.stdout.replace("\n", " ")
    assert not (tmp_path / "report").exists()


def test_certify_in_a_sunset_version_fails_at_onboarding_saying_which_setting(sandbox, tmp_path):
    url, _state = sandbox
    done = certify(url, tmp_path, "--api-version", "202406", "--out", "report")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Certification failed: RSC-101" in done.stdout
    text = " ".join(done.stdout.split())
    assert "no longer serves API version 202406" in text
    assert "RECRUITLINK_LINKEDIN_API_VERSION" in text
    assert summary((tmp_path / "report" / "report.md").read_text())["RSC-101"] == "fail"


def test_certify_leaves_the_sandbox_clock_and_other_tenants_seats_alone(sandbox, tmp_path):
    url, _state = sandbox
    # Another customer's recruiters hold seats: the directory's first members, as the demo's.
    first = httpx.get(f"{url}/sandbox/members", params={"count": 3}).json()["elements"]
    for member in first:
        httpx.post(f"{url}/sandbox/contracts/urn%3Ali%3Acontract%3A7/seats",
                   json={"person": member["person"]}).raise_for_status()
    offset = httpx.get(f"{url}/sandbox/clock").json()["offsetMs"]
    done = certify(url, tmp_path, "--out", "report")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RSC-106" in done.stdout and "FAIL" not in done.stdout
    # The token expiry of RSC-106 did not move the time every user of the sandbox shares.
    assert httpx.get(f"{url}/sandbox/clock").json()["offsetMs"] == offset
    markdown = (tmp_path / "report" / "report.md").read_text()
    number = int(re.search(r"\| Organization / contract \| \S+ / urn:li:contract:(\d+) \|",
                           markdown).group(1))
    ours = {f"urn:li:contract:{number}", f"urn:li:contract:{number + 1}"}
    seats = httpx.get(f"{url}/sandbox/seats", params={"count": 1000}).json()["elements"]
    run_seats = [s for s in seats if s["contract"] in ours]
    held_elsewhere = {s["person"] for s in seats
                      if s["contract"] not in ours and s["active"]}
    assert len(run_seats) == 3
    assert not {s["person"] for s in run_seats} & held_elsewhere
    # At the end the run's seats were removed, as a Recruiter admin does.
    assert not [s for s in run_seats if s["active"]]
