"""The one reader of JSON the server is sent (the data API's bulk bodies, LinkedIn's pushes,
the candidate link call), so that every such body has the same limits:

- nested at most `MAX_DEPTH` levels (deeper input exhausts Python's recursion: a 500);
- integers of at most 4,300 digits (Python refuses to read longer ones: a 500);
- optionally, only text a database can store in every string and key: no NUL character
  (PostgreSQL text and JSONB cannot hold one) and no lone surrogate (`"\\ud800"` is valid
  JSON but not Unicode; it cannot be encoded as UTF-8). The data API's records are checked
  per record instead (core/records.py), so that one bad record does not fail a bulk call.

Bodies FastAPI parses itself get the first two limits' reasons from `parse_failure`.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from recruitlink.errors import JsonRefused

MAX_DEPTH = 64
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL, or half of a UTF-16 surrogate pair on its own."""


TOO_DEEP = f"is nested too deeply (at most {MAX_DEPTH} levels)"


def parse_failure(exc: BaseException) -> str | None:
    """Why JSON parsing failed, in words, for the errors Python raises besides
    `JSONDecodeError`; None for anything else."""
    if isinstance(exc, RecursionError):
        return TOO_DEEP
    if isinstance(exc, ValueError) and not isinstance(exc, json.JSONDecodeError) \
            and "digits" in str(exc):
        return f"holds an integer of more than {MAX_INT_DIGITS} digits"
    return None


def loads(raw: bytes | str, *, storable: bool = True) -> Any:
    """The parsed value, or `JsonRefused` saying why not."""
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        raise JsonRefused("is not UTF-8", detail="not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"is not valid JSON: {exc.msg} (line {exc.lineno}, column "
                          f"{exc.colno})", detail=exc.msg, line=exc.lineno,
                          column=exc.colno) from None
    except (RecursionError, ValueError) as exc:
        reason = parse_failure(exc)
        if reason is None:
            raise
        raise JsonRefused(reason) from None
    check(value, storable=storable)
    return value


def _why_unstorable(text: str) -> str | None:
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain a NUL character (\\u0000)"
    return "must not contain a lone UTF-16 surrogate (not Unicode text)"


def check(value: Any, *, storable: bool = True) -> None:
    """Depth and (optionally) text limits of an already parsed value. The walk is iterative
    (no recursion to exhaust) and keeps no paths; a bad string's path is found only to refuse
    it."""
    stack: list[tuple[int, Any]] = [(0, value)]
    while stack:
        depth, item = stack.pop()
        if isinstance(item, dict | list) and depth >= MAX_DEPTH:
            raise JsonRefused(TOO_DEEP)
        if isinstance(item, dict):
            if storable and any(UNSTORABLE.search(key) for key in item):
                _refuse_unstorable(value)
            stack.extend((depth + 1, v) for v in item.values())
        elif isinstance(item, list):
            stack.extend((depth + 1, v) for v in item)
        elif storable and isinstance(item, str) and UNSTORABLE.search(item):
            _refuse_unstorable(value)


def _refuse_unstorable(value: Any) -> None:
    """Find the bad string again, this time with its path, and refuse it."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key in item:
                why = _why_unstorable(key)
                if why is not None:
                    raise JsonRefused(f"a key {why}", _dotted(path))
            stack.extend(((*path, k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend(((*path, i), v) for i, v in enumerate(item))
        elif isinstance(item, str):
            why = _why_unstorable(item)
            if why is not None:
                raise JsonRefused(why, _dotted(path))
    raise AssertionError("check() saw a string that _refuse_unstorable() did not")


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(part))
                    for part in path) or "body"
