"""A `/rest` key has no dataProvider; the sandbox's state keeps the v2 one. Which stored record
a `/rest` key names (assumed.REST_DATA_PROVIDERS): the one stored under ATS, else PARTNER,
else a new one under ATS. For a v2 sub-resource the lookup is of its parent."""

from __future__ import annotations

from recruitlink.core.api_families import from_rest
from recruitlink.core.restli import canonical
from recruitlink.sandbox.api.versioned import stored_data_providers, stored_v2_keys
from recruitlink.sandbox.app import build_sandbox
from recruitlink.sandbox.config import SandboxConfig
from recruitlink.sandbox.store import records

ORG = "urn:li:organization:1001"


def store_candidate(sandbox, candidate_id: str, provider: str) -> None:
    key = {"atsCandidateId": candidate_id, "dataProvider": provider, "integrationContext": ORG}
    with sandbox.store.tx() as conn:
        conn.execute(records.insert().values(
            resource="atsCandidates", parent="", key=canonical(key), org=ORG, app_id=1,
            key_fields=key, body={}, candidate=candidate_id, created_at=0, updated_at=0))


def test_a_rest_key_names_the_stored_record_whatever_its_data_provider():
    sandbox = build_sandbox(SandboxConfig(demo=False, members=0))
    store_candidate(sandbox, "P1", "PARTNER")
    store_candidate(sandbox, "B1", "ATS")
    store_candidate(sandbox, "B1", "PARTNER")
    keys = [{"externalCandidateId": c, "integrationContext": ORG} for c in ("P1", "B1", "N1")]
    assert stored_data_providers(sandbox, "candidates", keys) == ["PARTNER", "ATS", "ATS"]
    notes = [{**k, "externalNoteId": "N"} for k in keys]
    assert stored_data_providers(sandbox, "candidateNotes", notes) == ["PARTNER", "ATS", "ATS"]
    # Keys that keep their dataProvider on /rest are not looked up.
    acl = {"atsEntityAclId": "A", "dataProvider": "ATS", "integrationContext": ORG,
           "atsEntityType": "JOB_POSTING", "atsEntityId": "J"}
    assert stored_data_providers(sandbox, "atsEntityAcls", [acl]) == ["ATS"]


def test_a_batch_of_rest_keys_becomes_the_stored_v2_keys_and_their_texts():
    """stored_v2_keys (the batch at once) gives what from_rest gives each key under the
    dataProvider stored_data_providers finds, and canonical's text of it."""
    sandbox = build_sandbox(SandboxConfig(demo=False, members=0))
    store_candidate(sandbox, "P1", "PARTNER")
    store_candidate(sandbox, "B1", "ATS")
    store_candidate(sandbox, "B1", "PARTNER")
    keys = [{"externalCandidateId": c, "integrationContext": ORG}
            for c in ("P1", "B1", "N1", "a&dataProvider=ATS")]
    v2_keys, texts = stored_v2_keys(sandbox, "candidates", keys)
    providers = stored_data_providers(sandbox, "candidates", keys)
    assert providers == ["PARTNER", "ATS", "ATS", "ATS"]
    expected = [from_rest("candidates", k, data_provider=p).key
                for k, p in zip(keys, providers, strict=True)]
    assert v2_keys == expected
    assert [list(k) for k in v2_keys] == [list(k) for k in expected]
    assert texts == [canonical(k) for k in expected]
    assert stored_v2_keys(sandbox, "candidates", []) == ([], [])
