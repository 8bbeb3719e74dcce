"""`/rest/...`: LinkedIn's versioned API family, over the same state and handlers as `/v2`.

A request must name a live `LinkedIn-Version` (missing or unknown: 400; sunset: 426) and speak
Rest.li 2.0. It is translated with `core.api_families` into the `/v2` call(s) it stands for
(a batch of `candidateNotes` of several candidates becomes one `/v2` notes call per
candidate, since sub-resources live under their parent), the `/v2` handlers answer, and the
answers are translated back: map keys in 2.0 syntax, records with their `/rest` field names.
The handlers always see a call in the `/v2` (Rest.li 1.0) shape and key their answers by the
canonical 1.0 key text, so this module is the only place that knows the versioned family.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import sqlite
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from recruitlink.core.api_families import (
    REST_ONLY,
    Target,
    from_rest,
    is_rest_resource,
    keys_from_rest,
    record_from_rest,
    record_to_rest,
    rest_name,
    rest_words,
    v2_name,
)
from recruitlink.core.assumed import (
    REST_DATA_PROVIDERS,
    REST_PROTOCOL_REQUIRED,
    SUNSET_MESSAGE,
    error_body,
)
from recruitlink.core.restli import (
    PROTOCOL_1,
    PROTOCOL_2,
    RestliSyntaxError,
    canonical,
    canonical_many,
    encode_key,
    encode_records,
    encode_value,
    parse_key,
    parse_simple_key,
)

from .. import json_codec
from ..config import SandboxConfig
from ..errors import ApiError
from ..json_codec import FastJSONResponse
from ..state import Sandbox
from ..store import driver, records
from .batch import check_batch_size
from .oauth import App, authenticate
from .resources import HANDLERS, REST_ONLY_HANDLERS, Handler, charge
from .restli_http import RestliCall, check_restli_method, read_call

log = logging.getLogger("recruitlink.sandbox")

VERSION = re.compile(r"([0-9]{4})([0-9]{2})(?:\.([0-9]{2}))?")
"""`YYYYMM`, optionally with LinkedIn's `.RR` revision suffix."""
PROTOCOL_HEADER = "x-restli-protocol-version"
ONLY_2_0 = ("the versioned /rest API speaks Rest.li 2.0 only: send X-RestLi-Protocol-Version: "
            "2.0.0 and 2.0 syntax (ids=List((field:value,...)), keys (field:value,...))")


# -- the gate: version and protocol ------------------------------------------------------------

def check_version(headers: Mapping[str, str], config: SandboxConfig) -> str:
    """The request's API version, or a 400 (missing, malformed, unknown) or 426 (sunset)."""
    raw = headers.get("linkedin-version")
    latest = max(config.live_api_versions, default="")
    if raw is None or not raw.strip():
        raise ApiError(400, "The LinkedIn-Version header is required on the versioned /rest API "
                            f"(YYYYMM, e.g. {latest})")
    text = raw.strip()
    match = VERSION.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ApiError(400, f"LinkedIn-Version {text[:20]!r} is not a version: use YYYYMM, "
                            f"e.g. {latest}")
    version = match.group(1) + match.group(2)
    if version in config.sunset_api_versions:
        raise ApiError(426, SUNSET_MESSAGE.format(version=version, latest=latest))
    if version not in config.live_api_versions:
        raise ApiError(400, f"LinkedIn-Version {version} does not exist; the live versions "
                            f"are {', '.join(sorted(config.live_api_versions))}")
    return version


def check_protocol(headers: Mapping[str, str]) -> None:
    """`/rest` takes Rest.li 2.0 only, and only when the request says so
    (assumed.REST_PROTOCOL_REQUIRED)."""
    value = headers.get(PROTOCOL_HEADER)
    if value is None or value.strip() != REST_PROTOCOL_REQUIRED:
        got = "none" if value is None else repr(value[:20])
        raise ApiError(400, f"{ONLY_2_0} (X-RestLi-Protocol-Version: {got})")


# -- the entry point ---------------------------------------------------------------------------

