"""`recruitlink sandbox` as a user runs it: it prints its URL and the credentials, and what
it prints works."""

from __future__ import annotations

import re

import httpx

from tests.support.process import sandbox_process


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
        assert httpx.get(f"{url}/sandbox/openapi.json").json()["info"]["title"].startswith(
            "recruitlink sandbox")
    assert db.exists()

    # State is kept in the file: a restart keeps the same generated partner credentials.
    with sandbox_process("--db", str(db)) as (_url, lines):
        assert partner_id in "".join(lines)
