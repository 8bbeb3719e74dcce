"""How the client writes a v2-shaped call in each family (wire.py), and reads answers back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.core.restli import make_key
from recruitlink.linkedin.versions import ApiVersion
from recruitlink.linkedin.wire import finder_query, keyed_call, read_key

REST, V2 = ApiVersion("202604"), ApiVersion(None)
ORG = "urn:li:organization:1"
CANDIDATE = {"atsCandidateId": "C 1", "dataProvider": "ATS", "integrationContext": ORG}


def test_finder_parameters_are_lists_and_records_in_2_0_and_flat_in_1_0():
    params = [("q", "criteria"), ("contract", "urn:li:contract:1"), ("owners", "urn:li:seat:1"),
              ("timeRange.start", "1"), ("timeRange.end", "2")]
    assert finder_query(REST, params) == (
        "q=criteria&contract=urn%3Ali%3Acontract%3A1&owners=List(urn%3Ali%3Aseat%3A1)"
        "&timeRange=(end:2,start:1)")
    assert finder_query(V2, params) == (
        "q=criteria&contract=urn%3Ali%3Acontract%3A1&owners=urn%3Ali%3Aseat%3A1"
        "&timeRange.start=1&timeRange.end=2")
    repeated = [("owners", "a"), ("owners", "b"), ("viewer", "x"), ("viewer", "y")]
    assert finder_query(REST, repeated) == "owners=List(a,b)&viewer=List(x,y)"
    assert finder_query(V2, repeated) == "owners=a&owners=b&viewer=x&viewer=y"


def test_a_note_under_its_candidate_is_a_compound_key_of_candidate_notes_on_rest():
    call = keyed_call(REST, "atsCandidates", ["N1"], parent=CANDIDATE, child="notes")
    assert call.path == "candidateNotes"
    assert call.query() == ("ids=List((externalCandidateId:C%201,externalNoteId:N1,"
                            "integrationContext:urn%3Ali%3Aorganization%3A1))")
    # LinkedIn may answer the key with its fields in another order: still the caller's N1.
    assert call.caller_key("(integrationContext:urn%3Ali%3Aorganization%3A1,"
                           "externalNoteId:N1,externalCandidateId:C%201)") == "N1"
    v2 = keyed_call(V2, "atsCandidates", ["N1"], parent=CANDIDATE, child="notes")
    assert v2.path == ("atsCandidates/atsCandidateId=C%201&dataProvider=ATS&"
                       "integrationContext=urn%3Ali%3Aorganization%3A1/notes")
    assert v2.query() == "ids=N1" and v2.caller_key("N1") == "N1"


def test_records_go_out_with_rest_names_and_come_back_with_v2_names():
    call = keyed_call(REST, "atsCandidates", [CANDIDATE])
    assert call.path == "candidates"
    sent = call.record_out({"atsCreatedAt": 1, "firstName": "Ada"})
    assert sent == {"externalCreatedAt": 1, "firstName": "Ada"}
    assert call.record_in(sent) == {"atsCreatedAt": 1, "firstName": "Ada"}
    answered = "(externalCandidateId:C%201,integrationContext:urn%3Ali%3Aorganization%3A1)"
    assert call.caller_key(answered) == make_key(CANDIDATE)
    assert "&fields=externalCreatedAt" in call.query(["atsCreatedAt"])


IDS = st.one_of(st.text(max_size=8), st.text(alphabet="ab'(),:%20 $", max_size=8),
                st.sampled_from(["", "''", "urn:li:organization:4242", "(x)", "List(a)"]))


@settings(max_examples=40)
@given(st.lists(IDS, min_size=1, max_size=4, unique=True), IDS)
def test_a_key_answered_as_it_was_sent_is_the_key_parsing_it_gives(ids, parent):
    """The answer's keys as sent are matched without parsing them again: the same caller key
    as parsing gives, for compound and simple keys alike."""
    owner = {**CANDIDATE, "atsCandidateId": parent}
    for call, compound in (
            (keyed_call(REST, "atsCandidates", [{**owner, "atsCandidateId": i} for i in ids]),
             True),
            (keyed_call(REST, "atsCandidates", ids, parent=owner, child="notes"), True),
            (keyed_call(REST, "simpleJobPostingTasks", ids), False)):
        for index in range(len(call.wire_keys)):
            text = call.entity_key(index)
            parsed = read_key(text, compound=compound, version=REST)
            assert call.caller_key(text) == call.back.get(parsed, parsed)


@settings(max_examples=40)
@given(st.lists(IDS, min_size=0, max_size=4), IDS)
def test_a_whole_body_is_written_as_each_of_its_records_is(ids, parent):
    """`entity_keys` and `records_out` (an upsert's whole body at once) give what
    `entity_key` and `record_out` give record by record, in either family."""
    owner = {**CANDIDATE, "atsCandidateId": parent}
    record = {"atsCreatedAt": 1, "firstName": "Ada"}
    for version in (REST, V2):
        for call in (keyed_call(version, "atsCandidates",
                                [{**owner, "atsCandidateId": i} for i in ids]),
                     keyed_call(version, "atsCandidates", ids, parent=owner, child="notes"),
                     keyed_call(version, "simpleJobPostingTasks", ids)):
            assert call.entity_keys() == [call.entity_key(i) for i in range(len(ids))]
            assert call.records_out([record] * len(ids)) == [call.record_out(record)] * len(ids)


def test_keys_sent_alike_are_answered_for_the_last_caller_and_asked_in_order():
    """Two candidates differing only in `dataProvider` (which /rest drops) are one /rest key:
    its answer stands for the last of them, as `back` says; `asked` keeps both, in order."""
    partner = {**CANDIDATE, "dataProvider": "PARTNER"}
    call = keyed_call(REST, "atsCandidates", [CANDIDATE, partner])
    assert call.asked == [make_key(CANDIDATE), make_key(partner)]
    (text,) = set(call.entity_keys())
    assert call.caller_key(text) == make_key(partner)
    v2 = keyed_call(V2, "atsCandidates", [CANDIDATE, partner])
    assert v2.asked == [make_key(CANDIDATE), make_key(partner)]
    simple = keyed_call(REST, "simpleJobPostingTasks", ["urn:li:task:1", "urn:li:task:2"])
    assert simple.asked == ["urn:li:task:1", "urn:li:task:2"]
    assert simple.caller_key("urn%3Ali%3Atask%3A2") == "urn:li:task:2"
