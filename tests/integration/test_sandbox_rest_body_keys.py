"""The versioned `/rest` family pairs each body entity with its URL key by meaning: a body key
written as the URL writes it is taken as it is (the sandbox does not read it again), and any
other spelling of the same key (fields in another order, needless percent-encoding) is read
and matched all the same; a body key the URL does not name is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from linkedin_api.clients.restli.utils.encoder import encode

from tests.conftest import ORG
from tests.support.linkedin import candidate_key, candidate_record, ids_query
from tests.support.official_client import OfficialClient

VERSION = "202604"

pytestmark = pytest.mark.parametrize("official", [("rest", VERSION)], indirect=True)


def rest_record(n: int) -> dict[str, Any]:
    record = candidate_record(n)
    record["externalCreatedAt"] = record.pop("atsCreatedAt")
    record["externalLastModifiedAt"] = record.pop("atsLastModifiedAt")
    return record


def put_candidates(li: Any, official: OfficialClient, keys: list[dict[str, str]],
                   entities: dict[str, Any]) -> httpx.Response:
    demo = li.app.state.demo
    token = official.token(demo.client_id, demo.client_secret)
    return httpx.put(f"{li.url}/rest/candidates?ids=List({','.join(encode(k) for k in keys)})",
                     headers={"Authorization": f"Bearer {token}", "LinkedIn-Version": VERSION,
                              "X-RestLi-Protocol-Version": "2.0.0",
                              "X-RestLi-Method": "BATCH_UPDATE"},
                     json={"entities": entities}, timeout=30)


def test_body_keys_spelled_otherwise_are_matched_by_meaning(li, official):
    keys = [{"externalCandidateId": f"C{n}", "integrationContext": ORG} for n in (1, 2, 3)]
    entities = {
        encode(keys[0]): rest_record(1),  # as the URL writes it
        # the fields in another order
        f"(integrationContext:{quote(ORG, safe='')},externalCandidateId:C2)": rest_record(2),
        # a needlessly encoded character
        f"(externalCandidateId:C%33,integrationContext:{quote(ORG, safe='')})": rest_record(3),
    }
    r = put_candidates(li, official, keys, entities)
    assert r.status_code == 200, r.text
    assert r.json() == {"results": {encode(k): {"status": 204} for k in keys}, "errors": {}}
    stored = li.demo.request("GET", "/v2/atsCandidates?" + ids_query(
        [candidate_key(f"C{n}", ORG) for n in (1, 2, 3)])).json()
    assert sorted(r["lastName"] for r in stored["results"].values()) == ["Doe1", "Doe2", "Doe3"]


def test_a_body_key_the_url_does_not_name_is_refused(li, official):
    keys = [{"externalCandidateId": "C1", "integrationContext": ORG}]
    other = {"externalCandidateId": "C9", "integrationContext": ORG}
    r = put_candidates(li, official, keys, {encode(other): rest_record(9)})
    assert r.status_code == 400, r.text
    assert "entities must match the ids in the URL" in r.json()["message"]
    bad = put_candidates(li, official, keys, {"(externalCandidateId:C1": rest_record(1)})
    assert bad.status_code == 400 and "entity key" in bad.json()["message"], bad.text
