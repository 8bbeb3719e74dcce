"""Integer parameters of paths and query strings: every row id and cursor the server takes is
a PostgreSQL/SQLite BIGINT, so a larger number can match nothing and must not reach the
database (where it fails as an overflow: a 500). One type for all of them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

BIGINT_MAX = 2**63 - 1

RowId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
"""A database row id (a push event, a sync batch): 1 to 2^63-1; out of range is a 422 naming
the parameter, like any other invalid parameter."""


def small_int(text: str | None, max_digits: int = 18) -> int | None:
    """A non-negative integer written in ASCII digits (str.isdigit also takes `²` and other
    digits int() refuses), of at most `max_digits`; None for anything else. For the pages'
    hand-read parameters (cursors, counts, form numbers)."""
    value = (text or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > max_digits:
        return None
    return int(value)
