"""What every batch handler shares: reading ids and entities, the 100-record cap, the
per-entity response maps, and the "integration must be ENABLED" gate."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, select
from starlette.responses import JSONResponse

from recruitlink.core.assumed import error_body
from recruitlink.core.linkedin_schema import FieldError, validate_key
from recruitlink.core.restli import (
    PROTOCOL_1,
    PROTOCOL_2,
    Key,
    Protocol,
    RestliSyntaxError,
    canonical,
    encode_key,
    make_key,
    parse_key,
    parse_simple_key,
)

from ..errors import ApiError
from ..json_codec import FastJSONResponse
from ..store import Prepared, integrations
from .restli_http import RestliCall

MAX_BATCH = 100

# Integration types whose ENABLED status lets an app sync data for an organization.
ORG_DATA_TYPES = ("IN_ATS_INDICATOR", "ONE_CLICK_EXPORT", "PROFILE_PLUGIN",
                  "IN_CRM_INDICATOR", "CRM_ONE_CLICK_EXPORT")


def require_method(call: RestliCall, expected: str, *, status: int = 400) -> None:
    if call.restli_method is None:
        raise ApiError(status, f"X-RestLi-Method: {expected} header is required for this "
                               "request")
    if call.restli_method != expected:
        raise ApiError(400, f"X-RestLi-Method {call.restli_method!r} does not match this "
                            f"request; expected {expected!r}")


def compound_ids(call: RestliCall) -> list[dict[str, str]]:
    return keyed_compound_ids(call)[0]


def keyed_compound_ids(call: RestliCall) -> tuple[list[dict[str, str]], list[str]]:
    """The batch's compound ids and the canonical text of each (made once per request: the
    versioned family hands over the ones it made)."""
    form = ("ids=List((<keyField>:<value>,...),...)" if call.protocol == PROTOCOL_2
            else "ids[N].<keyField>=<value>")
    if call.ids is None:
        raise ApiError(400, f"this batch request needs {form} parameters")
    if call.ids and isinstance(call.ids[0], str):
        raise ApiError(400, f"this resource has compound keys: use {form}")
    ids = [dict(i) for i in call.ids if isinstance(i, dict)]
    check_batch_size(len(ids))
    texts = call.id_texts
    if texts is None or len(texts) != len(ids):
        texts = [canonical(fields) for fields in ids]
    if len(set(texts)) != len(texts):
        seen: set[str] = set()
        for text in texts:
            if text in seen:
                raise ApiError(400, f"the batch names key {text} more than once")
            seen.add(text)
    return ids, texts


def simple_ids(call: RestliCall) -> list[str]:
    if call.ids is None:
        raise ApiError(400, "this batch request needs ids= parameters")
    if call.ids and not isinstance(call.ids[0], str):
        raise ApiError(400, "this resource has simple keys: use ids=<id>")
    ids = [str(i) for i in call.ids]
    check_batch_size(len(ids))
    if len(set(ids)) != len(ids):
        raise ApiError(400, "the batch names the same id more than once")
    return ids


def check_batch_size(n: int) -> None:
    if n == 0:
        raise ApiError(400, "the batch names no ids")
    if n > MAX_BATCH:
        raise ApiError(400, f"a batch may hold at most {MAX_BATCH} records; this one has {n}")


def entities_map(call: RestliCall) -> dict[str, Any]:
    body = call.body
    if not isinstance(body, dict) or "entities" not in body:
        raise ApiError(400, 'the body must be {"entities": {<key>: <record>, ...}}')
    extra = set(body) - {"entities"}
    if extra:
        raise ApiError(400, f"unexpected top-level body field(s): {', '.join(sorted(extra))}")
    entities = body["entities"]
    if not isinstance(entities, dict):
        raise ApiError(400, '"entities" must be an object keyed by the entity keys')
    return entities


def match_compound_entities(call: RestliCall, ids: list[dict[str, str]]) -> dict[Key, Any]:
    """Pair each URL id with its body entity, matching keys by meaning, not by text."""
    by_text = match_keyed_entities(call, [canonical(i) for i in ids])
    return {make_key(i): by_text[canonical(i)] for i in ids}


def match_keyed_entities(call: RestliCall, texts: list[str]) -> dict[str, Any]:
    """Each URL id's body entity, by the id's canonical text; body keys are matched by
    meaning (their canonical text), not by spelling."""
    entities = entities_map(call)
    known = call.entity_keys or {}
    by_text: dict[str, Any] = {}
    for text, value in entities.items():
        # A key the versioned family read is its canonical text already (RestliCall).
        name = text if text in known else None
        if name is None:
            try:
                name = canonical(parse_key(text, protocol=call.protocol))
            except RestliSyntaxError as exc:
                raise ApiError(400, f"entity key {text[:120]!r}: {exc}") from exc
        if name in by_text:
            raise ApiError(400, f"entity key {text[:120]!r} appears twice in the body")
        by_text[name] = value
    if len(by_text) != len(texts) or not all(t in by_text for t in texts):
        wanted = set(texts)
        missing = [t for t in texts if t not in by_text]
        extra = [t for t in by_text if t not in wanted]
        parts = []
        if missing:
            parts.append("no body entity for " + ", ".join(missing))
        if extra:
            parts.append("body entity not named in ids: " + ", ".join(extra))
        raise ApiError(400, "entities must match the ids in the URL: " + "; ".join(parts)[:2000])
    return by_text


def match_simple_entities(call: RestliCall, ids: list[str]) -> dict[str, Any]:
    entities = entities_map(call)
    if call.protocol == PROTOCOL_2:
        # 2.0 body keys are encoded like the ids in the URL; 1.0 ones are the ids as text.
        decoded: dict[str, Any] = {}
        for text, value in entities.items():
            try:
                ident = parse_simple_key(text, protocol=PROTOCOL_2)
            except RestliSyntaxError as exc:
                raise ApiError(400, f"entity key {text[:120]!r}: {exc}") from exc
            if ident in decoded:
                raise ApiError(400, f"entity key {text[:120]!r} appears twice in the body")
            decoded[ident] = value
        entities = decoded
    if set(entities) != set(ids):
        missing = sorted(set(ids) - set(entities))
        extra = sorted(set(entities) - set(ids))
        raise ApiError(400, f"entities must match the ids in the URL (missing: {missing[:10]}, "
                            f"not in ids: {extra[:10]})")
    return {i: entities[i] for i in ids}


def split_valid_keys(resource: str, ids: list[dict[str, str]]
                     ) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The ids whose keys are valid, and a per-entity 400 for each one that is not: a bad key
    fails only its own entity, never the batch."""
    valid, errors = split_valid_keyed(resource, ids, [canonical(i) for i in ids])
    return [fields for fields, _ in valid], errors


