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

The phases, in LinkedIn's module order, are in `onboarding`, `history`, `retrieval`, `acls`,
`deletion` and `auth`; `harness` holds what they share (the throwaway world, each case's
checks and calls, the sync and the read-backs).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from recruitlink.errors import Aborted

from . import acls, auth, deletion, history, onboarding, retrieval
from .harness import Harness, Report, api_family
from .product import product


class Certification(Harness):
    def run(self) -> Report:
        started = datetime.now(UTC)
        with tempfile.TemporaryDirectory(prefix="recruitlink-certify-") as tmp:
            try:
                self._open(Path(tmp))
                for phase in self._phases():
                    try:
                        phase(self)
                    except Aborted as exc:
                        self.aborted = str(exc)
                        break
            finally:
                try:
                    self.teardown()
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
                      teardown=self.teardown_notes, public_url=self.public_url,
                      receiver_url=self.receiver.url if self.receiver else "",
                      product=product(), client_id=self.settings.partner_client_id or "")

    def _phases(self) -> list[Callable[[Harness], None]]:
        if self.options.kind == "RSC":
            return [onboarding.onboarding, history.history, history.new_candidate,
                    retrieval.retrieval, acls.acls, deletion.deletion, auth.tokens,
                    auth.versioning]
        return [onboarding.onboarding, history.history, acls.acls, acls.crm_pipelines,
                deletion.deletion, auth.tokens, auth.versioning]


__all__ = ["Certification"]
