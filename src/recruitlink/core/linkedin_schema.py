"""LinkedIn's field validation for the RSC / CRM Connect write APIs.

One module, used twice: the sandbox rejects bad records with it exactly as LinkedIn would, and
the client rejects records with it before sending them. The rules are the field tables of
`/work/shared/reference/linkedin-api.md` (sections 1.2, 1.4, 1.5, 3.1-3.10 and 8.2). Where the
reference is silent the rule is ours, marked `# assumed:`, and it is the stricter reading: a
record that passes here must pass LinkedIn.

The engine is small and declarative. A `_Spec` checks one JSON value (`_Str`, `_Long`, `_Bool`,
`_Array`, `_Obj`, ...); an `_Obj` is a table of `_Field`s plus cross-field `_Rule`s; there is
one table per resource. Every check returns all the problems it finds as `FieldError`s and
never raises, whatever JSON (or non-JSON) value it is given. No I/O, no clock: the caller
passes `now_ms`.

Sync checks every record it sends, and the sandbox every record it receives, so each `_Obj` is
also compiled once into a fast check (`_Obj.passes`, Python source generated from its table):
it only answers "certainly valid", and anything else goes to the interpretive `check`, the one
place errors are found and worded.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import ClassVar, cast
from urllib.parse import urlsplit

from .files import CRM_RESUME_TYPES, FILE_TYPES

__all__ = [
    "CONFIGURATION_KEYS",
    "EMPLOYMENT_STATUSES",
    "EXPERIENCE_LEVELS",
    "INTEGRATION_TYPES",
    "INTERACTION_TYPES",
    "JOB_AVAILABILITIES",
    "JOB_OPERATIONS",
    "KEY_FIELDS",
    "NOT_DELETABLE",
    "PATCHABLE_RESOURCES",
    "READ_ONLY",
    "REQUIRED",
    "RESOURCES",
    "SOURCE_CATEGORIES",
    "STAGE_CATEGORIES",
    "UNKNOWN_KEY_FIELD",
    "UNRECOGNIZED",
    "WORKPLACE_TYPES",
    "FieldError",
    "http_url_problem",
    "validate_key",
    "validate_patch_fields",
    "validate_provisioning",
    "validate_record",
]


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, as LinkedIn reports it for one entity."""

    path: str  # JSON-pointer-ish path into the record: "/emailAddresses/0"; "" = whole record
    reason: str
    status: int = 422  # HTTP status LinkedIn would give this entity

    @property
    def message(self) -> str:
        return f"ERROR :: {self.path or '/'} :: {self.reason}"


# Reasons shared with callers and tests (the first two are LinkedIn's own wording).
REQUIRED = "field is required but not found and has no default value"
UNRECOGNIZED = "unrecognized field found but not allowed"
READ_ONLY = "read-only field"
NOT_DELETABLE = "required field cannot be deleted"
UNKNOWN_KEY_FIELD = "unknown key field"

INTEGRATION_TYPES: tuple[str, ...] = (
    "APPLY_CONNECT",
    "APPLY_WITH_LINKEDIN",
    "CSA_API",
    "IN_ATS_INDICATOR",
    "ONE_CLICK_EXPORT",
    "PROFILE_PLUGIN",
    "RECOMMENDED_MATCHES",
    "UNIFIED_SEARCH",
    "CRM_ONE_CLICK_EXPORT",
    "IN_CRM_INDICATOR",
)
JOB_OPERATIONS: tuple[str, ...] = ("CREATE", "UPDATE", "RENEW", "CLOSE")
JOB_AVAILABILITIES: tuple[str, ...] = ("PUBLIC", "PRIVATE_TO_ATS_INTEGRATION")
CONFIGURATION_KEYS: tuple[str, ...] = ("CALLBACK_URL", "JOB_POSTING_VIEWERS", "APPLICATION_VIEWERS")

_MAX_LONG = 2**63 - 1
_MAX_ID_LEN = 200  # assumed: every ATS id gets externalJobPostingId's documented limit


# --------------------------------------------------------------------------------------------
# Small helpers


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _child(path: str, name: object) -> str:
    """JSON-pointer child path (RFC 6901 escaping of "~" and "/")."""
    return f"{path}/{str(name).replace('~', '~0').replace('/', '~1')}"


def _show(text: str) -> str:
    """A value quoted for a message, cut short so a huge input makes a short message."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _long(value: object) -> int | None:
    """The value if it is a valid Rest.li long > 0, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_LONG:
        return value
    return None


# --------------------------------------------------------------------------------------------
# String formats: each returns the problem, or None when the string is fine. All are linear in
# the length of the string (no backtracking regexes), because inputs may be huge.

_Format = Callable[[str], str | None]

_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_LABEL = re.compile(r"[A-Za-z0-9-]{1,63}", re.ASCII)
_PORT = re.compile(r"[0-9]{1,5}", re.ASCII)


def _one_of(*values: str) -> _Format:
    allowed = frozenset(values)
    listing = ", ".join(values)

    def check(text: str) -> str | None:
        return None if text in allowed else f"{_show(text)} is not one of: {listing}"

    return check


def _email(text: str) -> str | None:
    """The documented pattern X@X.X, i.e. ^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$, without a regex."""
    local, at, domain = text.partition("@")
    ok = (
        bool(at)
        and bool(local)
        and "@" not in domain
        and _SPACE_OR_CONTROL.search(text) is None
        and "." in domain[1:-1]
    )
    return None if ok else f"{_show(text)} does not match the email pattern X@X.X"


def _hostname_problem(host: str) -> str | None:
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return "has an invalid IPv6 host"
        return None
    # assumed: ASCII host names only (IDNs must be sent punycode-encoded)
    if len(host) > 253 or not all(
        _LABEL.fullmatch(label) and not label.startswith("-") and not label.endswith("-")
        for label in host.split(".")
    ):
        return "has an invalid host name"
    return None


# A plain http(s) URL: a host of valid labels, maybe a port, no user or IP-v6 literal, then
# printable ASCII. Such a URL passes every check below (tests/unit/test_linkedin_schema_url.py
# proves it), so it is taken without urlsplit, which costs more than the rest of a record's
# checks (a local install's URLs, http://127.0.0.1:8000/..., have a port).
_PLAIN_ORIGIN = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://(?P<host>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?::(?P<port>[0-9]{1,5}))?", re.ASCII)
_PLAIN_URL = re.compile(_PLAIN_ORIGIN.pattern + r"(?:[/?#][!-~]*)?", re.ASCII)
_LONGEST_PLAIN_ORIGIN = len("https://") + 253 + len(":65535")


