"""The inbound stream registry (inbound/streams.py): one entry per poller, and what the
pollers, replays and pages rely on it to say."""

from __future__ import annotations

from recruitlink.core.limits import LINKEDIN_LIMITS
from recruitlink.inbound import items, streams
from recruitlink.inbound.pollers import KINDS
from recruitlink.inbound.streams import BY_ITEM, STREAMS, WINDOW_MS, Target, of_scope
from recruitlink.web.api_linkedin import ALL_KINDS


def test_the_kinds_a_round_reads_are_the_seats_and_every_stream_in_the_api_order():
    assert KINDS == ("seats", *(s.kind for s in STREAMS)) == ALL_KINDS
    assert len({s.kind for s in STREAMS}) == len({s.item for s in STREAMS}) == len(STREAMS)


def test_every_item_a_stream_brings_in_has_a_label_and_finds_its_stream_again():
    assert set(BY_ITEM) == set(items.KIND_LABELS)
    for stream in STREAMS:
        assert BY_ITEM[stream.item] is stream


def test_stubs_are_read_first_because_they_link_candidates():
    assert [s.kind for s in of_scope("seat")] == ["stubs", "inmails", "notes"]
    assert [s.kind for s in of_scope("seat", ("notes", "stubs"))] == ["stubs", "notes"]
    assert [s.kind for s in of_scope("contract")] == ["closures"]
    assert of_scope("organization", ("seats", "inmails")) == []


def test_seat_streams_read_windows_of_at_most_twelve_hours_from_their_seat_cursor():
    seat = Target("urn:li:seat:123", contract="urn:li:contract:9")
    for stream in of_scope("seat"):
        assert stream.window_ms is not None and 0 < stream.window_ms <= WINDOW_MS
        assert stream.cursor_of(seat).endswith(":123")
        assert stream.finder is not None
        params = stream.finder(seat, 1_000, 2_000)
        assert params[0][0] == "q"
        assert [v for _, v in params[-2:]] == ["1000", "2000"]
    assert streams.BY_KIND["inmails"].cursor_of(seat) == "in:mail:123"
    notes = streams.BY_KIND["notes"].finder
    assert notes is not None
    assert ("owners", seat.urn) in notes(seat, 0, 1)
    assert ("contract", seat.contract) in notes(seat, 0, 1)


def test_only_mapped_seats_have_their_inmails_and_notes_read():
    assert {s.kind for s in of_scope("seat") if s.mapped_seats_only} == {"inmails", "notes"}


def test_unwindowed_streams_move_their_cursor_by_a_time_field_of_the_items():
    for stream in STREAMS:
        assert (stream.window_ms is None) == (stream.moved_by is not None), stream.kind
    closures = streams.BY_KIND["closures"]
    assert closures.cursor_of(Target("urn:li:contract:77")) == "in:closed:77"
    assert not closures.backfills  # every closure LinkedIn has, the first time
    assert streams.BY_KIND["evaluations"].cursor_of(Target("urn:li:organization:5")) == "in:eval"


def test_recruiter_reads_count_against_the_prospect_interactions_budget():
    assert streams.PROSPECT_FAMILY in LINKEDIN_LIMITS
    for kind in ("inmails", "notes", "stubs", "closures"):
        assert streams.BY_KIND[kind].family == streams.PROSPECT_FAMILY
    assert streams.BY_KIND["evaluations"].family == streams.BY_KIND["evaluations"].resource


def test_evaluations_are_read_only_on_the_versioned_api_for_rsc():
    unavailable = streams.BY_KIND["evaluations"].unavailable
    assert unavailable("202604", "RSC") is None
    assert unavailable("v2", "RSC") == streams.NO_EVALUATIONS_ON_V2
    assert unavailable("202604", "CRM") == streams.NO_EVALUATIONS_FOR_CRM
    assert all(s.unavailable("v2", "CRM") is None for s in STREAMS if s.kind != "evaluations")
