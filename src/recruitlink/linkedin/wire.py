"""A v2-shaped call in the configured API family: its path, keys, query, records and answers.

The sync and inbound code name resources and keys as `/v2` does (atsCandidates, notes under
their candidate, `dataProvider` in keys, `atsCreatedAt`). On `/v2` that is the wire; on the
versioned `/rest` family, `core/api_families.py` renames them (§2.5) and `core/restli.py`
writes the keys in Rest.li 2.0. Answers come back keyed as the family writes them: they are
parsed and matched to the caller's keys by meaning, and records are renamed back to the v2
shape, so callers never see which family carried the call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import unquote

from recruitlink.core.api_families import (
    keys_to_rest,
    record_from_rest,
    record_to_rest,
    records_to_rest,
    rest_name,
)
from recruitlink.core.restli import (
    PROTOCOL_1,
    PROTOCOL_2,
    Key,
    RestliSyntaxError,
    batch_ids_query,
    encode_key,
    encode_query,
    ids_list_query,
    make_key,
    parse_key,
    parse_simple_key,
)
from recruitlink.errors import LinkedInRequestError

from .versions import ApiVersion

BatchKey = Key | str
CallerKey = Mapping[str, str] | str

LIST_PARAMETERS = frozenset({"contracts", "owners", "states"})
"""Finder parameters LinkedIn types as arrays (reference §5.4, §5.6, §5.7): Rest.li 2.0 sends
them as `List(...)` even with one value; 1.0 repeats them."""


def as_key(key: CallerKey) -> BatchKey:
    """A caller's key as answers are indexed: a compound key order-free, a simple one as is."""
    return key if isinstance(key, str) else make_key(key)


