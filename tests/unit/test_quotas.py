"""core/quotas.py: the shares, the 80% warning and the resets LinkedIn's quotas follow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recruitlink.core.quotas import (
    Quota,
    family_label,
    month_label,
    month_start_ms,
    next_midnight_ms,
    next_month_ms,
)


def ms(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("used", "warning", "exhausted", "left"), [
    (0, False, False, 300), (239, False, False, 61), (240, True, False, 60),
    (299, True, False, 1), (300, True, True, 0), (310, True, True, 0)])
def test_a_quota_warns_from_80_percent(used: int, warning: bool, exhausted: bool,
                                       left: int) -> None:
    q = Quota(used, 300, 0)
    assert (q.warning, q.exhausted, q.left) == (warning, exhausted, left)
    assert q.as_json()["percentUsed"] == round(100 * used / 300, 1)


def test_a_zero_limit_is_used_up() -> None:
    assert Quota(0, 0, 0).warning and Quota(0, 0, 0).exhausted


def test_months_and_days_are_utc() -> None:
    now = ms(2026, 12, 31, 23, 59, 59)
    assert month_start_ms(now) == ms(2026, 12, 1)
    assert next_month_ms(now) == ms(2027, 1, 1)
    assert next_month_ms(ms(2026, 2, 14)) == ms(2026, 3, 1)
    assert next_midnight_ms(now) == ms(2027, 1, 1)
    assert next_midnight_ms(ms(2026, 12, 6)) == ms(2026, 12, 7)
    assert month_label(now) == "December 2026"


def test_families_have_words() -> None:
    assert family_label("prospectInteractions") == "InMail, stub profile and note reads"
    assert family_label("somethingNew") == "somethingNew"
