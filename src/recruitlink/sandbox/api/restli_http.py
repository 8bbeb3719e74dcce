"""Reading a `/v2` request the way LinkedIn's Rest.li front end does.

URL limits (414), query tunnelling (`X-HTTP-Method-Override` with a form-encoded or
multipart/mixed body), body size (413), strict JSON (duplicate keys, NaN, bad UTF-8 are
400s) and the Rest.li protocol (`X-RestLi-Protocol-Version`: absent or 1.0.0, or 2.0.0) all
live here, so resource handlers see one clean `RestliCall` whose parameters are in the 1.0
shape whatever the protocol.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import orjson
from starlette.requests import Request

from recruitlink.core.restli import (
    PROTOCOL_1,
    PROTOCOL_2,
    Protocol,
    RestliSyntaxError,
    decode_value,
    parse_batch_ids,
    parse_query_for,
    protocol_of,
)

from .. import json_codec
from ..errors import ApiError

MAX_URL_BYTES = 8 * 1024
MAX_QUERY_BYTES = 4 * 1024
MAX_SEGMENT_BYTES = 4 * 1024
TUNNELLED_METHODS = {"GET", "PUT", "DELETE", "POST"}
RESTLI_METHODS = {
    "batch_update", "batch_partial_update", "batch_create", "batch_delete", "batch_get",
    "partial_update", "update", "create", "get", "delete", "finder", "get_all", "action",
}


@dataclass
class RestliCall:
    method: str
    """The effective HTTP method (after tunnelling)."""
    restli_method: str | None
    segments: list[str]
    """Raw (still percent-encoded) path segments after `/v2/`."""
    params: dict[str, list[str]]
    ids: list[dict[str, str]] | list[str] | None
    body: Any
    has_body: bool
    token: str | None
    tunnelled: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    protocol: Protocol = PROTOCOL_1
    """The request's Rest.li protocol: keys in its body and path are read in it, and batch
    answers are keyed in it."""
    entity_keys: Mapping[str, dict[str, str]] | None = None
    """The fields of body entity keys already read (body key text, the key's canonical text
    -> fields): the versioned family reads its keys once and hands the `/v2` handlers their
    translation."""
    id_texts: list[str] | None = None
    """The canonical text of each compound id, in the order of `ids`, when the versioned
    family has made them already: the handlers key their answers by it."""

    def int_param(self, name: str, default: int) -> int:
        """A non-negative integer parameter (paging): ASCII digits only, at most 9 of them."""
        raw = self.param(name)
        if raw is None:
            return default
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
            raise ApiError(400, f"{name} must be a non-negative integer")
        return int(raw)

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise ApiError(400, f"query parameter '{name}' is given more than once")
        return values[0]


def check_url_limits(raw_path: bytes, query: bytes) -> None:
    url_len = len(raw_path) + (1 + len(query) if query else 0)
    if url_len > MAX_URL_BYTES:
        raise ApiError(414, f"Request-URI too long: {url_len} bytes, the limit is "
                            f"{MAX_URL_BYTES}; tunnel the query with X-HTTP-Method-Override")
    if len(query) > MAX_QUERY_BYTES:
        raise ApiError(414, f"Query string too long: {len(query)} bytes, the limit is "
                            f"{MAX_QUERY_BYTES}; tunnel the query with X-HTTP-Method-Override")
    for segment in raw_path.split(b"/"):
        if len(segment) > MAX_SEGMENT_BYTES:
            raise ApiError(414, f"A path segment is {len(segment)} bytes, the limit is "
                                f"{MAX_SEGMENT_BYTES}")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise ApiError(413, f"Request body is {declared} bytes, the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"Request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} in a JSON object")
        result[key] = value
    return result


def parse_json(raw: bytes) -> Any:
    """A request body as LinkedIn reads it. orjson reads the bodies clients send; whatever it
    refuses, or a body with a repeated key or nested too deeply, is read again by the
    standard library, whose error the client gets."""
    try:
        value = json_codec.fast_loads(raw)
    except ValueError:
        pass
    else:
        if _plain_shape(raw, value):
            return value
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"Request body is not valid UTF-8 (byte {exc.start})") from exc
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates,
                           parse_constant=_reject_constant)
    except RecursionError as exc:
        raise ApiError(400, "Malformed JSON body: nested too deeply") from exc
    except ValueError as exc:
        raise ApiError(400, f"Malformed JSON body: {exc}") from exc
    _check_json_value(value)
    return value


MAX_JSON_DEPTH = 32
"""Rest.li bodies nest a handful of levels (entities > key > record > field > item); deeper
input is refused before it can reach storage or a recursive encoder."""


_KEEP_BRACKETS = bytes(b for b in range(256) if b not in b'"[]{}')
_ALL_SQUARE = bytes.maketrans(b"{}", b"[]")


def _plain_shape(raw: bytes, value: Any) -> bool:
    """Whether a body orjson read holds no repeated key and nests less than MAX_JSON_DEPTH
    levels (orjson already refuses what UTF-8 cannot hold), checked on bytes:

    - orjson keeps the last of repeated keys silently. A colon in JSON text is either an
      object key's or inside a string, and no escape but `\\u003a` writes one; so unless the
      body has that escape, the body and orjson's writing of what it read hold as many
      colons exactly when no key was dropped (a dropped key takes its colon with it).
    - The nesting is that of the brackets outside strings in orjson's compact writing, where
      a string's quotes and backslashes are always escaped. Bodies nested 32 levels or more
      are left to the standard library's exact check.
    """
    if b"\\u003" in raw:  # an escaped colon (or a rarer escape): the slow reading
        return False
    written = orjson.dumps(value)
    if raw.count(b":") != written.count(b":"):
        return False
    return _depth_below(_brackets_outside_strings(written), MAX_JSON_DEPTH)


def _brackets_outside_strings(written: bytes) -> bytes:
    """The brackets and braces of compact JSON text, strings' contents left out."""
    if b"\\" in written:  # drop escaped quotes and backslashes: the quotes left delimit
        written = written.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = written.translate(None, _KEEP_BRACKETS)
    # Most strings hold no bracket: they are `""` here. If no quote is left once those are
    # gone, every string was one of them; otherwise take what lies between strings.
    bare = skeleton.replace(b'""', b"")
    if b'"' in bare:
        bare = b"".join(skeleton.split(b'"')[::2])
    return bare