@dataclass(frozen=True)
class KeyedCall:
    """One batch call on keyed records (BATCH_UPDATE, _GET, _DELETE, _PARTIAL_UPDATE)."""

    path: str
    resource: str
    """The family's name of the resource (for renaming records)."""
    child: str | None
    v2_resource: str
    v2_child: str | None
    wire_keys: list[Mapping[str, str] | str]
    back: dict[BatchKey, BatchKey]
    """Each sent key (as answers are indexed) -> the caller's key."""
    version: ApiVersion
    asked: list[BatchKey] | None = None
    """Each caller's key as answers are indexed (`as_key`), in the order asked."""

    @cached_property
    def _restli_2_keys(self) -> list[str]:
        """Each key written once in Rest.li 2.0, for the body map and the query alike."""
        return [encode_key(key, protocol=PROTOCOL_2) for key in self.wire_keys]

    @cached_property
    def _sent(self) -> dict[str, BatchKey]:
        """Each 2.0 key text this call sent -> the caller's key. LinkedIn mostly answers a
        key as it was sent: that text needs no parsing again, since decoding what
        `encode_key` wrote gives the key back (tests/unit/test_restli_fast_paths.py). Keys
        of another kind than the first, and records a 2.0 key reads otherwise (empty, or with
        `$params`), are left out: `read_key` parses them, as before."""
        if self.version.protocol != PROTOCOL_2 or not self.wire_keys:
            return {}
        simple = isinstance(self.wire_keys[0], str)
        # Each wire key's caller: the caller's own key where no two keys were sent alike.
        callers = self.asked if self.asked is not None and \
            len(self.back) == len(self.wire_keys) else \
            [self.back[as_key(key)] for key in self.wire_keys]
        return {text: caller
                for text, key, caller in zip(self._restli_2_keys, self.wire_keys, callers,
                                             strict=True)
                if (isinstance(key, str) if simple
                    else not isinstance(key, str) and key and "$params" not in key)}

    def query(self, fields: Sequence[str] | None = None) -> str:
        if self.version.protocol == PROTOCOL_2:
            query = ids_list_query(self._restli_2_keys)
        else:
            query = batch_ids_query(self.wire_keys, protocol=self.version.protocol)
        if fields:
            names = list(record_to_rest(self.v2_resource, self.v2_child,
                                        dict.fromkeys(fields)) if self.rest else fields)
            query += "&" + encode_query([("fields", names)], protocol=self.version.protocol)
        return query

    @property
    def rest(self) -> bool:
        return self.version.family == "rest"

    def entity_key(self, index: int) -> str:
        """The body-map key of the index-th record."""
        key = self.wire_keys[index]
        if not self.rest and isinstance(key, str):
            return key  # a 1.0 simple key goes into the body as it is (as always)
        if self.version.protocol == PROTOCOL_2:
            return self._restli_2_keys[index]
        return encode_key(key, protocol=self.version.protocol)

    def entity_keys(self) -> list[str]:
        """Every record's body-map key, in order (`entity_key` of each)."""
        if self.rest and self.version.protocol == PROTOCOL_2:
            return self._restli_2_keys
        return [self.entity_key(i) for i in range(len(self.wire_keys))]

    def records_out(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """`record_out` of each."""
        if not self.rest:
            return [dict(record) for record in records]
        return records_to_rest(self.v2_resource, self.v2_child, records)

    def record_out(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A v2 record as this family names its fields."""
        if not self.rest:
            return dict(record)
        return record_to_rest(self.v2_resource, self.v2_child, record)

    def record_in(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """An answered record as v2 names its fields."""
        if not self.rest:
            return dict(record)
        return record_from_rest(self.resource, self.child, record)

    def caller_key(self, text: str) -> BatchKey:
        """The caller's key an answer's map key stands for, matched by meaning (field order,
        percent-encoding and the family's names do not matter)."""
        sent = self._sent.get(text)
        if sent is not None:
            return sent
        answered = read_key(text, compound=bool(self.wire_keys) and
                            not isinstance(self.wire_keys[0], str), version=self.version)
        return self.back.get(answered, answered)


def keyed_call(version: ApiVersion, resource: str, keys: Sequence[CallerKey], *,
               parent: Mapping[str, str] | None = None,
               child: str | None = None) -> KeyedCall:
    """Where a batch call on `keys` of the v2 `resource` (or its `child` under `parent`) goes
    in this family, with the keys it sends."""
    if version.family == "v2":
        path = resource if parent is None else \
            f"{resource}/{encode_key(parent, protocol=PROTOCOL_1)}/{child}"
        asked = [as_key(k) for k in keys]
        return KeyedCall(path, resource, child, resource, child, list(keys),
                         {a: a for a in asked}, version, asked)
    first, rest_keys = keys_to_rest(resource, keys, parent=parent, child=child)
    path = first.resource
    if first.child is not None:
        assert first.parent is not None
        path = f"{first.resource}/{encode_key(first.parent, protocol=version.protocol)}/" \
               f"{first.child}"
    wire: list[Mapping[str, str] | str] = []
    for rest_key in rest_keys:
        assert rest_key is not None
        wire.append(rest_key)
    asked = [as_key(k) for k in keys]
    back = {as_key(w): c for w, c in zip(wire, asked, strict=True)}
    return KeyedCall(path, first.resource, first.child, resource, child, wire, back, version,
                     asked)


def read_key(text: str, *, compound: bool, version: ApiVersion) -> BatchKey:
    """An answer's map key, parsed in either syntax (LinkedIn may percent-encode it)."""
    try:
        if compound:
            return make_key(parse_key(text))
        if version.family == "v2":
            return unquote(text)
        return parse_simple_key(text, protocol=version.protocol)
    except RestliSyntaxError as exc:
        raise LinkedInRequestError(f"LinkedIn answered an unreadable key {text!r}") from exc


def finder_name(version: ApiVersion, resource: str) -> str:
    """The family's name of a v2 resource searched by a finder."""
    return resource if version.family == "v2" else rest_name(resource)[0]


def finder_record(version: ApiVersion, resource: str, record: Mapping[str, Any]
                  ) -> dict[str, Any]:
    """A finder's element as v2 names its fields."""
    if version.family == "v2":
        return dict(record)
    return record_from_rest(rest_name(resource)[0], None, record)


def finder_query(version: ApiVersion, params: Sequence[tuple[str, object]]) -> str:
    """Finder parameters given as v2 writes them (a list parameter repeated, a record as
    `name.field` pairs) in the family's protocol: 2.0 `List(...)` and `(field:value)`."""
    structured: dict[str, object] = {}
    for name, value in params:
        record, dot, field = name.partition(".")
        if dot:
            fields = structured.setdefault(record, {})
            assert isinstance(fields, dict)
            fields[field] = value
        elif name in LIST_PARAMETERS or name in structured:
            items = structured.setdefault(name, [])
            if not isinstance(items, list):
                items = structured[name] = [items]
            items.append(value)
        else:
            structured[name] = value
    return encode_query(list(structured.items()), protocol=version.protocol)
