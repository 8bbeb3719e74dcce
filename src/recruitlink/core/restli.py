"""Rest.li protocol 1.0 key codec, shared by the LinkedIn client and the sandbox.

LinkedIn's `/v2` sync resources use compound keys. In the query string a batch names them as
`ids[N].field=value` (brackets raw or percent-encoded); in a body map, and in a sub-resource
path segment, a key is a query-string fragment `field=value&field=value` in any field order.
Two keys are the same when they hold the same fields and values, so everything here works on
`Key` (a frozen mapping) and compares canonical strings, never raw text.

Rest.li 2.0's `List((field:value,...))` syntax is also parsed, since the emulator notes ask a
faithful sandbox to accept both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

__all__ = [
    "Key",
    "RestliSyntaxError",
    "apply_patch",
    "batch_ids_query",
    "canonical",
    "encode_key",
    "parse_batch_ids",
    "parse_key",
    "parse_query",
]


class RestliSyntaxError(ValueError):
    """The request's Rest.li syntax cannot be read; the message says where."""


Key = tuple[tuple[str, str], ...]
"""A compound key: its (field, value) pairs sorted by field. Hashable and order-free."""


def make_key(fields: Mapping[str, str]) -> Key:
    return tuple(sorted(fields.items()))


def _enc(value: str) -> str:
    return quote(value, safe="")


def canonical(key: Key | Mapping[str, str]) -> str:
    """The one string form of a key: fields sorted, every name and value percent-encoded."""
    pairs: Iterable[tuple[str, str]] = key.items() if isinstance(key, Mapping) else key
    return "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(pairs))


def encode_key(fields: Mapping[str, str], *, raw_urns: bool = False) -> str:
    """A key as a body-map key or path segment, in the given field order."""
    if raw_urns:
        return "&".join(f"{_enc(k)}={quote(v, safe=':')}" for k, v in fields.items())
    return "&".join(f"{_enc(k)}={_enc(v)}" for k, v in fields.items())


def parse_query(raw_query: str) -> list[tuple[str, str]]:
    """Decode a raw query string into (name, value) pairs, keeping order and blanks.

    `+` is a space, as in form encoding; a `%` that starts no valid escape is a syntax error
    rather than being kept literally, so a bad encoding gets a clear 400. A Rest.li 2.0
    `List(...)` value stays raw: its parentheses, commas and colons are structure, and each
    atom inside is decoded exactly once by `parse_restli2_list`.
    """
    pairs: list[tuple[str, str]] = []
    if not raw_query:
        return pairs
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _sep, value = part.partition("=")
        if value.startswith("List("):
            if _BAD_ESCAPE.search(value):
                raise RestliSyntaxError(f"malformed percent-encoding in {value[:80]!r}")
            pairs.append((_strict_unquote(name, plus=True), value))
        else:
            pairs.append((_strict_unquote(name, plus=True), _strict_unquote(value, plus=True)))
    return pairs


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _strict_unquote(text: str, *, plus: bool = False) -> str:
    if _BAD_ESCAPE.search(text):
        raise RestliSyntaxError(f"malformed percent-encoding in {text[:80]!r}")
    try:
        raw = unquote_plus(text, errors="strict") if plus else unquote(text, errors="strict")
    except UnicodeDecodeError as exc:
        raise RestliSyntaxError(f"percent-encoding is not valid UTF-8 in {text[:80]!r}") from exc
    return raw


def parse_key(text: str) -> dict[str, str]:
    """Parse `field=value&field=value` (a body-map key or a path segment) into its fields.

    Each name and value is percent-decoded once, after splitting, so values may carry an
    encoded `&` or `=`. A repeated field or a part without `=` is a syntax error.
    """
    fields: dict[str, str] = {}
    if not text:
        raise RestliSyntaxError("empty compound key")
    for part in text.split("&"):
        name, sep, value = part.partition("=")
        if not sep or not name:
            raise RestliSyntaxError(f"compound key part {part[:80]!r} is not field=value")
        name = _strict_unquote(name)
        if name in fields:
            raise RestliSyntaxError(f"compound key repeats field {name!r}")
        fields[name] = _strict_unquote(value)
    return fields


_IDS_FIELD = re.compile(r"^ids\[(\d{1,4})\]\.(.+)$")


