"""The compiled fast path of linkedin_schema (`_Obj.passes`, generated per schema) agrees with
the interpretive check on every schema: the same errors, in the same order and words, for
valid and invalid records alike; and the fast path, not the interpreter, takes a valid one."""

from __future__ import annotations

import copy
from functools import cache
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recruitlink.core import files
from recruitlink.core import linkedin_schema as ls
from tests.unit.test_linkedin_schema import EXAMPLES, KEYS, json_values
from tests.unit.test_linkedin_schema_url import built, long_hosts, matching

NOW = 1_800_000_000_000
T0 = 1_700_000_000_000

# Every schema a record is checked against: one per resource, one per job operation (and
# none), and the provisioning bodies.
SCHEMAS: dict[str, ls._Obj] = {
    **{name: schema for name, schema in ls._RECORDS.items() if name != "simpleJobPostings"},
    **{f"simpleJobPostings/{op}": schema for op, schema in ls._JOB_SCHEMAS.items()},
    "provisioning": ls._PROVISIONING_CREATE,
    "provisioning/$set": ls._PROVISIONING_SET,
}
CONTEXTS = [ls._Ctx(now_ms=NOW), ls._Ctx(now_ms=T0), ls._Ctx(), ls._Ctx(400, 400, 400)]

# Text that passes (or just fails) the formats: every enum value, then URNs, URLs, emails,
# locations, HTML, and lengths at every limit.
ENUMS = sorted({*ls.INTEGRATION_TYPES, *ls.JOB_OPERATIONS, *ls.JOB_AVAILABILITIES,
                *ls.CONFIGURATION_KEYS, *ls.STAGE_CATEGORIES, *ls.SOURCE_CATEGORIES,
                *ls.INTERACTION_TYPES, *ls.WORKPLACE_TYPES, *ls.EMPLOYMENT_STATUSES,
                *ls.EXPERIENCE_LEVELS, *files.CRM_RESUME_TYPES, *files.FILE_TYPES,
                "INBOUND", "OUTBOUND", "PHONE_SCREEN", "ONSITE", "BASIC", "PREMIUM", "remote"})
FORMATTED = [
    "urn:li:organization:1", "urn:li:person:ab_C-1", "urn:li:industry:4", "urn:li:media:9",
    "urn:li:contract:2", "urn:li:person:", "urn:li:media:x",
    "http://127.0.0.1:8000/candidates/C1", "https://ats.example.com/j?x=1#f", "https://a.b",
    "http://a.b:99999/", "ftp://x.y", "https://-a.b/", "http://x y", "https://[::1]/",
    "http://user@host.example/", "https://ats.example.com/jobs/\u00e9",
    "p1@example.com", "a@b.co", "a@b", "a b@c.d", "@x.y", "x@@y.z", "x@.y",
    "Paris, FR", "FR", "Paris, Ile-de-France, FR", ",", "a,b,c,d", "Paris,",
    "Not Available", " not available ", "LinkedIn Jobs", "My app",
    "<p>" + "d" * 100 + "</p>", "<script>" + "d" * 100, "<b>" + "d" * 99, "d" * 99,
]
LENGTHS = (0, 1, 49, 50, 51, 99, 100, 199, 200, 201, 3999, 4000, 4001, 25_000, 25_001)
texts = (st.sampled_from(ENUMS + FORMATTED) | st.text(max_size=12)
         | st.builds(lambda c, n: c * n, st.sampled_from("d<"), st.sampled_from(LENGTHS)))
longs = st.sampled_from([0, -1, 1, 2**63 - 1, 2**63, NOW + 1, True, 1.0, "1"])
junk = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4)
        | st.just([]) | st.just({}) | st.just(()) | st.just(MappingProxyType({})))


