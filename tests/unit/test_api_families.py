"""The §2.5 renames: every v2 resource and sub-resource maps to its `/rest` form and back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitlink.core.api_families import (
    REST_ONLY,
    Target,
    from_rest,
    is_rest_resource,
    keys_from_rest,
    keys_to_rest,
    record_from_rest,
    record_to_rest,
    records_to_rest,
    rest_name,
    rest_words,
    to_rest,
    v2_name,
)
from recruitlink.core.linkedin_schema import KEY_FIELDS

ORG = "urn:li:organization:123"
CANDIDATE = {"atsCandidateId": "C1", "dataProvider": "ATS", "integrationContext": ORG}
APPLICATION = {"atsJobApplicationId": "A1", "dataProvider": "ATS", "integrationContext": ORG}
INTEGRATION = {"integrationContext": ORG, "integrationType": "ONE_CLICK_EXPORT",
               "tenantType": "RECRUITER", "dataProvider": "ATS"}

# (v2 resource, child, parent key, key) -> expected /rest Target
CASES = [
    ("atsCandidates", None, None, CANDIDATE,
     Target("candidates", None, {"externalCandidateId": "C1", "integrationContext": ORG})),
    ("atsCandidates", "notes", CANDIDATE, "N1",
     Target("candidateNotes", None, {"externalCandidateId": "C1", "integrationContext": ORG,
                                     "externalNoteId": "N1"})),
    ("atsApplications", None, None, APPLICATION,
     Target("atsApplications", None, {"atsJobApplicationId": "A1", "integrationContext": ORG})),
    ("atsApplications", "notes", APPLICATION, "N2",
     Target("applicationNotes", None, {"externalJobApplicationId": "A1",
                                       "integrationContext": ORG, "externalNoteId": "N2"})),
    ("atsApplications", "stages", APPLICATION, "S1",
     Target("atsApplications", "stages", "S1",
            {"atsJobApplicationId": "A1", "integrationContext": ORG})),
    ("atsApplications", "interviewFeedback", APPLICATION, "F1",
     Target("atsApplications", "interviewFeedback", "F1",
            {"atsJobApplicationId": "A1", "integrationContext": ORG})),
    ("atsIntegrations", None, None, INTEGRATION,
     Target("integrations", None, {"integrationContext": ORG,
                                   "integrationType": "ONE_CLICK_EXPORT",
                                   "tenantType": "RECRUITER"})),
    ("atsIntegrations", "configurations", INTEGRATION, "CALLBACK_URL",
     Target("integrationConfigurations", None,
            {"integrationContext": ORG, "integrationType": "ONE_CLICK_EXPORT",
             "tenantType": "RECRUITER", "configurationName": "CALLBACK_URL"})),
]


@pytest.mark.parametrize(("resource", "child", "parent", "key", "expected"), CASES,
                         ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_every_renamed_resource_maps_to_rest_and_back(resource, child, parent, key, expected):
    assert to_rest(resource, key, parent=parent, child=child) == expected
    back = from_rest(expected.resource, expected.key, parent=expected.parent,
                     child=expected.child)
    assert back == Target(resource, child, key, parent)
    assert rest_name(resource, child) == (expected.resource, expected.child)
    assert v2_name(expected.resource, expected.child) == (resource, child)


@pytest.mark.parametrize(("resource", "child", "parent", "key", "expected"),
                         [*CASES, ("simpleJobPostingTasks", None, None, "urn:li:task:1", None)],
                         ids=[*(f"{c[0]}/{c[1]}" for c in CASES), "unrenamed"])
def test_a_batch_of_keys_maps_as_each_key_does(resource, child, parent, key, expected):
    other = {**key, next(iter(key)): "second"} if isinstance(key, dict) else key + "-2"
    first, keys = keys_to_rest(resource, [key, other], parent=parent, child=child)
    assert first == to_rest(resource, key, parent=parent, child=child)
    assert keys == [to_rest(resource, k, parent=parent, child=child).key for k in (key, other)]
    assert keys_to_rest(resource, [], parent=parent, child=child) == (
        to_rest(resource, None, parent=parent, child=child), [])


TOP_LEVEL_REST = sorted({rest for rest, child in
                         (rest_name(r, c) for r, c, *_ in CASES) if child is None
                         and v2_name(rest)[1] is None} | {"simpleJobPostings", "attachments"})
REST_KEY = st.dictionaries(
    st.sampled_from(["externalCandidateId", "atsJobApplicationId", "integrationContext",
                     "integrationType", "tenantType", "dataProvider", "x", ""]),
    st.text(max_size=6), max_size=5)


@given(st.sampled_from(TOP_LEVEL_REST), st.lists(REST_KEY, max_size=4),
       st.sampled_from(["ATS", "PARTNER"]))
def test_a_batch_of_rest_keys_maps_back_as_each_key_does(resource, keys, provider):
    """Same fields, values and field order as `from_rest` of each key."""
    batch = keys_from_rest(resource, keys, data_provider=provider)
    each = [from_rest(resource, key, data_provider=provider).key for key in keys]
    assert batch == each
    assert [list(k.items()) for k in batch] == [list(k.items()) for k in each]


def test_a_batch_of_rest_keys_of_a_v2_sub_resource_or_unknown_provider_is_refused():
    with pytest.raises(ValueError, match="sub-resource"):
        keys_from_rest("candidateNotes", [{"externalCandidateId": "C1"}])
    with pytest.raises(ValueError, match="dataProvider"):
        keys_from_rest("candidates", [], data_provider="NOPE")


@pytest.mark.parametrize(("resource", "child", "record"), [
    ("atsCandidates", None, {"firstName": "A", "atsCreatedAt": 1, "externalCreatedAt": 2}),
    ("atsCandidates", "notes", {"note": "n", "atsCreatedAt": 1}),
    ("atsIntegrations", None, {"dataProvider": "ATS", "integrationName": "x"}),
    ("atsApplications", None, {"stage": "s"}),
    ("seatsV2", None, {"seatId": 7, "created": 5}),
    ("simpleJobPostings", None, {"title": "t"}),
])
def test_a_batch_of_records_maps_as_each_record_does(resource, child, record):
    records = [record, {**record, "extra": 1}]
    assert records_to_rest(resource, child, records) == \
        [record_to_rest(resource, child, r) for r in records]
    assert list(records_to_rest(resource, child, records)[0]) == \
        list(record_to_rest(resource, child, record))


def test_every_v2_key_resource_and_sub_resource_has_a_rest_form():
    """Every keyed v2 resource the schema knows maps somewhere, and back to itself."""
    for name in KEY_FIELDS:
        resource, _, child = name.partition("/")
        rest = rest_name(resource, child or None)
        assert v2_name(*rest) == (resource, child or None), name


def test_unrenamed_resources_keep_their_name_and_key():
    acl = {"atsEntityAclId": "X", "dataProvider": "ATS", "integrationContext": ORG,
           "atsEntityType": "JOB_POSTING", "atsEntityId": "J1"}
    for resource in ("atsEntityAcls", "simpleJobPostings", "tcrmPipelines", "seatsV2",
                     "provisionedApplications", "exportedCandidates", "conversationEvents",
                     "mailStubs", "prospectNotes", "hireMediaUrl", *REST_ONLY):
        assert to_rest(resource, acl) == Target(resource, None, acl)
        assert from_rest(resource, acl) == Target(resource, None, acl)
        assert is_rest_resource(resource)


def test_renamed_v2_names_are_not_rest_resources():
    for resource in ("atsCandidates", "atsIntegrations", "seats"):
        assert not is_rest_resource(resource)
    for resource in ("candidates", "candidateNotes", "applicationNotes", "integrations",
                     "integrationConfigurations", "atsApplications"):
        assert is_rest_resource(resource)


def test_from_rest_fills_the_data_provider_asked_for():
    rest = {"externalCandidateId": "C1", "integrationContext": ORG}
    assert from_rest("candidates", rest, data_provider="PARTNER").key == {
        **CANDIDATE, "dataProvider": "PARTNER"}
    with pytest.raises(ValueError, match="dataProvider"):
        from_rest("candidates", rest, data_provider="CRM")


def test_a_rest_note_key_without_its_note_id_is_refused():
    with pytest.raises(ValueError, match="externalNoteId"):
        from_rest("candidateNotes", {"externalCandidateId": "C1", "integrationContext": ORG})


def test_a_v2_sub_resource_needs_its_parent():
    with pytest.raises(ValueError, match="parent"):
        to_rest("atsCandidates", "N1", child="notes")


epochs = st.integers(min_value=0, max_value=2**41)


@given(epochs, epochs, st.text(max_size=20))
def test_candidate_and_note_records_round_trip(created, modified, name):
    candidate = {"firstName": name, "atsCreatedAt": created, "atsLastModifiedAt": modified}
    rest = record_to_rest("atsCandidates", None, candidate)
    assert rest == {"firstName": name, "externalCreatedAt": created,
                    "externalLastModifiedAt": modified}
    assert record_from_rest("candidates", None, rest) == candidate
    note = {"note": name, "atsCreatedAt": created, "atsLastModifiedAt": modified}
    for v2, rest_resource in ((("atsCandidates", "notes"), "candidateNotes"),
                              (("atsApplications", "notes"), "applicationNotes")):
        rest_note = record_to_rest(*v2, note)
        assert rest_note == {"note": name, "externalCreatedAt": created,
                             "externalLastModifiedAt": modified}
        assert record_from_rest(rest_resource, None, rest_note) == note


def test_application_records_keep_their_fields():
    application = {"atsCandidateId": "C1", "atsCreatedAt": 1, "atsLastModifiedAt": 2,
                   "atsJobPostingId": "J1", "atsJobPostingName": "Chef"}
    assert record_to_rest("atsApplications", None, application) == application
    assert record_from_rest("atsApplications", None, application) == application


@given(st.integers(min_value=1, max_value=10**9), epochs)
def test_seats_rename_id_and_created(seat_id, created):
    v2 = {"id": seat_id, "seat": f"urn:li:seat:{seat_id}", "active": True,
          "created": {"time": created}}
    rest = record_to_rest("seatsV2", None, v2)
    assert rest["seatId"] == seat_id and "id" not in rest and "created" not in rest
    assert rest["createdAt"]["time"] == created
    assert rest["createdAt"]["actor"].startswith("urn:li:")
    assert record_from_rest("seatsV2", None, rest) == v2


def test_a_seat_creator_given_on_v2_is_kept():
    rest = record_to_rest("seatsV2", None, {"id": 1, "created": {"time": 5,
                                                                "actor": "urn:li:person:9"}})
    assert rest["createdAt"] == {"time": 5, "actor": "urn:li:person:9"}


def test_integration_answers_lose_the_key_field_rest_has_not():
    v2 = {**INTEGRATION, "integrationName": "Acme", "status": "ENABLED"}
    rest = record_to_rest("atsIntegrations", None, v2)
    assert "dataProvider" not in rest and rest["integrationName"] == "Acme"
    assert record_from_rest("integrations", None, rest) == rest


def test_messages_can_be_worded_in_rest_names():
    assert rest_words("atsCandidates") == {
        "atsCandidates": "candidates", "atsCandidateId": "externalCandidateId",
        "atsCreatedAt": "externalCreatedAt", "atsLastModifiedAt": "externalLastModifiedAt"}
    assert rest_words("atsApplications", "notes")["atsJobApplicationId"] == (
        "externalJobApplicationId")
    assert rest_words("atsApplications") == {} and rest_words("atsEntityAcls") == {}


texts = st.text(min_size=1, max_size=30)


@given(texts, texts, texts, st.sampled_from(["ATS", "PARTNER"]))
def test_any_key_values_survive_the_round_trip(entity_id, child_id, context, provider):
    """Whatever the values hold (reserved Rest.li characters, URNs, non-ASCII)."""
    for resource, child, id_field in (("atsCandidates", "notes", "atsCandidateId"),
                                      ("atsApplications", "notes", "atsJobApplicationId"),
                                      ("atsApplications", "stages", "atsJobApplicationId")):
        parent = {id_field: entity_id, "dataProvider": provider, "integrationContext": context}
        for key, sub, up in ((parent, None, None), (child_id, child, parent)):
            rest = to_rest(resource, key, parent=up, child=sub)
            assert from_rest(rest.resource, rest.key, parent=rest.parent, child=rest.child,
                             data_provider=provider) == Target(resource, sub, key, up)


@given(st.sampled_from([("candidates", None), ("candidateNotes", None), ("atsApplications", None),
                        ("applicationNotes", None), ("integrations", None)]),
       st.dictionaries(st.sampled_from(["externalCreatedAt", "externalLastModifiedAt",
                                        "createdAt", "note", "firstName", "atsCreatedAt", ""]),
                       st.integers(0, 3), max_size=5))
def test_a_rest_record_is_renamed_field_by_field_in_its_order(name, record):
    """As the one-pass renaming did: every field, renamed where §2.5 says, order kept."""
    back = {new: old for old, new in rest_words(*v2_name(*name)).items()}
    expected = {back.get(field, field): value for field, value in record.items()}
    out = record_from_rest(*name, record)
    assert list(out.items()) == list(expected.items())
    assert out is not record