def parse_batch_ids(
    pairs: Iterable[tuple[str, str]],
) -> tuple[list[dict[str, str]] | list[str] | None, list[tuple[str, str]]]:
    """Split decoded query pairs into the batch ids and the other parameters.

    Returns compound keys (`ids[N].field=`, or Rest.li 2.0 `ids=List((f:v))`) as dicts in
    index order, simple keys (`ids=A&ids=B`, or `ids=List(A,B)`) as strings, or None when the
    query names no ids. Mixing the two forms, gaps in the indexes, or a field given twice for
    one index is a syntax error.
    """
    compound: dict[int, dict[str, str]] = {}
    simple: list[str] = []
    rest: list[tuple[str, str]] = []
    for name, value in pairs:
        match = _IDS_FIELD.match(name)
        if match:
            index, field = int(match.group(1)), match.group(2)
            entry = compound.setdefault(index, {})
            if field in entry:
                raise RestliSyntaxError(f"ids[{index}].{field} is given twice")
            entry[field] = value
        elif name == "ids":
            if value.startswith("List("):
                parsed = parse_restli2_list(value)
                if parsed and isinstance(parsed[0], dict):
                    base = len(compound)
                    for offset, item in enumerate(parsed):
                        assert isinstance(item, dict)
                        compound[base + offset] = item
                else:
                    simple.extend(str(item) for item in parsed)
            else:
                simple.append(value)
        elif name.startswith("ids[") or name.startswith("ids."):
            raise RestliSyntaxError(f"query parameter {name!r} is not ids[N].field")
        else:
            rest.append((name, value))
    if compound and simple:
        raise RestliSyntaxError("ids mixes compound ids[N].field and simple ids= forms")
    if compound:
        indexes = sorted(compound)
        if indexes != list(range(len(indexes))):
            raise RestliSyntaxError("ids[N] indexes must run 0, 1, 2, ... without gaps")
        return [compound[i] for i in indexes], rest
    if simple:
        return simple, rest
    return None, rest


def parse_restli2_list(text: str) -> list[dict[str, str] | str]:
    """Parse Rest.li 2.0 `List(A,B)` or `List((f:v,g:w),(f:x,g:y))`; values percent-decoded."""
    if not (text.startswith("List(") and text.endswith(")")):
        raise RestliSyntaxError("Rest.li 2.0 ids must look like List(...)")
    body = text[5:-1]
    items: list[dict[str, str] | str] = []
    if not body:
        return items
    for chunk in _split_top(body):
        if chunk.startswith("(") and chunk.endswith(")"):
            fields: dict[str, str] = {}
            for pair in _split_top(chunk[1:-1]):
                name, sep, value = pair.partition(":")
                if not sep or not name:
                    raise RestliSyntaxError(f"Rest.li 2.0 key part {pair[:80]!r} is not f:v")
                field = _strict_unquote(name)
                if field in fields:
                    raise RestliSyntaxError(f"Rest.li 2.0 key repeats field {field!r}")
                fields[field] = _strict_unquote(value)
            items.append(fields)
        elif "(" in chunk or ")" in chunk:
            raise RestliSyntaxError(f"unbalanced parentheses in {chunk[:80]!r}")
        else:
            items.append(_strict_unquote(chunk))
    kinds = {type(item) for item in items}
    if len(kinds) > 1:
        raise RestliSyntaxError("Rest.li 2.0 List mixes simple and compound keys")
    return items


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise RestliSyntaxError("unbalanced parentheses")
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth != 0:
        raise RestliSyntaxError("unbalanced parentheses")
    parts.append(text[start:])
    if any(not p for p in parts):
        raise RestliSyntaxError("empty element in Rest.li 2.0 List")
    return parts


def batch_ids_query(keys: Sequence[Mapping[str, str] | str]) -> str:
    """Build the `ids` part of a batch query string (brackets percent-encoded, as LinkedIn's
    own tools send them)."""
    parts: list[str] = []
    for index, key in enumerate(keys):
        if isinstance(key, str):
            parts.append(f"ids={_enc(key)}")
        elif isinstance(key, Mapping):
            parts.extend(f"ids%5B{index}%5D.{_enc(k)}={_enc(v)}" for k, v in key.items())
    return "&".join(parts)


def apply_patch(
    record: Mapping[str, Any], patch: object
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Apply a Rest.li partial-update body `{"patch": {"$set": {...}, "$delete": [...]}}`.

    Returns (merged record, set fields, deleted fields). Any other shape is a syntax error:
    a patch that silently did nothing would hide a client bug.
    """
    if not isinstance(patch, dict) or set(patch) != {"patch"}:
        raise RestliSyntaxError('partial update entity must be {"patch": {...}}')
    inner = patch["patch"]
    if not isinstance(inner, dict) or not inner:
        raise RestliSyntaxError('"patch" must be an object with "$set" and/or "$delete"')
    unknown = set(inner) - {"$set", "$delete"}
    if unknown:
        raise RestliSyntaxError(f"unsupported patch operation(s): {', '.join(sorted(unknown))}")
    set_fields = inner.get("$set", {})
    delete_fields = inner.get("$delete", [])
    if not isinstance(set_fields, dict):
        raise RestliSyntaxError('"$set" must be an object')
    if not isinstance(delete_fields, list) or not all(isinstance(f, str) for f in delete_fields):
        raise RestliSyntaxError('"$delete" must be a list of field names')
    both = set(set_fields) & set(delete_fields)
    if both:
        raise RestliSyntaxError(f"field(s) both set and deleted: {', '.join(sorted(both))}")
    merged = dict(record)
    merged.update(set_fields)
    for name in delete_fields:
        merged.pop(name, None)
    return merged, dict(set_fields), list(delete_fields)
