"""The LinkedIn API as recruitlink uses it: one method per call the reference documents.

Batch methods return one `EntityOutcome` per key (synced / rejected with LinkedIn's message /
retryable), matched back to the caller's keys by meaning, since LinkedIn may answer keys in
another field order or percent-encoded, with the answer's Retry-After: LinkedIn may throttle
single entities (a 429 among the statuses of a 200 answer), and the caller must then back off
as for a whole-request 429. Whole-request failures raise from `errors.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote

import httpx

from recruitlink.core.assumed import EVALUATIONS_FINDER, EVALUATIONS_RESOURCE
from recruitlink.core.outcomes import EntityOutcome, classify
from recruitlink.core.restli import (
    Key,
    RestliSyntaxError,
    batch_ids_query,
    encode_key,
    make_key,
    parse_key,
)
from recruitlink.errors import LinkedInRequestError

from .http import Credentials, RestliHttp, retry_after_s
from .tokens import TokenCache
from .versioned import DEFAULT_API_VERSION, is_versioned, rest_get

BatchKey = Key | str


class BatchOutcomes(dict[BatchKey, EntityOutcome]):
    """Each key's outcome in one batch answer, and that answer's Retry-After in seconds (None
    if it sent none): what an entity answered 429 should wait."""

    retry_after: float | None = None

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


def _as_key(key: Mapping[str, str] | str) -> BatchKey:
    return key if isinstance(key, str) else make_key(key)


def _response_key(text: str, compound: bool) -> BatchKey:
    if not compound:
        return unquote(text)
    try:
        return make_key(parse_key(text))
    except RestliSyntaxError as exc:
        raise LinkedInRequestError(f"LinkedIn answered an unreadable key {text!r}") from exc


def _path(resource: str, parent: Mapping[str, str] | None, child: str | None) -> str:
    if parent is None:
        return resource
    return f"{resource}/{encode_key(parent)}/{child}"


class LinkedInClient:
    def __init__(self, *, api_url: str, oauth_url: str, client_id: str, client_secret: str,
                 http: httpx.Client | None = None, tokens: TokenCache | None = None) -> None:
        self._owns_http = http is None  # a shared client is its owner's to close
        self.http = http or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
        self.rest = RestliHttp(api_url=api_url, oauth_url=oauth_url,
                               credentials=Credentials(client_id, client_secret),
                               http=self.http, tokens=tokens or TokenCache())

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    # -- keyed batch resources ---------------------------------------------------------------

    def upsert(self, resource: str, items: Sequence[tuple[Mapping[str, str] | str,
                                                          Mapping[str, Any]]], *,
               parent: Mapping[str, str] | None = None,
               child: str | None = None) -> BatchOutcomes:
        """BATCH_UPDATE (PUT): each record replaces LinkedIn's copy entirely."""
        keys = [k for k, _ in items]
        body = {"entities": {_entity_key(k): dict(record) for k, record in items}}
        response = self.rest.call("PUT", _path(resource, parent, child),
                                  query=batch_ids_query(keys), body=body,
                                  restli_method="batch_update")
        return self._outcomes(response, keys)

    def patch(self, resource: str, items: Sequence[tuple[Mapping[str, str],
                                                         Mapping[str, Any]]]
              ) -> BatchOutcomes:
        """BATCH_PARTIAL_UPDATE: `$set` only the given fields."""
        keys = [k for k, _ in items]
        body = {"entities": {_entity_key(k): {"patch": {"$set": dict(fields)}}
                             for k, fields in items}}
        response = self.rest.call("POST", resource, query=batch_ids_query(keys), body=body,
                                  restli_method="batch_partial_update")
        return self._outcomes(response, keys)

    def get(self, resource: str, keys: Sequence[Mapping[str, str] | str], *,
            parent: Mapping[str, str] | None = None, child: str | None = None,
            fields: Sequence[str] | None = None) -> dict[BatchKey, dict[str, Any] | None]:
        """BATCH_GET: each key's record, or None where LinkedIn has none."""
        query = batch_ids_query(keys)
        if fields:
            query += "&fields=" + ",".join(fields)
        response = self.rest.call("GET", _path(resource, parent, child), query=query)
        compound = bool(keys) and not isinstance(keys[0], str)
        body = response.json()
        found: dict[BatchKey, dict[str, Any] | None] = {_as_key(k): None for k in keys}
        for text, record in (body.get("results") or {}).items():
            found[_response_key(text, compound)] = record
        return found

    def delete(self, resource: str, keys: Sequence[Mapping[str, str] | str], *,
               parent: Mapping[str, str] | None = None,
               child: str | None = None) -> BatchOutcomes:
        """BATCH_DELETE. A key LinkedIn no longer has counts as deleted."""
        response = self.rest.call("DELETE", _path(resource, parent, child),
                                  query=batch_ids_query(keys))
        return self._outcomes(response, keys, deleting=True)

    def find(self, resource: str, params: Sequence[tuple[str, str]], *,
             page_size: int = 100) -> list[dict[str, Any]]:
        """A finder, every page."""
        elements: list[dict[str, Any]] = []
        start = 0
        while True:
            query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)
            query += f"&start={start}&count={page_size}"
            body = self.rest.call("GET", resource, query=query).json()
            page = body.get("elements") or []
            elements.extend(page)
            total = (body.get("paging") or {}).get("total")
            start += len(page)
            if not page or len(page) < page_size or (total is not None and start >= total):
                return elements

    def _outcomes(self, response: httpx.Response, keys: Sequence[Mapping[str, str] | str], *,
                  deleting: bool = False) -> BatchOutcomes:
        body = response.json()
        compound = bool(keys) and not isinstance(keys[0], str)
        outcomes = BatchOutcomes()
        outcomes.retry_after = retry_after_s(response.headers.get("Retry-After"))
        for text, value in (body.get("results") or {}).items():
            status = int(value.get("status", 200)) if isinstance(value, Mapping) else 200
            outcomes[_response_key(text, compound)] = classify(status, deleting=deleting)
        for text, value in (body.get("errors") or {}).items():
            status = int(value.get("status", 500)) if isinstance(value, Mapping) else 500
            message = str(value.get("message", "")) if isinstance(value, Mapping) else ""
            outcomes[_response_key(text, compound)] = classify(status, message,
                                                               deleting=deleting)
        for key in keys:
            # A key LinkedIn did not mention at all is not known to be done: send it again.
            outcomes.setdefault(_as_key(key), EntityOutcome("retryable", 0,
                                                            "missing from LinkedIn's answer"))
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
        response = self.rest.call("GET", "simpleJobPostingTasks",
                                  query=batch_ids_query(list(urns)))
        body = response.json()
        answers = TaskAnswers({urn: None for urn in urns})
        answers.retry_after = retry_after_s(response.headers.get("Retry-After"))
        for text, record in (body.get("results") or {}).items():
            answers[unquote(text)] = record
        for text, value in (body.get("errors") or {}).items():
            status = int(value.get("status", 500)) if isinstance(value, Mapping) else 500
            if classify(status).verdict == "retryable":
                answers.pop(unquote(text), None)
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
        body = self.rest.call("GET", "atsIntegrations",
                              query=f"q=request&requestId={quote(request_id, safe='')}").json()
        return list(body.get("elements") or [])

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
        body = self.rest.call("GET", "provisionedApplications",
                              query="q=credentialsByUniqueForeignId&uniqueForeignId="
                                    + quote(unique_foreign_id, safe="")).json()
        elements = body.get("elements") or []
        return dict(elements[0]) if elements else None

    def set_child_app(self, key: str, fields: Mapping[str, Any]) -> None:
        self.rest.call("POST", f"provisionedApplications/{quote(key, safe='')}",
                       body={"patch": {"$set": dict(fields)}})

    # -- LinkedIn Hiring Assistant evaluations (versioned /rest only, reference §5.9) ---------

    def evaluations(self, context: str, created_after: int | None, *,
                    api_version: str = DEFAULT_API_VERSION, page_size: int = 100
                    ) -> list[dict[str, Any]]:
        """Every `exportedApplicationEvaluations` element of the organization made after
        `created_after` (epoch ms, exclusive; None: all). The unversioned family has no such
        resource: asking it there is a LinkedInRequestError, without a call."""
        if not is_versioned(api_version):
            raise LinkedInRequestError(f"{EVALUATIONS_RESOURCE} exists only on LinkedIn's "
                                       "versioned API (/rest); this client uses /v2")
        params = [("q", EVALUATIONS_FINDER), (EVALUATIONS_FINDER, context)]
        if created_after is not None:
            params.append(("createdAfter", str(created_after)))
        elements: list[dict[str, Any]] = []
        start = 0
        while True:
            query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
            query += f"&start={start}&count={page_size}"
            body = rest_get(self.rest, EVALUATIONS_RESOURCE, query,
                            api_version=api_version).json()
            page = body.get("elements") or []
            elements.extend(page)
            total = (body.get("paging") or {}).get("total")
            start += len(page)
            if not page or len(page) < page_size or (total is not None and start >= total):
                return elements


def _entity_key(key: Mapping[str, str] | str) -> str:
    return key if isinstance(key, str) else encode_key(key)


__all__ = ["BatchKey", "BatchOutcomes", "JobAnswers", "LinkedInClient", "TaskAnswers"]
