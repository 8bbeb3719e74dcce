"""What the certification phases share: the throwaway world (store, tenants, engine, the
LinkedIn clients on one recorded httpx.Client, the sandbox's control API), each case's checks
and calls (`case`), the sync run to its end (`sync`), and LinkedIn read back through the
product's client for what the ledger says it holds (`read_back`, `gone`, `reconcile`)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr

from recruitlink.core.integration_status import COMPANY_TYPES
from recruitlink.crypto import secret_box
from recruitlink.errors import Aborted, CaseFailed, LinkedInRequestError, RecruitlinkError
from recruitlink.linkedin import LinkedInClient
from recruitlink.linkedin.tokens import TokenCache
from recruitlink.linkedin.versions import ApiVersion
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store import Database, Store, connections, listings, sync_logs
from recruitlink.store.migrate import upgrade
from recruitlink.store.schema import candidates
from recruitlink.sync.control import disconnect
from recruitlink.sync.engine import SyncEngine
from recruitlink.sync.visibility import VIEWER_SETTINGS

from .cases import Case, Kind, cases_for
from .receiver import PushReceiver, push_receiver
from .recorder import Call, Recorder
from .sandbox import SandboxControl
from .world import People

Status = Literal["pass", "fail", "manual"]
SUNSET_VERSION = "202406"
"""A LinkedIn-Version past its two years (reference §2.1): LinkedIn must answer 426."""
SANDBOX_TASK_POLL_S = 1.0
"""How soon a job's task is asked about on the sandbox (it answers within seconds): the run
waits for every job to be confirmed. Against LinkedIn the product's setting applies."""


@dataclass
class Options:
    kind: Kind = "RSC"
    organization: str | None = None
    """urn:li:organization:N; on the sandbox a fresh one by default."""
    contract: str | None = None
    sync_timeout_s: float = 120.0
    """How long one step's sync may take before its case fails."""
    enable_timeout_s: float = 600.0
    """Against LinkedIn: how long to wait for the Recruiter admin's switch."""
    sunset_version: str = SUNSET_VERSION
    public_url: str | None = None
    """The URL LinkedIn reaches the product at (the push callback's base). Default: on the
    sandbox, the run's own push receiver; against LinkedIn, PUBLIC_URL."""
    receiver_port: int = 0
    """The loopback port the run's push receiver listens on (0: a free one); against
    LinkedIn, the one `public_url` forwards to."""


@dataclass
class CaseResult:
    case: Case
    status: Status
    notes: list[str]
    calls: list[Call]


@dataclass
class Report:
    kind: Kind
    api_url: str
    sandbox: bool
    family: str
    version: str
    tenant: str
    organization: str
    contract: str
    started_at: datetime
    finished_at: datetime
    results: list[CaseResult]
    sections: dict[str, list[Call]]
    teardown: list[str]
    public_url: str = ""
    """The base of the callback URL registered with LinkedIn."""
    receiver_url: str = ""
    """Where the run's push receiver listened."""
    product: str = ""
    """"recruitlink <version> (commit <sha>)"."""
    client_id: str = ""
    """The partner application's client id (never its secret)."""

    @property
    def failed(self) -> list[str]:
        return [r.case.id for r in self.results if r.status == "fail"]


def as_json(value: object) -> str:
    """A value as the report shows it: JSON (what LinkedIn's API speaks), not a Python repr."""
    return json.dumps(value, default=str, ensure_ascii=False, separators=(", ", ": "))


class Check:
    def __init__(self) -> None:
        self.notes: list[str] = []
        self.manual_reason: str | None = None

    def that(self, condition: object, message: str) -> None:
        if not condition:
            raise CaseFailed(message)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def manual(self, reason: str) -> None:
        self.manual_reason = reason


def api_family(settings: Settings) -> tuple[str, str]:
    """(family, LinkedIn-Version) the product's client speaks with these settings."""
    version = ApiVersion.parse(settings.linkedin_api_version)
    if version.version is None:
        return "v2 (unversioned, Rest.li 1.0)", "none"
    return "rest (versioned, Rest.li 2.0)", version.version


