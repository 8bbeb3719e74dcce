"""Rest.li protocol 1.0 key codec, shared by the LinkedIn client and the sandbox.

LinkedIn's `/v2` sync resources use compound keys. In the query string a batch names them as
`ids[N].field=value` (brackets raw or percent-encoded); in a body map, and in a sub-resource
path segment, a key is a query-string fragment `field=value&field=value` in any field order.
Two keys are the same when they hold the same fields and values, so everything here works on
`Key` (a frozen mapping) and compares canonical strings, never raw text.

Rest.li 2.0 (sent with `X-RestLi-Protocol-Version: 2.0.0`, as LinkedIn's own client always
does) writes the same values as `List(a,b)`, records as `(field:value,...)` and the empty
string as `''`; each atom is percent-encoded with every reserved character escaped. The
protocol-aware functions (`encode_value`, `decode_value`, `encode_key`, `parse_key`,
`batch_ids_query`, `encode_query`, `parse_query_for`) speak either protocol, and reading in
the wrong one is a `RestliSyntaxError` that says which header the caller needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal
from urllib.parse import quote, unquote, unquote_plus

__all__ = [
    "PROTOCOL_1",
    "PROTOCOL_2",
    "Key",
    "Protocol",
    "RestliSyntaxError",
    "apply_patch",
    "batch_ids_query",
    "canonical",
    "canonical_many",
    "decode_value",
    "encode_key",
    "encode_query",
    "encode_records",
    "encode_value",
    "ids_list_query",
    "parse_batch_ids",
    "parse_key",
    "parse_query",
    "parse_query_for",
    "parse_simple_key",
    "protocol_of",
]

Protocol = Literal["1.0.0", "2.0.0"]
PROTOCOL_1: Protocol = "1.0.0"
PROTOCOL_2: Protocol = "2.0.0"
NEEDS_PROTOCOL_2 = "Rest.li 2.0 syntax needs X-RestLi-Protocol-Version: 2.0.0"


class RestliSyntaxError(ValueError):
    """The request's Rest.li syntax cannot be read; the message says where."""


Key = tuple[tuple[str, str], ...]
"""A compound key: its (field, value) pairs sorted by field. Hashable and order-free."""


def make_key(fields: Mapping[str, str]) -> Key:
    return tuple(sorted(fields.items()))


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")
"""What `quote(value, safe="")` leaves as it is: most ids, so they skip the encoder."""
_plain = _UNRESERVED.fullmatch


def _enc(value: str) -> str:
    if _plain(value):
        return value
    return _quoted(value)


@lru_cache(maxsize=1024)
def _quoted(value: str) -> str:
    """Percent-encoded once per distinct value: the organization URN is in every key."""
    return quote(value, safe="")


def canonical(key: Key | Mapping[str, str]) -> str:
    """The one string form of a key: fields sorted, every name and value percent-encoded."""
    # A dict is told apart without the Mapping ABC's slower test; the few field names come
    # from a cache and each value's `_enc` is inlined: every key of every batch is written
    # here, some more than once.
    pairs: Iterable[tuple[str, str]] = (
        key.items() if type(key) is dict or isinstance(key, Mapping) else key)
    return "&".join([f"{_field_name(k)}={v if _plain(v) else _quoted(v)}"
                     for k, v in sorted(pairs)])


def _enc_value(value: str) -> str:
    """`_enc`, with ASCII letters and digits (most ids) told plain without the regex."""
    if (value.isascii() and value.isalnum()) or _plain(value):
        return value
    return _quoted(value)


def canonical_many(keys: Iterable[Key | Mapping[str, str]]) -> list[str]:
    """`canonical` of each key of a batch. Its keys most often hold the same field names:
    their sorted order and encoded names are then made once (a key with the same number of
    fields, all of those names, has the same names), and each value is encoded once."""
    out: list[str] = []
    size, heads = -1, [""]
    getter: Callable[[Any], Any] = _NO_NAMES
    seen: dict[str, str] = {}
    """Each value's encoding, made once per batch (its organization, its dataProvider)."""
    for key in keys:
        if type(key) is dict:
            values = _same_names(key, size, getter)
            if values is None:
                names = _sorted_names(key)
                if names is None:
                    out.append(canonical(key))
                    continue
                size, getter = len(names), itemgetter(*names)
                heads = [("&" if at else "") + _field_name(name) + "="
                         for at, name in enumerate(names)]
                values = getter(key)
            parts = []
            for head, value in zip(heads, values, strict=True):
                if type(value) is not str:
                    break
                text = seen.get(value)
                if text is None:
                    text = seen[value] = _enc_value(value)
                parts.append(head + text)
            else:
                out.append("".join(parts))
                continue
        out.append(canonical(key))  # not a dict, or a value not a string (canonical's error)
    return out


