"""How fast the pages render on a big tenant: 1,000,000 candidates and 100,000 sync batches.

Builds a SQLite store (bulk inserts straight through the DB-API, no changelog: the pages only
read) holding one ATS tenant with N candidates (a few with applications and notes), a
connection to LinkedIn, a historical run with its milestones, B sync batches over 30 days
(mostly committed, some with record errors, some failed), their errors (one batch with 1,000
of them), and 200 Recruiter seats. Then it serves the app on loopback, signs in as the company
admin and requests each page R times, printing p50 / p95 / max render time (client side, over
HTTP) and the answer's size. Asserts nothing.

    .venv/bin/python bench/pages_render.py [--candidates 1000000] [--batches 100000]
                                          [--requests 30] [--keep PATH]

A quick check: --candidates 20000 --batches 5000 --requests 10.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from recruitlink.core.policy import Policy
from recruitlink.crypto import SecretBox
from recruitlink.settings import Settings
from recruitlink.store import Database, Store, accounts
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.migrate import upgrade
from recruitlink.store.tenants import create_tenant
from recruitlink.web import create_app

SLUG = "bench"
PASSWORD = "bench-password-1"
KEY = "bench-secret-at-least-32-characters-long"
NOW_MS = int(time.time() * 1000)
DAY_MS = 86_400_000
CHUNK = 50_000
FIRST = ["Ada", "Grace", "Alan", "Linus", "Ken", "Barbara", "Edsger", "Donald", "Margaret",
         "John", "Frances", "Radia", "Tim", "Sophie", "Hedy", "Dennis", "Niklaus", "Leslie"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Thompson", "Liskov", "Dijkstra", "Knuth",
        "Hamilton", "McCarthy", "Allen", "Perlman", "Berners-Lee", "Wilson", "Lamarr",
        "Ritchie", "Wirth", "Lamport", "Smith", "Nguyen", "Garcia", "Okafor", "Kowalski"]
STREAMS = ["jobs", "candidates", "candidates", "candidates", "candidates", "candidate_notes",
           "applications", "applications", "stage_transitions"]


def insert(raw: Any, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """executemany in chunks, one transaction each; returns rows written."""
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    total = 0
    cursor = raw.cursor()
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            cursor.execute("BEGIN")
            cursor.executemany(sql, chunk)
            cursor.execute("COMMIT")
            total += len(chunk)
            chunk = []
    if chunk:
        cursor.execute("BEGIN")
        cursor.executemany(sql, chunk)
        cursor.execute("COMMIT")
        total += len(chunk)
    cursor.close()
    return total


def build(store: Store, n_candidates: int, n_batches: int) -> dict[str, Any]:
    rng = random.Random(7)
    box = SecretBox(KEY)
    with store.db.write() as conn:
        tenant = create_tenant(conn, ChangeSet, slug=SLUG, name="Bench Corp", kind="ATS",
                               now_ms=NOW_MS - 400 * DAY_MS)
    tid = tenant.id
    from recruitlink.core.records import User

    with store.writer(tid) as w:
        w.records("users", [(i, User(id=f"U{i}", name=f"{FIRST[i % len(FIRST)]} "
                                     f"{LAST[i % len(LAST)]} {i}",
                                     email=f"user{i}@bench.example",
                                     role="company_admin" if i == 0 else "recruiter"))
                            for i in range(300)], mode="create")
        accounts.set_password(w.conn, tid, "U0", PASSWORD)
    raw = store.db.write_engine.raw_connection()
    try:
        dbapi: Any = raw.driver_connection
        dbapi.isolation_level = None
        started = time.perf_counter()
        span = 365 * DAY_MS

        def candidates() -> Iterator[tuple[Any, ...]]:
            for i in range(n_candidates):
                first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
                at = NOW_MS - span + i * span // max(1, n_candidates)
                yield (tid, f"C{i:07d}", first, last,
                       json.dumps([f"{first}.{last}.{i}@example.com".lower()]), "[]", "[]",
                       "[]", 0, 0, f"Engineer at Co{i % 997}", "Engineer", f"Co{i % 997}",
                       "Paris, FR", at, at)

        n = insert(dbapi, "candidates", [
            "tenant_id", "external_id", "first_name", "last_name", "emails", "phones",
            "addresses", "tags", "confidential", "do_not_contact", "headline",
            "current_title", "current_company", "location", "created_at", "modified_at"],
            candidates())
        print(f"  {n:,} candidates in {time.perf_counter() - started:.1f}s")
        cursor = dbapi.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(
            "INSERT INTO jobs (tenant_id, external_id, title, status, confidential, "
            "viewer_ids, created_at, modified_at) VALUES (?, ?, ?, 'open', 0, '[]', ?, ?)",
            [(tid, f"J{i}", f"Role {i}", NOW_MS - DAY_MS, NOW_MS - DAY_MS) for i in range(50)])
        job_ids = [r[0] for r in cursor.execute("SELECT id FROM jobs WHERE tenant_id = ?",
                                                (tid,))]
        cursor.execute("COMMIT")
        # Applications and notes for every 1000th candidate (the candidate pages we open).
        sample = list(range(0, n_candidates, 1000))
        cand_ids = {ext: cid for cid, ext in cursor.execute(
            "SELECT id, external_id FROM candidates WHERE tenant_id = ? AND external_id IN "
            f"({', '.join('?' for _ in sample[:900])})",
            (tid, *[f"C{i:07d}" for i in sample[:900]]))}
        insert(dbapi, "applications", ["tenant_id", "external_id", "candidate_id", "job_id",
                                       "outcome", "current_stage", "created_at",
                                       "modified_at"],
               ((tid, f"A{ext}-{k}", cid, job_ids[(cid + k) % len(job_ids)], "active",
                 "Interview", NOW_MS - DAY_MS, NOW_MS - DAY_MS)
                for ext, cid in cand_ids.items() for k in range(3)))
        insert(dbapi, "notes", ["tenant_id", "external_id", "candidate_id", "body",
                                "visibility", "created_at", "modified_at"],
               ((tid, f"N{ext}-{k}", cid, f"Note {k} on {ext}", "public",
                 NOW_MS - k * DAY_MS, NOW_MS - k * DAY_MS)
                for ext, cid in cand_ids.items() for k in range(10)))

        # The connection, a historical run and its milestones.
        cursor.execute("BEGIN")
        cursor.execute(
            "INSERT INTO connections (tenant_id, kind, organization, contracts, app_key, "
            "client_id, client_secret, callback_token, status, status_changed_at, paused, "
            "policy, last_sync_at, created_at) VALUES (?, 'RSC', 'urn:li:organization:1', ?, "
            "'urn:li:developerApplication:1', 'bench-client', ?, 'bench-token', 'ENABLED', ?, "
            "0, ?, ?, ?)",
            (tid, json.dumps([{"urn": "urn:li:contract:1", "paused": False}]),
             box.seal("bench-secret-x"), NOW_MS - 30 * DAY_MS,
             json.dumps(Policy().to_json()), NOW_MS - 60_000, NOW_MS - 30 * DAY_MS))
        cursor.execute(
            "INSERT INTO sync_runs (tenant_id, kind, status, start_seq, started_at) "
            "VALUES (?, 'historical', 'running', 0, ?)", (tid, NOW_MS - 30 * DAY_MS))
        run_id = cursor.lastrowid
        totals = {"jobs": 50, "candidates": n_candidates, "candidate_notes": 9000,
                  "applications": 2700, "stage_transitions": 8000, "application_notes": 0,
                  "interview_feedback": 0}
        for position, (name, total) in enumerate(totals.items()):
            done = total if position < 1 else int(total * 0.8) if position == 1 else 0
            cursor.execute(
                "INSERT INTO sync_milestones (run_id, name, position, cursor, total, done, "
                "rejected, excluded, started_at, finished_at) VALUES (?, ?, ?, 0, ?, ?, ?, 0,"
                " ?, ?)", (run_id, name, position, total, done, done // 50,
                           NOW_MS - 30 * DAY_MS if done else None,
                           NOW_MS - 29 * DAY_MS if position < 1 else None))
        cursor.execute("COMMIT")

        # Batches over the last 30 days, newest last; 2% with record errors, 0.5% failed.
        started = time.perf_counter()
        step = 30 * DAY_MS // max(1, n_batches)
        plan: list[tuple[int, str, int]] = []  # (index, status, rejected)
        for i in range(n_batches):
            roll = rng.random()
            status = "failed" if roll < 0.005 else "prepared" if i >= n_batches - 2 else \
                "committed"
            rejected = rng.randint(1, 20) if 0.005 <= roll < 0.025 else 0
            plan.append((i, status, rejected))
        big = n_batches // 2  # the batch with 1,000 errors (paged errors page)
        plan[big] = (big, "committed", 1000)

        def batches() -> Iterator[tuple[Any, ...]]:
            for i, status, rejected in plan:
                at = NOW_MS - 30 * DAY_MS + i * step
                stream = STREAMS[i % len(STREAMS)] if i % 10 else None
                yield (tid, run_id if stream else None, stream, status, 1000,
                       0 if status != "committed" else 1000 - rejected, rejected, 0, 0, 10,
                       1, "timeout" if status == "failed" else None, at,
                       at + 900 if status == "committed" else None)

        insert(dbapi, "sync_batches", [
            "tenant_id", "run_id", "milestone", "status", "records", "synced", "rejected",
            "retryable", "skipped", "calls", "attempts", "last_error", "created_at",
            "committed_at"], batches())
        first_batch = cursor.execute("SELECT min(id) FROM sync_batches WHERE tenant_id = ?",
                                     (tid,)).fetchone()[0]

        def errors() -> Iterator[tuple[Any, ...]]:
            for i, _status, rejected in plan:
                at = NOW_MS - 30 * DAY_MS + i * step
                for k in range(rejected):
                    entity_id = i * 1000 + k
                    yield (tid, first_batch + i, "candidates", entity_id,
                           f"C{entity_id % max(1, n_candidates):07d}", "emailAddresses.0",
                           f"'bad{k}@' does not match the email pattern X@X.X", "validation",
                           "open", at)

        n_errors = insert(dbapi, "sync_errors", [
            "tenant_id", "batch_id", "entity", "entity_id", "external_id", "field", "reason",
            "source", "status", "created_at"], errors())
        print(f"  {n_batches:,} batches and {n_errors:,} errors in "
              f"{time.perf_counter() - started:.1f}s")
        user_ids = [r[0] for r in cursor.execute(
            "SELECT id FROM users WHERE tenant_id = ? ORDER BY id", (tid,))]
        insert(dbapi, "linkedin_seats", [
            "tenant_id", "seat", "contract", "person", "email", "first_name", "last_name",
            "active", "user_id", "mapping", "change", "mapped_at", "updated_at"],
            ((tid, f"urn:li:seat:{i}", "urn:li:contract:1", f"urn:li:person:p{i}",
              f"seat{i}@bench.example", FIRST[i % len(FIRST)], LAST[i % len(LAST)],
              int(i % 17 != 0), user_ids[i] if i % 5 else None,
              "auto" if i % 5 else None, "seat added", NOW_MS, NOW_MS) for i in range(200)))
        cursor.execute("ANALYZE")
        cursor.close()
    finally:
        raw.close()
    return {"tenant_id": tid, "big_batch": first_batch + big,
            "mid_batch": first_batch + n_batches // 3,
            "mid_day": time.strftime("%Y-%m-%d", time.gmtime((NOW_MS - 15 * DAY_MS) / 1000)),
            "candidate": f"C{(n_candidates // 2) // 1000 * 1000:07d}"}


@contextmanager
def serve_tcp(app: Any) -> Iterator[str]:
    """`runtime.servers.serve`, but on a socket created with proto=IPPROTO_TCP: asyncio sets
    TCP_NODELAY only on such sockets, and without it every response on a kept-alive
    connection waits ~40 ms (Nagle + delayed ACK), which would drown what we measure."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def signed_in(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=120) as client:
        r = client.post("/login", data={"workspace": SLUG, "email": "user0@bench.example",
                                        "password": PASSWORD, "next": ""})
        if r.status_code != 303:
            raise SystemExit(f"sign-in failed: {r.status_code} {r.text[:300]}")
        yield client


