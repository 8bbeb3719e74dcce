"""Memory of a resume upload and download through the data API: flat, whatever the file size.

Serves the app on loopback (in this process, so tracemalloc sees the server's allocations),
then for each size uploads a PDF of that size to a candidate's resume as a chunked body (the
client sends 64 KiB pieces from a generator, never the whole file), downloads it back, and
prints, side by side, the file size and the traced peak of each (tracemalloc, reset before
each transfer). A server that held the file whole would show a peak at least the file's size;
a streamed one stays near the 256 KiB chunk the store keeps. Asserts nothing.

    .venv/bin/python bench/resume_upload.py [--sizes 1,5,10] [--database sqlite|URL]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx

from recruitlink.core.files import MAX_FILE_BYTES, PDF
from recruitlink.runtime.servers import serve
from recruitlink.settings import Settings
from recruitlink.store import Database, Store
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.migrate import upgrade
from recruitlink.store.tenants import create_api_key, create_tenant
from recruitlink.web import create_app

PIECE = 64 * 1024
SECRET = "bench-secret-at-least-32-characters-long"
MB = 1024 * 1024


def pdf_pieces(size: int) -> Iterator[bytes]:
    """A `size`-byte PDF, produced piece by piece (the client holds one piece at a time)."""
    head = b"%PDF-1.4\n"
    yield head
    sent = len(head)
    filler = bytes(range(32, 127)) * (PIECE // 95 + 1)
    while sent < size:
        piece = filler[:min(PIECE, size - sent)]
        sent += len(piece)
        yield piece


def measure(work: object) -> tuple[float, int]:
    tracemalloc.reset_peak()
    start = time.perf_counter()
    result = work()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    del result
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,10",
                        help="file sizes in MB, comma-separated (at most 10)")
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()
    sizes = [min(int(float(s) * MB), MAX_FILE_BYTES) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        url = (f"sqlite:///{Path(tmp) / 'bench.db'}" if args.database == "sqlite"
               else args.database)
        store = Store(Database(url))
        upgrade(store.db)
        with store.db.write() as conn:
            tenant = create_tenant(conn, ChangeSet, slug="bench", name="Bench", kind="CRM",
                                   now_ms=int(time.time() * 1000))
            key = create_api_key(conn, tenant.id, name="bench", now_ms=int(time.time() * 1000))
        app = create_app(Settings(database_url=url, secret_key=SECRET, inbound_worker=False),
                         store=store)
        with serve(app) as base, httpx.Client(
                base_url=f"{base}/api/v1", timeout=300,
                headers={"Authorization": f"Bearer {key}"}) as client:
            created = client.post("/candidates", json={"id": "C1", "first_name": "Ada",
                                                       "emails": ["ada@example.com"]})
            created.raise_for_status()
            # Warm up (imports, connections, caches) before anything is traced.
            client.put("/candidates/C1/resume", content=pdf_pieces(PIECE * 8),
                       headers={"Content-Type": PDF}).raise_for_status()
            client.get("/candidates/C1/resume").raise_for_status()
            tracemalloc.start()
            print(f"{'file size':>12}  {'upload peak':>12}  {'download peak':>14}  "
                  f"{'upload s':>9}  {'download s':>10}  peak/size")
            for size in sizes:
                def upload(size: int = size) -> httpx.Response:
                    answer = client.put("/candidates/C1/resume", content=pdf_pieces(size),
                                        headers={"Content-Type": PDF})
                    answer.raise_for_status()
                    return answer

                def download() -> str:
                    digest = hashlib.sha256()
                    with client.stream("GET", "/candidates/C1/resume") as answer:
                        answer.raise_for_status()
                        for piece in answer.iter_bytes():
                            digest.update(piece)
                    return digest.hexdigest()

                up_s, up_peak = measure(upload)
                down_s, down_peak = measure(download)
                print(f"{size:>12,}  {up_peak:>12,}  {down_peak:>14,}  {up_s:>9.2f}  "
                      f"{down_s:>10.2f}  {max(up_peak, down_peak) / size:>8.1%}")
            tracemalloc.stop()
        store.dispose()


if __name__ == "__main__":
    main()
