"""An ATS that moves (the demo restarted on another port) changes its CALLBACK_URL: pushes
LinkedIn is still retrying go to the new URL, none is lost on the old one."""

# ruff: noqa: F811  (the fixture imported below is a parameter here)
from __future__ import annotations

import time

import pytest

from recruitlink.runtime.servers import url_of
from tests.conftest import ORG
from tests.integration.test_sandbox_recruiter import export, members, seats_of, wire_callback
from tests.support.linkedin import integration_key, put_configuration
from tests.support.servers import refused  # noqa: F401  (a fixture)


# Retries 1, 2, 4... s apart (the tests' sandbox waits 50 ms, doubling: its six retries were
# spent in about 3 s, and a test stalled that long found the push given up, not pending).
@pytest.mark.parametrize("sandbox_config", [{"push_retry_delay": 1.0}], indirect=True)
def test_pending_pushes_follow_a_new_callback_url(li, receiver, refused):
    gone = f"{url_of(refused)}/linkedin/push/old"  # nobody listens there
    r = put_configuration(li.demo, integration_key(ORG, "ONE_CLICK_EXPORT"),
                          {"CALLBACK_URL": gone})
    assert r.status_code == 200 and not r.json()["errors"], r.text
    request_id = export(li, seats_of(li)[0]["id"], members(li)[0]["person"]).json()["requestId"]
    deadline = time.monotonic() + 10
    while True:  # the first attempt failed: the push waits for its retry
        row = next(p for p in li.control.get("/pushes").json()["elements"]
                   if p["requestId"] == request_id)
        if row["attempts"] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert row["status"] == "PENDING" and row["attempts"] >= 1, row

    wire_callback(li, receiver)  # the ATS is somewhere else now
    pushes = receiver.wait_for(1, timeout=30)
    assert request_id in pushes[0].body.decode()