def split_valid_keyed(resource: str, ids: list[dict[str, str]], texts: list[str]
                      ) -> tuple[list[tuple[dict[str, str], str]], dict[str, Any]]:
    """`split_valid_keys` of ids with their canonical texts: the valid (id, text) pairs."""
    valid: list[tuple[dict[str, str], str]] = []
    errors: dict[str, Any] = {}
    for fields, text in zip(ids, texts, strict=True):
        problems = validate_key(resource, fields)
        if problems:
            errors[text] = field_errors_to_entity(problems)
        else:
            valid.append((fields, text))
    return valid, errors


def entity_error(status: int, message: str) -> dict[str, Any]:
    return error_body(status, message)


def field_errors_to_entity(errors: list[FieldError]) -> dict[str, Any]:
    """Several field errors of one entity as one per-entity error, like LinkedIn's
    multi-line `ERROR :: /field :: reason` messages."""
    status = max(e.status for e in errors) if any(e.status != 422 for e in errors) else 422
    status = 400 if any(e.status == 400 for e in errors) else status
    return error_body(status, "\n".join(e.message for e in errors))


def batch_response(results: dict[str, Any], errors: dict[str, Any],
                   statuses: dict[str, int] | None = None, *,
                   protocol: Protocol = PROTOCOL_1, simple_keys: bool = False) -> JSONResponse:
    """A batch answer. Handlers key its maps with the canonical 1.0 key text (compound keys)
    or the plain id (`simple_keys`); a 2.0 request gets them keyed in 2.0 syntax."""
    body: dict[str, Any] = {"results": results, "errors": errors}
    if statuses is not None:
        body["statuses"] = statuses
    if protocol == PROTOCOL_2:
        body = {name: {_key_in_2(key, simple_keys): value for key, value in entries.items()}
                for name, entries in body.items()}
    return FastJSONResponse(body, status_code=200)


def _key_in_2(key: str, simple: bool) -> str:
    if simple:
        return encode_key(key, protocol=PROTOCOL_2)
    return encode_key(parse_key(key, protocol=PROTOCOL_1), protocol=PROTOCOL_2)


def enabled_contexts(conn: Connection, app_id: int, contexts: Iterable[str]) -> set[str]:
    wanted = sorted(set(contexts))
    if not wanted:
        return set()
    found: set[str] = set()
    for start in range(0, len(wanted), _CONTEXTS_PER_QUERY):
        chunk = wanted[start:start + _CONTEXTS_PER_QUERY]
        found.update(row[0] for row in _enabled(len(chunk)).run(
            conn, {"app_id": app_id, **{f"context{i}": c for i, c in enumerate(chunk)}}))
    return found


_CONTEXTS_PER_QUERY = 500  # under SQLite's oldest limit of 999 host parameters


@lru_cache(maxsize=16)
def _enabled(count: int) -> Prepared:
    """Built once per number of organizations (a batch call names one, most often)."""
    return Prepared(select(integrations.c.context).where(
        integrations.c.app_id == bindparam("app_id"),
        integrations.c.context.in_([bindparam(f"context{i}") for i in range(count)]),
        integrations.c.status == "ENABLED",
        integrations.c.type.in_([bindparam(f"type{i}", t) for i, t in enumerate(ORG_DATA_TYPES)])))


def require_enabled(conn: Connection, app_id: int, contexts: Iterable[str]) -> None:
    """Refuse the whole request when any named organization is not ENABLED for this app:
    LinkedIn forbids syncing customer data before the Recruiter admin turns it on."""
    wanted = {c for c in contexts if c}
    missing = wanted - enabled_contexts(conn, app_id, wanted)
    if missing:
        raise ApiError(403, "Not enough permissions to access this resource: the integration "
                            f"is not ENABLED for {', '.join(sorted(missing))}. The customer's "
                            "Recruiter admin must turn it on first.")