async def dispatch(sandbox: Sandbox, request: Request) -> Response:
    try:
        check_version(request.headers, sandbox.config)
        check_protocol(request.headers)
        # Read in Rest.li 2.0 (the header says so): 1.0's ids[N].field is refused there, and
        # List/record finder parameters come out in the 1.0 shape the handlers read.
        call = await read_call(request, max_body=sandbox.config.max_body_bytes, family="rest")
        name = call.segments[0] if call.segments else ""
        handler = _handler_for(name)
        app = authenticate(sandbox.store, sandbox.clock, call.token)
        check_restli_method(call)
        plan = translate(sandbox, call)
        charge(sandbox, app, plan.subs[0].call, plan.records)
        return with_protocol(plan.answer(sandbox, app, handler))
    except ApiError as exc:
        return with_protocol(exc.response())
    except Exception:  # pragma: no cover - a bug; answer like LinkedIn, keep the trace
        log.exception("sandbox failed on %s %s", request.method, request.url.path)
        return with_protocol(JSONResponse(error_body(500, "Internal Server Error"),
                                          status_code=500))


def with_protocol(response: Response) -> Response:
    response.headers["X-RestLi-Protocol-Version"] = PROTOCOL_2
    return response


def _handler_for(name: str) -> Handler:
    if name in REST_ONLY:
        handler = REST_ONLY_HANDLERS.get(name)
        if handler is None:
            raise ApiError(404, f"Resource {name!r} is not served by this sandbox yet")
        return handler
    if is_rest_resource(name):
        v2_resource = v2_name(name)[0]
        if v2_resource in HANDLERS:
            return HANDLERS[v2_resource]
    if name in HANDLERS:  # a v2 name the versioned family renamed
        hint = rest_name(name)[0]
        raise ApiError(404, f"Resource {name!r} does not exist on the versioned API"
                            + (f"; it is called {hint!r} there" if hint != name else ""))
    raise ApiError(404, f"Resource {name[:100]!r} does not exist")


# -- translation -------------------------------------------------------------------------------

@dataclass
class SubCall:
    """One `/v2` call a `/rest` call becomes, and the `/rest` names of its answer's keys."""

    call: RestliCall
    resource: str
    child: str | None
    rest_keys: dict[str, str] = field(default_factory=dict)
    """The `/v2` answer's map key (canonical 1.0 text, or a simple id) -> the `/rest` one."""
    single: bool = False
    """A single-entity GET (`/rest/{resource}/{key}`): the answer is the record itself."""

    def run(self, sandbox: Sandbox, app: App, handler: Handler) -> Response:
        """The `/v2` handler's answer; a whole-request error worded in `/rest` names."""
        try:
            return handler(sandbox, app, self.call)
        except ApiError as exc:
            raise ApiError(exc.status, self.reword(exc.message), exc.headers) from exc

    def reword(self, message: str) -> str:
        words = rest_words(self.resource, self.child)
        if not words:
            return message
        pattern = r"\b(" + "|".join(map(re.escape, words)) + r")\b"
        return re.sub(pattern, lambda m: words[m.group(1)], message)


@dataclass
class Plan:
    subs: list[SubCall]
    records: int
    split: bool = False
    """True when the `/rest` call was split per parent: a parent's 404 becomes its entities'."""

    def answer(self, sandbox: Sandbox, app: App, handler: Handler) -> Response:
        if not self.split:
            sub = self.subs[0]
            return translate_answer(sub.run(sandbox, app, handler), sub)
        merged: dict[str, dict[str, Any]] = {"results": {}, "errors": {}}
        statuses: dict[str, Any] | None = None
        for sub in self.subs:
            try:
                body = _json(sub.run(sandbox, app, handler))
            except ApiError as exc:
                if exc.status != 404:
                    raise
                body = {"results": {}, "errors": {k: _error(exc) for k in sub.rest_keys}}
                if sub.call.method == "GET":
                    body["statuses"] = {k: 404 for k in sub.rest_keys}
            out = _rekey(body, sub)
            merged["results"].update(out.get("results", {}))
            merged["errors"].update(out.get("errors", {}))
            if "statuses" in out:
                statuses = {**(statuses or {}), **out["statuses"]}
        if statuses is not None:
            merged["statuses"] = statuses
        return FastJSONResponse(merged, status_code=200)


