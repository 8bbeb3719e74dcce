"""An ATS that moves (the demo restarted on another port) changes its CALLBACK_URL: pushes
LinkedIn is still retrying go to the new URL, none is lost on the old one."""

from __future__ import annotations

import time

from tests.conftest import ORG
from tests.integration.test_sandbox_recruiter import export, members, seats_of, wire_callback
from tests.support.linkedin import integration_key, put_configuration
from tests.support.postgres import free_port


def test_pending_pushes_follow_a_new_callback_url(li, receiver):
    gone = f"http://127.0.0.1:{free_port()}/linkedin/push/old"  # nobody listens there
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