class Harness:
    def __init__(self, settings: Settings, options: Options, *,
                 on_result: Callable[[CaseResult], None] | None = None,
                 say: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.options = options
        self.cases = {c.id: c for c in cases_for(options.kind)}
        self.results: dict[str, CaseResult] = {}
        self.on_result = on_result or (lambda _r: None)
        self.say = say or (lambda _m: None)
        self.recorder = Recorder()
        self.aborted: str | None = None
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.slug = f"certify-{stamp}-{secrets.token_hex(3)}"
        self.teardown_notes: list[str] = []
        self.seat_ids: list[int] = []
        self.tenant_ids: list[int] = []
        self.control: SandboxControl | None = None
        self.organization = self.contract = ""
        self._closing: list[Callable[[], None]] = []
        # Set by the phases for the ones after them.
        self.people = People()
        self.suffixes: tuple[str, ...] = ("",)
        self.callback = ""
        self.linked_member = ""
        self.exported_id = ""
        self.receiver: PushReceiver | None = None
        self.public_url = ""

    # -- the throwaway world ------------------------------------------------------------------

    def _open(self, tmp: Path) -> None:
        s = self.settings.model_copy(update={
            "database_url": f"sqlite:///{tmp / 'certify.db'}",
            # The throwaway store's own key: nothing of the real store is ever opened.
            "secret_key": SecretStr(secrets.token_urlsafe(48))})
        self.box = secret_box(s)
        self.store = Store(Database(s.database_url))
        self._closing.append(self.store.dispose)
        upgrade(self.store.db)
        self.http = self.recorder.client()
        self._closing.append(self.http.close)
        self.tokens = TokenCache()
        self.control = SandboxControl.detect(self.http, s.linkedin_api_url)
        engine_settings = Runtime(s, self.store, self.box).engine_settings()
        if self.control is not None:
            engine_settings = replace(engine_settings, job_task_poll_s=SANDBOX_TASK_POLL_S)
        self.engine = SyncEngine(self.store, self.box, engine_settings, http=self.http,
                                 tokens=self.tokens)
        self._closing.append(self.engine.release_leases)
        partner_secret = (s.partner_client_secret.get_secret_value()
                          if s.partner_client_secret is not None else None)
        self.recorder.forget(partner_secret)
        self.partner = Runtime(s, self.store, self.box, self.engine).partner()
        # The product's push receiver for this store, as `recruitlink serve` runs it.
        serving = ExitStack()
        self.receiver = serving.enter_context(push_receiver(
            self.store, self.box, self.engine, port=self.options.receiver_port))
        self._closing.append(serving.close)
        self.public_url = (self.options.public_url
                           or (self.receiver.url if self.control is not None
                               else s.public_url)).rstrip("/")
        suffix = secrets.randbelow(10**9) + 10**9
        self.organization = self.options.organization or f"urn:li:organization:{suffix}"
        self.contract = self.options.contract or f"urn:li:contract:{suffix}"
        if self.control is None and not (self.options.organization and self.options.contract):
            raise RecruitlinkError("organization/contract: against LinkedIn, give the test "
                                   "organization and contract LinkedIn gave you "
                                   "(--organization, --contract)")

    def _close(self) -> None:
        while self._closing:
            self._closing.pop()()

    # -- case plumbing ------------------------------------------------------------------------

    def _record(self, case_id: str, status: Status, notes: list[str],
                calls: list[Call]) -> None:
        result = CaseResult(self.cases[case_id], status, notes, calls)
        self.results[case_id] = result
        self.on_result(result)

    @contextmanager
    def case(self, case_id: str, *, fatal: bool = False) -> Iterator[Check]:
        """Run a case's checks; its calls are recorded under it. A failing fatal case stops
        the run (the cases after it need what it sets up)."""
        check = Check()
        failure: str | None = None
        with self.recorder.case(case_id) as calls:
            try:
                yield check
            except CaseFailed as exc:
                failure = str(exc)
            except RecruitlinkError as exc:
                failure = f"{type(exc).__name__}: {exc.message}"
            except Exception as exc:  # a bug or an answer we cannot read: the case fails
                failure = f"{type(exc).__name__}: {exc}"
        if failure is not None:
            self._record(case_id, "fail", [*check.notes, failure], calls)
            if fatal:
                raise Aborted(f"{case_id} failed: {failure}")
            return
        status: Status = "manual" if check.manual_reason else "pass"
        notes = check.notes + ([check.manual_reason] if check.manual_reason else [])
        self._record(case_id, status, notes, calls)

    def has(self, case_id: str) -> bool:
        return case_id in self.cases

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """Work that belongs to no single case (setup, the historical sync); a failure there
        stops the run."""
        with self.recorder.case(name):
            try:
                yield
            except (RecruitlinkError, CaseFailed) as exc:
                raise Aborted(f"{name}: {getattr(exc, 'message', None) or exc}") from exc

    # -- helpers ------------------------------------------------------------------------------

    @property
    def tid(self) -> int:
        return self.tenant_ids[0]

    def info(self, tenant_id: int | None = None) -> connections.ConnectionInfo:
        return connections.load_required(self.store, tenant_id or self.tid, self.box)

    def client(self) -> LinkedInClient:
        return self.engine.client_for(self.info())

    def sync(self) -> None:
        """Run the tenant's sync until it has nothing left to send or confirm."""
        deadline = time.monotonic() + self.options.sync_timeout_s
        last = self.engine.run(self.tid, stop=lambda: time.monotonic() > deadline,
                               until_done=True)
        if last.terminal:
            raise CaseFailed(f"the sync stopped: {last.message}")
        if not self.engine.historical_done(self.tid):
            raise CaseFailed(f"the sync did not finish within {self.options.sync_timeout_s:.0f}"
                             f" s (last step: {last.kind} {last.message or ''})")

    def ledger(self, entity: str, external_ids: Iterable[str] | None = None) -> list[Any]:
        with self.store.reader() as conn:
            return sync_logs.ledger_rows(conn, self.tid, entity, external_ids)

    def read_back(self, rows: Iterable[Any]) -> list[tuple[Any, dict[str, Any] | None]]:
        """What LinkedIn holds for each ledger row's key (None: nothing)."""
        client = self.client()
        out = []
        for row in rows:
            key, parent = row.li_key.get("key"), row.li_key.get("parent")
            base, _, child = row.resource.partition("/")
            out.append((row, None if key is None else
                        _get_one(client, base, key, parent, child or None)))
        return out

    def on_linkedin(self, entity: str, external_ids: Iterable[str]) -> dict[str, bool]:
        wanted = list(external_ids)
        found = {ext: False for ext in wanted}
        for row, record in self.read_back(self.ledger(entity, wanted)):
            found[row.external_id] = record is not None
        return found

    def write(self, name: str, model: Any) -> None:
        with self.store.writer(self.tid) as w:
            (outcome,) = w.records(name, [(0, model)], mode="upsert")
        if outcome.status == "rejected":
            raise CaseFailed(f"the store refused {name} {model.id}: {outcome.errors}")

    def delete(self, name: str, *external_ids: str) -> None:
        with self.store.writer(self.tid) as w:
            for ext in external_ids:
                if not w.delete(name, ext):
                    raise CaseFailed(f"no {name} {ext} in the throwaway store")

    def gone(self, check: Check, entity: str, *external_ids: str) -> None:
        present = [ext for ext, there in self.on_linkedin(entity, external_ids).items() if there]
        check.that(not present, f"LinkedIn still holds {entity} {', '.join(present)} after "
                                "it was deleted (its delete was answered as done)")
        check.note(f"{entity} {', '.join(external_ids)}: gone when read back")

    def there(self, check: Check, entity: str, *external_ids: str) -> None:
        missing = [ext for ext, there in self.on_linkedin(entity, external_ids).items()
                   if not there]
        check.that(not missing, f"LinkedIn does not hold {entity} {', '.join(missing)}")

    def reconcile(self, check: Check, entity: str, expected: list[str]) -> None:
        rows = self.ledger(entity, expected)
        synced = [r.external_id for r in rows if r.state == "synced"]
        check.that(sorted(synced) == sorted(expected),
                   f"{entity}: the sync confirmed {sorted(synced)}, expected {sorted(expected)}")
        found = [r.external_id for r, record in self.read_back(rows) if record is not None]
        check.that(sorted(found) == sorted(expected),
                   f"{entity}: LinkedIn holds {sorted(found)} of {sorted(expected)}")
        check.note(f"{entity}: {len(expected)} in the store, {len(synced)} synced, "
                   f"{len(found)} read back from LinkedIn")

    # -- what several phases look up -----------------------------------------------------------

    def types(self) -> tuple[str, ...]:
        """The company-level integration types of the tenant's kind (export first)."""
        return tuple(COMPANY_TYPES[self.info().kind])

    def viewers(self, check: Check, expected: str | None) -> None:
        """JOB_POSTING_VIEWERS and APPLICATION_VIEWERS read back (None: not set)."""
        client = self.client()
        for itype, name in zip(self.types()[:2], VIEWER_SETTINGS, strict=True):
            got = client.configuration(client.integration_key(self.organization, itype), name)
            check.that(got == expected,
                       f"{name} is {as_json(got)}, expected {as_json(expected)}")
            check.note(f"{name}: {got or 'not set'}")

    def candidate(self, external_id: str) -> Any:
        with self.store.reader() as conn:
            row = listings.record(conn, candidates, self.tid, external_id)
        if row is None:
            raise CaseFailed(f"there is no candidate {external_id} in the store")
        return row

    def seats(self) -> list[int]:
        """Recruiter seats of the two hiring-team members and of an outsider (the member
        exported), made once."""
        if not self.seat_ids:
            assert self.control is not None
            people = (self.people.first_user, self.people.second_user, self.people.exported)
            self.seat_ids = [self.control.add_seat(self.contract, str(p), self.organization)
                             for p in people]
        return self.seat_ids

    def record_of(self, entity: str, external_id: str) -> dict[str, Any]:
        ((_row, record),) = self.read_back(self.ledger(entity, [external_id]))
        if record is None:
            raise CaseFailed(f"LinkedIn does not hold {entity} {external_id}")
        return record

    # -- teardown -----------------------------------------------------------------------------

    def _release_seats(self) -> None:
        """The run's seats are removed (as a Recruiter admin does): their members are free
        for the next run, and no member keeps a seat on a contract nobody uses."""
        if self.control is None or not self.seat_ids:
            return
        try:
            for seat in self.seat_ids:
                self.control.remove_seat(seat)
        except LinkedInRequestError as exc:
            self.teardown_notes.append(f"the run's seats were not all removed: {exc.message}")
            return
        self.teardown_notes.append(f"the run's {len(self.seat_ids)} Recruiter seats were "
                                   "removed")

    def teardown(self) -> None:
        if not self.tenant_ids:
            return
        with self.recorder.case("teardown"):
            for tenant_id in self.tenant_ids:
                with self.store.reader() as conn:
                    if connections.load(conn, tenant_id, self.box) is None:
                        continue
                try:
                    report = disconnect(self.engine, tenant_id, wait_s=30.0)
                except RecruitlinkError as exc:
                    self.teardown_notes.append(f"tenant {tenant_id}: the disconnect failed: "
                                               f"{exc.message}")
                    continue
                deleted = sum(report["deleted"].values())
                still = sum(report["verified"]["stillPresent"].values())
                self.teardown_notes.append(
                    f"disconnected {self.slug if tenant_id == self.tid else self.slug + '-b'}:"
                    f" {deleted} records deleted from LinkedIn, {still} still present when "
                    "read back")
            self._release_seats()
        self.teardown_notes.append("the throwaway store was removed; the child applications "
                                   f"recruitlink-{self.slug}[-b] stay on LinkedIn (the "
                                   "provisioning API has no delete)")


def _get_one(client: LinkedInClient, resource: str, key: Any, parent: Any,
             child: str | None) -> dict[str, Any] | None:
    try:
        found = client.get(resource, [key], parent=parent, child=child)
    except LinkedInRequestError as exc:
        if exc.status == 404:  # the parent is gone: so is everything under it
            return None
        raise
    return next(iter(found.values()), None)


__all__ = ["Aborted", "CaseFailed", "CaseResult", "Check", "Harness", "Options", "Report",
           "api_family", "as_json"]