def measure(client: httpx.Client, path: str, requests: int) -> tuple[list[float], int, int]:
    client.get(path)  # warm-up
    times, size, status = [], 0, 0
    for _ in range(requests):
        started = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        size, status = len(r.content), r.status_code
    return times, size, status


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", type=Path, default=None,
                        help="Build the store at PATH (a new file) and keep it.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "pages.db"
        url = f"sqlite:///{path}"
        if path.exists():
            raise SystemExit(f"{path} exists: give a new path")
        db = Database(url)
        upgrade(db)
        store = Store(db)
        print(f"store: {path} ({args.candidates:,} candidates, {args.batches:,} batches)")
        started = time.perf_counter()
        facts = build(store, args.candidates, args.batches)
        print(f"built in {time.perf_counter() - started:.1f}s, "
              f"{path.stat().st_size / 1e6:.0f} MB")
        settings = Settings(database_url=url, secret_key=KEY, inbound_worker=False,
                            background_sync=False, pollers=False)
        app = create_app(settings, store)
        base = f"/t/{SLUG}"
        logs = f"{base}/integrations/linkedin/sync-logs"
        pages = [
            ("candidates list", f"{base}/candidates"),
            ("candidates search (common name)", f"{base}/candidates?q=Hopper"),
            ("candidates search (one email)", f"{base}/candidates?q="
             f"{facts['candidate'].lower()}"),
            ("candidates search (no match)", f"{base}/candidates?q=zzzyyyxxx"),
            ("candidate page", f"{base}/candidates/{facts['candidate']}"),
            ("setup", f"{base}/integrations/linkedin"),
            ("status.json", f"{base}/integrations/linkedin/status.json"),
            ("sync logs", logs),
            ("sync logs, older page", f"{logs}?before={facts['mid_batch']}"),
            ("sync logs, status=errors", f"{logs}?status=errors"),
            ("sync logs, status=failed", f"{logs}?status=failed"),
            ("sync logs, entity=jobs", f"{logs}?entity=jobs"),
            ("sync logs, entity=live", f"{logs}?entity=live"),
            ("sync logs, one day", f"{logs}?since={facts['mid_day']}&until="
             f"{facts['mid_day']}"),
            ("sync logs, errors+day", f"{logs}?status=errors&since={facts['mid_day']}"
             f"&until={facts['mid_day']}"),
            ("batch errors (1,000)", f"{logs}/batches/{facts['big_batch']}"),
            ("batch errors, page 10", ""),  # its after= is found below
            ("members", f"{base}/integrations/linkedin/members"),
        ]
        with serve_tcp(app) as server, signed_in(server) as client:
            # The errors page's 10th page: the after= of its 9th.
            errors_url = f"{logs}/batches/{facts['big_batch']}"
            after = None
            for _ in range(9):
                r = client.get(errors_url + (f"?after={after}" if after else ""))
                found = r.text.split("?after=")
                after = found[-1].split('"')[0] if len(found) > 1 else after
            pages[-2] = ("batch errors, page 10", f"{errors_url}?after={after}")
            print(f"\n{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KB':>6} status")
            for name, path_ in pages:
                times, size, status = measure(client, path_, args.requests)
                print(f"{name:38} {statistics.median(times):8.1f} "
                      f"{percentile(times, 95):8.1f} {max(times):8.1f} "
                      f"{size / 1024:6.1f} {status}")
        store.dispose()


if __name__ == "__main__":
    main()
