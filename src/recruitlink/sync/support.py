"""Support bundles (issue 19.6): for a failed record (one of its failed checks, by error id),
a batch, or one failed call, the zip LinkedIn support asks for (core/support_bundle.py), from
what the sync kept (store/failed_calls.py). The pages, the API and the CLI all ask here."""

from __future__ import annotations

import time
from dataclasses import dataclass

from recruitlink import __version__
from recruitlink.core.failed_calls import FailedCall
from recruitlink.core.support_bundle import BundleFacts, Subject, build, filename
from recruitlink.crypto import SecretBox
from recruitlink.linkedin.versions import describe_api
from recruitlink.store import Store, connections, failed_calls, sync_logs


def subject_of(error: int | None, batch: int | None, call: int | None) -> tuple[Subject, int]:
    """Which bundle is asked for: exactly one of a record's error id, a batch, a call
    (ValueError otherwise, naming the parameters)."""
    given = [(s, v) for s, v in (("record", error), ("batch", batch), ("call", call))
             if v is not None]
    if len(given) != 1:
        raise ValueError("error, batch, call: give exactly one (a failed record's error id, "
                         "a batch id or a failed call id)")
    subject, value = given[0]
    return subject, value  # type: ignore[return-value]


@dataclass(frozen=True)
class Bundle:
    filename: str
    content: bytes


def support_bundle(store: Store, box: SecretBox, tenant_id: int, tenant_slug: str,
                   subject: Subject, subject_id: int, *, api_version: str,
                   extra_secrets: tuple[str, ...] = ()) -> Bundle:
    """The bundle for `subject` `subject_id` of the tenant. LookupError (naming the subject)
    when the tenant has no such record error, batch or call."""
    with store.reader() as conn:
        info = connections.load(conn, tenant_id, box)
        calls: list[FailedCall]
        if subject == "call":
            found = failed_calls.one(conn, tenant_id, subject_id)
            if found is None:
                raise LookupError(f"call: no failed call {subject_id}")
            call, batch_id = found
            calls = [call]
            records = [] if batch_id is None else [
                e for r in call.records for e in failed_calls.errors_of_batch(
                    conn, tenant_id, batch_id, record=r)]
        elif subject == "batch":
            records = failed_calls.errors_of_batch(conn, tenant_id, subject_id)
            calls = failed_calls.of_batch(conn, tenant_id, subject_id)
            if sync_logs.batch(conn, tenant_id, subject_id) is None:
                raise LookupError(f"batch: no batch {subject_id}")
        else:
            error = failed_calls.error(conn, tenant_id, subject_id)
            if error is None:
                raise LookupError(f"error: no failed record with error id {subject_id}")
            ref = (str(error["entity"]), int(error["entity_id"]))
            batch_id = error["batch_id"]
            records = [error] if batch_id is None else failed_calls.errors_of_batch(
                conn, tenant_id, batch_id, record=ref)
            calls = [] if batch_id is None else [
                c for c in failed_calls.of_batch(conn, tenant_id, batch_id) if ref in c.records]
    facts = BundleFacts(subject=subject, subject_id=subject_id,
                        tenant=tenant_slug,
                        client_id=info.client_id if info else None, version=__version__,
                        created_at_ms=int(time.time() * 1000), api=describe_api(api_version))
    secrets = tuple(s for s in (info.client_secret if info else None, *extra_secrets) if s)
    return Bundle(filename(facts), build(facts, records, calls, secrets=secrets))

