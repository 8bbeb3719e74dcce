"""Parameter and field types of the control API that hold to what its OpenAPI says: a JSON
boolean is only true or false, a number is never a boolean, and an id fits the database."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BeforeValidator, Field, Strict, StrictBool, StringConstraints

__all__ = ["CONTRACT", "MAX_ID", "ApiVersion", "Contract", "Id", "Integer", "Number",
           "Positive", "StrictBool"]

MAX_ID = 2**53 - 1
"""Ids are 64-bit in the database, and exact in every JSON client only up to 2^53."""
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Number = Annotated[float, Strict()]
"""A JSON number (an integer too), not a boolean or a string."""


def _integral(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


Integer = Annotated[int, Strict(), BeforeValidator(_integral)]
"""A JSON integer (2.0 too, as JSON Schema has it), not a boolean or a string."""
Positive = Annotated[int, Strict(), Field(ge=1), BeforeValidator(_integral)]
"""An `Integer` of 1 or more; the bound inside, so that an optional one's schema has it."""
CONTRACT = r"^urn:li:contract:\d+$"
Contract = Annotated[str, Path(pattern=CONTRACT)]
ApiVersion = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(0[1-9]|1[0-2])$")]
"""A `LinkedIn-Version`: YYYYMM."""