def _depth_below(brackets: bytes, limit: int) -> bool:
    """Whether well-nested brackets nest fewer than `limit` levels."""
    brackets = brackets.translate(_ALL_SQUARE)
    for _ in range(limit - 1):  # each round removes the innermost level
        if not brackets:
            return True
        brackets = brackets.replace(b"[]", b"")
    return not brackets


def _check_json_value(value: Any) -> None:
    """Refuse what JSON's grammar allows but UTF-8 storage cannot hold (lone surrogates from
    `\\ud800` escapes) and nesting deeper than any LinkedIn record."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(400, f"Malformed JSON body: nested deeper than {MAX_JSON_DEPTH} "
                                "levels")
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(400, "Malformed JSON body: a string holds an unpaired UTF-16 surrogate "
                            f"(position {exc.start})") from exc


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


# A boundary as RFC 2046 allows it quoted, or a plain token; anything else (comments,
# RFC 2231 forms, escapes) is left to the email package.
_BOUNDARY = re.compile(r"""(?i);\s*boundary\s*=\s*(?:"([A-Za-z0-9'()+_,./:=? -]{1,70})"|"""
                       r"""([A-Za-z0-9_.+-]{1,70}))\s*(?:;|$)""")
_PART_TYPE = re.compile(rb"(?i)content-type:[ \t]*([a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+)"
                        rb"[ \t]*(?:;[^\r\n]*)?")


def _split_multipart(content_type: str, raw: bytes, *, fast: bool = True
                     ) -> tuple[bytes, bytes | None]:
    """The tunnelled query and JSON entity of a multipart/mixed body.

    What every client sends (the delimiters on CRLF lines, one Content-Type header per part)
    is split on bytes; anything else is read by the `email` package, as before."""
    parts = _plain_parts(content_type, raw) if fast else None
    if parts is None:
        parts = _email_parts(content_type, raw)
    query: bytes | None = None
    entity: bytes | None = None
    for kind, data in parts:
        if kind == "application/x-www-form-urlencoded" and query is None:
            query = data.strip()
        elif kind == "application/json" and entity is None:
            entity = data
        else:
            raise ApiError(400, f"unexpected multipart/mixed part of type {kind}")
    if query is None:
        raise ApiError(400, "multipart/mixed body lacks the form-encoded query part")
    return query, entity


def _plain_parts(content_type: str, raw: bytes) -> list[tuple[str, bytes]] | None:
    """(content type, payload) of each part when the body has the plain shape: no preamble,
    `--b` CRLF, parts of one `Content-Type:` header line, a blank line and a payload, each
    ended by CRLF `--b` and the last one by CRLF `--b--` (an optional CRLF, nothing else).
    None for any other shape."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        return None
    boundary = found.group(1) or found.group(2)
    if boundary != boundary.rstrip():
        return None  # the email package drops trailing blanks: leave that case to it
    delimiter = b"--" + boundary.encode("latin-1")
    if not raw.startswith(delimiter + b"\r\n"):
        return None
    close = b"\r\n" + delimiter + b"--"
    end = raw.rfind(close)
    if end < 0 or raw[end + len(close):] not in (b"", b"\r\n"):
        return None
    parts: list[tuple[str, bytes]] = []
    for chunk in raw[len(delimiter) + 2:end].split(b"\r\n" + delimiter + b"\r\n"):
        head, blank, payload = chunk.partition(b"\r\n\r\n")
        header = _PART_TYPE.fullmatch(head)
        if not blank or header is None or delimiter in payload:
            return None
        parts.append((header.group(1).decode("ascii").lower(), payload))
    return parts


