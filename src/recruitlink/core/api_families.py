"""LinkedIn's two API families and the one table of what the versioned `/rest` family renames.

The product and the sandbox's state speak the unversioned `/v2` vocabulary (atsCandidates,
their `notes` sub-resource, keys with `dataProvider`, `atsCreatedAt`, ...). The versioned
family (reference §2.5) renames some resources, turns some sub-resources into top-level
resources with compound keys, drops `dataProvider` from keys and renames a few record
fields. This module maps a v2 (resource, child, key, record) to its `/rest` form and back;
every caller (the sandbox's `/rest` routes, the product's client) goes through it, so a
rename LinkedIn corrects is changed here once. What §2.5 does not state is taken from
`core/assumed.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from recruitlink.core.assumed import (
    REST_DATA_PROVIDERS,
    REST_INTEGRATION_CONFIGURATION_KEY_FIELD,
    REST_KEPT_SUB_RESOURCES,
    REST_NOTE_RECORD_RENAMES,
    seat_created_at,
)

__all__ = [
    "REST_ONLY",
    "Family",
    "Target",
    "from_rest",
    "is_rest_resource",
    "keys_from_rest",
    "keys_to_rest",
    "record_from_rest",
    "record_to_rest",
    "records_to_rest",
    "rest_name",
    "rest_words",
    "to_rest",
    "v2_name",
]

Family = Literal["v2", "rest"]

REST_ONLY: frozenset[str] = frozenset({"attachments", "exportedApplicationEvaluations"})
"""Resources the versioned family has and `/v2` does not (reference §2.5, §3.8, §5.9)."""


@dataclass(frozen=True)
class Target:
    """Where a call goes: a resource, an optional sub-resource, the entity's key (compound
    fields, a simple id, or None for a collection-level call) and, for a sub-resource, its
    parent's compound key."""

    resource: str
    child: str | None
    key: dict[str, str] | str | None
    parent: dict[str, str] | None = None


@dataclass(frozen=True)
class _Rename:
    """One v2 (resource, child) and its `/rest` counterpart."""

    v2: tuple[str, str | None]
    rest: tuple[str, str | None]
    key_fields: Mapping[str, str] = field(default_factory=dict)
    """v2 key field -> `/rest` key field (for a sub-resource: its parent's key fields)."""
    dropped: tuple[str, ...] = ()
    """v2 key fields the `/rest` key has not (filled back in by `from_rest`)."""
    id_field: str | None = None
    """For a v2 sub-resource that is top-level on `/rest`: the field holding its simple id."""
    record_fields: Mapping[str, str] = field(default_factory=dict)
    """v2 record field -> `/rest` record field."""
    record_dropped: tuple[str, ...] = ()
    """Fields a v2 answer echoes from its key that the `/rest` key has not."""


_CANDIDATE_RECORD = {"atsCreatedAt": "externalCreatedAt",
                     "atsLastModifiedAt": "externalLastModifiedAt"}

_RENAMES: tuple[_Rename, ...] = (
    _Rename(("atsCandidates", None), ("candidates", None),
            key_fields={"atsCandidateId": "externalCandidateId"}, dropped=("dataProvider",),
            record_fields=_CANDIDATE_RECORD),
    _Rename(("atsCandidates", "notes"), ("candidateNotes", None),
            key_fields={"atsCandidateId": "externalCandidateId"}, dropped=("dataProvider",),
            id_field="externalNoteId", record_fields=REST_NOTE_RECORD_RENAMES),
    _Rename(("atsApplications", None), ("atsApplications", None), dropped=("dataProvider",)),
    _Rename(("atsApplications", "notes"), ("applicationNotes", None),
            key_fields={"atsJobApplicationId": "externalJobApplicationId"},
            dropped=("dataProvider",), id_field="externalNoteId",
            record_fields=REST_NOTE_RECORD_RENAMES),
    *(_Rename(("atsApplications", child), ("atsApplications", child), dropped=("dataProvider",))
      for child in REST_KEPT_SUB_RESOURCES),
    _Rename(("atsIntegrations", None), ("integrations", None), dropped=("dataProvider",),
            record_dropped=("dataProvider",)),
    _Rename(("atsIntegrations", "configurations"), ("integrationConfigurations", None),
            dropped=("dataProvider",), id_field=REST_INTEGRATION_CONFIGURATION_KEY_FIELD),
)
_BY_V2 = {r.v2: r for r in _RENAMES}
_BY_REST = {r.rest: r for r in _RENAMES}
_KEY_FIELDS_BACK = {r.rest: {new: old for old, new in r.key_fields.items()} for r in _RENAMES}
_RECORD_FIELDS_BACK = {r.rest: {new: old for old, new in r.record_fields.items()}
                       for r in _RENAMES}
