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
