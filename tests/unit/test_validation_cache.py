"""Validation's caches: answers per email/phone value, and clean payloads by fingerprint."""

from __future__ import annotations

from recruitlink.core import validation
from recruitlink.core.validation import check, email_problem, phone_problem
from tests.unit.test_validation import NOW, candidate


def test_an_email_is_validated_once_and_answers_the_same() -> None:
    # Not ASCII, so not taken by the plain-address fast path: the library's answer is cached.
    first = email_problem("repeat.once.cache-tést@example.com")
    misses = validation._email_problem.cache_info().misses
    assert email_problem("repeat.once.cache-tést@example.com") == first is None
    assert validation._email_problem.cache_info().misses == misses
    bad = email_problem("no-at-sign")
    assert bad is not None and email_problem("no-at-sign") == bad


def test_a_phone_is_validated_once_per_region() -> None:
    us = phone_problem("020 7946 0321", "US")
    misses = validation._phone_problem.cache_info().misses
    assert phone_problem("020 7946 0321", "US") == us
    assert validation._phone_problem.cache_info().misses == misses
    assert phone_problem("020 7946 0321", "GB") is None  # another region: its own answer
    assert validation._phone_problem.cache_info().misses == misses + 1


def test_an_email_that_is_not_text_is_still_answered() -> None:
    assert email_problem(["a@b.c"]) is not None  # type: ignore[arg-type]  # not hashable


def test_a_payload_found_clean_is_not_checked_again_under_its_fingerprint() -> None:
    assert check("atsCandidates", candidate(), now_ms=NOW, fingerprint="fp-clean") == []
    # Same fingerprint: taken as the same payload (a content hash), so not re-checked.
    broken = candidate(emailAddresses=["no-at-sign"])
    assert check("atsCandidates", broken, now_ms=NOW, fingerprint="fp-clean") == []
    # Another fingerprint, resource, operation or region is checked afresh.
    assert check("atsCandidates", broken, now_ms=NOW, fingerprint="fp-other") != []
    assert check("atsCandidates", broken, now_ms=NOW, fingerprint="fp-clean",
                 phone_region="GB") != []
    assert check("atsCandidates", broken, now_ms=NOW) != []


def test_a_payload_with_problems_is_checked_every_time() -> None:
    broken = candidate(emailAddresses=["no-at-sign"])
    first = check("atsCandidates", broken, now_ms=NOW, fingerprint="fp-broken")
    assert first and check("atsCandidates", broken, now_ms=NOW, fingerprint="fp-broken") == first
    # Fixed while keeping the fingerprint (as if its hash were reused): checked, found clean.
    assert check("atsCandidates", candidate(), now_ms=NOW, fingerprint="fp-broken") == []


def test_the_clean_set_is_bounded() -> None:
    for n in range(validation._CLEAN_CACHED + 10):
        check("atsCandidates", candidate(), now_ms=NOW, fingerprint=f"bulk-{n}")
    assert len(validation._clean) == validation._CLEAN_CACHED
    assert ("atsCandidates", None, "US", "bulk-0") not in validation._clean