def plain_json(value: object) -> bool:
    """No tuples or Mappings other than dicts: values the fast path decides alone."""
    if isinstance(value, dict):
        return all(plain_json(v) for v in value.values())
    if isinstance(value, list):
        return all(plain_json(v) for v in value)
    return value is None or isinstance(value, str | int | float)


# Where a rule relates fields, the values that keep it: later times after earlier ones, an
# email list (needed without manualMatchedMember), a location of more than a country.
RULED: dict[str, st.SearchStrategy[Any]] = {
    **dict.fromkeys(["atsCreatedAt", "tcrmCreatedAt", "listedAt"], st.integers(T0, T0 + 10**9)),
    **dict.fromkeys(["atsLastModifiedAt", "tcrmLastModifiedAt", "expireAt"],
                    st.integers(T0 + 10**9 + 1, NOW)),
    "location": st.sampled_from(["Paris, FR", "Paris, Ile-de-France, FR", "75001, FR"]),
}


@cache
def good(spec: ls._Spec) -> st.SearchStrategy[Any]:
    """Values that pass `spec`, rules included (mostly)."""
    if isinstance(spec, ls._Obj):
        allowed = {f.name: RULED.get(f.name, good(f.spec)) for f in spec.fields
                   if not isinstance(f.spec, ls._Forbidden)}
        required = {f.name for f in spec.fields if f.required or f.name == "emailAddresses"}
        return st.fixed_dictionaries({n: s for n, s in allowed.items() if n in required},
                                     optional={n: s for n, s in allowed.items()
                                               if n not in required})
    if isinstance(spec, ls._Array):
        return st.lists(good(spec.item), min_size=spec.min_items,
                        max_size=min(spec.max_items or 3, 3))
    if isinstance(spec, ls._Str):
        return valid_texts(spec)
    if isinstance(spec, ls._Long):
        return st.integers(T0, NOW)
    if isinstance(spec, ls._Bool):
        return st.booleans()
    if isinstance(spec, ls._AnyObj):
        return st.dictionaries(st.text(max_size=4), st.integers(), max_size=2)
    return junk


def valid_texts(spec: ls._Str) -> st.SearchStrategy[str]:
    """Text that passes `spec`: samples picked by its own format (the oracle stays `check`)."""
    if spec.fmt is None:
        return st.text(min_size=spec.min_len, max_size=min(spec.max_len or 10**9,
                                                           spec.min_len + 20))
    fmt, longest = spec.fmt, spec.max_len or 10**9
    fine = [t for t in [*ENUMS, *FORMATTED]
            if spec.min_len <= len(t) <= longest and fmt(t) is None]
    return st.sampled_from(fine) if fine else texts


@cache
def bad(spec: ls._Spec) -> st.SearchStrategy[Any]:
    """Values that may fail `spec`: wrong types, lengths at the limits, bad formats, ..."""
    if isinstance(spec, ls._Obj):
        return records(spec)
    if isinstance(spec, ls._Array):
        items = st.lists(good(spec.item) | bad(spec.item), max_size=4)
        return items | items.map(tuple) | junk
    return {ls._Str: texts, ls._Long: longs}.get(type(spec), junk)


@cache
def records(schema: ls._Obj) -> st.SearchStrategy[Any]:
    """Records of `schema`: valid ones (but for its rules), ones with a few fields changed,
    removed or added, and sometimes no dict at all."""
    return st.one_of(good(schema), changed(schema), good(schema).map(MappingProxyType), junk)


@st.composite
def changed(draw: st.DrawFn, schema: ls._Obj) -> dict[str, Any]:
    record = dict(draw(good(schema)))
    specs = {f.name: f.spec for f in schema.fields}
    for _ in range(draw(st.integers(1, 3))):
        unknown = st.sampled_from(["bogus", "a/b~c", ""]) | st.text(max_size=4)
        name = draw(st.sampled_from(sorted(specs)) | unknown if specs else unknown)
        if name in record and draw(st.booleans()):
            del record[name]
        else:
            record[name] = draw(bad(specs[name]) if name in specs else json_values)
    return record


