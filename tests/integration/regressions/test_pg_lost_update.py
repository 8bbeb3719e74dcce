import contextlib
import threading

from recruitlink.core.records import Candidate
from recruitlink.store import entities
from recruitlink.store import records as recmod
from recruitlink.store.records import get_record


def test_concurrent_patches_lose_an_update(store, tenant, monkeypatch):
    with store.writer(tenant.id) as w:
        w.records(
            "candidates",
            [(0, Candidate(id="C1", first_name="Ada", last_name="L", emails=["ada@example.com"]))],
            mode="create",
        )
    barrier = threading.Barrier(2, timeout=5)
    real = recmod._resolve_refs

    def gated(*a, **k):
        out = real(*a, **k)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return out

    monkeypatch.setattr(recmod, "_resolve_refs", gated)

    def patch(model):
        with store.writer(tenant.id) as w:
            print(w.records("candidates", [(0, model)], mode="update"))

    t1 = threading.Thread(target=patch, args=(Candidate(id="C1", confidential=True),))
    t2 = threading.Thread(target=patch, args=(Candidate(id="C1", current_title="CTO"),))
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    with store.reader() as conn:
        rec = get_record(
            conn, entities.ENTITIES["candidates"], tenant_id=tenant.id, external_id="C1"
        )
        from sqlalchemy import select

        from recruitlink.store import schema

        print(
            "changelog:",
            conn.execute(
                select(
                    schema.changelog.c.seq,
                    schema.changelog.c.op,
                    schema.changelog.c.confidentiality,
                ).where(schema.changelog.c.entity == "candidates")
            ).all(),
        )
    print("final:", rec["confidential"], rec["current_title"])
    assert rec["confidential"] is True and rec["current_title"] == "CTO"
