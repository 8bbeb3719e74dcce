"""Regression tests from the sync review: each reproduces a violation found and fixed."""

from tests.integration.test_sync_engine import engine  # noqa: F401  (the shared fixture)
