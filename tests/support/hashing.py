"""Cheap page-password hashing for the test session.

Today's scrypt parameters (N=2**17) cost about 0.4 s a hash, and fixtures set passwords and
sign in hundreds of times. A hash carries its own parameters, so the code runs the same with a
smaller N: the session hashes with CHEAP_N in this process (the in-process servers included;
`recruitlink` subprocesses keep today's). Tests about the parameters themselves ask for
`real_password_hashing`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from recruitlink.store import accounts

REAL_N = accounts.N
CHEAP_N = 2**10


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "N", CHEAP_N)
        accounts._dummy_hash.cache_clear()  # made on first use, with the N of that moment
        yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def real_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Today's parameters, as in production, for this test."""
    monkeypatch.setattr(accounts, "N", REAL_N)
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()
