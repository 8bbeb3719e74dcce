"""Sending a logical batch of items to LinkedIn as calls of at most 100 records.

Each call first reserves its records in the shared budget; a 429 (of the whole call, or of
single entities in its answer) blocks the family for every process for Retry-After, and the
call, or those entities, wait their turn again; 5xx, timeouts and dropped
connections are retried with backoff, and entities LinkedIn answers as retryable are re-sent
alone. Every item ends with one result: synced, rejected (with LinkedIn's message), or
retryable (LinkedIn kept failing: kept for a later retry, never dropped).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from recruitlink.core.assumed import attachment_record
from recruitlink.core.backoff import Backoff
from recruitlink.core.failed_calls import FailedCall
from recruitlink.core.outcomes import EntityOutcome, classify
from recruitlink.core.restli import canonical, make_key
from recruitlink.errors import (
    Disconnecting,
    LinkedInRequestError,
    LinkedInThrottled,
    LinkedInUnavailable,
)
from recruitlink.linkedin import BatchOutcomes, JobAnswers, LinkedInClient
from recruitlink.linkedin.budget import RateBudget
from recruitlink.linkedin.capture import capturing

from .items import Item
from .streams import FILE_RESOURCES, RESUME_RESOURCE, family_for

CALL_RETRY = Backoff(0.5, 2.0, 30.0, 6)  # RECRUITLINK_RETRY_CALLS's default

Outcome = Literal["synced", "rejected", "retryable"]


@dataclass
class ItemResult:
    outcome: Outcome
    reason: str | None = None
    status: int | None = None
    job_task: str | None = None


@dataclass
class SendStats:
    calls: int = 0
    records: int = 0
    throttled: int = 0
    transient_failures: int = 0


MISSING_FROM_ANSWER = EntityOutcome("retryable", 0, "missing from answer")
"""A record LinkedIn's answer did not mention (one frozen value, not one per lookup)."""


