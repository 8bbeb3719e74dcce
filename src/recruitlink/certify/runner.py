"""`recruitlink certify`: LinkedIn's certification cases run against the configured LinkedIn
(the sandbox by default) with the product's own parts: `sync.connect` onboards, the sync
engine sends the history and every change, `inbound` takes One-Click Exports and LinkedIn's
matches, `sync.visibility` switches ACLs on, and what LinkedIn holds is read back through the
product's LinkedIn client after each step. Nothing is trusted from a write's answer alone: a
delete answered 204 passes only when the record is gone when read back.

The run works on throwaway tenants in a throwaway store (a SQLite file in a temporary
directory, under a secret key of its own), so no real tenant's data is touched; at the end
they are disconnected, which deletes everything the run sent, and the store is removed. The
child applications LinkedIn provisioned stay (the API has no delete for them) under
uniqueForeignIds starting `recruitlink-certify-`.

Steps a person does in Recruiter (the admin's switch, a seat, an export) go through the
sandbox's control API when the target is the sandbox; against LinkedIn the run waits for the
admin's switch and reports the cases that need a person in Recruiter as "manual".
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr
from sqlalchemy import select

from recruitlink.core.integration_status import COMPANY_TYPES
from recruitlink.core.records import Candidate, User
from recruitlink.crypto import secret_box
from recruitlink.errors import (
    LinkedInAuthError,
    LinkedInRequestError,
    LinkedInVersionSunset,
    RecruitlinkError,
)
from recruitlink.inbound.exports import process_export
from recruitlink.inbound.links import link_member, unlink_member
from recruitlink.inbound.matches import read_matches
from recruitlink.linkedin import LinkedInClient
from recruitlink.linkedin.tokens import TokenCache
from recruitlink.linkedin.versions import DEFAULT_API_VERSION, SETTING, ApiVersion
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store import Database, Store
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.migrate import upgrade
from recruitlink.store.schema import applications, candidates, jobs, sources, sync_ledger
from recruitlink.store.tenants import create_tenant
from recruitlink.sync import connections
from recruitlink.sync.connect import child_foreign_id, connect, refresh_status
from recruitlink.sync.control import disconnect
from recruitlink.sync.engine import SyncEngine, now_ms
from recruitlink.sync.visibility import EVERYONE, VIEWER_SETTINGS, set_visibility

from .cases import Case, Kind, cases_for
from .recorder import Call, Recorder
from .sandbox import SandboxControl
from .world import People, write_world

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

    @property
    def failed(self) -> list[str]:
        return [r.case.id for r in self.results if r.status == "fail"]


class CaseFailed(Exception):
    """A check of the case did not hold; the message says which."""


class Aborted(Exception):
    """The run cannot go on (no tenant connected, never enabled)."""


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


class Certification:
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

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> Report:
        started = datetime.now(UTC)
        with tempfile.TemporaryDirectory(prefix="recruitlink-certify-") as tmp:
            try:
                self._open(Path(tmp))
                for phase in self._phases():
                    try:
                        phase()
                    except Aborted as exc:
                        self.aborted = str(exc)
                        break
            finally:
                try:
                    self._teardown()
                finally:
                    self._close()
        self.recorder.redact_all()
        for case in self.cases.values():
            if case.id not in self.results:
                self._record(case.id, "fail", [f"not reached: {self.aborted}"], [])
        family, version = api_family(self.settings)
        sections = {name: calls for name, calls in self.recorder.calls.items()
                    if name not in self.cases}
        return Report(kind=self.options.kind, api_url=self.settings.linkedin_api_url,
                      sandbox=self.control is not None, family=family, version=version,
                      tenant=self.slug, organization=self.organization,
                      contract=self.contract, started_at=started,
                      finished_at=datetime.now(UTC),
                      results=[self.results[c] for c in self.cases], sections=sections,
                      teardown=self.teardown_notes)

    def _phases(self) -> list[Callable[[], None]]:
        if self.options.kind == "RSC":
            return [self._onboarding, self._history, self._new_candidate, self._retrieval,
                    self._acls, self._deletion, self._tokens, self._versioning]
        return [self._onboarding, self._history, self._acls, self._crm_pipelines,
                self._deletion, self._tokens, self._versioning]

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
        query = select(sync_ledger).where(sync_ledger.c.tenant_id == self.tid,
                                          sync_ledger.c.entity == entity)
        if external_ids is not None:
            query = query.where(sync_ledger.c.external_id.in_(list(external_ids)))
        with self.store.reader() as conn:
            return list(conn.execute(query.order_by(sync_ledger.c.external_id)))

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

    # -- Module 1: onboarding -----------------------------------------------------------------

    def _onboarding(self) -> None:
        self.people = People()
        with self.section("setup"):
            if self.control is not None:
                shared = self.control.shared_members(5)
                self.people = People(first_user=shared[0]["person"],
                                     second_user=shared[1]["person"],
                                     exported=shared[2]["person"],
                                     matched_email=shared[3]["emailAddresses"][0])
                self.linked_member = str(shared[4]["person"])
            kind = "CRM" if self.options.kind == "CRM" else "ATS"
            # A second customer instance (RSC-103) needs a second company: the sandbox makes
            # one; LinkedIn gives a vendor one test company, so there it is shown by hand.
            self.suffixes = ("", "-b") if self.control is not None else ("",)
            with self.store.db.write() as conn:
                for suffix in self.suffixes:
                    tenant = create_tenant(conn, ChangeSet, slug=self.slug + suffix,
                                           name=f"Certification {self.slug}{suffix}",
                                           kind=kind, now_ms=now_ms())
                    self.tenant_ids.append(tenant.id)
            write_world(self.store, self.tid, crm=self.options.kind == "CRM",
                        people=self.people)
        first = "RSC-101" if self.has("RSC-101") else "CRM-010"
        with self.case(first, fatal=True) as check:
            results = [connect(self.store, self.box, self.engine, self.partner,
                               tenant_slug=self.slug + suffix,
                               organization=_another(self.organization, n),
                               contracts=[_another(self.contract, n)],
                               public_url=self.settings.public_url)
                       for n, suffix in enumerate(self.suffixes)]
            self.callback = results[0].callback_url
            for tenant_id in self.tenant_ids:
                info = self.info(tenant_id)
                # The push URL's token is a credential of the tenant's receiver too.
                self.recorder.forget(info.client_secret, info.callback_token)
            if first == "CRM-010":
                self._apps_distinct(check)
            else:
                self._connected(check)
        if self.has("RSC-103"):
            with self.case("RSC-103") as check:
                self._apps_distinct(check)
        if self.has("RSC-104"):
            with self.case("RSC-104") as check:
                client = self.client()
                export = client.integration_key(self.organization, self._types()[0])
                got = client.configuration(export, "CALLBACK_URL")
                check.that(got == self.callback, f"CALLBACK_URL is {got!r}")
                check.note("CALLBACK_URL: the tenant's push URL")
                self._viewers(check, EVERYONE)
        if self.has("RSC-105"):
            with self.case("RSC-105") as check:
                app = self.partner.find_child_app(child_foreign_id(self.slug))
                domains = (app or {}).get("validJsSdkDomains") or []
                origin = self.settings.public_url.rstrip("/")
                check.that(origin in domains, f"validJsSdkDomains {domains} lack {origin}")
                check.note(f"validJsSdkDomains: {domains}")

    def _types(self) -> tuple[str, ...]:
        return tuple(COMPANY_TYPES[self.info().kind])

    def _connected(self, check: Check) -> None:
        info = self.info()
        check.that(info.app_key and info.client_id and info.client_secret,
                   "the child app's credentials were not stored")
        check.that(info.organization == self.organization
                   and info.contract_urns == [self.contract],
                   "the organization and contract URNs were not stored")
        client = self.client()
        keys = [client.integration_key(self.organization, t) for t in self._types()]
        names = [(r or {}).get("integrationName") for r in client.integrations(keys).values()]
        check.that(all(names), f"integrations without a name: {names}")
        check.note(f"child app {info.app_key}; integrations named {names}")
        self._enable(check)

    def _enable(self, check: Check) -> None:
        if self.control is not None:
            for context in (self.organization, self.contract):
                self.control.enable(context)
            check.note("the Recruiter admin's switch: turned on through the sandbox's "
                       "control API")
        else:
            self.say("Waiting for the customer's Recruiter admin to enable the integrations "
                     f"of {self.organization} and {self.contract}...")
        deadline = time.monotonic() + (self.options.enable_timeout_s
                                       if self.control is None else 30.0)
        status = "PENDING"
        while True:
            status, _run = refresh_status(self.store, self.box, self.engine, self.tid)
            if status == "ENABLED" or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        check.that(status == "ENABLED", f"the integrations are {status}, never ENABLED")
        kept = self.info().integrations
        check.note(f"status read back and kept: {kept}")

    def _apps_distinct(self, check: Check) -> None:
        if len(self.suffixes) < 2:
            check.manual("onboard a second customer instance (another company) and compare "
                         "the two applications' uniqueForeignId and client id")
            if self.options.kind == "CRM":
                self._enable(check)
            return
        apps = [self.partner.find_child_app(child_foreign_id(self.slug + s))
                for s in self.suffixes]
        check.that(all(apps), "a tenant's child application was not found")
        keys = {str(a["key"]) for a in apps if a}
        ids = {str((a.get("credentials") or {}).get("client_id")) for a in apps if a}
        check.that(len(keys) == 2 and len(ids) == 2,
                   "the two tenants share a child application")
        check.note(f"two tenants, two applications: {sorted(keys)}")
        if self.options.kind == "CRM":
            self._enable(check)

    def _viewers(self, check: Check, expected: str | None) -> None:
        client = self.client()
        for itype, name in zip(self._types()[:2], VIEWER_SETTINGS, strict=True):
            got = client.configuration(client.integration_key(self.organization, itype), name)
            check.that(got == expected, f"{name} is {got!r}, expected {expected!r}")
            check.note(f"{name}: {got or 'not set'}")

    # -- Module 2: sync ATS -> LinkedIn -----------------------------------------------------

    def _history(self) -> None:
        with self.section("historical sync"):
            self.say("Historical sync...")
            self.sync()
        if self.has("RSC-102"):
            with self.case("RSC-102") as check:
                sent = self._job_elements()
                check.that(sent.get("J-PUBLIC") == "PUBLIC",
                           f"J-PUBLIC was sent {sent.get('J-PUBLIC')}")
                check.that(sent.get("J-PRIVATE") == "PRIVATE_TO_ATS_INTEGRATION",
                           f"J-PRIVATE was sent {sent.get('J-PRIVATE')}")
                check.note(f"availability sent: {sent}")
        if self.has("RSC-201"):
            with self.case("RSC-201") as check:
                self._jobs(check)
        if self.has("RSC-202"):
            with self.case("RSC-202") as check:
                self.reconcile(check, "candidates", ["C1", "C2", "C3", "C4"])
        if self.has("RSC-203"):
            with self.case("RSC-203") as check:
                self.reconcile(check, "applications", ["A1", "A2", "A3", "A4"])
                self.reconcile(check, "stage_transitions",
                               ["A1-S0", "A1-S1", "A1-S2", "A2-S0", "A4-S0"])
                self.reconcile(check, "notes", ["AN1", "N1", "N2"])
                self.reconcile(check, "interview_feedback", ["F1"])

    def _job_elements(self) -> dict[str, str]:
        """The availability each job was last sent with."""
        out: dict[str, str] = {}
        for method, path, body in self.recorder.sent:
            if method != "POST" or not path.endswith("simpleJobPostings"):
                continue
            for element in (body or {}).get("elements") or []:
                if "availability" in element:
                    out[str(element.get("externalJobPostingId"))] = str(element["availability"])
        return out

    def _jobs(self, check: Check) -> None:
        expected = ["J-CLOSED", "J-PRIVATE", "J-PUBLIC", "J-SECURE"]
        rows = self.ledger("jobs", expected)
        states = {r.external_id: (r.state, (r.li_key or {}).get("state")) for r in rows}
        refused = {r.external_id: r.reason for r in rows if r.state != "synced"}
        check.that(sorted(states) == expected and not refused,
                   f"jobs not confirmed: {refused or states}")
        check.that(states["J-CLOSED"][1] == "CLOSED", "J-CLOSED is not CLOSED on LinkedIn")
        check.note(f"jobs confirmed by their tasks: {states}")
        if self.control is not None:
            summary = self.http.get(f"{self.control.base}/organizations/"
                                    f"{self.organization}/summary").json()
            check.that(summary["jobs"] == {"LISTED": 3, "CLOSED": 1, "processing": 0},
                       f"Recruiter lists {summary['jobs']}")
            check.note(f"Recruiter lists {summary['jobs']}")

    def _new_candidate(self) -> None:
        with self.case("RSC-204") as check:
            email = self.people.matched_email or f"certify.new.{self.slug}@example.com"
            self.write("candidates", Candidate(id="C5", first_name="Certify",
                                               last_name="Newcomer", emails=[email]))
            self.sync()
            self.there(check, "candidates", "C5")
            check.note("C5 created after the history: on LinkedIn")
            counts = read_matches(self.store, self.client(), self.engine.budget_for(
                self.info()), self.tid, now_ms=now_ms())
            urn = self._candidate("C5").person_urn
            if self.control is None:
                check.manual(f"LinkedIn's match for {email}: {urn or 'none'} (use a real "
                             "member's email to see the person URN kept)")
                return
            check.that(urn is not None and urn == self._member_of(email),
                       f"the matched person URN was not kept ({dict(counts)}, {urn})")
            check.note(f"LinkedIn matched {urn}; kept on the candidate")

    def _member_of(self, email: str) -> str | None:
        assert self.control is not None
        body = self.http.get(f"{self.control.base}/members", params={"count": 50}).json()
        return next((m["person"] for m in body["elements"] if email in m["emailAddresses"]),
                    None)

    def _candidate(self, external_id: str) -> Any:
        with self.store.reader() as conn:
            return conn.execute(select(candidates).where(
                candidates.c.tenant_id == self.tid,
                candidates.c.external_id == external_id)).one()

    # -- Module 3: retrieval ------------------------------------------------------------------

    def _seats(self) -> list[int]:
        """Recruiter seats of the two hiring-team members and of an outsider (the member
        exported), made once."""
        if not self.seat_ids:
            assert self.control is not None
            people = (self.people.first_user, self.people.second_user, self.people.exported)
            self.seat_ids = [self.control.add_seat(self.contract, str(p), self.organization)
                             for p in people]
        return self.seat_ids

    def _retrieval(self) -> None:
        if self.control is None:
            for case_id in ("RSC-301", "RSC-302", "RSC-303", "RSC-304", "RSC-305"):
                with self.case(case_id) as check:
                    check.manual("needs a recruiter in LinkedIn Recruiter: export a member "
                                 "(or link one in the profile widget) and look at the ATS")
            return
        control = self.control
        person = str(self.people.exported)
        with self.case("RSC-301") as check:
            seat = self._seats()[0]
            request = control.export(seat, person, job="J-PUBLIC")
            result = process_export(self.store, self.client(), tenant_id=self.tid,
                                    organization=self.organization, request_id=request,
                                    now_ms=now_ms())
            check.that(result.outcome == "created", f"the export was {result.outcome}: "
                                                   f"{result.reason}")
            self.exported_id = str(result.candidate_id)
            row = self._candidate(self.exported_id)
            check.that(row.person_urn == person, f"person URN {row.person_urn}")
            check.that(self._jobs_of(self.exported_id) == {"J-PUBLIC"},
                       f"applications on {self._jobs_of(self.exported_id)}")
            source = self._source_name(row.source_id)
            check.that("LinkedIn" in (source or ""), f"source {source!r}")
            check.that(any("LinkedIn" in t for t in row.tags or []), f"tags {row.tags}")
            check.note(f"candidate {self.exported_id} on J-PUBLIC, source {source!r}, "
                       f"tags {row.tags}")
            self.sync()
        with self.case("RSC-302") as check:
            row = self._candidate(self.exported_id)
            fields = {name: getattr(row, name) for name in (
                "first_name", "last_name", "headline", "current_title", "current_company",
                "location", "linkedin_url", "person_urn", "tags", "source_id")}
            filled = sorted(k for k, v in fields.items() if v)
            check.that({"first_name", "last_name", "person_urn"} <= set(filled),
                       f"fields ingested: {filled}")
            check.note("from One-Click Export: " + ", ".join(filled) + "; contact details "
                       "(email, phone) come from InMail stub profiles (mailStubs)")
        with self.case("RSC-303") as check:
            request = control.export(self._seats()[0], person, job="J-PRIVATE")
            result = process_export(self.store, self.client(), tenant_id=self.tid,
                                    organization=self.organization, request_id=request,
                                    now_ms=now_ms())
            check.that(result.outcome == "merged" and result.candidate_id == self.exported_id,
                       f"the re-export was {result.outcome} into {result.candidate_id}")
            with self.store.reader() as conn:
                same = conn.execute(select(candidates.c.external_id).where(
                    candidates.c.tenant_id == self.tid,
                    candidates.c.person_urn == person)).all()
            check.that(len(same) == 1, f"{len(same)} candidates for {person}")
            check.that(self._jobs_of(self.exported_id) == {"J-PUBLIC", "J-PRIVATE"},
                       f"applications on {self._jobs_of(self.exported_id)}")
            check.note(f"one candidate {self.exported_id}, on J-PUBLIC and J-PRIVATE")
            self.sync()
        with self.case("RSC-304") as check:
            link_member(self.store, self.tid, "C3", self.linked_member)
            self.sync()
            record = self._record_of("candidates", "C3")
            check.that(record.get("manualMatchedMember") == self.linked_member,
                       f"LinkedIn holds manualMatchedMember "
                       f"{record.get('manualMatchedMember')!r}")
            check.note(f"linked: LinkedIn holds manualMatchedMember {self.linked_member}")
            unlink_member(self.store, self.tid, "C3")
            self.sync()
            record = self._record_of("candidates", "C3")
            check.that("manualMatchedMember" not in record,
                       "manualMatchedMember is still sent after the unlink")
            check.note("unlinked: no manualMatchedMember any more")
        with self.case("RSC-305") as check:
            info = self.info()
            origin = self.settings.public_url.rstrip("/")
            page = control.profile_widget(api_key=str(info.client_id), origin=origin,
                                          context=self.organization, candidate="C1")
            check.that(page.status_code == 200, f"the widget answered {page.status_code}")
            check.that("Sign in" in page.text, "the signed-out widget shows no sign-in prompt")
            framing = page.headers.get("content-security-policy", "")
            check.that(f"frame-ancestors {origin}" in framing,
                       f"the widget may be framed by: {framing}")
            foreign = control.profile_widget(api_key=str(info.client_id),
                                             origin="https://elsewhere.example",
                                             context=self.organization, candidate="C1")
            check.that(foreign.status_code == 403,
                       f"a foreign origin got {foreign.status_code}")
            check.note(f"signed out: a sign-in prompt; framed only by {origin}; another "
                       "origin refused (403). Fit and scrolling: see the product's browser "
                       "tests (tests/e2e/test_widgets_browser.py)")

    def _record_of(self, entity: str, external_id: str) -> dict[str, Any]:
        ((_row, record),) = self.read_back(self.ledger(entity, [external_id]))
        if record is None:
            raise CaseFailed(f"LinkedIn does not hold {entity} {external_id}")
        return record

    def _jobs_of(self, candidate_id: str) -> set[str]:
        with self.store.reader() as conn:
            return {r.external_id for r in conn.execute(
                select(jobs.c.external_id).join(applications, applications.c.job_id == jobs.c.id)
                .join(candidates, candidates.c.id == applications.c.candidate_id)
                .where(candidates.c.tenant_id == self.tid,
                       candidates.c.external_id == candidate_id))}

    def _source_name(self, source_id: int | None) -> str | None:
        if source_id is None:
            return None
        with self.store.reader() as conn:
            return conn.execute(select(sources.c.name).where(sources.c.id == source_id)
                                ).scalar()

    # -- Module 4: ACLs -----------------------------------------------------------------------

    def _acls(self) -> None:
        crm = self.options.kind == "CRM"
        first = "CRM-155" if crm else "RSC-401"
        with self.case(first) as check:
            set_visibility(self.engine, self.tid, "acls")
            self.sync()
            acls = [r for r in self.ledger("job_acls")
                    if (r.li_key.get("key") or {}).get("atsEntityId") == "J-SECURE"]
            check.that(len(acls) == 2, f"{len(acls)} ACL records for J-SECURE, expected 2")
            found = [record for _row, record in self.read_back(acls)]
            check.that(all(r is not None for r in found), "an ACL is not on LinkedIn")
            check.note("J-SECURE: an ACL per hiring-team member, read back")
            if not crm:
                self._assignees(check, {"U1": True, "U2": True})
                self._picker(check, first=True, second=True)
        if crm:
            with self.case("CRM-156") as check:
                self._assignees(check, {"U1": True, "U2": True})
            with self.case("CRM-157") as check:
                self._viewers(check, None)
            with self.case("CRM-158") as check:
                self._finder(check, present=True)
        else:
            with self.case("RSC-402") as check:
                sent = [e for m, p, b in self.recorder.sent if p.endswith("simpleJobPostings")
                        for e in (b or {}).get("elements") or []
                        if e.get("externalJobPostingId") == "J-SECURE" and "title" in e]
                check.that(sent and sent[-1].get("accessRestricted") is True,
                           "J-SECURE was not sent accessRestricted")
                record = self._record_of("applications", "A3")
                check.that(record.get("atsJobPostingId") == "J-SECURE",
                           f"A3 is on {record.get('atsJobPostingId')}")
                check.note("J-SECURE sent accessRestricted; its application A3 is on "
                           "LinkedIn under it, so only the ACL's users see it")
        removed, restored = ("CRM-159", "CRM-160") if crm else ("RSC-403", "RSC-404")
        with self.case(removed) as check:
            self.write("users", User(id="U1", active=False))
            self.sync()
            self._assignees(check, {"U1": False, "U2": True})
            if not crm:
                self._picker(check, first=False, second=True)
        with self.case(restored) as check:
            self.write("users", User(id="U1", active=True))
            self.sync()
            self._assignees(check, {"U1": True, "U2": True})
            if not crm:
                self._picker(check, first=True, second=True)

    def _assignees(self, check: Check, expected: dict[str, bool]) -> None:
        rows = self.ledger("users", list(expected))
        held = {ext: False for ext in expected}
        for row, record in self.read_back(rows):
            held[row.external_id] = record is not None
        check.that(held == expected, f"assignees on LinkedIn: {held}, expected {expected}")
        check.note(f"assignees read back: {held}")

    def _finder(self, check: Check, *, present: bool) -> None:
        """The assignee finder (what Recruiter asks for a member) lists J-SECURE's ACL."""
        (row,) = self.ledger("users", ["U1"])
        key = row.li_key["key"]
        found = self.client().find("atsEntityAclAssignees", [
            ("q", "criteria"), ("assignee", key["assignee"]),
            ("dataProvider", key["dataProvider"]),
            ("integrationContext", key["integrationContext"])])
        check.that(bool(found) == present, f"the assignee finder lists {found}")
        check.note(f"assignee finder for {key['assignee']}: {len(found)} ACL(s)")

    def _picker(self, check: Check, *, first: bool, second: bool) -> None:
        if self.control is None:
            check.manual("look at the One-Click Export job picker of each hiring-team "
                         "member in Recruiter")
            return
        seats = self._seats()
        shown = [("J-SECURE" in self.control.picker(s)) for s in seats]
        expected = [first, second, False]
        check.that(shown == expected, f"J-SECURE in the export picker of the hiring team's "
                                      f"seats and an outsider's: {shown}, expected {expected}")
        check.note(f"export picker shows J-SECURE to U1, U2, an outsider: {shown}")

    def _crm_pipelines(self) -> None:
        with self.case("CRM-161") as check:
            self.reconcile(check, "projects", ["P-OTHER", "P-SHARED"])
            record = self._record_of("projects", "P-SHARED")
            check.that(record.get("accessRestricted") is False,
                       f"P-SHARED accessRestricted {record.get('accessRestricted')}")
            private = self.ledger("projects", ["P-PRIVATE"])
            check.that(all(r.state == "excluded" for r in private),
                       f"P-PRIVATE is {[r.state for r in private]}")
            check.that(not any(self.on_linkedin("projects", ["P-PRIVATE"]).values()),
                       "P-PRIVATE is on LinkedIn")
            check.note("P-PRIVATE (not shared with every recruiter) not sent")

    # -- Module 5: deletion -------------------------------------------------------------------

    def _deletion(self) -> None:
        crm = self.options.kind == "CRM"
        with self.case("CRM-162" if crm else "RSC-501") as check:
            self.delete("notes", "N1")
            self.sync()
            self.gone(check, "notes", "N1")
            self.there(check, "notes", "N2")
            self.delete("candidates", "C2")
            self.sync()
            self.gone(check, "candidates", "C2")
            self.gone(check, "notes", "N2")
        if crm:
            with self.case("CRM-163") as check:
                self.delete("project_memberships", "PM2")
                self.sync()
                self.gone(check, "project_memberships", "PM2")
            with self.case("CRM-164") as check:
                self.delete("projects", "P-OTHER")
                self.sync()
                self.gone(check, "projects", "P-OTHER")
                self.gone(check, "project_stages", "PS3")
            with self.case("CRM-165") as check:
                self.delete("interactions", "I1")
                self.sync()
                self.gone(check, "interactions", "I1")
            return
        with self.case("RSC-502") as check:
            self.delete("candidates", "C4")
            self.sync()
            self.gone(check, "candidates", "C4")
            self.gone(check, "applications", "A4")
        with self.case("RSC-503") as check:
            self.delete("notes", "AN1")
            self.delete("stage_transitions", "A1-S2")
            self.delete("interview_feedback", "F1")
            self.sync()
            self.gone(check, "notes", "AN1")
            self.gone(check, "stage_transitions", "A1-S2")
            self.gone(check, "interview_feedback", "F1")
            self.there(check, "applications", "A1")
            self.delete("applications", "A1")
            self.sync()
            self.gone(check, "applications", "A1")
            self.gone(check, "stage_transitions", "A1-S0", "A1-S1")
        with self.case("RSC-504") as check:
            self.delete("applications", "A2")
            self.sync()
            self.gone(check, "applications", "A2")
            self.gone(check, "stage_transitions", "A2-S0")

    # -- tokens and versioning ------------------------------------------------------------

    def _tokens(self) -> None:
        apps = 1 + len(self.tenant_ids)  # the partner and each tenant's child app
        minted = self.tokens.minted
        requests = list(self.recorder.token_requests)
        crm = self.options.kind == "CRM"

        def post_form(check: Check) -> None:
            bad = [r for r in requests
                   if r[0] != "POST" or "application/x-www-form-urlencoded" not in r[1]]
            check.that(requests and not bad, f"token requests not POSTed as a form: {bad}")
            check.note(f"{len(requests)} token requests, each a form-encoded POST")

        def reused(check: Check) -> None:
            check.that(minted <= apps, f"{minted} tokens minted for {apps} applications")
            check.note(f"{minted} tokens for {apps} applications over the whole run")

        def renewed(check: Check) -> None:
            if self.control is None:
                check.manual("wait for a token to expire (30 minutes) and run a sync step")
                return
            self.control.advance_clock(self.control.token_ttl() + 1)
            before = self.tokens.minted
            self.client().integrations([self.client().integration_key(
                self.organization, self._types()[0])])
            refused = [c for c in self.recorder.calls.get(self.recorder.current, [])
                       if c.status == 401]
            check.that(refused and self.tokens.minted == before + 1,
                       "the expired token was not renewed after LinkedIn's 401")
            check.note("LinkedIn's time moved past the token's life: the call got 401, one "
                       "new token, and went through")

        if not crm:
            with self.case("RSC-106") as check:
                post_form(check)
                reused(check)
                renewed(check)
            return
        with self.case("CRM-001") as check:
            post_form(check)
        with self.case("CRM-002") as check:
            reused(check)
        with self.case("CRM-003") as check:
            renewed(check)
        with self.case("CRM-004") as check:
            info = self.info()
            wrong = "wrong-" + secrets.token_urlsafe(16)
            self.recorder.forget(wrong)
            bad = LinkedInClient(api_url=self.engine.settings.api_url,
                                 oauth_url=self.engine.settings.oauth_url,
                                 client_id=str(info.client_id), client_secret=wrong,
                                 http=self.http, tokens=TokenCache())
            asked = len(self.recorder.token_requests)
            try:
                bad.integrations([bad.integration_key(self.organization, self._types()[0])])
            except LinkedInAuthError as exc:
                check.note(f"refused: {exc.message}")
            else:
                raise CaseFailed("wrong credentials were accepted")
            tries = len(self.recorder.token_requests) - asked
            check.that(tries == 1, f"{tries} token requests for refused credentials")
        with self.case("CRM-005") as check:
            leaked = [u for u in self.recorder.urls
                      if any(s in u for s in self.recorder.secrets)]
            check.that(not leaked, f"{len(leaked)} URLs carry a token or secret")
            check.note(f"{len(self.recorder.urls)} calls, none with a token or secret in "
                       "its URL; tokens only in the Authorization header")

    def _versioning(self) -> None:
        family, version = api_family(self.settings)
        with self.case("RSC-505") as check:
            check.note(f"API family in use: {family}; LinkedIn-Version: {version}")
            client = self.client()
            client.integrations([client.integration_key(self.organization, self._types()[0])])
            check.note("the configured family and version are live: a read went through")
            refused, answer = self._sunset_refused()
            versioned = version != "none"
            if refused:
                check.note(f"LinkedIn-Version {self.options.sunset_version} (sunset) is "
                           f"refused with 426, and the client says: {answer}")
            elif versioned:
                raise CaseFailed(f"a sunset LinkedIn-Version {self.options.sunset_version} "
                                 f"was not refused with 426: {answer}")
            else:
                check.note(f"the target's /rest, asked with a sunset version: {answer}")
            if not versioned:
                check.note("migration plan: the versioned /rest family is one setting away "
                           f"({SETTING}={DEFAULT_API_VERSION}, or certify --api-version "
                           f"{DEFAULT_API_VERSION})")

    def _sunset_refused(self) -> tuple[bool, str]:
        """The product's client set to a sunset LinkedIn-Version makes one read: whether
        LinkedIn refused it (426, `LinkedInVersionSunset`), and what happened."""
        info, s = self.info(), self.engine.settings
        client = LinkedInClient(api_url=s.api_url, oauth_url=s.oauth_url,
                                client_id=str(info.client_id),
                                client_secret=str(info.client_secret), http=self.http,
                                tokens=self.tokens, api_version=self.options.sunset_version)
        try:
            client.integrations([client.integration_key(self.organization, self._types()[0])])
        except LinkedInVersionSunset as exc:
            return True, exc.message
        except RecruitlinkError as exc:
            return False, exc.message
        return False, "the call went through"

    # -- teardown -----------------------------------------------------------------------------

    def _teardown(self) -> None:
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
        self.teardown_notes.append("the throwaway store was removed; the child applications "
                                   f"recruitlink-{self.slug}[-b] stay on LinkedIn (the "
                                   "provisioning API has no delete)")


def _another(urn: str, n: int) -> str:
    """The n-th throwaway company or contract next to `urn` (n = 0: `urn` itself)."""
    prefix, _, number = urn.rpartition(":")
    return urn if n == 0 else f"{prefix}:{int(number) + n}"


def _get_one(client: LinkedInClient, resource: str, key: Any, parent: Any,
             child: str | None) -> dict[str, Any] | None:
    try:
        found = client.get(resource, [key], parent=parent, child=child)
    except LinkedInRequestError as exc:
        if exc.status == 404:  # the parent is gone: so is everything under it
            return None
        raise
    return next(iter(found.values()), None)


__all__ = ["CaseResult", "Certification", "Options", "Report", "api_family"]