def encode_records(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """`encode_value` of each record of a batch (the 2.0 text of compound keys), made as
    `canonical_many` makes canonical texts; a record with a value other than a string is
    left to `encode_value`."""
    out: list[str] = []
    size, heads = -1, [""]
    getter: Callable[[Any], Any] = _NO_NAMES
    seen: dict[str, str] = {}
    for record in records:
        if type(record) is dict:
            values = _same_names(record, size, getter)
            if values is None:
                names = _sorted_names(record)
                if names is None:
                    out.append(encode_value(record))
                    continue
                size, getter = len(names), itemgetter(*names)
                heads = [("," if at else "(") + (_field_name(name) if name else _EMPTY) + ":"
                         for at, name in enumerate(names)]
                values = getter(record)
            parts = []
            for head, value in zip(heads, values, strict=True):
                if type(value) is not str:
                    break
                text = seen.get(value)
                if text is None:
                    text = seen[value] = _enc_value(value) if value else _EMPTY
                parts.append(head + text)
            else:
                out.append("".join(parts) + ")")
                continue
            out.append(encode_value(record))
        else:
            out.append(encode_value(dict(record)))
    return out


def _NO_NAMES(_: Any) -> tuple[Any, ...]:
    raise KeyError


def _same_names(key: dict[Any, Any], size: int, getter: Callable[[Any], Any]
                ) -> tuple[Any, ...] | None:
    """The key's values in the previous key's sorted field order, when it has the same
    fields (as many, and each of those); else None."""
    if len(key) != size:
        return None
    try:
        values: tuple[Any, ...] = getter(key)
    except KeyError:
        return None
    return values


def _sorted_names(key: dict[Any, Any]) -> list[str] | None:
    """A key's field names sorted, when it has two or more, all strings (what the batch
    functions write themselves; None for the rest, left to the one-key functions)."""
    names = list(key)
    if len(names) < 2 or not all(type(name) is str for name in names):
        return None
    names.sort()
    return names


def encode_key(fields: Mapping[str, str] | str, *, protocol: Protocol = PROTOCOL_1,
               raw_urns: bool = False) -> str:
    """A key as a body-map key or path segment.

    1.0: `k=v&k2=v2` in the given field order (`raw_urns` keeps URN colons readable);
    2.0: `(k:v,k2:v2)`, fields sorted as LinkedIn's encoder does (colons are structure there,
    so `raw_urns` does not apply). A simple (string) key is its encoded atom.
    """
    if protocol == PROTOCOL_2:
        if isinstance(fields, str):
            return encode_value(fields)
        return _text_record(fields) or encode_value(dict(fields))
    if isinstance(fields, str):
        return quote(fields, safe=":") if raw_urns else _enc(fields)
    if raw_urns:
        return "&".join(f"{_enc(k)}={quote(v, safe=':')}" for k, v in fields.items())
    return "&".join(f"{_enc(k)}={_enc(v)}" for k, v in fields.items())


def _text_record(fields: Mapping[str, str]) -> str | None:
    """`encode_value` of a record whose names and values are all plain strings (every
    compound key the sync sends), written without its type tests; None for any other."""
    parts = []
    for name, value in sorted(fields.items()):
        if type(name) is not str or type(value) is not str or not name:
            return None
        parts.append(f"{_field_name(name)}:"
                     f"{(value if _plain(value) else _quoted(value)) if value else _EMPTY}")
    return "(" + ",".join(parts) + ")"


@lru_cache(maxsize=256)
def _field_name(name: str) -> str:
    """A key field's name encoded (a few names, in every key)."""
    return _enc(name)


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
    if "%" not in text and not (plus and "+" in text):
        return text  # nothing to decode (the common case: plain ids and names)
    if len(text) <= _CACHED_TEXT:
        return _unquoted_cached(text, plus)
    return _unquoted(text, plus)


_CACHED_TEXT = 256
"""Longer texts are decoded each time: the cache holds no more than 1,024 short ones."""


@lru_cache(maxsize=1024)
def _unquoted_cached(text: str, plus: bool) -> str:
    """Decoded once per distinct text (the organization URN is in every key); an error is
    raised again each time (lru_cache keeps no exceptions)."""
    return _unquoted(text, plus)


def _unquoted(text: str, plus: bool) -> str:
    if _BAD_ESCAPE.search(text):
        raise RestliSyntaxError(f"malformed percent-encoding in {text[:80]!r}")
    try:
        raw = unquote_plus(text, errors="strict") if plus else unquote(text, errors="strict")
    except UnicodeDecodeError as exc:
        raise RestliSyntaxError(f"percent-encoding is not valid UTF-8 in {text[:80]!r}") from exc
    return raw


def parse_key(text: str, *, protocol: Protocol | None = None) -> dict[str, str]:
    """Parse a compound key (a body-map key or a path segment) into its fields.

    1.0 is `field=value&field=value`: each name and value is percent-decoded once, after
    splitting, so values may carry an encoded `&` or `=`. 2.0 is `(field:value,...)`. With
    no protocol the syntax decides; with one, the other syntax is an error naming the header.
    A repeated field or a part without `=` is a syntax error.
    """
    looks_2 = text.startswith("(")
    if protocol is None:
        protocol = PROTOCOL_2 if looks_2 else PROTOCOL_1
    if protocol == PROTOCOL_2:
        if not looks_2:
            raise RestliSyntaxError(
                f"compound key {text[:80]!r} is Rest.li 1.0 syntax; with "
                "X-RestLi-Protocol-Version: 2.0.0 a key is (field:value,...)")
        return _flat_record(decode_value(text), "compound key")
    if looks_2:
        raise RestliSyntaxError(f"{NEEDS_PROTOCOL_2} (compound key {text[:80]!r})")
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


_IDS_FIELD = re.compile(r"^ids\[(\d{1,4})\]\.(.+)$", re.DOTALL)


def parse_batch_ids(
    pairs: Iterable[tuple[str, str]], *, raw_lists: bool = True,
) -> tuple[list[dict[str, str]] | list[str] | None, list[tuple[str, str]]]:
    """Split decoded query pairs into the batch ids and the other parameters.

    `raw_lists` says the pairs come from `parse_query`, which keeps a 2.0 `ids=List(...)`
    raw; pairs from `parse_query_for` are already in the 1.0 shape, so an id that reads
    `List(` there is a literal id.

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
            if raw_lists and value.startswith("List("):
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


def batch_ids_query(keys: Sequence[Mapping[str, str] | str], *,
                    protocol: Protocol = PROTOCOL_1) -> str:
    """Build the `ids` part of a batch query string: 1.0 `ids[N].f=v` (brackets
    percent-encoded, as LinkedIn's own tools send them) or `ids=A&ids=B`; 2.0
    `ids=List((f:v,...),...)` or `ids=List(A,B)`."""
    if protocol == PROTOCOL_2:
        return ids_list_query([encode_key(key, protocol=PROTOCOL_2) for key in keys])
    parts: list[str] = []
    for index, key in enumerate(keys):
        if isinstance(key, str):
            parts.append(f"ids={_enc(key)}")
        elif isinstance(key, Mapping):
            parts.extend(f"ids%5B{index}%5D.{_enc(k)}={_enc(v)}" for k, v in key.items())
    return "&".join(parts)


def ids_list_query(encoded: Iterable[str]) -> str:
    """Rest.li 2.0's `ids=List(...)` of keys already written by `encode_key` (a batch call
    writes each key once, for its body map and its query)."""
    return "ids=List(" + ",".join(encoded) + ")"


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


# --- Protocol-aware values, keys and finder parameters ------------------------------------

RestliValue = str | int | bool | list[Any] | dict[str, Any]
Decoded = str | list[Any] | dict[str, Any]


def protocol_of(header: str | None) -> Protocol:
    """The protocol an `X-RestLi-Protocol-Version` header names (absent means 1.0.0)."""
    if header is None or header.strip() == PROTOCOL_1:
        return PROTOCOL_1
    if header.strip() == PROTOCOL_2:
        return PROTOCOL_2
    raise RestliSyntaxError(
        f"X-RestLi-Protocol-Version {header[:40]!r} is not 1.0.0 or 2.0.0")


def encode_value(value: RestliValue) -> str:
    """A value in Rest.li 2.0 URL encoding, as LinkedIn's encoder writes it; the empty
    string is `''` so that it survives inside a List or record."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _enc(value) if value else "''"
    if isinstance(value, list):
        return "List(" + ",".join(encode_value(item) for item in value) + ")"
    if type(value) is dict or isinstance(value, Mapping):
        # A plain string (every compound key's field) is written here rather than by a call
        # per field: the sync encodes 20k keys per 20k records.
        parts = []
        for k, v in sorted(value.items()):
            if type(v) is str:
                text = (v if _plain(v) else _quoted(v)) if v else _EMPTY
            else:
                text = encode_value(v)
            name = k if type(k) is str else str(k)
            parts.append(f"{_field_name(name) if name else _EMPTY}:{text}")
        return "(" + ",".join(parts) + ")"
    raise TypeError(f"cannot Rest.li-encode a {type(value).__name__}")


_EMPTY = "''"
"""The empty string in Rest.li 2.0."""


def _enc_atom(value: str) -> str:
    return _enc(value) if value else _EMPTY


_STRUCTURE = frozenset("(),:'")


def decode_value(text: str) -> Decoded:
    """Parse a Rest.li 2.0 URL-encoded value: `List(...)`, `(k:v,...)` or an atom.

    Every atom is percent-decoded exactly once; `''` (and an empty atom) is the empty
    string. Unbalanced parentheses, a record part without `:`, a repeated record field or an
    unescaped reserved character inside a structure are syntax errors.
    """
    if text.startswith("("):
        flat = _flat_record_fast(text)
        if flat is not None:
            return flat
    elif text.startswith("List(("):
        records = _flat_records_list_fast(text)
        if records is not None:
            return records
    if text.startswith("List(") or text.startswith("("):
        value, end = _decode_at(text, 0)
        if end != len(text):
            raise RestliSyntaxError(f"unexpected text after a Rest.li value in {text[:80]!r}")
        return value
    if text == "''":
        return ""
    return _strict_unquote(text)


_ATOM_2 = r"(?:''|[^(),:']*)"
_FLAT_RECORD = re.compile(rf"\({_ATOM_2}:{_ATOM_2}(?:,{_ATOM_2}:{_ATOM_2})*\)")
"""A record of plain atoms, `(k:v,k2:v2)`: every compound key LinkedIn answers with."""


def _flat_record_fast(text: str) -> dict[str, str] | None:
    """`_decode_at`'s answer for a flat record of atoms, by a split instead of a scan (the
    regex has checked the structure, so the atoms hold no `,` or `:`); None for anything
    else, or anything `_decode_at` would refuse, so that it decides (and words the error)."""
    if not _FLAT_RECORD.fullmatch(text):
        return None
    return _flat_pairs(text[1:-1])


def _flat_pairs(inner: str) -> dict[str, str] | None:
    """`_flat_record_fast` of a record's inside, its structure checked already."""
    record: dict[str, str] = {}
    try:
        for pair in inner.split(","):
            raw_name, _colon, raw_value = pair.partition(":")
            # `_strict_unquote` inlined for atoms without an escape (most names and ids).
            name = ("" if raw_name == "''" else raw_name if "%" not in raw_name
                    else _strict_unquote(raw_name))
            if name in record:
                return None
            record[name] = ("" if raw_value == "''" else raw_value if "%" not in raw_value
                            else _strict_unquote(raw_value))
    except RestliSyntaxError:
        return None
    return record


_FLAT_RECORDS_LIST = re.compile(
    rf"List\((?:{_FLAT_RECORD.pattern})(?:,{_FLAT_RECORD.pattern})*\)")
"""`List((k:v,...),(k:v,...))`: the ids of every batch call on compound keys."""


def _flat_records_list_fast(text: str) -> list[Decoded] | None:
    """`_decode_at`'s answer for a list of flat records, each read as `_flat_record_fast`
    reads one (atoms hold no parentheses, so `),(` separates the records, and the regex has
    checked each record's structure); None for anything else."""
    if not _FLAT_RECORDS_LIST.fullmatch(text):
        return None
    records: list[Decoded] = []
    for inner in text[6:-2].split("),("):
        record = _flat_pairs(inner)
        if record is None:
            return None
        records.append(record)
    return records


def _decode_at(text: str, pos: int) -> tuple[Decoded, int]:
    """Decode the value starting at `pos`; return it and the index just past it."""
    if text.startswith("List(", pos):
        items: list[Any] = []
        pos += 5
        if text.startswith(")", pos):
            return items, pos + 1
        while True:
            item, pos = _decode_at(text, pos)
            items.append(item)
            pos = _expect_separator(text, pos)
            if text[pos - 1] == ")":
                return items, pos
    if text.startswith("(", pos):
        record: dict[str, Any] = {}
        pos += 1
        if text.startswith(")", pos):
            return record, pos + 1
        while True:
            colon = text.find(":", pos)
            if colon < 0:
                raise RestliSyntaxError(f"Rest.li record part is not field:value in "
                                        f"{text[:80]!r}")
            name = _atom(text[pos:colon], text)
            if name in record:
                raise RestliSyntaxError(f"Rest.li record repeats field {name!r}")
            record[name], pos = _decode_at(text, colon + 1)
            pos = _expect_separator(text, pos)
            if text[pos - 1] == ")":
                return record, pos
    end = pos
    while end < len(text) and text[end] not in "(),":
        end += 1
    return _atom(text[pos:end], text), end


def _expect_separator(text: str, pos: int) -> int:
    if pos >= len(text):
        raise RestliSyntaxError(f"unbalanced parentheses in {text[:80]!r}")
    if text[pos] not in ",)":
        raise RestliSyntaxError(f"unexpected {text[pos]!r} in Rest.li value {text[:80]!r}")
    return pos + 1


def _atom(raw: str, whole: str) -> str:
    if raw == "''":
        return ""
    bad = _STRUCTURE.intersection(raw)
    if bad:
        raise RestliSyntaxError(f"reserved character {min(bad)!r} must be percent-encoded "
                                f"in Rest.li 2.0 value {whole[:80]!r}")
    return _strict_unquote(raw)


def _flat_record(value: Decoded, what: str) -> dict[str, str]:
    """A compound key's fields. A complex-key client may add `$params` (the key's own
    parameters); these resources take none, so only an empty one is accepted (and dropped)."""
    if isinstance(value, dict) and "$params" in value:
        if value["$params"] not in ({}, ""):
            raise RestliSyntaxError(f"{what}: $params must be empty; these keys take no "
                                    "parameters")
        value = {k: v for k, v in value.items() if k != "$params"}
    if not isinstance(value, dict) or not value:
        raise RestliSyntaxError(f"{what} must be a non-empty (field:value,...) record")
    for name, item in value.items():
        if not isinstance(item, str):
            raise RestliSyntaxError(f"{what} field {name!r} must be a plain value")
    return value


def parse_simple_key(text: str, *, protocol: Protocol) -> str:
    """A simple (non-compound) key as it appears, still encoded, in a body map or a path."""
    if protocol == PROTOCOL_2:
        value = decode_value(text)
        if not isinstance(value, str):
            raise RestliSyntaxError(f"key {text[:80]!r} must be a single value")
        return value
    if text.startswith("(") or text.startswith("List("):
        raise RestliSyntaxError(f"{NEEDS_PROTOCOL_2} (key {text[:80]!r})")
    return _strict_unquote(text)


def encode_query(params: Sequence[tuple[str, object]], *, protocol: Protocol) -> str:
    """Finder and method parameters as a query string.

    1.0 repeats a list parameter (`contracts=a&contracts=b`) and flattens a record
    (`timeRange.start=1&timeRange.end=2`); 2.0 writes `List(...)` and `(k:v)`. The `fields`
    projection stays 1.0-style (`fields=a,b`) in both, as LinkedIn requires.
    """
    parts: list[str] = []
    for name, value in params:
        if name == "fields":
            items = value if isinstance(value, list) else [value]
            parts.append("fields=" + ",".join(quote(str(item), safe="") for item in items))
        elif protocol == PROTOCOL_2:
            parts.append(f"{_enc(name)}={encode_value(_restli_value(value))}")
        else:
            parts.extend(f"{_enc(n)}={_enc(v)}" for n, v in _flatten_1(name, value))
    return "&".join(parts)


def _restli_value(value: object) -> RestliValue:
    if isinstance(value, (str, int, bool, list, dict)):
        return value
    raise TypeError(f"cannot Rest.li-encode a {type(value).__name__}")


def _flatten_1(name: str, value: object) -> list[tuple[str, str]]:
    """A parameter in Rest.li 1.0's flat form."""
    if isinstance(value, bool):
        return [(name, "true" if value else "false")]
    if isinstance(value, (str, int)):
        return [(name, str(value))]
    if isinstance(value, list):
        if all(isinstance(item, (str, int, bool)) for item in value):
            return [pair for item in value for pair in _flatten_1(name, item)]
        return [pair for i, item in enumerate(value) for pair in _flatten_1(f"{name}[{i}]", item)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flatten_1(f"{name}.{k}", v)]
    raise TypeError(f"cannot Rest.li-encode a {type(value).__name__}")


def _looks_restli_2(raw_value: str) -> bool:
    if not raw_value.endswith(")"):
        return False
    return raw_value.startswith("List(") or (raw_value.startswith("(") and ":" in raw_value)


def parse_query_for(raw_query: str, protocol: Protocol) -> list[tuple[str, str]]:
    """Decode a raw query string in the request's protocol into (name, value) pairs in the
    1.0 shape, so that handlers read one form: a 2.0 `List(...)` becomes repeated pairs, a
    record becomes `name.field` pairs and 2.0 `ids` become `ids[N].field` (or repeated `ids`)
    pairs for `parse_batch_ids`. A 1.0 request using 2.0 syntax, or a 2.0 request using
    `ids[N].field`, is a syntax error saying so.
    """
    if protocol == PROTOCOL_1:
        for part in raw_query.split("&"):
            name, _sep, value = part.partition("=")
            if name != "fields" and _looks_restli_2(value):
                raise RestliSyntaxError(
                    f"{NEEDS_PROTOCOL_2} (parameter {_strict_unquote(name)!r})")
        return parse_query(raw_query)
    pairs: list[tuple[str, str]] = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        raw_name, _sep, raw_value = part.partition("=")
        name = _strict_unquote(raw_name)
        if name.startswith("ids[") or name.startswith("ids."):
            raise RestliSyntaxError(
                f"query parameter {name!r} is Rest.li 1.0 syntax; with "
                "X-RestLi-Protocol-Version: 2.0.0 batch ids are ids=List(...)")
        if name == "fields":
            pairs.append((name, _strict_unquote(raw_value)))
            continue
        decoded = decode_value(raw_value)
        if name == "ids":
            pairs.extend(_ids_pairs(decoded))
        else:
            pairs.extend(_unflatten(name, decoded))
    return pairs


def _ids_pairs(value: Decoded) -> list[tuple[str, str]]:
    items = value if isinstance(value, list) else [value]
    simple = [item for item in items if isinstance(item, str)]
    if len(simple) == len(items):
        return [("ids", item) for item in simple]
    if all(isinstance(item, dict) for item in items):
        return [(f"ids[{i}].{field}", text) for i, item in enumerate(items)
                for field, text in _flat_record(item, f"ids item {i}").items()]
    raise RestliSyntaxError("ids=List(...) mixes simple and compound keys")


def _unflatten(name: str, value: Decoded) -> list[tuple[str, str]]:
    """A decoded 2.0 parameter in 1.0's flat shape."""
    if isinstance(value, str):
        return [(name, value)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _unflatten(f"{name}.{k}", v)]
    if all(isinstance(item, str) for item in value):
        return [(name, item) for item in value]
    return [pair for i, item in enumerate(value) for pair in _unflatten(f"{name}[{i}]", item)]