@dataclass
class Sender:
    client: LinkedInClient
    budget: RateBudget
    call_size: int = 100
    retry: Backoff = CALL_RETRY
    """Tries of one call (and of the entities LinkedIn answers as retryable) and the waits
    between them."""
    pause_check: Callable[[], bool] | None = None
    """Asked while waiting for the budget; a pause only stops a batch that sent nothing yet,
    so no record of a half-sent batch is sent twice on resume."""
    sleep: Callable[[float], None] = time.sleep
    keep_alive: Callable[[], None] | None = None
    """Called before every call and while waiting: renews the tenant's lease, and raises if
    another process has taken it (so two processes never send for one tenant)."""
    on_sent: Callable[[int], None] | None = None
    """Called after every call with its record count; the sync logs' progress it feeds
    (`steps.SentNotes`) is written at most every 0.25 s, not per call."""
    disconnect_check: Callable[[], bool] | None = None
    """Asked before every call: True when a disconnect asks this sync to stop (raises
    `Disconnecting`, even in the middle of a batch, so the disconnect never waits long)."""
    file_chunks: Callable[[int], Iterator[bytes]] | None = None
    """A stored file's bytes by its id, chunk by chunk (store/files.py): what uploads send."""
    in_flight: int = 3
    """Calls of one batch in flight at once (RECRUITLINK_CALLS_IN_FLIGHT): while LinkedIn
    answers one, the next is encoded and the last one's answer read."""
    stats: SendStats = field(default_factory=SendStats)
    failed_calls: list[FailedCall] = field(default_factory=list)
    """The batch's calls that failed, redacted, each with the records it failed for (kept
    for support bundles by the step that sends the batch)."""
    _batch_start: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def start_batch(self) -> None:
        self._batch_start = self.stats.calls
        self.failed_calls = []
        self._local.calls = []

    def _mine(self) -> list[FailedCall]:
        """The failed calls this thread made (calls of a batch may run on several)."""
        calls: list[FailedCall] | None = getattr(self._local, "calls", None)
        if calls is None:
            calls = self._local.calls = []
        return calls

    def _count(self, what: str) -> None:
        with self._lock:
            setattr(self.stats, what, getattr(self.stats, what) + 1)

    def _since(self) -> int:
        return len(self._mine())

    def _blame(self, since: int, items: Sequence[Item]) -> None:
        """The records that did not sync, on this thread's failed calls made since `since`."""
        refs = [(item.entity, item.entity_id) for item in items]
        for call in self._mine()[since:]:
            call.records.extend(r for r in refs if r not in call.records)

    def _should_stop(self) -> bool:
        if self.keep_alive is not None:
            self.keep_alive()
        self._check_disconnect()
        return (self.pause_check is not None and self.stats.calls == self._batch_start
                and self.pause_check())

    def _check_disconnect(self) -> None:
        if self.disconnect_check is not None and self.disconnect_check():
            raise Disconnecting("the tenant is being disconnected")

    def send(self, items: Sequence[Item]) -> dict[int, ItemResult]:
        """Send every item; results by the item's index in `items`."""
        results: dict[int, ItemResult] = {}
        groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        jobs: list[int] = []
        for index, item in enumerate(items):
            if item.resource == "simpleJobPostings":
                jobs.append(index)
            else:
                parent = canonical(item.parent) if item.parent else ""
                groups[(item.resource, item.action, parent)].append(index)
        if jobs:
            self._send_jobs(items, jobs, results)
        for (resource, action, _parent), indexes in groups.items():
            chunks = [indexes[start:start + self.call_size]
                      for start in range(0, len(indexes), self.call_size)]
            if resource in FILE_RESOURCES and action == "upsert":
                for chunk in chunks:
                    self._send_files(resource, [items[i] for i in chunk], chunk, results)
            else:
                self._send_chunks(resource, action, items, chunks, results)
        return results

    def _send_chunks(self, resource: str, action: str, items: Sequence[Item],
                     chunks: list[list[int]], results: dict[int, ItemResult]) -> None:
        """The calls of one group, up to `in_flight` at once. The batch's first call goes
        alone: a pause stops only a batch that sent nothing yet, and a call in flight beside
        the first could not tell."""
        def one(chunk: list[int]) -> None:
            self._send_keyed(resource, action, [items[i] for i in chunk], chunk, results)

        if self.stats.calls == self._batch_start and chunks:
            one(chunks[0])
            chunks = chunks[1:]
        if self.in_flight <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                one(chunk)
            return
        pool = ThreadPoolExecutor(max_workers=min(self.in_flight, len(chunks)),
                                  thread_name_prefix="linkedin-call")
        try:
            for future in [pool.submit(one, chunk) for chunk in chunks]:
                future.result()  # the first failure (a stop, a lost lease) ends the batch
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    # -- files: upload each through hireMediaUrl, then name it in one batch call --------------

    def _upload(self, resource: str, usage: str, item: Item, content_type: str,
                size: int) -> str:
        """Upload one stored file; returns the media URN naming it on LinkedIn."""
        reader = self.file_chunks
        if reader is None:
            raise LinkedInRequestError("no file store to read the file from")

        def ask() -> tuple[str, str]:
            return self.client.media_upload_url(usage, content_type)

        url, urn = self.call(resource, 1, ask)
        urn = str(urn)

        def put() -> None:
            # A fresh read each attempt: a retried upload sends the whole file again.
            self.client.upload_media(url, reader(item.entity_id), size, content_type)

        self.call(resource, 0, put)
        return urn

    def _send_files(self, resource: str, chunk: list[Item], indexes: list[int],
                    results: dict[int, ItemResult]) -> None:
        usage = "tcrmResumeParameters" if resource == RESUME_RESOURCE \
            else "rscAttachmentParameters"
        uploaded: list[int] = []
        for n, item in enumerate(chunk):
            payload = item.payload or {}
            content_type = str(payload["contentType"])
            since = self._since()
            try:
                urn = self._upload(resource, usage, item, content_type, int(payload["size"]))
            except LinkedInRequestError as exc:
                whole = classify(exc.status or 400, exc.message)
                results[indexes[n]] = ItemResult(whole.verdict, exc.message, exc.status)
                self._blame(since, [item])
                continue
            record = {"fileName": payload["fileName"], "contentType": content_type,
                      "media": urn}
            if resource == RESUME_RESOURCE:
                item.media = {"resume": record}
            else:
                item.media = {"record": attachment_record(
                    urn, str(payload["fileName"]), content_type, item.modified_at or 0)}
            uploaded.append(n)
        if not uploaded:
            return
        done = [chunk[n] for n in uploaded]

        def name_them() -> BatchOutcomes:
            if resource == RESUME_RESOURCE:
                return self.client.set_resumes([(i.key, (i.media or {})["resume"])
                                                for i in done])
            return self.client.attach([(i.key, (i.media or {})["record"]) for i in done])

        since = self._since()
        try:
            outcomes: BatchOutcomes = self.call(resource, len(done), name_them)
        except LinkedInRequestError as exc:
            whole = classify(exc.status or 400, exc.message)
            for n in uploaded:
                results[indexes[n]] = ItemResult(whole.verdict, exc.message, exc.status)
            self._blame(since, done)
            return
        self.entities_throttled(resource, outcomes.throttled, outcomes.retry_after)
        for n in uploaded:
            outcome = outcomes.get(make_key(chunk[n].key), MISSING_FROM_ANSWER)
            results[indexes[n]] = ItemResult(outcome.verdict, outcome.message or None,
                                             outcome.status)
        self._blame(since, [chunk[n] for n in uploaded
                            if results[indexes[n]].outcome != "synced"])

    # -- keyed resources ------------------------------------------------------------------------

    def _send_keyed(self, resource: str, action: str, chunk: list[Item], indexes: list[int],
                    results: dict[int, ItemResult]) -> None:
        base, _, child = resource.partition("/")
        parent = chunk[0].parent
        pending = list(range(len(chunk)))
        attempt = 0
        while pending:
            batch = [chunk[i] for i in pending]

            def send(batch: list[Item] = batch) -> BatchOutcomes:
                if action == "delete" and resource == RESUME_RESOURCE:
                    return self.client.remove_resumes([it.key for it in batch])
                if action == "delete":
                    return self.client.delete(base, [it.key for it in batch], parent=parent,
                                              child=child or None)
                return self.client.upsert(base, [(it.key, it.payload or {}) for it in batch],
                                          parent=parent, child=child or None)

            since = self._since()
            try:
                outcomes: BatchOutcomes = self.call(resource, len(batch), send)
            except LinkedInRequestError as exc:
                # The whole call refused: each record's outcome by the same rule as an entity
                # status (a DELETE answered 404, e.g. under a parent LinkedIn does not hold,
                # finds the records already gone).
                whole = classify(exc.status or 400, exc.message, deleting=action == "delete")
                for i in pending:
                    results[indexes[i]] = ItemResult(whole.verdict, exc.message, exc.status)
                self._blame(since, batch)
                return
            self.entities_throttled(resource, outcomes.throttled, outcomes.retry_after)
            retry = []
            failing = []
            asked = outcomes.asked if outcomes.asked is not None and \
                len(outcomes.asked) == len(pending) else None
            for n, i in enumerate(pending):
                key = chunk[i].key
                lookup = asked[n] if asked is not None else \
                    key if isinstance(key, str) else make_key(key)
                outcome = outcomes.get(lookup, MISSING_FROM_ANSWER)
                if outcome.verdict != "synced":
                    failing.append(chunk[i])
                if outcome.verdict == "retryable" and not self.retry.gives_up(attempt + 1):
                    retry.append(i)
                else:
                    results[indexes[i]] = ItemResult(outcome.verdict, outcome.message or None,
                                                     outcome.status)
            self._blame(since, failing)
            pending = retry
            if pending:
                attempt += 1
                self._count("transient_failures")
                self.sleep(self.retry.delay(attempt))

    # -- jobs: operations in rounds (one job may not appear twice in one request) -------------

    def _send_jobs(self, items: Sequence[Item], indexes: list[int],
                   results: dict[int, ItemResult]) -> None:
        plan: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for i in indexes:
            item = items[i]
            if item.action == "delete":
                # LinkedIn has no job delete: a job leaving LinkedIn is closed.
                if item.prior_state == "CLOSED":
                    plan[i] = []
                else:
                    plan[i] = [("CLOSE", {"integrationContext": item.organization,
                                          "externalJobPostingId": item.key,
                                          "jobPostingOperationType": "CLOSE"})]
            else:
                plan[i] = list(zip(item.operations, item.job_payloads, strict=True))
        tasks: dict[int, str | None] = {i: None for i in indexes}
        failed: dict[int, ItemResult] = {}
        round_no = 0
        while True:
            due = [i for i in indexes if i not in failed and round_no < len(plan[i])]
            if not due:
                break
            for start in range(0, len(due), self.call_size):
                chunk = due[start:start + self.call_size]
                elements = [plan[i][round_no][1] for i in chunk]
                since = self._since()
                answered = self._jobs_call(elements)
                self._blame(since, [items[i] for i, (outcome, _) in zip(chunk, answered,
                                                                         strict=True)
                                    if outcome.verdict != "synced"])
                for i, (outcome, task) in zip(chunk, answered, strict=True):
                    operation = plan[i][round_no][0]
                    if outcome.verdict == "synced":
                        tasks[i] = task
                    elif operation == "CLOSE" and outcome.status in (404, 409):
                        tasks[i] = None  # already closed, or never there: the goal holds
                    else:
                        failed[i] = ItemResult(outcome.verdict, outcome.message or None,
                                               outcome.status)
            round_no += 1
        for i in indexes:
            results[i] = failed.get(i) or ItemResult("synced", job_task=tasks[i])

    def _jobs_call(self, elements: list[dict[str, Any]]) -> list[tuple[EntityOutcome,
                                                                        str | None]]:
        attempt = 0
        while True:
            try:
                answered: JobAnswers = self.call(
                    "simpleJobPostings", len(elements), lambda: self.client.submit_jobs(elements))
            except LinkedInRequestError as exc:
                return [(EntityOutcome("rejected", exc.status or 400, exc.message), None)
                        for _ in elements]
            self.entities_throttled("simpleJobPostings", answered.throttled,
                                     answered.retry_after)
            if all(o.verdict != "retryable" for o, _ in answered) or \
                    self.retry.gives_up(attempt + 1):
                return answered
            # Resubmitting the whole call is safe: CREATE re-lists, UPDATE repeats.
            attempt += 1
            self._count("transient_failures")
            self.sleep(self.retry.delay(attempt))

    # -- one call, with the budget and transient retries --------------------------------------

    def entities_throttled(self, resource: str, throttled: bool,
                            retry_after: float | None) -> None:
        """LinkedIn throttled single entities of an answer (429 among its statuses): that is
        the family's limit speaking, so every process backs off, as for a whole-call 429
        (for Retry-After, or the budget's default without one), not just those records."""
        if throttled:
            self._count("throttled")
            self.budget.block(family_for(resource), retry_after)


    def call(self, resource: str, records: int, send: Callable[[], Any]) -> Any:
        family = family_for(resource)
        attempt = 0
        while True:
            if self.keep_alive is not None:
                self.keep_alive()
            self._check_disconnect()
            self.budget.acquire(family, records, should_stop=self._should_stop)
            try:
                with capturing() as failed:
                    try:
                        answer = send()
                    finally:
                        self.failed_calls.extend(failed)
                        self._mine().extend(failed)
            except LinkedInThrottled as exc:
                self._count("throttled")
                self.budget.block(family, exc.retry_after)
                continue
            except LinkedInUnavailable:
                attempt += 1
                self._count("transient_failures")
                if self.retry.gives_up(attempt):
                    raise
                self.sleep(self.retry.delay(attempt))
                continue
            with self._lock:
                self.stats.calls += 1
                self.stats.records += records
            if self.on_sent is not None:
                self.on_sent(records)
            return answer
