"""Reading JSON text by orjson (several times faster than the standard library) where its
value is certainly the standard library's: the sandbox's hot paths and the store's JSON
columns read this way. The store's columns are written by `dumps`, orjson's way too.

orjson reads apart from `json.loads` only integers beyond 64 bits (as floats); it refuses what
json reads but JSON does not allow (NaN, Infinity, lone surrogates, numbers beyond a float's
range, nesting deeper than 1024): those, and text that may hold a long integer, go to the
standard library, so every text reads to the same value, or fails the same way."""

from __future__ import annotations

import json
from typing import Any

import orjson

_DIGITS_AS_ZEROS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_RUN = b"0" * 19


def may_hold_long_int(raw: bytes) -> bool:
    """Whether 19 digits follow each other somewhere: where an integer may not fit in 64
    bits, which orjson would read as a float. (A byte translation and a substring search:
    a regular expression costs more than orjson's whole reading.)"""
    return _LONG_RUN in raw.translate(_DIGITS_AS_ZEROS)


def fast_loads(raw: bytes) -> Any:
    """orjson's reading of `raw`; ValueError where orjson refuses it or would read it apart
    from the standard library (an integer that may not fit in 64 bits)."""
    if may_hold_long_int(raw):
        raise ValueError("an integer may not fit in 64 bits")
    return orjson.loads(raw)  # orjson.JSONDecodeError is a ValueError


def loads(raw: str | bytes) -> Any:
    """`json.loads(raw)`: its value, or its error."""
    if len(raw) < len(_LONG_RUN) or not may_hold_long_int(
            raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


_WRITE_AS_JSON_DOES = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                       | orjson.OPT_PASSTHROUGH_SUBCLASS)
"""What orjson would write and `json.dumps` refuses (dates, dataclasses), or writes its own
way (subclasses of str, int, dict, list: str enums), orjson hands back: `dumps` then asks json."""


def dumps(value: Any) -> str:
    """JSON text of `value` for the store's JSON columns: compact, non-ASCII kept. orjson where
    it writes json's value (several times faster: the sync writes one per record); json for
    the rest, which refuses what it always refused. Apart from json: a float that is not finite
    is written null (json writes NaN, which is not JSON and PostgreSQL refuses); no stored
    record has a float field."""
    try:
        return orjson.dumps(value, option=_WRITE_AS_JSON_DOES).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError: long ints, keys not text,
        return json.dumps(value)  # lone surrogates (escaped, as they always were), ...