def translate(sandbox: Sandbox, call: RestliCall) -> Plan:
    name = call.segments[0]
    rest = call.segments[1:]
    v2_resource, v2_child = v2_name(name)
    if v2_child is not None:  # top-level on /rest, a sub-resource on /v2
        if rest:
            raise ApiError(404, f"{name} has no sub-resources; name entities with "
                                "ids=List((field:value,...))")
        return _split_per_parent(sandbox, call, name)
    if not rest:
        return _same_shape(sandbox, call, name, v2_resource)
    path_key = _path_key(rest[0], name)
    if isinstance(path_key, dict):
        segments = [v2_resource, encode_key(stored_v2_keys(sandbox, name, [path_key])[0][0])]
    else:
        segments = [v2_resource, quote(path_key, safe="")]
    if len(rest) == 1:  # one entity: GET, or a partial update (provisionedApplications)
        body = _record_from_rest(name, None, call.body)
        sub = SubCall(_v2_call(call, segments, call.ids, body), v2_resource, None, single=True)
        return Plan([sub], 1)
    child = rest[1]
    if len(rest) > 2 or v2_name(name, child) != (v2_resource, child) or rest_name(
            v2_resource, child) != (name, child):
        raise ApiError(404, f"Unknown sub-resource {'/'.join(rest[1:])[:100]!r} of {name}; "
                            "on the versioned API notes are candidateNotes and "
                            "applicationNotes")
    ids = _simple_ids(call)
    body = _simple_entities_body(call, name, child)
    sub = SubCall(_v2_call(call, [*segments, child], ids, body), v2_resource, child,
                  {i: encode_value(i) for i in ids or []})
    return Plan([sub], len(ids or []) or 1)


def _same_shape(sandbox: Sandbox, call: RestliCall, name: str, v2_resource: str) -> Plan:
    """A collection call whose entities keep their shape (renamed fields aside)."""
    rest_keys: dict[str, str] = {}
    v2_ids: list[dict[str, str]] | list[str] | None = None
    by_text: dict[str, _Translated] = {}
    """A `/rest` key as 2.0 text -> its translation."""
    id_texts: list[str] | None = None
    if call.ids is not None and call.ids and isinstance(call.ids[0], dict):
        compound = [dict(k) for k in call.ids if isinstance(k, dict)]
        translated, id_texts = stored_v2_keys(sandbox, name, compound)
        for key, v2_key, v2_text, rest_text in zip(compound, translated, id_texts,
                                                   encode_records(compound), strict=True):
            rest_keys[v2_text] = rest_text
            by_text[rest_text] = _Translated(key, v2_text, v2_key)
        v2_ids = translated
    elif call.ids is not None:
        v2_ids = [str(k) for k in call.ids]
        rest_keys = {k: encode_value(k) for k in v2_ids}
    body = call.body
    entity_keys: dict[str, dict[str, str]] | None = None
    if call.ids is not None and call.method in ("PUT", "POST"):
        if v2_ids is not None and bool(v2_ids) and isinstance(v2_ids[0], str):
            body = _simple_entities_body(call, name, None)
        else:
            body, entity_keys = _compound_entities_body(call, by_text, name)
    elif isinstance(body, dict) and isinstance(body.get("elements"), list):
        body = {**body, "elements": [record_from_rest(name, None, e) if isinstance(e, dict)
                                     else e for e in body["elements"]]}
    v2_call = _v2_call(call, [v2_resource], v2_ids, body, entity_keys=entity_keys,
                       id_texts=id_texts)
    sub = SubCall(v2_call, v2_resource, None, rest_keys)
    return Plan([sub], _records_in(call))


def _records_in(call: RestliCall) -> int:
    """How many records a call carries, for the records-per-minute throttle."""
    if call.ids:
        return len(call.ids)
    elements = call.body.get("elements") if isinstance(call.body, dict) else None
    return len(elements) if isinstance(elements, list) and elements else 1


@dataclass
class _Group:
    """The entities of one parent in a `/rest` batch of a v2 sub-resource."""

    parent: dict[str, str]
    idents: list[str] = field(default_factory=list)
    rest_keys: dict[str, str] = field(default_factory=dict)
    """Simple id -> the `/rest` key text answers use."""
    entities: dict[str, Any] = field(default_factory=dict)
    """Simple id -> the body entity, renamed to v2 fields."""


