"""`recruitlink events list`: the change feed from the command line, on SQLite and PostgreSQL:
a table (or JSON lines) from a cursor with the next cursor, type filters, clear errors, and
`--follow` printing events as they are written (issue 18)."""

from __future__ import annotations

import json
import os
import signal

from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.store import host_events
from tests.conftest import make_tenant
from tests.support.process import Command

NOW = 1_700_000_000_000


def emit(store, tenant, type_: str, subject: str | None, **data: object) -> int:
    with store.db.write() as conn:
        return host_events.emit(conn, tenant.id, type_, subject, dict(data), at_ms=NOW)


def run(*args: str):
    return CliRunner().invoke(cli, ["events", "list", *args], env={"COLUMNS": "200"})


def test_list_a_table_or_json_lines_from_a_cursor(store, tenant):
    db = ["--database-url", store.db.url]
    first = emit(store, tenant, "candidate.created", "c-1", candidate="c-1")
    refused = emit(store, tenant, "export.refused", None, reason="the job is closed")
    last = emit(store, tenant, "candidate.deleted", "c-1", candidate="c-1")
    emit(store, make_tenant(store, "globex"), "candidate.created", "c-9", candidate="c-9")

    shown = run("--tenant", tenant.slug, *db)
    assert shown.exit_code == 0, shown.output
    assert "candidate.created" in shown.output and "candidate.deleted" in shown.output
    assert "c-9" not in shown.output  # another tenant's
    assert "2023-11-14T22:13:20.000Z" in shown.output
    assert f"3 event(s). Next: --after {last}" in shown.output

    shown = run("--tenant", tenant.slug, "--after", str(first), "--types",
                "export.refused,record.rejected", "--json", *db)
    assert shown.exit_code == 0, shown.output
    assert [json.loads(line) for line in shown.output.splitlines()] == [
        {"id": f"evt_{refused}", "cursor": str(refused), "type": "export.refused",
         "timestamp": "2023-11-14T22:13:20.000Z", "data": {"reason": "the job is closed"}}]

    shown = run("--tenant", tenant.slug, "--after", str(last), *db)
    assert shown.exit_code == 0 and f"0 event(s). Next: --after {last}" in shown.output


def test_bad_input_is_refused_naming_the_option(store, tenant):
    db = ["--database-url", store.db.url]
    bad = run("--tenant", tenant.slug, "--types", "candidate.exploded", *db)
    assert bad.exit_code == 2 and "types: unknown event type(s): candidate.exploded" in (
        bad.output)
    bad = run("--tenant", "nobody", *db)
    assert bad.exit_code == 2 and "tenant: no tenant 'nobody'" in bad.output
    bad = run("--tenant", tenant.slug, "--after", "-1", *db)
    assert bad.exit_code == 2 and "--after" in bad.output


def test_follow_prints_new_events_as_they_are_written(store, tenant):
    first = emit(store, tenant, "candidate.created", "c-1", candidate="c-1")
    follower = Command(["events", "list", "--tenant", tenant.slug, "--follow", "--json",
                        "--interval", "0.1", "--database-url", store.db.url],
                       dict(os.environ))
    try:
        follower.wait_for_line(f'"id": "evt_{first}"')
        later = emit(store, tenant, "note.created", "n-1", note="n-1")
        follower.wait_for_line(f'"id": "evt_{later}"')
        follower.proc.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop
        assert follower.proc.wait(timeout=30) == 0
    finally:
        follower.stop()
    events = [json.loads(line) for line in follower.lines if line.startswith("{")]
    assert [e["id"] for e in events] == [f"evt_{first}", f"evt_{later}"]
