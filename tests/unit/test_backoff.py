"""The one retry policy (core/backoff.py) and how Settings set it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from recruitlink.core.backoff import Backoff
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings


def test_the_wait_grows_by_the_factor_up_to_the_cap():
    policy = Backoff(0.5, 2.0, 3.0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert Backoff(2.0, 1.0).delay(9) == 2.0  # factor 1: a fixed wait


def test_a_wait_the_other_side_asked_for_wins():
    policy = Backoff(0.5, 2.0, 3.0)
    assert policy.delay(1, retry_after=40.0) == 40.0  # even beyond the cap: LinkedIn said
    assert policy.delay(4, retry_after=0.0) == 0.0
    assert policy.delay(1, retry_after=-5.0) == 0.0


def test_a_long_run_of_failures_waits_the_cap_without_overflowing():
    assert Backoff(1.0, 2.0, 60.0).delay(5000) == 60.0
    assert Backoff(1.0, 10.0).delay(5000) == float("inf")


def test_attempts_count_the_tries_in_all():
    policy = Backoff(1.0, attempts=3)
    assert [policy.gives_up(n) for n in range(1, 5)] == [False, False, True, True]
    assert not Backoff(1.0).gives_up(10 ** 6)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"first": -1.0}, "first"), ({"first": 1.0, "factor": 0.5}, "factor"),
    ({"first": 1.0, "cap": float("nan")}, "cap"), ({"first": 1.0, "attempts": 0}, "attempts"),
    ({"first": float("inf")}, "first")])
def test_a_bad_parameter_is_refused_naming_it(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field} must be"):
        Backoff(**kwargs)
    with pytest.raises(ValueError, match="attempt must be >= 1"):
        Backoff(1.0).delay(0)


def test_settings_read_the_policies_from_json_environment_variables(monkeypatch):
    monkeypatch.setenv("RECRUITLINK_RETRY_CALLS",
                       '{"first": 1, "factor": 3, "cap": 20, "attempts": 4}')
    settings = Settings()
    assert settings.retry_calls == Backoff(1.0, 3.0, 20.0, 4)
    assert settings.retry_replays == Backoff(30.0, 2.0, 900.0, 5)  # the defaults
    monkeypatch.setenv("RECRUITLINK_RETRY_TENANTS", '{"first": 5, "factor": 0}')
    with pytest.raises(ValidationError, match="factor must be"):
        Settings()


def test_the_sync_engine_uses_the_policies_of_the_settings():
    settings = Settings(retry_calls=Backoff(1.0, 3.0, 20.0, 4),
                        retry_replays=Backoff(10.0, 1.5, 100.0, 2))
    engine = Runtime(settings, store=None, box=None).engine_settings()  # type: ignore[arg-type]
    assert engine.call_retry == Backoff(1.0, 3.0, 20.0, 4)
    assert engine.step_retry == Backoff(1.0, 3.0, 20.0)  # the loop keeps trying
    assert engine.replay_retry == Backoff(10.0, 1.5, 100.0, 2)