def _plain_url(text: str) -> bool:
    """`_PLAIN_URL` matches `text` with a host of at most 253 characters and a port <= 65535.
    Read as origin + rest: a site's URLs share a few origins, each matched by the regex once
    (`_plain_origin`), and the rest, from the first "/", "?" or "#" after "://", is printable
    ASCII but space, i.e. [!-~]* (tests/unit/test_linkedin_schema_fast.py: same answers)."""
    start, end = text.find("://") + 3, len(text)
    for mark in "/?#":
        found = text.find(mark, start, end)
        if found >= 0:
            end = found
    rest = text[end:]
    return (rest.isascii() and rest.isprintable() and " " not in rest
            and _plain_origin(text[:end]))


def _plain_origin(origin: str) -> bool:
    return len(origin) <= _LONGEST_PLAIN_ORIGIN and _plain_origin_cached(origin)


@lru_cache(maxsize=256)
def _plain_origin_cached(origin: str) -> bool:
    plain = _PLAIN_ORIGIN.fullmatch(origin)
    return plain is not None and len(plain["host"]) <= 253 and (
        plain["port"] is None or int(plain["port"]) <= 65535)


def _url(text: str) -> str | None:
    """An absolute http(s) URL with a host."""
    return None if _plain_url(text) else _url_checked(text)


def _url_checked(text: str) -> str | None:
    if _SPACE_OR_CONTROL.search(text) or not text.isascii():
        return _bad_url(text, "it contains whitespace, control or non-ASCII characters")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return _bad_url(text, str(exc))
    if parts.scheme.lower() not in ("http", "https"):
        return _bad_url(text, "the scheme must be http or https")
    host = parts.hostname
    if not host:
        return _bad_url(text, "it has no host")
    problem = _hostname_problem(f"[{host}]" if ":" in host else host)
    return _bad_url(text, f"it {problem}") if problem else None


def _bad_url(text: str, why: str) -> str:
    # Built only on failure: most URLs are fine, and quoting one costs more than checking it.
    return f"{_show(text)} is not a valid absolute http(s) URL: {why}"


def http_url_problem(text: str) -> str | None:
    """Why `text` is not an absolute http(s) URL with a host, or None. The one URL check:
    LinkedIn's fields, and every URL the ATS store keeps and the pages link to (a
    `javascript:` or `data:` URL would run in the reader's session)."""
    return _url(text)


def _callback_url(text: str) -> str | None:
    problem = _url(text)
    if problem is None and "#" in text:
        return f"{_show(text)} must not have a fragment"  # assumed: OAuth 2.0 redirect URI rule
    return problem


def url_problem(text: str) -> str | None:
    """Why `text` is not an acceptable absolute http(s) URL for LinkedIn, or None."""
    return _callback_url(text)


def _origin(text: str) -> str | None:
    """A JS SDK origin: scheme://host[:port], nothing after it, not even a trailing "/"."""
    scheme, sep, rest = text.partition("://")
    bad = f"{_show(text)} is not an origin (scheme://host[:port], no path, no trailing '/')"
    if not sep or scheme not in ("http", "https") or not rest:
        return bad
    host, colon, port = rest.rpartition(":") if not rest.endswith("]") else (rest, "", "")
    if not colon:
        host = rest
    elif not _PORT.fullmatch(port) or not 0 < int(port) <= 65535:
        return bad
    if not host or _hostname_problem(host):
        return bad
    return None


def _urn(entity: str, id_pattern: str) -> _Format:
    pattern = re.compile(f"urn:li:{entity}:{id_pattern}", re.ASCII)

    def check(text: str) -> str | None:
        return None if pattern.fullmatch(text) else f"{_show(text)} is not a urn:li:{entity} URN"

    return check


_org_urn = _urn("organization", "[0-9]+")
_contract_urn = _urn("contract", "[0-9]+")
_person_urn = _urn("person", "[A-Za-z0-9_-]+")
_industry_urn = _urn("industry", "[0-9]+")
_media_urn = _urn("media", "[0-9]+")

_ALLOWED_HTML = frozenset({"b", "strong", "u", "i", "br", "p", "ul", "li"})
# An HTML tag opens with "<" or "</" followed directly by a letter; "<!" and "<?" open
# comments, doctypes and processing instructions, none of which is allowed either.
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)|<([!?][^\s>]{0,20})")


def _html(text: str) -> str | None:
    bad: list[str] = []
    for match in _TAG.finditer(text):
        name = match.group(1) or match.group(2)
        if name.lower() not in _ALLOWED_HTML and f"<{name}>" not in bad:
            bad.append(f"<{name}>")
    if not bad:
        return None
    return f"HTML tag(s) {', '.join(bad)} not allowed (only {', '.join(sorted(_ALLOWED_HTML))})"


def _location(text: str) -> str | None:
    parts = text.split(",")
    if len(parts) > 3 or any(not part.strip() for part in parts):
        return (
            f"{_show(text)} must be 1 to 3 non-empty comma-separated parts "
            '("CITY, STATE, COUNTRY", "CITY, STATE", "CITY, COUNTRY" or "POSTALCODE, COUNTRYCODE")'
        )
    return None


def _stage(text: str) -> str | None:
    # assumed: LinkedIn rejects the literal "Not Available"; we also reject its case/space variants
    if text.strip().lower() == "not available":
        return f'stage {_show(text)} is not allowed ("Not Available" is rejected)'
    return None


def _no_linkedin(text: str) -> str | None:
    return 'must not contain "LinkedIn"' if "linkedin" in text.lower() else None


# --------------------------------------------------------------------------------------------
# The spec engine


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key per record (_ctx_at)
class _Ctx:
    """What a check needs besides the value: the clock and which HTTP statuses to report."""

    now_ms: int | None = None
    type_status: int = 422  # wrong JSON type
    value_status: int = 422  # everything else