"""`/rest` field -> v2 field, per `/rest` (resource, child): made once, not per key or record
(the sandbox translates every key and record of a batch)."""
_NOT_ON_REST = {r.v2[0] for r in _RENAMES if r.v2[1] is None and r.v2[0] != r.rest[0]} | {
    "seats"}
"""v2 top-level names `/rest` has not: renamed ones, and the legacy `seats` (only seatsV2)."""


def rest_name(resource: str, child: str | None = None) -> tuple[str, str | None]:
    """The `/rest` (resource, child) a v2 (resource, child) is called as."""
    rename = _BY_V2.get((resource, child))
    return rename.rest if rename else (resource, child)


def v2_name(resource: str, child: str | None = None) -> tuple[str, str | None]:
    """The v2 (resource, child) a `/rest` (resource, child) stands for. A REST_ONLY resource
    maps to itself: the sandbox serves it under its `/rest` name."""
    rename = _BY_REST.get((resource, child))
    return rename.v2 if rename else (resource, child)


def is_rest_resource(resource: str) -> bool:
    """Whether `/rest` has a top-level resource of this name (a v2 name that was renamed,
    such as atsCandidates, is not one, nor is the legacy `seats`)."""
    return resource not in _NOT_ON_REST


def to_rest(resource: str, key: Mapping[str, str] | str | None, *,
            parent: Mapping[str, str] | None = None, child: str | None = None) -> Target:
    """The `/rest` call a v2 one stands for. For a v2 sub-resource give the parent's compound
    key as `parent` and the sub-resource's simple id as `key`."""
    rename = _BY_V2.get((resource, child))
    if rename is None:
        return Target(resource, child, _copy(key), dict(parent) if parent is not None else None)
    rest_resource, rest_child = rename.rest
    if child is None:
        return Target(rest_resource, None, _key_to_rest(rename, key))
    if parent is None:
        raise ValueError(f"{resource}/{child} needs its parent's key")
    parent_key = _key_to_rest(rename, parent)
    assert isinstance(parent_key, dict)
    if rename.id_field is None:  # stays a sub-resource on /rest
        return Target(rest_resource, rest_child, _copy(key), parent_key)
    if key is None:
        return Target(rest_resource, rest_child, None, parent_key)
    if not isinstance(key, str):
        raise ValueError(f"{resource}/{child} has simple keys, not {dict(key)!r}")
    return Target(rest_resource, rest_child, {**parent_key, rename.id_field: key})


def from_rest(resource: str, key: Mapping[str, str] | str | None, *,
              parent: Mapping[str, str] | None = None, child: str | None = None,
              data_provider: str = "ATS") -> Target:
    """The v2 call a `/rest` one stands for. `data_provider` fills the `dataProvider` the
    `/rest` key lacks (the caller decides which stored one it is: see
    assumed.REST_DATA_PROVIDERS)."""
    if data_provider not in REST_DATA_PROVIDERS:
        raise ValueError(f"dataProvider {data_provider!r} is not one of {REST_DATA_PROVIDERS}")
    rename = _BY_REST.get((resource, child))
    if rename is None:
        return Target(resource, child, _copy(key), dict(parent) if parent is not None else None)
    v2_resource, v2_child = rename.v2
    if v2_child is None:
        return Target(v2_resource, None, _key_from_rest(rename, key, data_provider))
    if rename.id_field is None:  # a sub-resource on both sides
        if parent is None:
            raise ValueError(f"{resource}/{child} needs its parent's key")
        v2_parent = _key_from_rest(rename, parent, data_provider)
        assert isinstance(v2_parent, dict)
        return Target(v2_resource, v2_child, _copy(key), v2_parent)
    if not isinstance(key, Mapping):
        raise ValueError(f"{resource} has compound keys, not {key!r}")
    fields = dict(key)
    ident = fields.pop(rename.id_field, None)
    if ident is None:
        raise ValueError(f"{resource} key lacks {rename.id_field}")
    v2_parent = _key_from_rest(rename, fields, data_provider)
    assert isinstance(v2_parent, dict)
    return Target(v2_resource, v2_child, ident, v2_parent)


def keys_from_rest(resource: str, keys: Sequence[Mapping[str, str]], *,
                   data_provider: str = "ATS") -> list[dict[str, str]]:
    """`from_rest(resource, key, data_provider=...).key` of each compound key of a batch of a
    `/rest` resource that is top-level on `/v2` too, the rename looked up once (the sandbox
    translates every key of every batch)."""
    if data_provider not in REST_DATA_PROVIDERS:
        raise ValueError(f"dataProvider {data_provider!r} is not one of {REST_DATA_PROVIDERS}")
    rename = _BY_REST.get((resource, None))
    if rename is None:
        return [dict(key) for key in keys]
    if rename.v2[1] is not None:
        raise ValueError(f"{resource} is a sub-resource on /v2: translate its keys with "
                         "from_rest")
    back = _KEY_FIELDS_BACK[rename.rest]
    # As `_key_from_rest`: renamed fields in the key's order, then each dropped field set
    # (kept in place when the key has it already).
    fill = dict.fromkeys(rename.dropped, data_provider)
    if back:
        return [{**{back.get(name, name): value for name, value in key.items()}, **fill}
                for key in keys]
    return [{**key, **fill} for key in keys]


