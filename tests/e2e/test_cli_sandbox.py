"""`recruitlink sandbox` as a user runs it: it prints its URL and the credentials, and what
it prints works."""

from __future__ import annotations

import re
import subprocess

import httpx

from tests.support.process import BIN, sandbox_process


def test_sandbox_prints_url_and_demo_credentials_that_work(tmp_path):
    db = tmp_path / "state.db"
    with sandbox_process("--db", str(db), "--token-ttl", "60") as (url, lines):
        text = "".join(lines)
        partner_id = re.search(r"Partner client id\s*│?\s*(\S+)", text).group(1)
        demo_id = re.search(r"Demo client id\s*│?\s*(\S+)", text).group(1)
        demo_secret = re.search(r"Demo client secret\s*│?\s*(\S+)", text).group(1)
        assert partner_id.startswith("partner-")
        assert re.search(r"Partner client secret\s*│?\s*\S+", text)
        token = httpx.post(f"{url}/oauth/v2/accessToken", data={
            "grant_type": "client_credentials", "client_id": demo_id,
            "client_secret": demo_secret})
        assert token.status_code == 200
        assert token.json()["expires_in"] == 60
        docs = httpx.get(f"{url}/sandbox/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = httpx.get(f"{url}/sandbox/openapi.json", timeout=60).json()
        assert spec["info"]["title"].startswith("recruitlink sandbox")
    assert db.exists()

    # State is kept in the file: a restart keeps the same generated partner credentials.
    with sandbox_process("--db", str(db)) as (_url, lines):
        assert partner_id in "".join(lines)


def test_partner_secret_survives_restart_when_only_the_id_is_given(tmp_path):
    db = tmp_path / "state.db"
    with sandbox_process("--db", str(db), "--partner-client-id", "p1") as (url, lines):
        secret = re.search(r"Partner client secret\s*│?\s*(\S+)", "".join(lines)).group(1)
    with sandbox_process("--db", str(db), "--partner-client-id", "p1") as (url, lines):
        assert secret in "".join(lines)
        token = httpx.post(f"{url}/oauth/v2/accessToken", data={
            "grant_type": "client_credentials", "client_id": "p1", "client_secret": secret})
        assert token.status_code == 200


def test_fault_flags_inject_errors_from_the_command_line():
    with sandbox_process("--fault-rate", "1", "--no-demo") as (url, _lines):
        statuses = {httpx.get(f"{url}/v2/atsCandidates").status_code for _ in range(10)}
        assert statuses <= {500, 503, 504}
        faults = httpx.get(f"{url}/sandbox/faults").json()
        assert faults["endpoints"]["*"]["error_rate"] == 1.0


def test_version_flags_say_which_linkedin_versions_rest_serves():
    with sandbox_process("--no-demo", "--live-versions", "202701",
                         "--sunset-versions", "202604,202601") as (url, lines):
        assert "202701" in "".join(lines)

        def status(version: str) -> int:
            return httpx.get(f"{url}/rest/candidates", headers={
                "LinkedIn-Version": version, "X-RestLi-Protocol-Version": "2.0.0"}).status_code

        # 401: past the version gate, refused for its missing token.
        assert (status("202701"), status("202604"), status("202512")) == (401, 426, 400)


def test_a_malformed_version_flag_is_refused_naming_it():
    done = subprocess.run([str(BIN), "sandbox", "--port", "0", "--live-versions", "2027-01"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "YYYYMM" in done.stdout + done.stderr