class _Source:
    """The Python source of one _Obj's fast check (`_Obj.passes`), as it is generated: each
    spec appends the statements that check its value (`_Spec.emit`) and binds the functions
    and constants they use."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {}
        self.depth = 1

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def require(self, condition: str) -> None:
        self.line(f"if not ({condition}): return False")

    def bind(self, value: object) -> str:
        """The name `value` has in the generated function."""
        name = f"_b{len(self.names)}"
        self.names[name] = value
        return name

    def function(self) -> Callable[[object, _Ctx], bool]:
        # The source holds only this module's own names, numbers and repr()s of field names.
        namespace = dict(self.names)
        exec("def passes(value, ctx):\n" + "\n".join(self.lines), namespace)
        return cast(Callable[[object, _Ctx], bool], namespace["passes"])


class _Spec:
    expected: ClassVar[str] = "value"

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        raise NotImplementedError

    def quick(self) -> tuple[type | None, int]:
        """(t, n): a value of exactly type t (and, for text, at least n long) passes this
        check, so _Obj skips the call; t None: always call."""
        return None, 0

    def emit(self, x: str, src: _Source) -> None:
        """Append to `src` the statements that return False unless this check finds nothing
        wrong with the value named `x` (see _Obj.passes). By default: call the check."""
        src.require(f"not {src.bind(self.check)}({x}, '', ctx)")

    def _wrong_type(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        # assumed: an explicit null is a wrong type too (omit an optional field instead)
        reason = f"expected {self.expected} but found {_json_type(value)}"
        return [FieldError(path, reason, ctx.type_status)]


@dataclass(frozen=True)
class _Str(_Spec):
    min_len: int = 0
    max_len: int | None = None
    fmt: _Format | None = None
    status: int | None = None  # overrides ctx.value_status for this field's value errors

    expected: ClassVar[str] = "string"

    def quick(self) -> tuple[type | None, int]:
        plain = self.max_len is None and self.fmt is None
        return (str, self.min_len) if plain else (None, 0)

    def emit(self, x: str, src: _Source) -> None:
        condition = f"type({x}) is str"
        if self.max_len is not None:
            condition += f" and {self.min_len} <= len({x}) <= {self.max_len}"
        elif self.min_len:
            condition += f" and len({x}) >= {self.min_len}"
        if self.fmt:
            condition += f" and {src.bind(self.fmt)}({x}) is None"
        src.require(condition)

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        if not isinstance(value, str):
            return self._wrong_type(value, path, ctx)
        size = len(value)
        if size < self.min_len:
            status = self.status or ctx.value_status
            if self.min_len == 1:
                return [FieldError(path, "must not be empty", status)]
            return [FieldError(path, f"must be at least {self.min_len} characters", status)]
        too_long = self.max_len is not None and size > self.max_len
        problem = self.fmt(value) if self.fmt else None
        if not too_long and not problem:  # the usual case: nothing to report
            return []
        status = self.status or ctx.value_status
        errors: list[FieldError] = []
        if too_long:
            reason = f"must be at most {self.max_len} characters (found {size})"
            errors.append(FieldError(path, reason, status))
        if problem:
            errors.append(FieldError(path, problem, status))
        return errors


@dataclass(frozen=True)
class _Long(_Spec):
    """A Rest.li long holding epoch milliseconds: an integer (not a bool, not a float), > 0."""

    expected: ClassVar[str] = "long"

    def emit(self, x: str, src: _Source) -> None:
        src.require(f"type({x}) is int and 0 < {x} <= {_MAX_LONG}")

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        if not isinstance(value, int) or isinstance(value, bool):
            return self._wrong_type(value, path, ctx)
        if value <= 0:
            reason = f"must be > 0 (epoch milliseconds), found {value}"
            return [FieldError(path, reason, ctx.value_status)]
        if value > _MAX_LONG:
            return [FieldError(path, "does not fit in a long", ctx.value_status)]
        return []


@dataclass(frozen=True)
class _Bool(_Spec):
    expected: ClassVar[str] = "boolean"

    def quick(self) -> tuple[type | None, int]:
        return bool, 0

    def emit(self, x: str, src: _Source) -> None:
        src.require(f"type({x}) is bool")

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        return [] if isinstance(value, bool) else self._wrong_type(value, path, ctx)


@dataclass(frozen=True)
class _Array(_Spec):
    item: _Spec
    min_items: int = 0
    max_items: int | None = None

    expected: ClassVar[str] = "array"

    def emit(self, x: str, src: _Source) -> None:
        condition = f"type({x}) is list"
        if self.min_items:
            condition += f" and len({x}) >= {self.min_items}"
        if self.max_items is not None:
            condition += f" and len({x}) <= {self.max_items}"
        src.require(condition)
        item = f"x{src.depth}"  # a name per nesting depth: arrays of arrays keep theirs
        src.line(f"for {item} in {x}:")
        src.depth += 1
        self.item.emit(item, src)
        src.depth -= 1

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        if not isinstance(value, list | tuple):
            return self._wrong_type(value, path, ctx)
        errors: list[FieldError] = []
        if len(value) < self.min_items:
            reason = f"must have at least {self.min_items} item(s)"
            errors.append(FieldError(path, reason, ctx.value_status))
        if self.max_items is not None and len(value) > self.max_items:
            reason = f"must have at most {self.max_items} item(s) (found {len(value)})"
            errors.append(FieldError(path, reason, ctx.value_status))
        for index, item in enumerate(value):
            errors += self.item.check(item, _child(path, index), ctx)
        return errors


@dataclass(frozen=True)
class _AnyObj(_Spec):
    """An object whose inner shape LinkedIn does not document (e.g. `compensation`)."""

    expected: ClassVar[str] = "object"

    def emit(self, x: str, src: _Source) -> None:
        src.require(f"type({x}) is dict")

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        return [] if isinstance(value, Mapping) else self._wrong_type(value, path, ctx)


@dataclass(frozen=True)
class _Forbidden(_Spec):
    """A known field that must never be sent (read-only, deprecated, unsupported)."""

    reason: str

    def emit(self, x: str, src: _Source) -> None:
        src.line("return False")

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        return [FieldError(path, self.reason, ctx.value_status)]


@dataclass(frozen=True)
class _Field:
    name: str
    spec: _Spec
    required: bool = False


@dataclass(frozen=True)
class _Rule:
    """A cross-field rule: (record, path of the record, ctx) -> problems. Runs after the field
    checks."""

    check: Callable[[Mapping[str, object], str, _Ctx], list[FieldError]]
    clean: str | None = None
    """For the fast path: a Python condition on `value` (the record, a dict) and `ctx` that
    holds only if `check` finds nothing (None: the fast path calls `check`)."""

    def __call__(self, record: Mapping[str, object], path: str, ctx: _Ctx) -> list[FieldError]:
        return self.check(record, path, ctx)


@dataclass(frozen=True)
class _Obj(_Spec):
    fields: tuple[_Field, ...]
    rules: tuple[_Rule, ...] = ()

    expected: ClassVar[str] = "object"

    def __post_init__(self) -> None:
        # Field lookup by name in O(1): every record checks each of its fields' names.
        object.__setattr__(self, "_by_name", {f.name: f for f in reversed(self.fields)})
        # Each field's path suffix escaped once, not per record (sync checks thousands).
        # ... and what passes it without a call (plain text and booleans: most fields).
        plan = tuple((f.name, _child("", f.name), f.spec, f.required, *f.spec.quick())
                     for f in self.fields)
        object.__setattr__(self, "_plan", plan)

    def _compile(self) -> Callable[[object, _Ctx], bool]:
        src = _Source()
        src.line("if type(value) is not dict: return False")
        src.line("known = 0")
        for f in self.fields:
            src.line(f"if {f.name!r} in value:")
            src.depth += 1
            src.line(f"known += 1; x = value[{f.name!r}]")
            f.spec.emit("x", src)
            src.depth -= 1
            if f.required:
                src.line("else: return False")
        src.line("if known != len(value): return False")  # an unrecognized field
        for rule in self.rules:
            src.require(rule.clean or f"not {src.bind(rule.check)}(value, '', ctx)")
        src.line("return True")
        return src.function()

    def passes(self, value: object, ctx: _Ctx) -> bool:
        """True only if `check` finds nothing wrong with `value` (False: it may, ask it).
        Compiled per schema (`_compile`): a valid record is taken along a straight path of
        inline type, length and format tests, with no error lists and no paths built;
        anything unusual (a Mapping that is not a dict, a tuple for an array, any problem) is
        left to the interpretive `check`, which alone words the errors
        (tests/unit/test_linkedin_schema_fast.py proves they agree)."""
        return self._compiled()(value, ctx)

    def _compiled(self) -> Callable[[object, _Ctx], bool]:
        # Compiled on first use (not at import: the CLI starts without it), then called
        # directly: the function replaces this instance's `passes` method.
        compiled = self.__dict__.get("passes")
        if compiled is None:
            compiled = self._compile()
            object.__setattr__(self, "passes", compiled)
        return cast(Callable[[object, _Ctx], bool], compiled)

    def emit(self, x: str, src: _Source) -> None:
        src.require(f"{src.bind(self._compiled())}({x}, ctx)")

    def errors(self, value: object, ctx: _Ctx) -> list[FieldError]:
        """`check(value, "", ctx)`, by the fast path when it is clean."""
        return [] if self.passes(value, ctx) else self.check(value, "", ctx)

    def field(self, name: object) -> _Field | None:
        by_name: dict[object, _Field] = self.__dict__["_by_name"]
        try:
            return by_name.get(name)
        except TypeError:  # an unhashable name matches no field
            return None

    def check(self, value: object, path: str, ctx: _Ctx) -> list[FieldError]:
        if not isinstance(value, Mapping):
            return self._wrong_type(value, path, ctx)
        errors: list[FieldError] = []
        plan: tuple[tuple[str, str, _Spec, bool, type | None, int], ...] = self.__dict__["_plan"]
        for name, tail, spec, required, quick, shortest in plan:
            if name in value:
                item = value[name]
                if type(item) is not quick or (shortest and len(cast(str, item)) < shortest):
                    errors += spec.check(item, path + tail, ctx)
            elif required:
                errors.append(FieldError(path + tail, REQUIRED, ctx.value_status))
        by_name: dict[object, _Field] = self.__dict__["_by_name"]
        try:
            unknown = [name for name in value if name not in by_name]
        except TypeError:  # an unhashable name (a Mapping that is not a dict) matches no field
            unknown = [name for name in value if self.field(name) is None]
        for name in unknown:
            errors.append(FieldError(_child(path, name), UNRECOGNIZED, ctx.value_status))
        for rule in self.rules:
            errors += rule(value, path, ctx)
        return errors


# Cross-field rules


def _not_before(later: str, earlier: str) -> _Rule:
    """`later` >= `earlier` when both are valid longs; the error is on `later`."""

    def rule(record: Mapping[str, object], path: str, ctx: _Ctx) -> list[FieldError]:
        end, start = _long(record.get(later)), _long(record.get(earlier))
        if end is not None and start is not None and end < start:
            reason = f"must be >= {earlier} ({end} < {start})"
            return [FieldError(_child(path, later), reason, ctx.value_status)]
        return []

    return _Rule(rule, f"not ({_both_longs(later, earlier)} < s <= {_MAX_LONG})")


def _both_longs(later: str, earlier: str) -> str:
    """The start of a fast-path condition: `e` (later) and `s` (earlier) are ints, 0 < e."""
    return (f"type(e := value.get({later!r})) is int and type(s := value.get({earlier!r}))"
            " is int and 0 < e")


def _after(later: str, earlier: str) -> _Rule:
    """`later` > `earlier` when both are valid longs; the error is on `later`."""

    def rule(record: Mapping[str, object], path: str, ctx: _Ctx) -> list[FieldError]:
        end, start = _long(record.get(later)), _long(record.get(earlier))
        if end is not None and start is not None and end <= start:
            reason = f"must be after {earlier} ({end} <= {start})"
            return [FieldError(_child(path, later), reason, ctx.value_status)]
        return []

    return _Rule(rule, f"not ({_both_longs(later, earlier)} <= s <= {_MAX_LONG})")


def _required_unless(name: str, other: str) -> _Rule:
    def rule(record: Mapping[str, object], path: str, ctx: _Ctx) -> list[FieldError]:
        if name in record or other in record:
            return []
        reason = f"{REQUIRED} (required unless {other} is given)"
        return [FieldError(_child(path, name), reason, ctx.value_status)]

    return _Rule(rule, f"{name!r} in value or {other!r} in value")


def _not_in_future(name: str) -> _Rule:
    def rule(record: Mapping[str, object], path: str, ctx: _Ctx) -> list[FieldError]:
        value = _long(record.get(name))
        if ctx.now_ms is not None and value is not None and value > ctx.now_ms:
            reason = f"must not be in the future ({value} > now {ctx.now_ms})"
            return [FieldError(_child(path, name), reason, ctx.value_status)]
        return []

    return _Rule(rule, f"not (type(v := value.get({name!r})) is int and 0 < v <= {_MAX_LONG}"
                       " and ctx.now_ms is not None and v > ctx.now_ms)")


def _country_only_if_remote(record: Mapping[str, object], path: str, ctx: _Ctx) -> list[FieldError]:
    location = record.get("location")
    if not isinstance(location, str) or _location(location) or "," in location:
        return []
    if record.get("workplaceTypes") == ["REMOTE"]:
        return []
    reason = 'a location with a single part (country only) needs workplaceTypes ["REMOTE"]'
    return [FieldError(_child(path, "location"), reason, ctx.value_status)]


# --------------------------------------------------------------------------------------------
# Field tables, one per resource

_NON_EMPTY = _Str(min_len=1)
_ID = _Str(min_len=1, max_len=_MAX_ID_LEN)
_EPOCH = _Long()
_EMAIL = _Str(fmt=_email)
_URL = _Str(min_len=1, fmt=_url)
_STRINGS = _Array(_Str())

_ACTOR = _Obj((_Field("firstName", _NON_EMPTY, True), _Field("lastName", _NON_EMPTY, True)))
_ADDRESS = _Obj(
    tuple(
        _Field(name, _Str())
        for name in (
            "line1",
            "city",
            "geographicArea",
            "geographicAreaType",
            "postalCode",
            "country",
        )
    )
)
_PHONE = _Obj((_Field("number", _NON_EMPTY, True), _Field("extension", _Str())))

# assumed (design16 §5): a CRM candidate's resume, uploaded first through hireMediaUrl.
_RESUME = _Obj(
    (
        _Field("media", _Str(min_len=1, fmt=_media_urn), True),
        _Field("fileName", _NON_EMPTY, True),
        _Field("contentType", _Str(fmt=_one_of(*CRM_RESUME_TYPES)), True),
    )
)

# assumed (design16 §5): an application's attachment on the versioned `attachments`.
_ATTACHMENT = _Obj(
    (
        _Field("fileName", _NON_EMPTY, True),
        _Field("contentType", _Str(fmt=_one_of(*FILE_TYPES)), True),
        _Field("media", _Str(min_len=1, fmt=_media_urn), True),
        _Field("externalCreatedAt", _EPOCH, True),
    )
)

_CANDIDATE = _Obj(
    (
        _Field("addresses", _Array(_ADDRESS), True),
        _Field("atsCreatedAt", _EPOCH, True),
        _Field("atsLastModifiedAt", _EPOCH, True),
        _Field("emailAddresses", _Array(_EMAIL)),  # required unless manualMatchedMember: rule
        _Field("phoneNumbers", _Array(_PHONE), True),
        _Field("firstName", _NON_EMPTY, True),
        _Field("lastName", _Str()),
        _Field("middleInitial", _Str()),
        _Field("prefix", _Str()),
        _Field("suffix", _Str()),
        _Field("currentCompanyName", _Str()),
        _Field("currentJobTitle", _Str()),
        # assumed: required, as on the RSC "required fields" page (the schema table hedges)
        _Field("externalProfileUrl", _URL, True),
        _Field("linkedInProfileUrl", _URL),
        _Field("doNotContact", _Bool()),
        _Field("manualMatchedMember", _Str(fmt=_person_urn)),
        _Field("matchedMembers", _Forbidden(READ_ONLY)),
        _Field("resume", _RESUME),
    ),
    rules=(
        _not_before("atsLastModifiedAt", "atsCreatedAt"),
        _required_unless("emailAddresses", "manualMatchedMember"),
    ),
)

_NOTE = _Obj(
    (
        _Field("atsCreatedAt", _EPOCH),
        # assumed: the versioned API's externalLastModifiedAt is accepted on v2 too
        _Field("atsLastModifiedAt", _EPOCH),
        _Field("note", _Str()),
        _Field("author", _ACTOR),
    ),
    rules=(_not_before("atsLastModifiedAt", "atsCreatedAt"),),
)

# assumed: every field optional (the table gives no required flags), but all are typed
_INTERVIEW_FEEDBACK = _Obj(
    (
        _Field("atsCreatedAt", _EPOCH),
        _Field("interviewer", _ACTOR),
        _Field(
            "evaluations",
            _Array(_Obj((_Field("attribute", _Str(), True), _Field("result", _Str(), True)))),
        ),
        _Field("feedback", _Str()),
        _Field("interviewType", _Str(fmt=_one_of("PHONE_SCREEN", "ONSITE"))),
    )
)

_STAGE = _Obj(
    (
        _Field("atsCreatedAt", _EPOCH, True),
        _Field("stage", _Str(min_len=1, fmt=_stage), True),
    )
)

_APPLICATION = _Obj(
    (
        _Field("atsCandidateId", _Str()),
        _Field("atsCreatedAt", _EPOCH, True),
        _Field("atsLastModifiedAt", _EPOCH, True),
        _Field("atsJobPostingId", _NON_EMPTY, True),
        _Field("atsJobPostingName", _NON_EMPTY, True),
        _Field("candidateEmail", _EMAIL),
        _Field("firstName", _NON_EMPTY),
        _Field("lastName", _NON_EMPTY),
        _Field("source", _Str()),
        _Field("dispositionReason", _Str()),
    ),
    rules=(_not_before("atsLastModifiedAt", "atsCreatedAt"),),
)

_EMPTY = _Obj(())  # ACLs and assignees: the key carries everything

_PIPELINE = _Obj(
    (
        _Field("title", _Str(min_len=1, max_len=200), True),  # assumed: name and limit of title
        _Field("description", _Str()),
        _Field("accessRestricted", _Bool()),
        _Field("externalJobPostingIds", _STRINGS),
        _Field("locations", _STRINGS),
        _Field("ownerEmailAddress", _EMAIL),
        _Field("tcrmCreatedAt", _EPOCH, True),  # assumed: required, as on pipeline stages
        _Field("tcrmLastModifiedAt", _EPOCH),  # assumed
    ),
    rules=(_not_before("tcrmLastModifiedAt", "tcrmCreatedAt"),),
)

STAGE_CATEGORIES: tuple[str, ...] = (
    "NURTURE",
    "LEAD",
    "CONTACTED",
    "REPLIED",
    "APPLIED",
    "SCREEN",
    "INTERVIEW",
    "OFFER",
    "HIRED",
    "REJECTED",
    "DECLINED",
    "ARCHIVED",
    "OTHER",
)
_PIPELINE_STAGE = _Obj(
    (
        _Field("stageCategory", _Str(fmt=_one_of(*STAGE_CATEGORIES)), True),
        _Field("stageDetails", _NON_EMPTY, True),
        _Field("tcrmCreatedAt", _EPOCH, True),
        _Field("tcrmLastModifiedAt", _EPOCH),  # assumed
    ),
    rules=(_not_before("tcrmLastModifiedAt", "tcrmCreatedAt"),),
)

# assumed: LinkedIn's list is cut off after CAREER_SI...; the rest completes it
SOURCE_CATEGORIES: tuple[str, ...] = (
    "LINKEDIN",
    "EMAIL",
    "SOCIAL_MEDIA",
    "EVENT",
    "CAREER_SITE",
    "REFERRAL",
    "AGENCY",
    "JOB_BOARD",
    "OTHER",
)
_SOURCE = _Obj(
    (
        _Field("sourceCategory", _Str(fmt=_one_of(*SOURCE_CATEGORIES)), True),
        _Field("sourceDetails", _Str()),
    )
)
_CANDIDATE_PIPELINE = _Obj(
    (
        _Field("sources", _Array(_SOURCE, min_items=1), True),
        _Field("dispositionReason", _Str()),
        _Field("tcrmStageId", _Str()),  # assumed: the candidate's current stage in the pipeline
        _Field("tcrmCreatedAt", _EPOCH),  # assumed
        _Field("tcrmLastModifiedAt", _EPOCH),  # assumed
    ),
    rules=(_not_before("tcrmLastModifiedAt", "tcrmCreatedAt"),),
)

# assumed: LinkedIn's type/direction fields were not retrieved; these are our names and values
INTERACTION_TYPES: tuple[str, ...] = (
    "EMAIL",
    "WEB_SESSION",
    "INMAIL",
    "NOTE",
    "CALL",
    "MEETING",
    "SMS",
    "EVENT",
    "APPLICATION",
    "OTHER",
)
_INTERACTION = _Obj(
    (
        _Field("tcrmCandidateId", _NON_EMPTY, True),
        _Field("tcrmPipelineId", _Str()),
        _Field("accessRestricted", _Bool()),
        _Field("interactionType", _Str(fmt=_one_of(*INTERACTION_TYPES)), True),  # assumed
        _Field("direction", _Str(fmt=_one_of("INBOUND", "OUTBOUND"))),  # assumed
        _Field("tcrmCreatedAt", _EPOCH, True),  # assumed
        _Field("tcrmLastModifiedAt", _EPOCH),  # assumed
        # no content/body field: we never send interaction content (unknown field if sent)
    ),
    rules=(_not_before("tcrmLastModifiedAt", "tcrmCreatedAt"),),
)

# The record of atsIntegrations is the $set of its batch_partial_update.
_INTEGRATION = _Obj(
    (
        # assumed: required (a nameless integration record is useless) and at most 200 chars
        _Field("integrationName", _Str(min_len=1, max_len=200), True),
        _Field("status", _Forbidden(READ_ONLY)),
        _Field("lastModifiedAt", _Forbidden(READ_ONLY)),
    )
)

# A Rest.li union: exactly one member, and `string` is the only one used.
_CONFIGURATION = _Obj(
    (_Field("configurationValue", _Obj((_Field("string", _Str(), True),)), True),)
)

# simpleJobPostings: which operations require each field. Every field given is checked.
_ALL_OPS = frozenset(JOB_OPERATIONS)
_EDIT_OPS = frozenset({"CREATE", "UPDATE"})
_NO_OPS: frozenset[str] = frozenset()
_DEPRECATED = _Forbidden("deprecated field, use jobPostingOperationType / location")

WORKPLACE_TYPES: tuple[str, ...] = ("ON_SITE", "HYBRID", "REMOTE")
EMPLOYMENT_STATUSES: tuple[str, ...] = (
    "FULL_TIME",
    "PART_TIME",
    "CONTRACT",
    "INTERNSHIP",
    "TEMPORARY",
    "VOLUNTEER",
    "OTHER",
)
EXPERIENCE_LEVELS: tuple[str, ...] = (
    "ENTRY_LEVEL",
    "MID_SENIOR_LEVEL",
    "DIRECTOR",
    "EXECUTIVE",
    "INTERNSHIP",
    "ASSOCIATE",
    "NOT_APPLICABLE",
)

_JOB_FIELDS: tuple[tuple[_Field, frozenset[str]], ...] = (
    (_Field("jobPostingOperationType", _Str(fmt=_one_of(*JOB_OPERATIONS))), _ALL_OPS),
    (_Field("integrationContext", _Str(fmt=_org_urn)), _ALL_OPS),
    (_Field("externalJobPostingId", _ID), _ALL_OPS),
    (_Field("title", _Str(min_len=1, max_len=200)), _EDIT_OPS),
    # assumed: lengths count the raw text, tags included
    (_Field("description", _Str(min_len=100, max_len=25_000, fmt=_html)), _EDIT_OPS),
    (_Field("companyApplyUrl", _Str(min_len=1, fmt=_url, status=400)), _EDIT_OPS),
    (_Field("location", _Str(min_len=1, fmt=_location)), _EDIT_OPS),
    (_Field("availability", _Str(fmt=_one_of(*JOB_AVAILABILITIES))), _EDIT_OPS),
    (_Field("listedAt", _EPOCH), frozenset({"CREATE"})),
    (_Field("alternateLocations", _Forbidden("not supported for RSC/CRM jobs")), _NO_OPS),
    (
        _Field("workplaceTypes", _Array(_Str(fmt=_one_of(*WORKPLACE_TYPES)), 1, 1)),
        _NO_OPS,
    ),
    (_Field("employmentStatus", _Str(fmt=_one_of(*EMPLOYMENT_STATUSES))), _NO_OPS),
    (_Field("experienceLevel", _Str(fmt=_one_of(*EXPERIENCE_LEVELS))), _NO_OPS),
    (_Field("categories", _Array(_Str(), max_items=3)), _NO_OPS),
    (_Field("industries", _Array(_Str(fmt=_industry_urn))), _NO_OPS),
    (_Field("skillsDescription", _Str(max_len=4000)), _NO_OPS),
    (_Field("companyJobCode", _Str()), _NO_OPS),
    (_Field("companyName", _Str()), _NO_OPS),
    (_Field("companyPageUrl", _URL), _NO_OPS),
    (_Field("compensation", _AnyObj()), _NO_OPS),
    (_Field("expireAt", _EPOCH), _NO_OPS),
    (_Field("listingType", _Str(fmt=_one_of("BASIC", "PREMIUM"))), _NO_OPS),
    (_Field("accessRestricted", _Bool()), _NO_OPS),
    (_Field("requisitionOwnerEmail", _EMAIL), _NO_OPS),
    (_Field("requisitionOwnerFirstName", _Str()), _NO_OPS),
    (_Field("requisitionOwnerLastName", _Str()), _NO_OPS),
    (_Field("state", _DEPRECATED), _NO_OPS),
    (_Field("countryCode", _DEPRECATED), _NO_OPS),
    (_Field("postalCode", _DEPRECATED), _NO_OPS),
)
_JOB_RULES: tuple[_Rule, ...] = (
    _not_in_future("listedAt"),
    _after("expireAt", "listedAt"),
    _Rule(_country_only_if_remote),
)


def _job_schema(operation: str | None) -> _Obj:
    """The job table with the required flags of `operation` (None, when the operation is
    missing or invalid: only the fields every operation requires)."""
    fields = tuple(
        replace(f, required=ops == _ALL_OPS or operation in ops) for f, ops in _JOB_FIELDS
    )
    return _Obj(fields, _JOB_RULES)


_JOB_SCHEMAS: dict[str | None, _Obj] = {op: _job_schema(op) for op in (*JOB_OPERATIONS, None)}

# The Job Posting API answers a wrong JSON type with 500 (reference §3.1 error table). We
# answer 422 instead: a client must treat it as a terminal validation error either way, and
# the sandbox promises never to 500 on bad input.
_JOB_CTX = _Ctx(type_status=422, value_status=422)

_RECORDS: dict[str, _Obj] = {
    "atsCandidates": _CANDIDATE,
    "atsCandidates/notes": _NOTE,
    "atsApplications": _APPLICATION,
    "atsApplications/notes": _NOTE,
    "atsApplications/interviewFeedback": _INTERVIEW_FEEDBACK,
    "atsApplications/stages": _STAGE,
    "atsEntityAcls": _EMPTY,
    "atsEntityAclAssignees": _EMPTY,
    "tcrmPipelines": _PIPELINE,
    "tcrmPipelineStages": _PIPELINE_STAGE,
    "tcrmCandidatePipelines": _CANDIDATE_PIPELINE,
    "tcrmInteractions": _INTERACTION,
    "atsIntegrations": _INTEGRATION,
    "atsIntegrations/configurations": _CONFIGURATION,
    "simpleJobPostings": _JOB_SCHEMAS["CREATE"],  # validate_record picks by operation
    "attachments": _ATTACHMENT,
}

RESOURCES: frozenset[str] = frozenset(_RECORDS)
_PLAIN_RECORDS = {name: schema for name, schema in _RECORDS.items() if name != "simpleJobPostings"}
PATCHABLE_RESOURCES: frozenset[str] = frozenset(
    {"atsCandidates", "atsApplications", "atsIntegrations"}
)


# --------------------------------------------------------------------------------------------
# Keys

_ATS_PROVIDER = _Str(fmt=_one_of("ATS"))
# The CRM pages say PARTNER, LinkedIn's Postman-derived examples say ATS (reference §8.2).
_TCRM_PROVIDER = _Str(fmt=_one_of("ATS", "PARTNER"))
_ORG_CONTEXT = _Str(min_len=1, fmt=_org_urn)


def _org_or_contract(text: str) -> str | None:
    if _org_urn(text) is None or _contract_urn(text) is None:
        return None
    return f"{_show(text)} is not a urn:li:organization or urn:li:contract URN"


_KEY_SPECS: dict[str, tuple[tuple[str, _Spec], ...]] = {
    "atsCandidates": (
        ("atsCandidateId", _ID),
        ("dataProvider", _ATS_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
    ),
    "atsApplications": (
        ("atsJobApplicationId", _ID),
        ("dataProvider", _ATS_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
    ),
    "atsEntityAcls": (
        ("atsEntityAclId", _ID),
        ("dataProvider", _ATS_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
        ("atsEntityType", _Str(fmt=_one_of("JOB_POSTING"))),
        ("atsEntityId", _ID),
    ),
    "atsEntityAclAssignees": (
        ("atsEntityAclId", _ID),
        ("dataProvider", _ATS_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
        ("assignee", _Str(min_len=1, fmt=_person_urn)),
        ("atsEntityType", _Str(fmt=_one_of("JOB_POSTING"))),
    ),
    "tcrmPipelines": (
        ("tcrmPipelineId", _ID),
        ("dataProvider", _TCRM_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
    ),
    "tcrmPipelineStages": (
        ("tcrmPipelineId", _ID),
        ("tcrmStageId", _ID),
        ("dataProvider", _TCRM_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
    ),
    "tcrmCandidatePipelines": (
        ("tcrmCandidateId", _ID),
        ("tcrmPipelineId", _ID),
        ("dataProvider", _TCRM_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
    ),
    "tcrmInteractions": (
        ("tcrmInteractionId", _ID),
        ("dataProvider", _TCRM_PROVIDER),
        ("integrationContext", _ORG_CONTEXT),
    ),
    "atsIntegrations": (
        # CSA_API takes a contract URN, every other type an organization URN: see validate_key
        ("integrationContext", _Str(min_len=1, fmt=_org_or_contract)),
        ("integrationType", _Str(fmt=_one_of(*INTEGRATION_TYPES))),
        ("tenantType", _Str(fmt=_one_of("RECRUITER"))),
        ("dataProvider", _ATS_PROVIDER),
    ),
    # Sub-resources have simple string keys, given to validate_key as {"id": value}.
    "atsCandidates/notes": (("id", _ID),),
    "atsApplications/notes": (("id", _ID),),
    "atsApplications/interviewFeedback": (("id", _ID),),
    "atsApplications/stages": (("id", _ID),),
    "atsIntegrations/configurations": (("id", _Str(fmt=_one_of(*CONFIGURATION_KEYS))),),
    "simpleJobPostings": (),  # batch_create: no key
    "attachments": (  # assumed (design16 §5)
        ("atsJobApplicationId", _ID),
        ("integrationContext", _ORG_CONTEXT),
        ("externalAttachmentId", _ID),
    ),
}

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    resource: () if "/" in resource else tuple(name for name, _ in specs)
    for resource, specs in _KEY_SPECS.items()
}

_KEY_CTX = _Ctx(type_status=400, value_status=400)
# A key is valid when it has exactly its fields, each valid: what a table of them all required
# passes (atsIntegrations' context depends on the integration type: _key_errors alone).
_KEY_SCHEMAS: dict[str, _Obj] = {
    resource: _Obj(tuple(_Field(name, spec, True) for name, spec in specs))
    for resource, specs in _KEY_SPECS.items() if resource != "atsIntegrations"
}


def _check_resource(resource: str) -> None:
    if resource not in RESOURCES:
        raise ValueError(f"unknown LinkedIn resource {resource!r}")


# --------------------------------------------------------------------------------------------
# Public validators


def validate_key(resource: str, key: Mapping[str, str]) -> list[FieldError]:
    """Check a compound key (or {"id": ...} for a sub-resource): exactly its fields, all valid."""
    schema = _KEY_SCHEMAS.get(resource)
    if schema is not None and schema.passes(key, _KEY_CTX):
        return []  # the sandbox checks every record's key, the sync every ACL's
    return _key_errors(resource, key)


def _key_errors(resource: str, key: Mapping[str, str]) -> list[FieldError]:
    _check_resource(resource)
    if not isinstance(key, Mapping):
        return [FieldError("", f"expected object but found {_json_type(key)}", 400)]
    specs = dict(_KEY_SPECS[resource])
    if resource == "atsIntegrations":
        integration_type = key.get("integrationType")
        if integration_type == "CSA_API":
            specs["integrationContext"] = _Str(min_len=1, fmt=_contract_urn)
        elif integration_type in INTEGRATION_TYPES:
            specs["integrationContext"] = _ORG_CONTEXT
    errors = []
    for name, spec in specs.items():
        if name in key:
            errors += spec.check(key[name], _child("", name), _KEY_CTX)
        else:
            errors.append(FieldError(_child("", name), "key field is required but not found", 400))
    for name in key:
        if name not in specs:
            errors.append(FieldError(_child("", name), UNKNOWN_KEY_FIELD, 400))
    return errors


_RECORD_CTX = _Ctx()


def _ctx_at(base: _Ctx, now_ms: int) -> _Ctx:
    """`base` at the clock reading `now_ms`: made once per reading, as sync checks thousands
    of records against one."""
    return _ctx_cached(base, now_ms) if type(now_ms) is int else replace(base, now_ms=now_ms)


@lru_cache(maxsize=16)
def _ctx_cached(base: _Ctx, now_ms: int) -> _Ctx:
    return replace(base, now_ms=now_ms)


def validate_record(
    resource: str, record: object, *, now_ms: int, operation: str | None = None
) -> list[FieldError]:
    """Check the complete record of a batch_update PUT (or a job posting element).

    For "simpleJobPostings", `operation` is the element's jobPostingOperationType; the record's
    own value is read too, and they must agree.
    """
    schema = _PLAIN_RECORDS.get(resource)
    if schema is not None and schema.passes(record, _ctx_at(_RECORD_CTX, now_ms)):
        return []  # the usual case, taken in as few calls as possible
    return _validate_record(resource, record, now_ms, operation, fast=True)


def _validate_record(resource: str, record: object, now_ms: int, operation: str | None,
                     fast: bool) -> list[FieldError]:
    """validate_record; fast=False checks by the interpretive path alone (for the tests and
    bench/validation_speed.py, which compare the two)."""
    _check_resource(resource)
    check = _Obj.errors if fast else _interpreted
    if resource != "simpleJobPostings":
        return check(_RECORDS[resource], record, _ctx_at(_RECORD_CTX, now_ms))
    if not isinstance(record, Mapping):
        # assumed: a job element that is not an object is a malformed body (400)
        return [FieldError("", f"expected object but found {_json_type(record)}", 400)]
    given = operation if isinstance(operation, str) and operation in JOB_OPERATIONS else None
    own = record.get("jobPostingOperationType")
    effective = own if isinstance(own, str) and own in JOB_OPERATIONS else given
    errors = check(_JOB_SCHEMAS[effective], record, _ctx_at(_JOB_CTX, now_ms))
    if given is not None and effective != given:
        reason = f"does not match the operation {given}"
        errors.append(FieldError("/jobPostingOperationType", reason, 422))
    return errors


def _interpreted(schema: _Obj, record: object, ctx: _Ctx) -> list[FieldError]:
    return schema.check(record, "", ctx)


def validate_patch_fields(
    resource: str, set_fields: Mapping[str, object], delete_fields: Sequence[str]
) -> list[FieldError]:
    """Check a batch_partial_update patch field by field; the caller then checks the merged
    record with validate_record."""
    _check_resource(resource)
    if resource not in PATCHABLE_RESOURCES:
        raise ValueError(f"{resource!r} takes no partial updates")
    schema, ctx = _RECORDS[resource], _Ctx()
    errors = []
    if not isinstance(set_fields, Mapping):
        errors.append(FieldError("", f"$set: expected object but found {_json_type(set_fields)}"))
        set_fields = {}
    if isinstance(delete_fields, str) or not isinstance(delete_fields, list | tuple):
        reason = f"$delete: expected array but found {_json_type(delete_fields)}"
        errors.append(FieldError("", reason))
        delete_fields = ()
    for name, value in set_fields.items():
        f = schema.field(name)
        if f is None:
            errors.append(FieldError(_child("", name), UNRECOGNIZED))
        else:
            errors += f.spec.check(value, _child("", name), ctx)
    for name in delete_fields:
        f = schema.field(name)
        if not isinstance(name, str):
            errors.append(FieldError("", f"$delete: expected string but found {_json_type(name)}"))
        elif f is None:
            errors.append(FieldError(_child("", name), UNRECOGNIZED))
        elif isinstance(f.spec, _Forbidden):
            errors.append(FieldError(_child("", name), f.spec.reason))
        elif f.required:
            errors.append(FieldError(_child("", name), NOT_DELETABLE))
        elif name in set_fields:
            # assumed: Rest.li's outcome for a field both set and deleted is undefined; refuse it
            errors.append(FieldError(_child("", name), "field is both in $set and in $delete"))
    return errors


_PROVISIONING_FIELDS = (
    _Field("uniqueForeignId", _ID, True),  # assumed: at most 200 chars
    _Field("name", _Str(min_len=1, max_len=50, fmt=_no_linkedin), True),
    _Field("description", _NON_EMPTY, True),
    _Field("oauth2AuthorizedCallbackUrls", _Array(_Str(fmt=_callback_url))),
    _Field("validJsSdkDomains", _Array(_Str(fmt=_origin))),
)
_PROVISIONING_CREATE = _Obj(_PROVISIONING_FIELDS)
# A `$set` may change everything but the foreign id, which is the lookup key.
_PROVISIONING_SET = _Obj(
    tuple(replace(f, required=False) for f in _PROVISIONING_FIELDS if f.name != "uniqueForeignId")
)
_PROVISIONING_CTX = _Ctx(type_status=400, value_status=400)


def validate_provisioning(body: object, *, partial: bool = False) -> list[FieldError]:
    """Check a provisionedApplications create body, or (partial=True) the `$set` of an update."""
    schema = _PROVISIONING_SET if partial else _PROVISIONING_CREATE
    return schema.errors(body, _PROVISIONING_CTX)
