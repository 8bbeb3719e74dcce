"""The sandbox's control API, for the steps a person does in Recruiter when certifying with
LinkedIn (enable the integrations, hold a seat, One-Click Export, look at the export picker),
so that every case runs unattended against the sandbox. Against LinkedIn these steps are left
to a person and their cases are reported "manual"."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from recruitlink.errors import LinkedInRequestError


class SandboxControl:
    def __init__(self, http: httpx.Client, api_url: str) -> None:
        self.http = http
        self.base = api_url.rstrip("/") + "/sandbox"

    @classmethod
    def detect(cls, http: httpx.Client, api_url: str) -> SandboxControl | None:
        """The control API when `api_url` is a recruitlink sandbox, else None."""
        control = cls(http, api_url)
        try:
            answer = http.get(control.base + "/")
        except httpx.TransportError:
            return None
        try:
            body = answer.json()
        except ValueError:
            return None
        is_sandbox = (answer.status_code == 200 and isinstance(body, dict)
                      and "sandbox" in body)
        return control if is_sandbox else None

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.http.request(method, self.base + path, **kwargs)
        if answer.status_code >= 400:
            raise LinkedInRequestError(f"sandbox control {method} {path}: "
                                       f"{answer.status_code} {answer.text[:300]}",
                                       status=answer.status_code)
        return answer.json()

    def enable(self, context: str) -> None:
        """The Recruiter admin turns the integrations of `context` on."""
        self._call("POST", "/integrations/status",
                   json={"integrationContext": context, "status": "ENABLED"})

    def shared_members(self, count: int) -> list[dict[str, Any]]:
        """Members LinkedIn shares with partners (exportable, matchable) that hold no active
        seat anywhere, taken from the end of the directory: the first members are the ones
        a demo's (or anyone's) tenant uses, and a seat must not give them a second identity."""
        seated = self.seat_holders()
        total = int(self._call("GET", "/members", params={"count": 1})["paging"]["total"])
        found: list[dict[str, Any]] = []
        end = total
        while end > 0 and len(found) < count:
            start = max(0, end - 100)
            page = self._call("GET", "/members", params={"start": start, "count": end - start})
            found += [m for m in reversed(page.get("elements") or [])
                      if not m.get("exportBlocked") and not m.get("privateProfile")
                      and m.get("person") not in seated]
            end = start
        if len(found) < count:
            raise LinkedInRequestError(f"the sandbox directory has fewer than {count} "
                                       "shareable members without a seat (start it with "
                                       "--members 50 or more)")
        return found[:count]

    def seat_holders(self) -> set[str]:
        """Members holding an active seat on any contract."""
        held: set[str] = set()
        start = 0
        while True:
            rows = self._call("GET", "/seats", params={"active": "true", "start": start,
                                                       "count": 1000}).get("elements") or []
            held |= {str(r["person"]) for r in rows}
            if len(rows) < 1000:
                return held
            start += 1000

    def add_seat(self, contract: str, person: str, organization: str) -> int:
        seat = self._call("POST", f"/contracts/{quote(contract, safe='')}/seats",
                          json={"person": person, "organization": organization})
        return int(seat["id"])

    def export(self, seat: int, person: str, *, job: str | None = None,
               pipeline: str | None = None) -> str:
        """A One-Click Export; returns its request id."""
        body: dict[str, Any] = {"seat": seat, "person": person}
        if job is not None:
            body["externalJobPostingId"] = job
        if pipeline is not None:
            body["externalPipelineId"] = pipeline
        return str(self._call("POST", "/recruiter/exports", json=body)["requestId"])

    def push(self, request_id: str) -> dict[str, Any] | None:
        """LinkedIn's delivery of the push with this request id (status, last answer)."""
        start = 0
        while True:
            page = self._call("GET", "/pushes", params={"start": start, "count": 100})
            rows = page.get("elements") or []
            found = [p for p in rows if p.get("requestId") == request_id]
            if found or len(rows) < 100:
                return found[-1] if found else None
            start += 100

    def remove_seat(self, seat: int) -> None:
        """The Recruiter admin removes the seat (it stays, inactive)."""
        self._call("PATCH", f"/seats/{seat}", json={"active": False})

    def expire_tokens(self, app_key: str) -> int:
        """End the life of the app's tokens now, without moving the sandbox's clock (which
        every other user of the sandbox shares)."""
        return int(self._call("POST", f"/apps/{quote(app_key, safe='')}/tokens/expire")
                   ["expired"])

    def picker(self, seat: int) -> set[str]:
        """What the seat may export into (jobs or pipelines)."""
        body = self._call("GET", f"/recruiter/seats/{seat}/export-targets")
        return {str(t["id"]) for t in body.get("elements") or []}

    def profile_widget(self, *, api_key: str, origin: str, context: str,
                       candidate: str) -> httpx.Response:
        """The profile widget's page as the ATS's page frames it (nobody signed in)."""
        return self.http.get(self.base.removesuffix("/sandbox") + "/widgets/profile", params={
            "api_key": api_key, "origin": origin, "context": context, "candidate": candidate,
            "widget_type": "ATS"})