def _split_per_parent(sandbox: Sandbox, call: RestliCall, name: str) -> Plan:
    """candidateNotes, applicationNotes, integrationConfigurations: one `/v2` call per parent."""
    if call.ids is None:
        raise ApiError(400, f"{name} needs ids=List((field:value,...)): it has no finder")
    if call.ids and not isinstance(call.ids[0], dict):
        raise ApiError(400, f"{name} has compound keys: use ids=List((field:value,...))")
    keys = [dict(k) for k in call.ids if isinstance(k, dict)]
    check_batch_size(len(keys))
    groups: dict[str, _Group] = {}
    where: dict[str, tuple[_Group, str]] = {}
    """canonical `/rest` key -> its group and simple id."""
    for key, provider in zip(keys, stored_data_providers(sandbox, name, keys), strict=True):
        if canonical(key) in where:
            raise ApiError(400, f"the batch names key {encode_value(key)} more than once")
        try:
            target = from_rest(name, key, data_provider=provider)
        except ValueError as exc:
            raise ApiError(400, f"{name} key {encode_value(key)[:200]}: {exc}") from exc
        assert target.parent is not None and isinstance(target.key, str)
        group = groups.setdefault(canonical(target.parent), _Group(target.parent))
        group.idents.append(target.key)
        group.rest_keys[target.key] = encode_value(key)
        where[canonical(key)] = (group, target.key)
    if call.method in ("PUT", "POST"):
        entities = {canonical(_body_key(text)): value for text, value in _entities(call).items()}
        missing = [group.rest_keys[ident] for k, (group, ident) in where.items()
                   if k not in entities]
        extra = [k for k in entities if k not in where]
        if missing or extra:
            raise ApiError(400, "entities must match the ids in the URL: "
                                f"{len(missing)} id(s) without a body entity, "
                                f"{len(extra)} body entit(y/ies) not named in ids")
        for k, value in entities.items():
            group, ident = where[k]
            group.entities[ident] = _record_from_rest(name, None, value)
    v2_resource, v2_child = v2_name(name)
    assert v2_child is not None
    subs = []
    for group in groups.values():
        segments = [v2_resource, encode_key(group.parent), v2_child]
        body = {"entities": group.entities} if call.method in ("PUT", "POST") else None
        subs.append(SubCall(_v2_call(call, segments, group.idents, body), v2_resource,
                            v2_child, group.rest_keys))
    return Plan(subs, len(keys), split=True)


def _simple_entities_body(call: RestliCall, rest_resource: str, rest_child: str | None) -> Any:
    """The `{"entities": ...}` body of simple keys as `/v2` reads it: each 2.0-encoded id as
    its plain id, records renamed. A key the URL does not name is passed on, for the `/v2`
    handler to refuse."""
    if call.body is None:
        return None
    out = {_simple_body_key(text): _record_from_rest(rest_resource, rest_child, value)
           for text, value in _entities(call).items()}
    return {**call.body, "entities": out}


class _Translated(NamedTuple):
    """A `/rest` key of a call and the `/v2` body key it stands for (a tuple: one per key
    of a batch, built faster than a frozen dataclass)."""

    rest_key: dict[str, str]
    v2_text: str
    """The `/v2` key's canonical text (what RestliCall.entity_keys are keyed by)."""
    v2_key: dict[str, str]


def _compound_entities_body(call: RestliCall, by_text: dict[str, _Translated],
                            rest_resource: str
                            ) -> tuple[Any, dict[str, dict[str, str]] | None]:
    """The `{"entities": ...}` body re-keyed from `/rest` keys to `/v2` ones, records
    renamed, and the fields of each `/v2` body key, so that the handler does not read the
    keys again. `by_text` maps each URL key, as 2.0 text, to its translation: a body key
    written as the URL's (what clients send) is not read at all; another spelling is read
    and matched by meaning. A key the URL does not name is passed on untranslated, for the
    `/v2` handler to refuse."""
    if call.body is None:
        return None, None
    by_meaning: dict[str, _Translated] | None = None
    out: dict[str, Any] = {}
    keys: dict[str, dict[str, str]] = {}
    for text, value in _entities(call).items():
        known = by_text.get(text)
        if known is None:
            fields = _body_key(text)
            if by_meaning is None:
                by_meaning = {canonical(t.rest_key): t for t in by_text.values()}
            known = by_meaning.get(canonical(fields))
            if known is None:
                known = _Translated(fields, canonical(fields), fields)
        v2_text, v2_fields = known.v2_text, known.v2_key
        out[v2_text] = _record_from_rest(rest_resource, None, value)
        # A field with an empty name does not survive 1.0 text: the handler reads that one.
        if all(v2_fields):
            keys[v2_text] = v2_fields
    return {**call.body, "entities": out}, keys