def rest_words(resource: str, child: str | None = None) -> dict[str, str]:
    """The v2 words (resource and field names) of a v2 (resource, child) that `/rest` says
    differently: to word messages the way the family that is asked names things."""
    rename = _BY_V2.get((resource, child))
    if rename is None:
        return {}
    words = {**rename.key_fields, **rename.record_fields}
    if rename.rest[0] != resource:
        words[resource] = rename.rest[0]
    return words


def record_to_rest(resource: str, child: str | None, record: Mapping[str, Any]) -> dict[str, Any]:
    """A v2 record (a body, or an answer's element) as `/rest` names its fields."""
    if resource == "seatsV2" and child is None:
        return _seat_to_rest(record)
    rename = _BY_V2.get((resource, child))
    if rename is None:
        return dict(record)
    return _to_rest_fields(rename, record)


def records_to_rest(resource: str, child: str | None,
                    records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`record_to_rest` of each record of a batch (the rename looked up once)."""
    if resource == "seatsV2" and child is None:
        return [_seat_to_rest(record) for record in records]
    rename = _BY_V2.get((resource, child))
    if rename is None:
        return [dict(record) for record in records]
    return [_to_rest_fields(rename, record) for record in records]


def keys_to_rest(resource: str, keys: Sequence[Mapping[str, str] | str], *,
                 parent: Mapping[str, str] | None = None,
                 child: str | None = None) -> tuple[Target, list[dict[str, str] | str | None]]:
    """`to_rest` of a batch's keys: the first key's target (the call's, when there is no key)
    and each key as `/rest` writes it. A top-level resource's rename is looked up once."""
    rename = _BY_V2.get((resource, child))
    if rename is not None and child is None:
        wire = [_key_to_rest(rename, key) for key in keys]
        return Target(rename.rest[0], None, wire[0] if wire else None), wire
    targets = [to_rest(resource, key, parent=parent, child=child) for key in keys]
    first = targets[0] if targets else to_rest(resource, None, parent=parent, child=child)
    return first, [target.key for target in targets]


def record_from_rest(resource: str, child: str | None,
                     record: Mapping[str, Any]) -> dict[str, Any]:
    """A `/rest` record as v2 names its fields (the inverse of `record_to_rest`)."""
    if resource == "seatsV2" and child is None:
        return _seat_from_rest(record)
    rename = _BY_REST.get((resource, child))
    if rename is None:
        return dict(record)
    return _rename_fields(record, _RECORD_FIELDS_BACK[rename.rest])


# -- helpers -------------------------------------------------------------------------------

def _copy(key: Mapping[str, str] | str | None) -> dict[str, str] | str | None:
    return dict(key) if isinstance(key, Mapping) else key


def _key_to_rest(rename: _Rename, key: Mapping[str, str] | str | None
                 ) -> dict[str, str] | str | None:
    if not isinstance(key, Mapping):
        return key
    return {rename.key_fields.get(name, name): value for name, value in key.items()
            if name not in rename.dropped}


def _key_from_rest(rename: _Rename, key: Mapping[str, str] | str | None,
                   data_provider: str) -> dict[str, str] | str | None:
    if not isinstance(key, Mapping):
        return key
    back = _KEY_FIELDS_BACK[rename.rest]
    fields = {back.get(name, name): value for name, value in key.items()}
    for name in rename.dropped:
        fields[name] = data_provider
    return fields


def _to_rest_fields(rename: _Rename, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record without the fields `/rest` drops, the others renamed (one pass)."""
    names, dropped = rename.record_fields, rename.record_dropped
    if not dropped:
        return {names.get(name, name): value for name, value in record.items()}
    return {names.get(name, name): value for name, value in record.items()
            if name not in dropped}


def _rename_fields(record: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    if not names.keys() & record.keys():  # nothing to rename (most records): a plain copy
        return dict(record)
    return {names.get(name, name): value for name, value in record.items()}


def _seat_to_rest(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name == "id":
            out["seatId"] = value
        elif name == "created" and isinstance(value, Mapping):
            out["createdAt"] = seat_created_at(value)
        else:
            out[name] = value
    return out


def _seat_from_rest(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name == "seatId":
            out["id"] = value
        elif name == "createdAt" and isinstance(value, Mapping):
            out["created"] = {"time": value.get("time")}  # v2 has no actor
        else:
            out[name] = value
    return out