def both_paths_agree(schema: ls._Obj, record: object, ctx: ls._Ctx) -> None:
    interpreted = schema.check(record, "", ctx)
    assert schema.errors(record, ctx) == interpreted
    if schema.passes(record, ctx):
        assert interpreted == []
    elif plain_json(record):  # the fast path says no only when there is something to say
        assert interpreted != []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ctx=st.sampled_from(CONTEXTS))
def test_the_fast_path_agrees_with_the_interpreter(name: str, data: st.DataObject,
                                                  ctx: ls._Ctx) -> None:
    both_paths_agree(SCHEMAS[name], data.draw(records(SCHEMAS[name])), ctx)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_valid_records_take_the_fast_path(name: str) -> None:
    schema, ctx, fields_seen = SCHEMAS[name], CONTEXTS[0], []

    @settings(max_examples=40, database=None, deadline=None)
    @given(good(schema))
    def check(record: dict[str, Any]) -> None:
        if schema.check(record, "", ctx) == []:
            assert schema.passes(record, ctx)
            fields_seen.append(len(record))

    check()
    assert fields_seen, "the generator made no valid record"


# Every single change to a valid record, for every schema: each field removed, or set to each
# value near its limits; an unknown field added. Where hypothesis samples, this is exhaustive.


def valid(spec: ls._Spec, name: str = "", full: bool = True) -> Any:
    """One valid value of `spec` (all its optional fields too when `full`)."""
    if isinstance(spec, ls._Obj):
        return {f.name: valid(f.spec, f.name, full) for f in spec.fields
                if (full or f.required or f.name == "emailAddresses")
                and not isinstance(f.spec, ls._Forbidden)}
    if isinstance(spec, ls._Array):
        return [valid(spec.item)] * max(spec.min_items, 1)
    if isinstance(spec, ls._Long):
        return T0 + 10**9 + 1 if name.endswith(("LastModifiedAt", "expireAt")) else T0
    if isinstance(spec, ls._Str):
        if name == "location":
            return "Paris, FR"
        fmt = spec.fmt
        return next((t for t in [*ENUMS, *FORMATTED] if len(t) >= spec.min_len and (
            fmt is None or fmt(t) is None)), "d" * spec.min_len)
    return True if isinstance(spec, ls._Bool) else {}


def near(spec: ls._Spec, depth: int = 0) -> list[Any]:
    """Values of `spec`'s type and others, at and past each of its limits."""
    others: list[Any] = [None, True, 1, 1.5, "x", [], {}]
    if isinstance(spec, ls._Str):
        sizes = {spec.min_len - 1, spec.min_len, spec.min_len + 1}
        if spec.max_len is not None:
            sizes |= {spec.max_len, spec.max_len + 1}
        samples = [*ENUMS, *FORMATTED] if spec.fmt else FORMATTED[-4:]
        return others + samples + ["d" * n for n in sorted(sizes) if n >= 0]
    if isinstance(spec, ls._Long):
        return [*others, 0, -1, 2, 2**63 - 1, 2**63, T0 - 1, T0, NOW, NOW + 1, False]
    if isinstance(spec, ls._Array):
        item = valid(spec.item)
        counts = {0, 1, spec.min_items - 1, spec.min_items, (spec.max_items or 3) + 1}
        return [*others, (item,), *[[item] * n for n in sorted(counts) if n >= 0],
                *[[bad] for bad in near(spec.item, depth + 1)]]
    if isinstance(spec, ls._Obj) and depth < 2:
        return others + [change for record in (valid(spec), valid(spec, full=False))
                         for change in changes(spec, record, depth + 1)]
    return others