def _record_from_rest(name: str, child: str | None, value: Any) -> Any:
    """A body entity: a record, or a partial update `{"patch": {"$set", "$delete"}}`."""
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and "patch" in value and isinstance(value["patch"], dict):
        patch = dict(value["patch"])
        if isinstance(patch.get("$set"), dict):
            patch["$set"] = record_from_rest(name, child, patch["$set"])
        if isinstance(patch.get("$delete"), list):
            names = {n: None for n in patch["$delete"] if isinstance(n, str)}
            renamed = list(record_from_rest(name, child, names))
            patch["$delete"] = renamed + [n for n in patch["$delete"] if not isinstance(n, str)]
        return {"patch": patch}
    return record_from_rest(name, child, value)


def _entities(call: RestliCall) -> dict[str, Any]:
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("entities"), dict):
        raise ApiError(400, 'the body must be {"entities": {<key>: <record>, ...}}')
    return dict(body["entities"])


def _body_key(text: str) -> dict[str, str]:
    try:
        return parse_key(text, protocol=PROTOCOL_2)
    except RestliSyntaxError as exc:
        raise ApiError(400, f"entity key {text[:120]!r}: {exc}") from exc


def _simple_body_key(text: str) -> str:
    try:
        return parse_simple_key(text, protocol=PROTOCOL_2)
    except RestliSyntaxError as exc:
        raise ApiError(400, f"entity key {text[:120]!r}: {exc}") from exc


def _path_key(segment: str, name: str) -> dict[str, str] | str:
    """A path key: compound `(field:value,...)` or a simple encoded atom. Rest.li 1.0's
    `field=value&...` is refused."""
    try:
        if segment.startswith("("):
            return parse_key(segment, protocol=PROTOCOL_2)
        if "=" in segment:
            raise RestliSyntaxError(f"{segment[:80]!r} is Rest.li 1.0 syntax; {ONLY_2_0}")
        return parse_simple_key(segment, protocol=PROTOCOL_2)
    except RestliSyntaxError as exc:
        raise ApiError(400, f"{name} key in path: {exc}") from exc


def _simple_ids(call: RestliCall) -> list[str] | None:
    if call.ids is None:
        return None
    if call.ids and not isinstance(call.ids[0], str):
        raise ApiError(400, "this sub-resource has simple keys: use ids=List(a,b)")
    return [str(i) for i in call.ids]


def _v2_call(call: RestliCall, segments: list[str], ids: Any, body: Any, *,
             entity_keys: Mapping[str, dict[str, str]] | None = None,
             id_texts: list[str] | None = None) -> RestliCall:
    """The `/v2` (Rest.li 1.0 shaped) call the handlers read: a `fields` projection names
    the v2 fields."""
    params = call.params
    if "fields" in params:
        rest_resource = call.segments[0]
        rest_child = call.segments[2] if len(call.segments) > 2 else None
        params = {**params, "fields": [",".join(record_from_rest(
            rest_resource, rest_child, dict.fromkeys(n.strip() for n in value.split(","))))
            for value in params["fields"]]}
    return replace(call, segments=segments, ids=ids, body=body, params=params,
                   protocol=PROTOCOL_1, entity_keys=entity_keys, id_texts=id_texts)


def stored_data_providers(sandbox: Sandbox, name: str, keys: list[dict[str, str]]) -> list[str]:
    """Which stored dataProvider each `/rest` key names (assumed.REST_DATA_PROVIDERS): the
    first one under which the record (for a sub-resource: its parent) exists; else ATS."""
    return [found.provider for found in _stored_targets(sandbox, name, keys)]


