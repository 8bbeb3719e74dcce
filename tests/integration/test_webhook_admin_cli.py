"""`recruitlink webhooks ...` on SQLite and PostgreSQL: add (the secret printed once, sealed
at rest), list, update, disable/enable, rotate, the delivery log and one delivery's attempts,
replay one or a range, remove; bad input refused naming the field, exit code 2 (issue 18)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.store import Store, webhooks
from recruitlink.store.tenants import Tenant
from tests.support.webhook_rows import seed_deliveries

NOW = 1_750_000_000_000


@pytest.fixture
def run(store: Store, tenant: Tenant) -> Any:
    runner = CliRunner(env={"COLUMNS": "200"})  # rich's tables unfolded

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(cli, ["webhooks", *args, "--database-url", store.db.url],
                             input=input)

    return invoke


def endpoints(store: Store, tenant: Tenant) -> list[webhooks.Endpoint]:
    with store.reader() as conn:
        return webhooks.list_endpoints(conn, tenant.id)


def test_add_list_update_switch_rotate_remove(run: Any, store: Store, tenant: Tenant) -> None:
    added = run("add", "--tenant", "acme", "--url", "https://ats.example.com/hooks",
                "--type", "candidate.created,export.refused", "--type", "note.created",
                "--description", "Our ATS")
    assert added.exit_code == 0, added.output
    secret = added.output.strip().splitlines()[-1]
    assert secret.startswith("whsec_") and "shown only now" in added.output
    [endpoint] = endpoints(store, tenant)
    assert endpoint.types == ("candidate.created", "export.refused", "note.created")

    listed = run("list", "--tenant", "acme", "--json")
    assert listed.exit_code == 0 and secret not in listed.output
    [shown] = json.loads(listed.output)
    assert shown["url"] == "https://ats.example.com/hooks" and shown["enabled"] is True
    table = run("list", "--tenant", "acme")
    assert "ats.example.com" in table.output and "enabled" in table.output

    eid = str(endpoint.id)
    assert run("update", eid, "--tenant", "acme", "--all-types",
               "--url", "http://127.0.0.1:9000/hooks").exit_code == 0
    [endpoint] = endpoints(store, tenant)
    assert (endpoint.url, endpoint.types) == ("http://127.0.0.1:9000/hooks", ())
    assert "disabled" in run("disable", eid, "--tenant", "acme").output
    assert endpoints(store, tenant)[0].disabled_reason == "disabled by an admin"
    assert "disabled by an admin" in run("list", "--tenant", "acme").output
    assert run("enable", eid, "--tenant", "acme").exit_code == 0
    assert endpoints(store, tenant)[0].enabled

    rotated = run("rotate", eid, "--tenant", "acme")
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.strip().splitlines()[-1]
    assert new.startswith("whsec_") and new != secret
    assert endpoints(store, tenant)[0].rotating_until is not None

    kept = run("remove", eid, "--tenant", "acme", input="n\n")
    assert kept.exit_code == 1 and len(endpoints(store, tenant)) == 1
    assert run("remove", eid, "--tenant", "acme", "--yes").exit_code == 0
    assert endpoints(store, tenant) == []


@pytest.mark.parametrize(("args", "message"), [
    (["add", "--tenant", "acme", "--url", "http://ats.example.com/"], "url: must use https"),
    (["add", "--tenant", "acme", "--url", "https://a.example/", "--type", "nope"],
     "type: unknown event type"),
    (["add", "--tenant", "acme", "--url", "https://u:p@a.example/"], "url: must not hold"),
    (["add", "--tenant", "nobody", "--url", "https://a.example/"], "tenant: no tenant"),
    (["disable", "999", "--tenant", "acme"], "endpoint: no webhook endpoint 999"),
    (["replay", "999", "--tenant", "acme", "--delivery", "1"], "endpoint: no webhook"),
])
def test_bad_input_is_refused_naming_the_field(run: Any, store: Store, tenant: Tenant,
                                               args: list[str], message: str) -> None:
    refused = run(*args)
    assert refused.exit_code == 2 and message in " ".join(refused.output.split()), (
        refused.output)
    assert endpoints(store, tenant) == []


def test_deliveries_attempts_and_replays(run: Any, store: Store, tenant: Tenant) -> None:
    assert run("add", "--tenant", "acme", "--url", "https://a.example/h").exit_code == 0
    [endpoint] = endpoints(store, tenant)
    eid = str(endpoint.id)
    ids = seed_deliveries(store, tenant.id, endpoint.id, ["delivered", "failed", "failed"], NOW)

    listed = run("deliveries", eid, "--tenant", "acme", "--json", "--limit", "2")
    assert [d["id"] for d in json.loads(listed.output)] == [ids[2], ids[1]]
    older = run("deliveries", eid, "--tenant", "acme", "--limit", "2")
    assert f"--before {ids[1]}" in older.output
    failed = run("deliveries", eid, "--tenant", "acme", "--status", "failed", "--json")
    assert [d["id"] for d in json.loads(failed.output)] == [ids[2], ids[1]]
    assert "status: must be one of" in run("deliveries", eid, "--tenant", "acme",
                                           "--status", "lost").output
    one = json.loads(run("deliveries", eid, "--tenant", "acme", "--delivery", str(ids[1]),
                         "--json").output)
    assert one["status"] == "failed" and [a["code"] for a in one["attemptsLog"]] == [500]

    assert run("replay", eid, "--tenant", "acme", "--delivery", str(ids[1])).exit_code == 0
    with store.reader() as conn:
        again = webhooks.get_delivery(conn, tenant.id, ids[1])
        assert again is not None and again.status == "pending"
    # NOW is 2025-06-15 15:06:40 UTC; the deliveries one a minute from then.
    ranged = run("replay", eid, "--tenant", "acme", "--since", "2025-06-15T15:06:00Z",
                 "--until", "2025-06-15T15:07:50")
    assert ranged.exit_code == 0 and "2 deliveries" in ranged.output, ranged.output
    backwards = run("replay", eid, "--tenant", "acme", "--since", "2025-06-16T00:00Z",
                    "--until", "2025-06-15T00:00Z")
    assert backwards.exit_code == 2 and "until: must not be before" in backwards.output
    neither = run("replay", eid, "--tenant", "acme")
    assert neither.exit_code == 2 and "give --delivery" in neither.output
