"""The changelog under concurrent writers, on SQLite and PostgreSQL: exactly one row per
changed record per transaction, and sequence order = commit order (a reader never sees a new
row appear below one it has already seen)."""

from __future__ import annotations

import random
import threading
import time

from sqlalchemy import event, func, select

from recruitlink.core.records import Candidate
from recruitlink.store.schema import changelog

WRITERS = 4
TRANSACTIONS = 25


def test_concurrent_writers_commit_order_and_one_row_per_change(store, tenant):
    with store.writer(tenant.id) as w:
        w.records("candidates", [(i, Candidate(id=f"shared-{i}", first_name="S"))
                                 for i in range(5)], mode="create")
    with store.reader() as conn:
        baseline = conn.execute(select(func.count()).select_from(changelog)).scalar()

    expected = 0
    expected_lock = threading.Lock()
    errors: list[BaseException] = []
    stop = threading.Event()
    violations: list[str] = []
    seen_max = [0]

    def writer(t: int) -> None:
        nonlocal expected
        try:
            for i in range(TRANSACTIONS):
                with store.writer(tenant.id) as w:
                    out = w.records("candidates", [
                        (0, Candidate(id=f"T{t}-{i}", first_name="New")),
                        (1, Candidate(id=f"shared-{i % 5}", current_title=f"t{t} i{i}")),
                        (2, Candidate(id=f"T{t}-{i}", last_name="twice"))],  # dup in call
                        mode="upsert")
                    # Changing the new record again in the same transaction: still one row.
                    w.records("candidates", [(0, Candidate(id=f"T{t}-{i}",
                                                           last_name="Later"))], mode="update")
                changed = sum(1 for o in out if o.status in ("created", "updated"))
                with expected_lock:
                    expected += changed
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        seen: set[int] = set()
        while not stop.is_set():
            with store.reader() as conn:
                now = {r.seq for r in conn.execute(select(changelog.c.seq))}
            new = now - seen
            if seen and new and min(new) < max(seen):
                violations.append(f"seq {min(new)} appeared after {max(seen)} was visible")
            seen |= now
            seen_max[0] = max(seen) if seen else 0
            time.sleep(0.002)

    # A slow COMMIT (after the changelog rows got their sequence numbers) is where a
    # reordering would show; make every commit slow by a random few milliseconds.
    jitter = random.Random(7)

    def slow_commit(_conn: object) -> None:
        time.sleep(jitter.random() * 0.01)

    event.listen(store.db.write_engine, "commit", slow_commit)
    watcher = threading.Thread(target=reader)
    watcher.start()
    threads = [threading.Thread(target=writer, args=(t,)) for t in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    event.remove(store.db.write_engine, "commit", slow_commit)

    assert not errors, errors
    assert not violations, violations[:5]
    with store.reader() as conn:
        rows = conn.execute(select(changelog).where(changelog.c.seq > 0)
                            .order_by(changelog.c.seq)).all()
    new_rows = rows[baseline:]
    assert len(new_rows) == expected == WRITERS * TRANSACTIONS * 2
    # The duplicate in each call was rejected and the later update merged: one create each.
    creates = [r for r in new_rows if r.op == "create"]
    assert sorted(r.external_id for r in creates) == sorted(
        f"T{t}-{i}" for t in range(WRITERS) for i in range(TRANSACTIONS))
    assert all(r.tenant_id == tenant.id for r in new_rows)