def stored_v2_keys(sandbox: Sandbox, name: str, keys: list[dict[str, str]]
                   ) -> tuple[list[dict[str, str]], list[str]]:
    """The `/v2` key each `/rest` key of a top-level resource stands for, under the
    dataProvider it is stored with (see `stored_data_providers`), and its canonical text.
    The batch is translated at once (api_families.keys_from_rest); a key held under another
    dataProvider only (rare) is translated again."""
    if v2_name(name)[1] is not None:
        raise ValueError(f"{name} is a sub-resource on /v2: its keys name their parent")
    default = REST_DATA_PROVIDERS[0]
    v2_keys = keys_from_rest(name, keys, data_provider=default)
    texts = canonical_many(v2_keys)
    if keys and "dataProvider" in _dropped_fields(name, keys[0]):
        held = _held_under(sandbox, name, texts, v2_keys)
        for i, provider in held.items():
            if provider != default:
                v2_keys[i] = keys_from_rest(name, [keys[i]], data_provider=provider)[0]
                texts[i] = canonical(v2_keys[i])
    return v2_keys, texts


@dataclass(slots=True)
class _Stored:
    """A `/rest` key's stored dataProvider and its translation under it (None: the key does
    not translate)."""

    provider: str
    target: Target | None


def _stored_targets(sandbox: Sandbox, name: str, keys: list[dict[str, str]]
                    ) -> list[_Stored]:
    """Each key's stored dataProvider with its translation. Each key is translated once (under
    the first provider; another one only differs in dataProvider)."""
    default = REST_DATA_PROVIDERS[0]
    out: list[_Stored] = []
    for key in keys:
        try:
            out.append(_Stored(default, from_rest(name, key, data_provider=default)))
        except ValueError:
            out.append(_Stored(default, None))
    if not keys or "dataProvider" not in _dropped_fields(name, keys[0]):
        return out
    wheres = [_lookup_key(stored.target) for stored in out]
    texts = [canonical(where) if where is not None else None for where in wheres]
    for i, provider in _held_under(sandbox, name, texts, wheres).items():
        if provider != default:  # held under another provider only (rare): translate again
            out[i] = _Stored(provider, from_rest(name, keys[i], data_provider=provider))
    return out


def _lookup_key(target: Target | None) -> dict[str, str] | None:
    """The stored top-level key a translation is looked up by: its own, or its parent's."""
    if target is None:
        return None
    where = target.parent if target.parent is not None else target.key
    return where if isinstance(where, dict) else None


def _held_under(sandbox: Sandbox, name: str, texts: Sequence[str | None],
                wheres: Sequence[dict[str, str] | None]) -> dict[int, str]:
    """Which dataProvider holds each key (by index; absent: none does), given the canonical
    text of its lookup key under the first provider (None: not looked up) and that key. The
    first provider is asked only about keys a later one holds: a key stored under none is the
    first's anyway."""
    default = REST_DATA_PROVIDERS[0]
    found: dict[int, str] = {}
    with sandbox.store.tx() as conn:
        for provider in reversed(REST_DATA_PROVIDERS):
            asked = range(len(texts)) if provider != default else sorted(found)
            by_text: dict[str, list[int]] = {}
            pairs = (_provider_pair(default), _provider_pair(provider))
            for i in asked:
                text = texts[i]
                if text is None:
                    continue
                # Under another provider the lookup key differs in dataProvider alone.
                if provider != default:
                    text = _with_provider(text, wheres[i], provider, pairs)
                by_text.setdefault(text, []).append(i)
            if not by_text:
                continue
            for held in _stored_keys(conn, v2_name(name)[0], list(by_text)):
                for i in by_text[held]:
                    found[i] = provider
    return found


def _with_provider(text: str, where: dict[str, str] | None, provider: str,
                   pairs: tuple[str, str]) -> str:
    """The canonical text of a lookup key (`where`) under another dataProvider, made from
    its text under the one it has: a canonical text is its `name=value` pairs joined by `&`,
    names and values encoded, so the dataProvider pair is found whole. `pairs` are
    `_provider_pair` of the provider the text has and of `provider`."""
    old, new = pairs
    swapped = f"&{text}&".replace(old, new, 1)[1:-1]
    if swapped == text:  # no dataProvider pair (not a translation of a /rest key)
        assert where is not None
        return canonical({**where, "dataProvider": provider})
    return swapped


