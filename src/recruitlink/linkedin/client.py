"""The LinkedIn API as recruitlink uses it: one method per call the reference documents.

Callers name resources, keys and fields as the unversioned `/v2` API does, whichever family
`RECRUITLINK_LINKEDIN_API_VERSION` picks; `wire.py` turns each call into the family's names
and Rest.li syntax and the answers back into v2's.

Batch methods return one `EntityOutcome` per key (synced / rejected with LinkedIn's message /
retryable), matched back to the caller's keys by meaning, since LinkedIn may answer keys in
another field order or percent-encoded, with the answer's Retry-After: LinkedIn may throttle
single entities (a 429 among the statuses of a 200 answer), and the caller must then back off
as for a whole-request 429. Whole-request failures raise from `errors.py`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from recruitlink.core.assumed import EVALUATIONS_FINDER, EVALUATIONS_RESOURCE
from recruitlink.core.json_text import loads as json_loads
from recruitlink.core.outcomes import EntityOutcome, classify
from recruitlink.core.restli import encode_key
from recruitlink.errors import LinkedInRequestError, LinkedInUnavailable

from .http import Credentials, RestliHttp, checked, retry_after_s
from .tokens import TokenCache
from .transport import linkedin_http
from .versions import DEFAULT_API_VERSION, ApiVersion
from .wire import (
    BatchKey,
    KeyedCall,
    as_key,
    finder_name,
    finder_query,
    finder_record,
    keyed_call,
    read_key,
)


class BatchOutcomes(dict[BatchKey, EntityOutcome]):
    """Each key's outcome in one batch answer, and that answer's Retry-After in seconds (None
    if it sent none): what an entity answered 429 should wait."""

    retry_after: float | None = None
    asked: list[BatchKey] | None = None
    """The call's keys as they index this map (`as_key`), in the order asked (None: not
    known): what a caller looking up its keys in order need not make again."""

    @property
    def throttled(self) -> bool:
        return any(o.status == 429 for o in self.values())


class JobAnswers(list[tuple[EntityOutcome, str | None]]):
    """Per submitted job posting: its outcome and task URN; and the answer's Retry-After."""

    retry_after: float | None = None

    @property
    def throttled(self) -> bool:
        return any(o.status == 429 for o, _ in self)


class TaskAnswers(dict[str, dict[str, Any] | None]):
    """Job tasks by URN: the task, or None where LinkedIn does not know it. A task LinkedIn
    could not answer for now (an entity 429 or 5xx) is left out: ask again later."""

    retry_after: float | None = None
    throttled: bool = False

INTEGRATION_TENANT = {"tenantType": "RECRUITER", "dataProvider": "ATS"}


def _answer(response: httpx.Response) -> Any:
    """A batch answer's JSON, as `response.json()` reads it, by orjson where that reads the
    same value (core/json_text.py): every call of the sync reads one."""
    return json_loads(response.content)