def _email_parts(content_type: str, raw: bytes) -> list[tuple[str, bytes]]:
    """`_plain_parts` by the `email` package: any shape RFC 2046 allows."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + raw)
    if not message.is_multipart():
        raise ApiError(400, "multipart/mixed body has no parts")
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        parts.append((part.get_content_type(), payload if isinstance(payload, bytes) else b""))
    return parts


MAX_IDS = 10_000
"""What `parse_batch_ids` reads as `ids[N]` (four digits): more is its error to give."""


def parse_ids_and_params(query: str, protocol: Protocol
                         ) -> tuple[list[dict[str, str]] | list[str] | None,
                                    list[tuple[str, str]]]:
    """The batch ids and the other parameters of a query, as `parse_query_for` and
    `parse_batch_ids` read them; raises their RestliSyntaxError."""
    if protocol == PROTOCOL_2:
        fast = _compound_ids_2(query)
        if fast is not None:
            return fast
    return parse_batch_ids(parse_query_for(query, protocol), raw_lists=False)


def _compound_ids_2(query: str) -> tuple[list[dict[str, str]], list[tuple[str, str]]] | None:
    """A 2.0 query's `ids=List((field:value,...),...)` read once into its keys, when it is
    the plain case (one `ids` parameter of valid compound keys, the rest well formed). The
    general reading decodes the keys, writes them as 1.0's `ids[N].field` pairs and reads
    those again; anything else (an error to report, simple ids) is left to it. None then."""
    parts = query.split("&")
    wanted = [part for part in parts if part.startswith("ids=")]
    if len(wanted) != 1:
        return None
    try:
        decoded = decode_value(wanted[0][len("ids="):])
        ids, rest = parse_batch_ids(parse_query_for(
            "&".join(part for part in parts if not part.startswith("ids=")), PROTOCOL_2),
            raw_lists=False)
    except RestliSyntaxError:
        return None
    if ids is not None or not isinstance(decoded, list) or not 0 < len(decoded) <= MAX_IDS:
        return None
    for key in decoded:
        if (not isinstance(key, dict) or not key or "$params" in key
                or not all(name and isinstance(value, str) for name, value in key.items())):
            return None
    return decoded, rest


async def read_call(request: Request, *, max_body: int, family: str = "v2") -> RestliCall:
    """The request as a `RestliCall`; `family` is the API prefix (`v2` or `rest`) its path
    starts with."""
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    raw_path = raw_path.split(b"?", 1)[0]
    prefix = f"/{family}/".encode()
    if not raw_path.startswith(prefix):
        raise ApiError(404, f"not a /{family}/ resource")
    try:
        protocol = protocol_of(request.headers.get("x-restli-protocol-version"))
    except RestliSyntaxError as exc:
        raise ApiError(400, str(exc)) from exc
    query: bytes = request.scope.get("query_string", b"")
    check_url_limits(raw_path, query)

    method = request.method.upper()
    override = request.headers.get("x-http-method-override")
    raw = await read_body(request, max_body)
    entity: bytes | None = raw if raw else None
    tunnelled = False
    content_type = request.headers.get("content-type")
    if override is not None:
        if method != "POST":
            raise ApiError(400, "X-HTTP-Method-Override is only allowed on POST")
        target = override.strip().upper()
        if target not in TUNNELLED_METHODS:
            raise ApiError(400, f"X-HTTP-Method-Override {override!r} is not GET, PUT, DELETE "
                                "or POST")
        media = _media_type(content_type)
        if media == "application/x-www-form-urlencoded":
            tunnelled_query, entity = raw.strip(), None
        elif media == "multipart/mixed":
            tunnelled_query, entity = _split_multipart(content_type or "", raw)
        else:
            raise ApiError(415, "a tunnelled request needs a application/x-www-form-urlencoded "
                                "or multipart/mixed body")
        query = b"&".join(q for q in (query, tunnelled_query) if q)
        method = target
        tunnelled = True
        content_type = "application/json" if entity else None

    if not query.isascii():
        raise ApiError(400, "Query string must be ASCII (percent-encode other characters)")
    try:
        ids, rest = parse_ids_and_params(query.decode("ascii"), protocol)
    except RestliSyntaxError as exc:
        raise ApiError(400, f"Malformed query: {exc}") from exc

    params: dict[str, list[str]] = {}
    for name, value in rest:
        params.setdefault(name, []).append(value)

    body: Any = None
    if entity:
        if _media_type(content_type) != "application/json":
            raise ApiError(415, f"Content-Type must be application/json, not "
                                f"{content_type or 'missing'}")
        body = parse_json(entity)

    restli_method = request.headers.get("x-restli-method")
    if restli_method is not None:
        restli_method = restli_method.strip().lower()
        if restli_method not in RESTLI_METHODS:
            raise ApiError(400, f"X-RestLi-Method {restli_method!r} is not a Rest.li method")

    auth = request.headers.get("authorization")
    token = None
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip()

    segments = [s.decode("latin-1") for s in raw_path[len(prefix):].split(b"/")]
    segments = [s for s in segments if s != ""]
    return RestliCall(method=method, restli_method=restli_method, segments=segments,
                      params=params, ids=ids, body=body, has_body=entity is not None,
                      token=token, tunnelled=tunnelled,
                      headers={k.lower(): v for k, v in request.headers.items()},
                      protocol=protocol)


def implied_method(call: RestliCall) -> str:
    """The Rest.li method a request's verb and URL stand for. A `X-RestLi-Method` header, when
    sent, must name this one, as a Rest.li server requires."""
    collection = len(call.segments) != 2  # /resource or /resource/{key}/sub vs /resource/{key}
    if call.method == "GET":
        if call.ids is not None:
            return "batch_get"
        if call.params.get("q"):
            return "finder"
        return "get_all" if collection else "get"
    if call.method == "PUT":
        return "batch_update" if call.ids is not None else "update"
    if call.method == "DELETE":
        return "batch_delete" if call.ids is not None else "delete"
    if call.segments and call.segments[0] == "simpleJobPostings":
        return "batch_create"
    if call.ids is not None:
        return "batch_partial_update"
    return "create" if collection else "partial_update"


def check_restli_method(call: RestliCall) -> None:
    if call.restli_method is None:
        return
    expected = implied_method(call)
    if call.restli_method != expected:
        raise ApiError(400, f"X-RestLi-Method {call.restli_method!r} does not match this "
                            f"{call.method} request, which is {expected!r}")

