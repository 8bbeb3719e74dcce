"""Contract tests: the sandbox's keyed sync resources (candidates, notes, applications and their
sub-resources, ACLs, CRM Connect) against the reference, §2, §3, §4 and §8.2.

Everything goes over real HTTP. Batch writes answer HTTP 200 with a status per entity; the
response maps are keyed by the canonical key (fields sorted, values percent-encoded).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest

from recruitlink.core.restli import PROTOCOL_2, canonical, encode_key
from tests.conftest import ORG
from tests.support.linkedin import (
    application_key,
    application_record,
    body_key,
    candidate_key,
    candidate_record,
    ids_query,
)

Key = dict[str, str] | str
CANDIDATES = "/v2/atsCandidates"
APPLICATIONS = "/v2/atsApplications"
ACLS = "/v2/atsEntityAcls"
ASSIGNEES = "/v2/atsEntityAclAssignees"
OTHER_ORG = "urn:li:organization:999"
T0 = 1700000000000


# -- helpers --------------------------------------------------------------------------------

def ck(key: Key) -> str:
    """A key as the response maps name it."""
    return key if isinstance(key, str) else canonical(key)


def bk(key: Key) -> str:
    """A key as a body-map key (compound: raw URN colons, in the given field order)."""
    return key if isinstance(key, str) else body_key(key)


def sub(parent_path: str, parent: dict[str, str], child: str) -> str:
    """A sub-resource path: the parent's compound key is a path segment."""
    return f"{parent_path}/{body_key(parent)}/{child}"


def put(li: Any, path: str, keys: Sequence[Key], records: Sequence[Any], *,
        method: str | None = "batch_update") -> httpx.Response:
    entities = {bk(k): r for k, r in zip(keys, records, strict=True)}
    return li.demo.request("PUT", f"{path}?{ids_query(list(keys))}", method=method,
                           json={"entities": entities})


def patch(li: Any, path: str, keys: Sequence[Key], sets: Sequence[dict[str, Any]]
          ) -> httpx.Response:
    entities = {bk(k): {"patch": {"$set": s}} for k, s in zip(keys, sets, strict=True)}
    return li.demo.request("POST", f"{path}?{ids_query(list(keys))}",
                           method="batch_partial_update", json={"entities": entities})


def get(li: Any, path: str, keys: Sequence[Key], fields: str | None = None) -> httpx.Response:
    projection = f"&fields={fields}" if fields else ""
    return li.demo.request("GET", f"{path}?{ids_query(list(keys))}{projection}")


def delete(li: Any, path: str, keys: Sequence[Key]) -> httpx.Response:
    return li.demo.request("DELETE", f"{path}?{ids_query(list(keys))}")


def expect_write(r: httpx.Response, ok: Sequence[Key],
                 failed: Sequence[tuple[Key, int]] = ()) -> dict[str, str]:
    """Assert a batch write's per-entity outcome exactly; return the error messages by key."""
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["results"] == {ck(k): {"status": 204} for k in ok}, body
    assert {k: e["status"] for k, e in body["errors"].items()} == {
        ck(k): s for k, s in failed}, body
    return {k: e["message"] for k, e in body["errors"].items()}


def expect_get(r: httpx.Response, found: Sequence[Key],
               missing: Sequence[Key] = ()) -> dict[str, Any]:
    """Assert a batch_get found exactly `found` and 404s exactly `missing`; return results."""
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["results"]) == {ck(k) for k in found}, body
    assert {k: e["status"] for k, e in body["errors"].items()} == {
        ck(k): 404 for k in missing}, body
    return body["results"]