@lru_cache(maxsize=8)
def _provider_pair(provider: str) -> str:
    return "&" + canonical({"dataProvider": provider}) + "&"


def _stored_keys(conn: Connection, resource: str, keys: list[str]) -> list[str]:
    """Which of these top-level keys of `resource` are stored. Every compound-key call of
    the versioned family asks it, so its SQL is compiled once per number of keys (a chunk
    at most) and run by the driver itself (store.Prepared says why): SQLAlchemy's expanding
    IN renders it again on each run, which cost more than the query."""
    found: list[str] = []
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start:start + _KEYS_PER_QUERY]
        found += [row[0] for row in driver(conn).execute(_stored_keys_sql(len(chunk)),
                                                         (resource, "", *chunk))]
    return found


_KEYS_PER_QUERY = 500  # under SQLite's oldest limit of 999 host parameters


@lru_cache(maxsize=64)
def _stored_keys_sql(count: int) -> str:
    stmt = select(records.c.key).where(
        records.c.resource == bindparam("resource"), records.c.parent == bindparam("parent"),
        records.c.key.in_([bindparam(f"key{i}") for i in range(count)]))
    compiled = stmt.compile(dialect=sqlite.dialect())
    assert list(compiled.positiontup or []) == ["resource", "parent",
                                                *(f"key{i}" for i in range(count))]
    return str(compiled)


def _dropped_fields(name: str, key: dict[str, str]) -> set[str]:
    try:
        target = from_rest(name, key)
    except ValueError:
        return set()
    v2_key = target.parent if target.parent is not None else target.key
    return set(v2_key) - set(key) if isinstance(v2_key, dict) else set()


# -- answers -----------------------------------------------------------------------------------

def translate_answer(response: Response, sub: SubCall) -> Response:
    """A `/v2` handler's answer as `/rest` gives it."""
    if not isinstance(response, JSONResponse):
        return response
    body = _json(response)
    headers = {k: v for k, v in response.headers.items()
               if k.lower() not in ("content-length", "content-type")}
    return FastJSONResponse(_rekey(body, sub), status_code=response.status_code,
                            headers=headers)


def _rekey(body: Any, sub: SubCall) -> Any:
    """A `/v2` answer's body in `/rest` terms: batch maps keyed in 2.0 syntax, read records
    (batch results, finder elements, a single entity) with `/rest` field names, error
    messages in `/rest` words."""
    if not isinstance(body, dict):
        return body
    reading = sub.call.method == "GET"
    if sub.single and reading:
        return _record_to_rest(sub, body)
    out = dict(body)
    for name in ("results", "errors", "statuses"):
        mapping = body.get(name)
        if isinstance(mapping, dict):
            out[name] = {_rest_key(k, sub): _entry_to_rest(sub, name, v, reading=reading)
                         for k, v in mapping.items()}
    if isinstance(body.get("elements"), list) and reading:
        out["elements"] = [_record_to_rest(sub, e) for e in body["elements"]]
    return out


def _entry_to_rest(sub: SubCall, map_name: str, value: Any, *, reading: bool) -> Any:
    if map_name == "results" and reading:
        return _record_to_rest(sub, value)
    if map_name == "errors" and isinstance(value, dict) and isinstance(value.get("message"),
                                                                       str):
        return {**value, "message": sub.reword(value["message"])}
    return value


def _rest_key(v2_text: str, sub: SubCall) -> str:
    known = sub.rest_keys.get(v2_text)
    if known is not None:
        return known
    try:  # a key the handler named itself: re-encode it without renames
        return encode_value(parse_key(v2_text, protocol=PROTOCOL_1))
    except RestliSyntaxError:
        return encode_value(v2_text)


def _record_to_rest(sub: SubCall, value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return record_to_rest(sub.resource, sub.child, value)


def _json(response: Response) -> Any:
    """An answer's JSON value: as the handler gave it (never changed in place here), or read
    back from the body."""
    if isinstance(response, FastJSONResponse):
        return response.value
    return json_codec.loads(bytes(response.body))


def _error(exc: ApiError) -> dict[str, Any]:
    return error_body(exc.status, exc.message)


