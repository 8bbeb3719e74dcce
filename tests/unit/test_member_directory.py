"""The sandbox's synthetic members: their shared contact info must pass the ATS's checks."""

from __future__ import annotations

import phonenumbers

from recruitlink.core.stub_rules import MailStub, decide_stub
from recruitlink.core.validation import phone_problem
from recruitlink.sandbox.recruiter.directory import REGIONS, generate


def test_every_member_phone_is_valid_in_the_members_country():
    members = list(generate(11, 2000))
    for member in members:
        (number,) = member["phoneNumbers"]
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), (member["person"], number)
        assert phonenumbers.region_code_for_number(parsed) == REGIONS[member["location"]], \
            (member["location"], number)
        assert phone_problem(number) is None
    # Not one number for everybody: the numbers vary within a country.
    assert len({m["phoneNumbers"][0] for m in members}) > len(members) // 2


def test_member_phones_are_deterministic_by_seed():
    assert [m["phoneNumbers"] for m in generate(3, 100)] == \
        [m["phoneNumbers"] for m in generate(3, 100)]


def test_a_shared_member_phone_is_not_rejected():
    member = next(iter(generate(5, 1)))
    stub = MailStub(owner="urn:li:seat:1", person=member["person"],
                    first_name=member["firstName"], last_name=member["lastName"],
                    created_at=1, email=member["emailAddresses"][0],
                    phone=member["phoneNumbers"][0])
    decision = decide_stub(stub, [], [], [])
    assert decision.rejected == ()
    assert decision.write.append["phones"] == (member["phoneNumbers"][0],)
