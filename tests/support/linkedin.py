"""A thin raw-HTTP helper for talking to the sandbox in tests: tokens, headers, URLs.

Deliberately not the product's LinkedIn client: contract tests speak the wire format
themselves, so they check the sandbox against the reference, not against our client.
"""

from __future__ import annotations

from typing import Any

import httpx

from recruitlink.core.restli import batch_ids_query, encode_key


class Raw:
    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.base_url = base_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self._token: str | None = None

    def close(self) -> None:
        self.http.close()

    def token(self, *, fresh: bool = False) -> str:
        if self._token is None or fresh:
            response = self.http.post("/oauth/v2/accessToken", data={
                "grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret})
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return self._token

    def headers(self, method: str | None = None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token()}"}
        if method:
            headers["X-RestLi-Method"] = method
        headers.update(extra)
        return headers

    def request(self, verb: str, path: str, *, method: str | None = None,
                json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.http.request(verb, path, headers=self.headers(method), json=json, **kwargs)

    def tunnel(self, verb: str, path: str, query: str, *, method: str | None = None,
               json: Any = None) -> httpx.Response:
        """Send with the query in the body (X-HTTP-Method-Override), as LinkedIn asks for
        long batch URLs."""
        import json as jsonlib

        headers = self.headers(method, **{"X-HTTP-Method-Override": verb})
        if json is None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.http.post(path, headers=headers, content=query.encode())
        boundary = "recruitlinkboundary"
        headers["Content-Type"] = f"multipart/mixed; boundary={boundary}"
        body = (f"--{boundary}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
                f"{query}\r\n--{boundary}\r\nContent-Type: application/json\r\n\r\n"
                f"{jsonlib.dumps(json)}\r\n--{boundary}--\r\n")
        return self.http.post(path, headers=headers, content=body.encode())


def ids_query(keys: list[dict[str, str]] | list[str]) -> str:
    return batch_ids_query(keys)


def body_key(fields: dict[str, str]) -> str:
    return encode_key(fields, raw_urns=True)


def candidate_key(candidate_id: str, org: str) -> dict[str, str]:
    return {"atsCandidateId": candidate_id, "dataProvider": "ATS", "integrationContext": org}


def application_key(application_id: str, org: str) -> dict[str, str]:
    return {"atsJobApplicationId": application_id, "dataProvider": "ATS",
            "integrationContext": org}


def candidate_record(n: int = 1, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "addresses": [{"line1": "31 Spooner St", "city": "Quahog", "geographicArea": "RI",
                       "geographicAreaType": "STATE", "postalCode": "02802", "country": "us"}],
        "atsCreatedAt": 1700000000000, "atsLastModifiedAt": 1700000000000 + n,
        "currentCompanyName": "Candidate Test Company", "currentJobTitle": "Quality Assurance",
        "emailAddresses": [f"person{n}@example.com"],
        "externalProfileUrl": f"https://myats.example.com/candidates/C{n}",
        "firstName": "John", "lastName": f"Doe{n}",
        "phoneNumbers": [{"number": "555-555-5555", "extension": "1234"}]}
    record.update(overrides)
    return record


def application_record(candidate_id: str = "C1", job_id: str = "REQ-42",
                       **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "atsCandidateId": candidate_id, "atsCreatedAt": 1700000000000,
        "atsLastModifiedAt": 1700000000000, "atsJobPostingId": job_id,
        "atsJobPostingName": "Senior Software Engineer", "candidateEmail": "john.doe@example.com",
        "firstName": "John", "lastName": "Doe", "source": "Referral", "dispositionReason": ""}
    record.update(overrides)
    return record


def job_posting(external_id: str = "REQ-42", org: str = "urn:li:organization:1001",
                operation: str = "CREATE", **overrides: Any) -> dict[str, Any]:
    posting: dict[str, Any] = {
        "integrationContext": org, "externalJobPostingId": external_id,
        "jobPostingOperationType": operation, "title": "Senior Software Engineer",
        "description": "<p>" + "We build integrations between recruiting systems. " * 4 + "</p>",
        "location": "San Francisco, CA, US", "availability": "PRIVATE_TO_ATS_INTEGRATION",
        "companyApplyUrl": f"https://careers.acme.com/jobs/{external_id}",
        "listedAt": 1700000000000}
    posting.update(overrides)
    return posting


def integration_key(context: str, itype: str) -> dict[str, str]:
    return {"integrationContext": context, "integrationType": itype,
            "tenantType": "RECRUITER", "dataProvider": "ATS"}


def put_configuration(client: Raw, key: dict[str, str], values: dict[str, str]) -> httpx.Response:
    """Set configurations (CALLBACK_URL, JOB_POSTING_VIEWERS, ...) of one integration."""
    ids = "&".join(f"ids={n}" for n in values)
    return client.request(
        "PUT", f"/v2/atsIntegrations/{body_key(key)}/configurations?{ids}",
        method="batch_update",
        json={"entities": {n: {"configurationValue": {"string": v}} for n, v in values.items()}})


def put_records(client: Raw, resource: str, records: dict[str, tuple[dict[str, str], Any]]
                ) -> httpx.Response:
    """batch_update of keyed records: {label: (key fields, body)}."""
    keys = [key for key, _ in records.values()]
    response = client.tunnel("PUT", f"/v2/{resource}", ids_query(keys), method="batch_update",
                             json={"entities": {body_key(k): b for k, b in records.values()}})
    assert response.status_code == 200 and not response.json()["errors"], response.text
    return response