def expect_refused(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.json()["status"] == status


def names_field(message: str, path: str) -> bool:
    return any(line.startswith(f"ERROR :: {path} :: ") for line in message.splitlines())


def stored(li: Any, resource: str) -> list[dict[str, Any]]:
    """What the inspection API holds for the demo organization."""
    r = li.control.get(f"/organizations/{ORG}/records/{resource}", params={"count": 1000})
    assert r.status_code == 200, r.text
    return r.json()["elements"]


def stored_ids(li: Any, resource: str, field: str) -> set[str]:
    return {e["key"][field] for e in stored(li, resource)}


def cand(n: int | str, org: str = ORG) -> dict[str, str]:
    return candidate_key(f"C{n}", org)


def put_candidates(li: Any, *ns: int) -> list[dict[str, str]]:
    keys = [cand(n) for n in ns]
    expect_write(put(li, CANDIDATES, keys, [candidate_record(n) for n in ns]), ok=keys)
    return keys


def note(text: str = "A note.", **overrides: Any) -> dict[str, Any]:
    return {"atsCreatedAt": T0, "note": text,
            "author": {"firstName": "Rita", "lastName": "Book"}, **overrides}


# -- atsCandidates --------------------------------------------------------------------------

def test_batch_update_then_batch_get_with_matches_and_projection(li):
    keys = put_candidates(li, 1, 2)
    results = expect_get(get(li, CANDIDATES, [*keys, cand(3)]), found=keys, missing=[cand(3)])
    for n, key in enumerate(keys, start=1):
        record = dict(results[ck(key)])
        assert isinstance(record.pop("matchedMembers"), list)
        assert record == candidate_record(n)
    results = expect_get(get(li, CANDIDATES, keys[:1], fields="matchedMembers,firstName"),
                         found=keys[:1])
    assert results[ck(keys[0])] == {"matchedMembers": [], "firstName": "John"}


def test_batch_update_replaces_the_whole_record(li):
    (key,) = put_candidates(li, 1)
    replacement = candidate_record(1, firstName="Johnny")
    del replacement["currentJobTitle"]
    expect_write(put(li, CANDIDATES, [key], [replacement]), ok=[key])
    record = expect_get(get(li, CANDIDATES, [key]), found=[key])[ck(key)]
    assert "currentJobTitle" not in record
    assert record["firstName"] == "Johnny"
    assert [e["record"] for e in stored(li, "atsCandidates")] == [replacement]


def test_partial_update_sets_manual_match_and_404s_unknown_candidates(li):
    (key,) = put_candidates(li, 1)
    unknown = cand(9)
    r = patch(li, CANDIDATES, [key, unknown], [{"manualMatchedMember": "urn:li:person:AbC123"}] * 2)
    expect_write(r, ok=[key], failed=[(unknown, 404)])
    results = expect_get(get(li, CANDIDATES, [key], fields="matchedMembers,manualMatchedMember"),
                         found=[key])
    assert results[ck(key)] == {"matchedMembers": [], "manualMatchedMember": "urn:li:person:AbC123"}
    record = expect_get(get(li, CANDIDATES, [key]), found=[key])[ck(key)]
    assert record["lastName"] == "Doe1"  # the rest of the record is untouched
    assert stored_ids(li, "atsCandidates", "atsCandidateId") == {"C1"}


def test_batch_delete_then_get_is_404(li):
    keys = put_candidates(li, 1, 2)
    expect_write(delete(li, CANDIDATES, keys[:1]), ok=keys[:1])
    expect_get(get(li, CANDIDATES, keys), found=keys[1:], missing=keys[:1])
    assert stored_ids(li, "atsCandidates", "atsCandidateId") == {"C2"}


def _without(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda record: record.pop(name)


def _setting(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda record: record.__setitem__(name, value)


@pytest.mark.parametrize(("spoil", "path"), [
    (_setting("emailAddresses", ["nope"]), "/emailAddresses/0"),
    (_setting("atsLastModifiedAt", T0 - 1), "/atsLastModifiedAt"),
    (_without("firstName"), "/firstName"),
    (_setting("atsCreatedAt", str(T0)), "/atsCreatedAt"),
    (_setting("favouriteColour", "teal"), "/favouriteColour"),
    (_setting("matchedMembers", ["urn:li:person:AbC123"]), "/matchedMembers"),
], ids=["bad-email", "modified-before-created", "missing-firstName", "createdAt-string",
        "unknown-field", "matchedMembers-in-body"])
def test_one_invalid_candidate_fails_alone(li, spoil, path):
    keys = [cand(1), cand(2), cand(3)]
    records = [candidate_record(n) for n in (1, 2, 3)]
    spoil(records[1])
    messages = expect_write(put(li, CANDIDATES, keys, records), ok=[keys[0], keys[2]],
                            failed=[(keys[1], 422)])
    assert names_field(messages[ck(keys[1])], path), messages
    assert stored_ids(li, "atsCandidates", "atsCandidateId") == {"C1", "C3"}


def test_batch_update_without_restli_method_is_400(li):
    expect_refused(put(li, CANDIDATES, [cand(1)], [candidate_record(1)], method=None), 400)
    assert stored(li, "atsCandidates") == []


def test_hundred_candidates_need_tunnelling_and_101_are_refused(li):
    keys = [cand(n) for n in range(100)]
    entities = {body_key(k): candidate_record(n) for n, k in enumerate(keys)}
    expect_refused(put(li, CANDIDATES, keys, list(entities.values())), 414)
    r = li.demo.tunnel("PUT", CANDIDATES, ids_query(keys), method="batch_update",
                       json={"entities": entities})
    expect_write(r, ok=keys)
    expect_get(li.demo.tunnel("GET", CANDIDATES, ids_query(keys)), found=keys)

    more = [*keys, cand(100)]
    entities[body_key(more[-1])] = candidate_record(100)
    r = li.demo.tunnel("PUT", CANDIDATES, ids_query(more), method="batch_update",
                       json={"entities": entities})
    expect_refused(r, 400)
    assert len(stored(li, "atsCandidates")) == 100


def test_body_entity_not_named_in_ids_is_400(li):
    url = f"{CANDIDATES}?{ids_query([cand(1)])}"
    r = li.demo.request("PUT", url, method="batch_update", json={"entities": {
        body_key(cand(1)): candidate_record(1), body_key(cand(2)): candidate_record(2)}})
    expect_refused(r, 400)
    assert stored(li, "atsCandidates") == []


@pytest.mark.parametrize("second", [
    ids_query([cand(1), cand(1)]).split("&", 3)[3],
    f"ids[1].integrationContext={ORG}&ids[1].dataProvider=ATS&ids[1].atsCandidateId=C1",
], ids=["same-text", "same-meaning"])
def test_duplicate_id_in_url_is_400(li, second):
    url = f"{CANDIDATES}?{ids_query([cand(1)])}&{second}"
    r = li.demo.request("PUT", url, method="batch_update",
                        json={"entities": {body_key(cand(1)): candidate_record(1)}})
    expect_refused(r, 400)
    assert stored(li, "atsCandidates") == []


def test_keys_match_by_meaning_not_text(li):
    # URL: raw brackets and raw URN colons for C1, encoded brackets and %3A for C2.
    query = ("ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS"
             f"&ids[0].integrationContext={ORG}"
             "&ids%5B1%5D.integrationContext=urn%3Ali%3Aorganization%3A1001"
             "&ids%5B1%5D.atsCandidateId=C2&ids%5B1%5D.dataProvider=ATS")
    entities = {
        "integrationContext=urn%3Ali%3Aorganization%3A1001&dataProvider=ATS&atsCandidateId=C1":
            candidate_record(1),
        f"dataProvider=ATS&atsCandidateId=C2&integrationContext={ORG}": candidate_record(2),
    }
    r = li.demo.request("PUT", f"{CANDIDATES}?{query}", method="batch_update",
                        json={"entities": entities})
    expect_write(r, ok=[cand(1), cand(2)])
    expect_get(get(li, CANDIDATES, [cand(1), cand(2)]), found=[cand(1), cand(2)])


def test_reserved_characters_in_key_values_round_trip(li):
    keys = [candidate_key("A&B=C", ORG), candidate_key("R&D 100%", ORG)]
    expect_write(put(li, CANDIDATES, keys, [candidate_record(1), candidate_record(2)]), ok=keys)
    results = expect_get(get(li, CANDIDATES, keys), found=keys)
    assert results[canonical(keys[0])]["lastName"] == "Doe1"
    assert canonical(keys[0]).startswith("atsCandidateId=A%26B%3DC&")
    assert stored_ids(li, "atsCandidates", "atsCandidateId") == {"A&B=C", "R&D 100%"}


def get_2_0(li: Any, path: str) -> httpx.Response:
    """A GET in Rest.li 2.0 (the header its syntax needs)."""
    return li.demo.http.get(path, headers=li.demo.headers(
        **{"X-RestLi-Protocol-Version": "2.0.0"}))


def test_restli2_list_keys_on_batch_get(li):
    keys = put_candidates(li, 1, 2)
    tuples = ",".join(f"(atsCandidateId:C{n},dataProvider:ATS,"
                      "integrationContext:urn%3Ali%3Aorganization%3A1001)" for n in (1, 2))
    r = get_2_0(li, f"{CANDIDATES}?ids=List({tuples})")
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    # A 2.0 request is answered keyed in 2.0.
    assert set(results) == {encode_key(k, protocol=PROTOCOL_2) for k in keys}
    assert results[encode_key(keys[1], protocol=PROTOCOL_2)]["lastName"] == "Doe2"
    # The same syntax without the header is refused, naming it.
    r = li.demo.request("GET", f"{CANDIDATES}?ids=List({tuples})")
    assert r.status_code == 400 and "X-RestLi-Protocol-Version: 2.0.0" in r.json()["message"]


def test_restli2_list_values_are_decoded_once(li):
    # §2.5: reserved characters are percent-encoded inside the tuple, so C%2C1 is "C,1".
    key = candidate_key("C,1(x)", ORG)
    expect_write(put(li, CANDIDATES, [key], [candidate_record(1)]), ok=[key])
    r = get_2_0(li, f"{CANDIDATES}?ids=List((atsCandidateId:C%2C1%28x%29,"
                    "dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A1001))")
    assert r.status_code == 200, r.text
    assert list(r.json()["results"]) == [encode_key(key, protocol=PROTOCOL_2)]


# -- candidate notes ------------------------------------------------------------------------

def test_candidate_notes_put_get_delete(li):
    (key,) = put_candidates(li, 1)
    notes = sub(CANDIDATES, key, "notes")
    records = [note("First."), note("Second.")]
    expect_write(put(li, notes, ["N1", "N2"], records), ok=["N1", "N2"])
    results = expect_get(get(li, notes, ["N1", "N2"]), found=["N1", "N2"])
    assert results["N1"] == records[0]
    assert results["N2"] == records[1]
    expect_write(delete(li, notes, ["N1"]), ok=["N1"])
    expect_get(get(li, notes, ["N1", "N2"]), found=["N2"], missing=["N1"])


def test_notes_on_a_missing_candidate_are_404(li):
    r = put(li, sub(CANDIDATES, cand(404), "notes"), ["N1"], [note()])
    expect_refused(r, 404)
    assert stored(li, "atsCandidates/notes") == []


def test_note_author_needs_both_names(li):
    (key,) = put_candidates(li, 1)
    r = put(li, sub(CANDIDATES, key, "notes"), ["N1", "N2"],
            [note(), note(author={"firstName": "Rita"})])
    messages = expect_write(r, ok=["N1"], failed=[("N2", 422)])
    assert names_field(messages["N2"], "/author/lastName"), messages


def test_deleting_a_candidate_removes_its_notes(li):
    (key,) = put_candidates(li, 1)
    notes = sub(CANDIDATES, key, "notes")
    expect_write(put(li, notes, ["N1", "N2"], [note(), note()]), ok=["N1", "N2"])
    expect_write(delete(li, CANDIDATES, [key]), ok=[key])
    assert stored(li, "atsCandidates/notes") == []
    put_candidates(li, 1)  # synced again: the old notes do not come back
    expect_get(get(li, notes, ["N1", "N2"]), found=[], missing=["N1", "N2"])


# -- atsApplications and their sub-resources --------------------------------------------------

FEEDBACK = {"atsCreatedAt": T0, "evaluations": [{"attribute": "Verbal Communication",
                                                 "result": "4/5"}],
            "feedback": "Great interview!", "interviewer": {"firstName": "Rita",
                                                            "lastName": "Book"},
            "interviewType": "PHONE_SCREEN"}
# Keyed out of time order: the history is ordered by atsCreatedAt, not by key.
STAGES = {"STAGE001": {"atsCreatedAt": T0, "stage": "New"},
          "STAGE002": {"atsCreatedAt": T0 + 200000, "stage": "Offer Extended"},
          "STAGE003": {"atsCreatedAt": T0 + 100000, "stage": "Phone Interview"}}


def put_application(li: Any, app_id: str, candidate_id: str = "C1") -> dict[str, str]:
    key = application_key(app_id, ORG)
    expect_write(put(li, APPLICATIONS, [key], [application_record(candidate_id)]), ok=[key])
    expect_write(put(li, sub(APPLICATIONS, key, "notes"), [f"{app_id}-N1"], [note()]),
                 ok=[f"{app_id}-N1"])
    fb = [f"{app_id}-F1", f"{app_id}-F2"]
    expect_write(put(li, sub(APPLICATIONS, key, "interviewFeedback"), fb,
                     [FEEDBACK, {**FEEDBACK, "interviewType": "ONSITE"}]), ok=fb)
    expect_write(put(li, sub(APPLICATIONS, key, "stages"), list(STAGES), list(STAGES.values())),
                 ok=list(STAGES))
    return key


def test_application_history_in_the_indicator_view(li):
    put_candidates(li, 1)
    expect_write(put(li, sub(CANDIDATES, cand(1), "notes"), ["CN1"], [note("On file.")]),
                 ok=["CN1"])
    key = put_application(li, "A1")
    feedback = expect_get(get(li, sub(APPLICATIONS, key, "interviewFeedback"),
                              ["A1-F1", "A1-F2"]), found=["A1-F1", "A1-F2"])
    assert feedback["A1-F2"] == {**FEEDBACK, "interviewType": "ONSITE"}

    r = li.control.get(f"/organizations/{ORG}/candidates/C1")
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["record"] == candidate_record(1)
    assert view["notes"] == [{**note("On file."), "id": "CN1"}]
    (application,) = view["applications"]
    assert application["key"] == key
    assert application["record"] == application_record("C1")
    assert [s["id"] for s in application["stages"]] == ["STAGE001", "STAGE003", "STAGE002"]
    assert [s["stage"] for s in application["stages"]] == [
        "New", "Phone Interview", "Offer Extended"]
    assert application["currentStage"] == "Offer Extended"
    assert [n["id"] for n in application["notes"]] == ["A1-N1"]
    assert sorted(f["interviewType"] for f in application["interviewFeedback"]) == [
        "ONSITE", "PHONE_SCREEN"]


def test_interview_type_must_be_in_the_enum(li):
    key = application_key("A1", ORG)
    expect_write(put(li, APPLICATIONS, [key], [application_record()]), ok=[key])
    r = put(li, sub(APPLICATIONS, key, "interviewFeedback"), ["F1", "F2"],
            [FEEDBACK, {**FEEDBACK, "interviewType": "VIDEO_CALL"}])
    messages = expect_write(r, ok=["F1"], failed=[("F2", 422)])
    assert names_field(messages["F2"], "/interviewType"), messages


def test_stage_validation(li):
    key = application_key("A1", ORG)
    expect_write(put(li, APPLICATIONS, [key], [application_record()]), ok=[key])
    r = put(li, sub(APPLICATIONS, key, "stages"), ["S1", "S2", "S3"],
            [{"atsCreatedAt": T0, "stage": "New"},
             {"atsCreatedAt": T0, "stage": "Not Available"},
             {"stage": "Phone Interview"}])
    messages = expect_write(r, ok=["S1"], failed=[("S2", 422), ("S3", 422)])
    assert names_field(messages["S2"], "/stage"), messages
    assert names_field(messages["S3"], "/atsCreatedAt"), messages


def test_deleting_an_application_cascades_to_its_sub_resources(li):
    put_candidates(li, 1)
    gone, kept = put_application(li, "A1"), put_application(li, "A2")
    expect_write(delete(li, APPLICATIONS, [gone]), ok=[gone])
    for child in ("notes", "interviewFeedback", "stages"):
        owners = [e["key"]["atsJobApplicationId"] for e in stored(li, f"atsApplications/{child}")]
        assert owners, child
        assert set(owners) == {"A2"}, child
    expect_refused(get(li, sub(APPLICATIONS, gone, "stages"), list(STAGES)), 404)
    view = li.control.get(f"/organizations/{ORG}/candidates/C1").json()
    assert [a["key"] for a in view["applications"]] == [kept]


# -- ACLs -----------------------------------------------------------------------------------

def acl_key(acl_id: str = "TEST_JOBS", job: str = "REQ-42") -> dict[str, str]:
    return {"atsEntityAclId": acl_id, "dataProvider": "ATS", "integrationContext": ORG,
            "atsEntityType": "JOB_POSTING", "atsEntityId": job}


def assignee_key(acl_id: str = "TEST_JOBS", person: str = "urn:li:person:AbC123"
                 ) -> dict[str, str]:
    return {"atsEntityAclId": acl_id, "integrationContext": ORG, "dataProvider": "ATS",
            "assignee": person, "atsEntityType": "JOB_POSTING"}


def put_acls(li: Any, path: str, keys: list[dict[str, str]],
             bodies: list[dict[str, Any]] | None = None) -> httpx.Response:
    """PUT with body keys in reversed field order (the URL keeps the reference's order)."""
    entities = {body_key(dict(reversed(list(k.items())))): b
                for k, b in zip(keys, bodies or [{}] * len(keys), strict=True)}
    return li.demo.request("PUT", f"{path}?{ids_query(keys)}", method="batch_update",
                           json={"entities": entities})


def find(li: Any, path: str, **criteria: str) -> list[dict[str, Any]]:
    params = {"q": "criteria", "dataProvider": "ATS", "integrationContext": ORG, **criteria}
    r = li.demo.request("GET", path, params=params)
    assert r.status_code == 200, r.text
    return r.json()["elements"]


def test_entity_acl_put_find_delete(li):
    key = acl_key()
    expect_write(put_acls(li, ACLS, [key]), ok=[key])
    criteria = {"atsEntityId": "REQ-42", "atsEntityType": "JOB_POSTING", "start": "0",
                "count": "100"}
    assert [e["atsEntityAclId"] for e in find(li, ACLS, **criteria)] == ["TEST_JOBS"]
    assert find(li, ACLS, **{**criteria, "atsEntityId": "REQ-43"}) == []
    expect_write(delete(li, ACLS, [key]), ok=[key])
    assert find(li, ACLS, **criteria) == []


def test_acl_assignee_put_find_delete(li):
    key = assignee_key()
    expect_write(put_acls(li, ASSIGNEES, [key]), ok=[key])
    found = find(li, ASSIGNEES, assignee="urn:li:person:AbC123")
    assert [(e["atsEntityAclId"], e["assignee"]) for e in found] == [
        ("TEST_JOBS", "urn:li:person:AbC123")]
    assert find(li, ASSIGNEES, assignee="urn:li:person:Other1") == []
    expect_write(delete(li, ASSIGNEES, [key]), ok=[key])
    assert find(li, ASSIGNEES, assignee="urn:li:person:AbC123") == []


@pytest.mark.parametrize(("path", "make"), [(ACLS, acl_key), (ASSIGNEES, assignee_key)],
                         ids=["acl", "assignee"])
def test_acl_body_must_be_empty(li, path, make):
    keys = [make("EMPTY"), make("FILLED")]
    r = put_acls(li, path, keys, [{}, {"name": "Test jobs"}])
    messages = expect_write(r, ok=keys[:1], failed=[(keys[1], 422)])
    assert names_field(messages[ck(keys[1])], "/name"), messages


def test_at_most_ten_acls_per_assignee(li):
    ten = [assignee_key(f"ACL{n}") for n in range(10)]
    expect_write(put_acls(li, ASSIGNEES, ten), ok=ten)
    eleventh = assignee_key("ACL10")
    messages = expect_write(put_acls(li, ASSIGNEES, [eleventh]), ok=[], failed=[(eleventh, 422)])
    assert names_field(messages[ck(eleventh)], "/assignee"), messages
    expect_write(put_acls(li, ASSIGNEES, ten[3:4]), ok=ten[3:4])  # re-sending is an upsert
    other = assignee_key("ACL10", "urn:li:person:Other1")
    expect_write(put_acls(li, ASSIGNEES, [other]), ok=[other])
    assert len(find(li, ASSIGNEES, assignee="urn:li:person:AbC123")) == 10


# -- CRM Connect ----------------------------------------------------------------------------

def crm_key(resource: str, provider: str, n: int = 1) -> dict[str, str]:
    ids = {"tcrmPipelines": {"tcrmPipelineId": f"P{n}"},
           "tcrmPipelineStages": {"tcrmPipelineId": "P1", "tcrmStageId": f"S{n}"},
           "tcrmCandidatePipelines": {"tcrmCandidateId": f"C{n}", "tcrmPipelineId": "P1"},
           "tcrmInteractions": {"tcrmInteractionId": f"I{n}"}}[resource]
    return {**ids, "dataProvider": provider, "integrationContext": ORG}


CRM_RECORDS: dict[str, dict[str, Any]] = {
    "tcrmPipelines": {"title": "Backend talent pool", "description": "Engineers to nurture",
                      "accessRestricted": False, "externalJobPostingIds": ["REQ-42"],
                      "locations": ["Berlin, DE"], "ownerEmailAddress": "owner@example.com",
                      "tcrmCreatedAt": T0},
    "tcrmPipelineStages": {"stageCategory": "SCREEN", "stageDetails": "Phone screen",
                           "tcrmCreatedAt": T0},
    "tcrmCandidatePipelines": {"sources": [{"sourceCategory": "LINKEDIN",
                                            "sourceDetails": "InMail campaign"}],
                               "dispositionReason": ""},
    "tcrmInteractions": {"tcrmCandidateId": "C1", "tcrmPipelineId": "P1",
                         "accessRestricted": False, "interactionType": "EMAIL",
                         "tcrmCreatedAt": T0},
}


@pytest.mark.parametrize("resource", list(CRM_RECORDS))
def test_crm_resources_accept_partner_and_ats_providers(li, resource):
    keys = [crm_key(resource, "PARTNER", 1), crm_key(resource, "ATS", 2)]
    record = CRM_RECORDS[resource]
    expect_write(put(li, f"/v2/{resource}", keys, [record, record]), ok=keys)
    assert [e["record"] for e in stored(li, resource)] == [record, record]
    assert {e["key"]["dataProvider"] for e in stored(li, resource)} == {"PARTNER", "ATS"}


@pytest.mark.parametrize(("resource", "spoil", "path"), [
    ("tcrmPipelineStages", _setting("stageCategory", "PHONE"), "/stageCategory"),
    ("tcrmCandidatePipelines", _without("sources"), "/sources"),
    ("tcrmInteractions", _setting("content", "Hi there"), "/content"),
    ("tcrmInteractions", _setting("body", "Hi there"), "/body"),
], ids=["bad-stageCategory", "missing-sources", "interaction-content", "interaction-body"])
def test_crm_validation(li, resource, spoil, path):
    keys = [crm_key(resource, "PARTNER", 1), crm_key(resource, "PARTNER", 2)]
    bad = dict(CRM_RECORDS[resource])
    spoil(bad)
    r = put(li, f"/v2/{resource}", keys, [CRM_RECORDS[resource], bad])
    messages = expect_write(r, ok=keys[:1], failed=[(keys[1], 422)])
    assert names_field(messages[ck(keys[1])], path), messages
    assert len(stored(li, resource)) == 1


def test_partner_data_provider_is_refused_for_candidates(li):
    partner = {"atsCandidateId": "C2", "dataProvider": "PARTNER", "integrationContext": ORG}
    r = put(li, CANDIDATES, [cand(1), partner], [candidate_record(1), candidate_record(2)])
    expect_write(r, ok=[cand(1)], failed=[(partner, 400)])
    assert stored_ids(li, "atsCandidates", "atsCandidateId") == {"C1"}


# -- the data gate --------------------------------------------------------------------------

def test_an_organization_not_enabled_for_the_app_is_refused_whole(li):
    keys = [cand(1), cand(2, OTHER_ORG)]
    expect_refused(put(li, CANDIDATES, keys, [candidate_record(1), candidate_record(2)]), 403)
    assert stored(li, "atsCandidates") == []
    expect_refused(get(li, CANDIDATES, keys), 403)
    expect_refused(put(li, sub(CANDIDATES, keys[1], "notes"), ["N1"], [note()]), 403)
    crm = {**crm_key("tcrmPipelines", "PARTNER"), "integrationContext": OTHER_ORG}
    expect_refused(put(li, "/v2/tcrmPipelines", [crm], [CRM_RECORDS["tcrmPipelines"]]), 403)


def test_a_disabled_integration_stops_data_sync(li):
    r = li.control.post("/integrations/status",
                        json={"integrationContext": ORG, "status": "DISABLED"})
    assert r.status_code == 200, r.text
    expect_refused(put(li, CANDIDATES, [cand(1)], [candidate_record(1)]), 403)
    assert stored(li, "atsCandidates") == []