def changes(schema: ls._Obj, record: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    out = [{**record, "bogus": 1}, {**record, "a/b~c": None}]
    for f in schema.fields:
        if f.name in record:
            out.append({n: v for n, v in record.items() if n != f.name})
        out.extend({**record, f.name: value} for value in near(f.spec, depth))
    return out


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_single_change_is_answered_as_the_interpreter_does(name: str) -> None:
    schema = SCHEMAS[name]
    records = [valid(schema), valid(schema, full=False)]
    for record in records:
        assert schema.check(record, "", CONTEXTS[0]) == []
        assert schema.passes(record, CONTEXTS[0])
    for record in records:
        for change in changes(schema, record):
            for ctx in CONTEXTS[:2]:  # now_ms after and before the records' times
                both_paths_agree(schema, change, ctx)


resources = st.sampled_from(sorted(ls.RESOURCES))
operations = st.none() | st.sampled_from(ls.JOB_OPERATIONS) | st.text(max_size=8)


@st.composite
def resource_records(draw: st.DrawFn) -> tuple[str, object, str | None]:
    resource = draw(resources)
    if resource == "simpleJobPostings":
        schema = ls._JOB_SCHEMAS[draw(st.sampled_from([*ls.JOB_OPERATIONS, None]))]
    else:
        schema = ls._RECORDS[resource]
    return resource, draw(records(schema)), draw(operations)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resource_records(), st.sampled_from([NOW, T0, 1]))
@example(("atsCandidates", copy.deepcopy(EXAMPLES["atsCandidates"]), None), NOW)
@example(("simpleJobPostings", copy.deepcopy(EXAMPLES["simpleJobPostings"]), "UPDATE"), NOW)
def test_validate_record_answers_as_the_interpreter(drawn: tuple[str, object, str | None],
                                                    now_ms: int) -> None:
    resource, record, operation = drawn
    assert ls.validate_record(resource, record, now_ms=now_ms, operation=operation) == (
        ls._validate_record(resource, record, now_ms, operation, fast=False))


def old_plain_url(text: str) -> bool:
    """The plain-URL test as it was, by one regex over the whole URL."""
    plain = ls._PLAIN_URL.fullmatch(text)
    return plain is not None and len(plain["host"]) <= 253 and (
        plain["port"] is None or int(plain["port"]) <= 65535)


@settings(max_examples=500, deadline=None)
@given(st.one_of(matching, built, long_hosts, st.text(max_size=40)))
@example("http://a.b/x://y")
@example("http://a.b?x/y#z")
@example("http://a.b:65535#")
@example("http://a.b:65536")
@example("http://a.b/\x7f")
@example("http://" + "a." * 126 + "bc/")
@example("http://" + "a." * 127 + "bc/")
def test_the_plain_url_by_origin_answers_as_the_whole_url_regex(url: str) -> None:
    assert ls._plain_url(url) == old_plain_url(url)


@st.composite
def keys(draw: st.DrawFn) -> tuple[str, object]:
    """A resource's valid key, or one with a field removed, changed or added."""
    resource = draw(resources)
    key: dict[str, Any] = dict(KEYS[resource])
    if draw(st.booleans()):
        name = draw(st.sampled_from([*sorted(key), "bogus"]) if key else st.just("id"))
        if name in key and draw(st.booleans()):
            del key[name]
        else:
            key[name] = draw(texts | junk)
    return resource, draw(st.sampled_from([key, MappingProxyType(key)]) | junk)


@settings(max_examples=300, deadline=None)
@given(keys())
def test_validate_key_answers_as_the_interpreter(drawn: tuple[str, Any]) -> None:
    resource, key = drawn
    assert ls.validate_key(resource, key) == ls._key_errors(resource, key)


@pytest.mark.parametrize("resource", sorted(set(ls._KEY_SCHEMAS)))
def test_a_valid_key_takes_the_fast_path(resource: str) -> None:
    assert ls._key_errors(resource, KEYS[resource]) == []
    assert ls._KEY_SCHEMAS[resource].passes(dict(KEYS[resource]), ls._KEY_CTX)