class LinkedInClient:
    def __init__(self, *, api_url: str, oauth_url: str, client_id: str, client_secret: str,
                 http: httpx.Client | None = None, tokens: TokenCache | None = None,
                 api_version: str = DEFAULT_API_VERSION,
                 environment: str = "development") -> None:
        """`environment`: RECRUITLINK_ENVIRONMENT, what this instance is; a production
        LinkedIn app refuses a non-production one (core/environment.py)."""
        self._owns_http = http is None  # a shared client is its owner's to close
        self.http = http or linkedin_http()
        self.version = ApiVersion.parse(api_version)
        self.rest = RestliHttp(api_url=api_url, oauth_url=oauth_url,
                               credentials=Credentials(client_id, client_secret),
                               http=self.http, tokens=tokens or TokenCache(),
                               version=self.version, environment=environment)

    def check_environment(self) -> None:
        """EnvironmentRefused unless this instance may call the app (before anything is
        sent: `connect` asks first)."""
        self.rest.check_environment()

    @property
    def app_environment(self) -> str | None:
        """What LinkedIn said of the app with the last token (None: not yet, or nothing)."""
        return self.rest.app_environment

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    # -- keyed batch resources ---------------------------------------------------------------

    def upsert(self, resource: str, items: Sequence[tuple[Mapping[str, str] | str,
                                                          Mapping[str, Any]]], *,
               parent: Mapping[str, str] | None = None,
               child: str | None = None) -> BatchOutcomes:
        """BATCH_UPDATE (PUT): each record replaces LinkedIn's copy entirely."""
        call = self._keyed(resource, [k for k, _ in items], parent, child)
        body = {"entities": dict(zip(call.entity_keys(),
                                     call.records_out([record for _, record in items]),
                                     strict=True))}
        response = self.rest.call("PUT", call.path, query=call.query(), body=body,
                                  restli_method="batch_update")
        return self._outcomes(response, call)

    def patch(self, resource: str, items: Sequence[tuple[Mapping[str, str],
                                                         Mapping[str, Any]]]
              ) -> BatchOutcomes:
        """BATCH_PARTIAL_UPDATE: `$set` only the given fields."""
        call = self._keyed(resource, [k for k, _ in items], None, None)
        body = {"entities": {call.entity_key(i): {"patch": {"$set": call.record_out(fields)}}
                             for i, (_, fields) in enumerate(items)}}
        response = self.rest.call("POST", call.path, query=call.query(), body=body,
                                  restli_method="batch_partial_update")
        return self._outcomes(response, call)

    def get(self, resource: str, keys: Sequence[Mapping[str, str] | str], *,
            parent: Mapping[str, str] | None = None, child: str | None = None,
            fields: Sequence[str] | None = None) -> dict[BatchKey, dict[str, Any] | None]:
        """BATCH_GET: each key's record, or None where LinkedIn has none."""
        call = self._keyed(resource, keys, parent, child)
        response = self.rest.call("GET", call.path, query=call.query(fields))
        body = _answer(response)
        found: dict[BatchKey, dict[str, Any] | None] = {as_key(k): None for k in keys}
        for text, record in (body.get("results") or {}).items():
            found[call.caller_key(text)] = call.record_in(record) if isinstance(
                record, Mapping) else record
        return found

    def delete(self, resource: str, keys: Sequence[Mapping[str, str] | str], *,
               parent: Mapping[str, str] | None = None,
               child: str | None = None) -> BatchOutcomes:
        """BATCH_DELETE. A key LinkedIn no longer has counts as deleted."""
        call = self._keyed(resource, keys, parent, child)
        # /v2 needs no X-RestLi-Method on a delete; on /rest it is sent (reference §2.1).
        response = self.rest.call("DELETE", call.path, query=call.query(),
                                  restli_method="batch_delete" if call.rest else None)
        return self._outcomes(response, call, deleting=True)

    def find(self, resource: str, params: Sequence[tuple[str, str]], *,
             page_size: int = 100) -> list[dict[str, Any]]:
        """A finder, every page. Parameters as v2 writes them (a list parameter repeated, a
        record as `name.field` pairs); elements as v2 names their fields."""
        elements: list[dict[str, Any]] = []
        start = 0
        while True:
            query = finder_query(self.version, [*params, ("start", start),
                                                ("count", page_size)])
            body = self.rest.call("GET", finder_name(self.version, resource),
                                  query=query).json()
            page = body.get("elements") or []
            elements.extend(finder_record(self.version, resource, e) for e in page)
            total = (body.get("paging") or {}).get("total")
            start += len(page)
            if not page or len(page) < page_size or (total is not None and start >= total):
                return elements

    def _keyed(self, resource: str, keys: Sequence[Mapping[str, str] | str],
               parent: Mapping[str, str] | None, child: str | None) -> KeyedCall:
        return keyed_call(self.version, resource, keys, parent=parent, child=child)

    def _outcomes(self, response: httpx.Response, call: KeyedCall, *,
                  deleting: bool = False) -> BatchOutcomes:
        body = _answer(response)
        outcomes = BatchOutcomes()
        outcomes.retry_after = retry_after_s(response.headers.get("Retry-After"))
        outcomes.asked = call.asked
        # One outcome per status (they are frozen), not one per key: a batch's answers
        # mostly share one.
        by_status: dict[Any, EntityOutcome] = {}
        caller_key = call.caller_key
        for text, value in (body.get("results") or {}).items():
            raw = value.get("status", 200) if type(value) is dict or isinstance(
                value, Mapping) else 200
            outcome = by_status.get(raw)
            if outcome is None:
                outcome = by_status[raw] = classify(int(raw), deleting=deleting)
            outcomes[caller_key(text)] = outcome
        for text, value in (body.get("errors") or {}).items():
            status = int(value.get("status", 500)) if isinstance(value, Mapping) else 500
            message = str(value.get("message", "")) if isinstance(value, Mapping) else ""
            outcomes[call.caller_key(text)] = classify(status, message, deleting=deleting)
        for key in call.back.values():
            # A key LinkedIn did not mention at all is not known to be done: send it again.
            if key not in outcomes:
                outcomes[key] = EntityOutcome("retryable", 0, "missing from LinkedIn's answer")
        return outcomes

    # -- jobs ---------------------------------------------------------------------------------

    def submit_jobs(self, elements: Sequence[Mapping[str, Any]]) -> JobAnswers:
        """batch_create on simpleJobPostings: per element, its outcome and task URN (202)."""
        response = self.rest.call("POST", "simpleJobPostings",
                                  body={"elements": [dict(e) for e in elements]},
                                  restli_method="batch_create")
        answered = response.json().get("elements") or []
        results = JobAnswers()
        results.retry_after = retry_after_s(response.headers.get("Retry-After"))
        for index in range(len(elements)):
            if index >= len(answered):
                results.append((EntityOutcome("retryable", 0, "missing from LinkedIn's answer"),
                                None))
                continue
            item = answered[index]
            status = int(item.get("status", 500))
            error = item.get("error") or {}
            results.append((classify(status, str(error.get("message", ""))), item.get("id")))
        return results

    def job_tasks(self, urns: Sequence[str]) -> TaskAnswers:
        """BATCH_GET of job tasks (see `TaskAnswers`)."""
        call = self._keyed("simpleJobPostingTasks", list(urns), None, None)
        response = self.rest.call("GET", call.path, query=call.query())
        body = response.json()
        answers = TaskAnswers({urn: None for urn in urns})
        answers.retry_after = retry_after_s(response.headers.get("Retry-After"))
        for text, record in (body.get("results") or {}).items():
            answers[str(read_key(text, compound=False, version=self.version))] = record
        for text, value in (body.get("errors") or {}).items():
            status = int(value.get("status", 500)) if isinstance(value, Mapping) else 500
            if classify(status).verdict == "retryable":
                answers.pop(str(read_key(text, compound=False, version=self.version)), None)
                answers.throttled = answers.throttled or status == 429
        return answers

    # -- integrations -------------------------------------------------------------------------

    @staticmethod
    def integration_key(context: str, integration_type: str) -> dict[str, str]:
        return {"integrationContext": context, "integrationType": integration_type,
                **INTEGRATION_TENANT}

    def name_integrations(self, items: Sequence[tuple[Mapping[str, str], str]]
                          ) -> BatchOutcomes:
        return self.patch("atsIntegrations",
                          [(key, {"integrationName": name}) for key, name in items])

    def integrations(self, keys: Sequence[Mapping[str, str]]
                     ) -> dict[BatchKey, dict[str, Any] | None]:
        return self.get("atsIntegrations", keys)

    def integrations_for_request(self, request_id: str) -> list[dict[str, Any]]:
        body = self.rest.call("GET", finder_name(self.version, "atsIntegrations"),
                              query=finder_query(self.version, [("q", "request"),
                                                                ("requestId", request_id)])
                              ).json()
        return [finder_record(self.version, "atsIntegrations", e)
                for e in body.get("elements") or []]

    def set_configuration(self, integration: Mapping[str, str], name: str,
                          value: str) -> EntityOutcome:
        outcomes = self.upsert("atsIntegrations",
                               [(name, {"configurationValue": {"string": value}})],
                               parent=integration, child="configurations")
        return outcomes[name]

    def configuration(self, integration: Mapping[str, str], name: str) -> str | None:
        found = self.get("atsIntegrations", [name], parent=integration, child="configurations")
        record = found.get(name)
        if not record:
            return None
        return str((record.get("configurationValue") or {}).get("string"))

    def delete_configuration(self, integration: Mapping[str, str], name: str) -> EntityOutcome:
        return self.delete("atsIntegrations", [name], parent=integration,
                           child="configurations")[name]

    # -- provisioning (partner app) -----------------------------------------------------------

    def create_child_app(self, *, unique_foreign_id: str, name: str, description: str,
                         js_domains: Sequence[str] = ()) -> dict[str, Any]:
        body: dict[str, Any] = {"uniqueForeignId": unique_foreign_id, "name": name,
                                "description": description}
        if js_domains:
            body["validJsSdkDomains"] = list(js_domains)
        return dict(self.rest.call("POST", "provisionedApplications", body=body).json())

    def find_child_app(self, unique_foreign_id: str) -> dict[str, Any] | None:
        body = self.rest.call("GET", "provisionedApplications", query=finder_query(
            self.version, [("q", "credentialsByUniqueForeignId"),
                           ("uniqueForeignId", unique_foreign_id)])).json()
        elements = body.get("elements") or []
        return dict(elements[0]) if elements else None

    def set_child_app(self, key: str, fields: Mapping[str, Any]) -> None:
        path = f"provisionedApplications/{encode_key(key, protocol=self.version.protocol)}"
        self.rest.call("POST", path, body={"patch": {"$set": dict(fields)}})

    # -- LinkedIn Hiring Assistant evaluations (versioned /rest only, reference §5.9) ---------

    def evaluations(self, context: str, created_after: int | None, *,
                    page_size: int = 100) -> list[dict[str, Any]]:
        """Every `exportedApplicationEvaluations` element of the organization made after
        `created_after` (epoch ms, exclusive; None: all). The unversioned family has no such
        resource: asking it there is a LinkedInRequestError, without a call."""
        if self.version.family != "rest":
            raise LinkedInRequestError(f"{EVALUATIONS_RESOURCE} exists only on LinkedIn's "
                                       "versioned API (/rest); this client uses /v2")
        params = [("q", EVALUATIONS_FINDER), (EVALUATIONS_FINDER, context)]
        if created_after is not None:
            params.append(("createdAfter", str(created_after)))
        return self.find(EVALUATIONS_RESOURCE, params, page_size=page_size)

    # -- files (resumes and attachments; shapes assumed: core/assumed.py) ---------------------

    def media_upload_url(self, usage: str, content_type: str) -> tuple[str, str]:
        """hireMediaUrl: (the URL to PUT the file to, the media URN naming it after)."""
        body = self.rest.call("POST", "hireMediaUrl", body={
            "usageParameter": usage, "contentType": content_type}).json()
        value = body.get("value") if isinstance(body, Mapping) else None
        if not isinstance(value, Mapping) or not isinstance(value.get("uploadUrl"), str) \
                or not isinstance(value.get("mediaUrn"), str):
            raise LinkedInRequestError("POST hireMediaUrl: the answer has no uploadUrl and "
                                       "mediaUrn")
        return str(value["uploadUrl"]), str(value["mediaUrn"])

    def upload_media(self, url: str, chunks: Iterator[bytes], size: int,
                     content_type: str) -> None:
        """PUT the file's bytes to an upload URL, streamed from `chunks` (never joined). The
        URL is its own credential: no bearer token goes with it."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise LinkedInRequestError(f"hireMediaUrl answered an upload URL that is not "
                                       f"http(s): {url[:100]!r}")
        self.rest.check_environment()  # the file's bytes go to the app's LinkedIn too
        try:
            response = self.http.put(url, content=chunks, headers={
                "Content-Type": content_type, "Content-Length": str(size)})
        except httpx.TransportError as exc:
            raise LinkedInUnavailable(f"PUT media upload: {type(exc).__name__}: {exc}"
                                      ) from exc
        checked(response, "PUT", "media upload", self.version)

    def set_resumes(self, items: Sequence[tuple[Mapping[str, str], Mapping[str, Any]]]
                    ) -> BatchOutcomes:
        """A CRM candidate's `resume` (an uploaded media), set without resending the rest."""
        return self.patch("atsCandidates", [(key, {"resume": dict(resume)})
                                            for key, resume in items])

    def remove_resumes(self, keys: Sequence[Mapping[str, str]]) -> BatchOutcomes:
        """Remove CRM candidates' `resume` field. A candidate LinkedIn no longer has counts
        as done."""
        call = self._keyed("atsCandidates", keys, None, None)
        body = {"entities": {call.entity_key(i): {"patch": {"$delete": ["resume"]}}
                             for i in range(len(keys))}}
        response = self.rest.call("POST", call.path, query=call.query(), body=body,
                                  restli_method="batch_partial_update")
        return self._outcomes(response, call, deleting=True)

    def attach(self, items: Sequence[tuple[Mapping[str, str], Mapping[str, Any]]]
               ) -> BatchOutcomes:
        """Applications' attachments (versioned `attachments`, batch_update)."""
        return self.upsert("attachments", items)


__all__ = ["BatchKey", "BatchOutcomes", "JobAnswers", "LinkedInClient", "TaskAnswers"]
