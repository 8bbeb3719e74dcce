"""A record's fields of plain text or booleans are taken without their check's call
(core/linkedin_schema.py `_Spec.quick`): sound only if every value the skip lets through
passes that check. Proven here for every field of every schema."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.core import linkedin_schema as ls


def all_specs() -> list[ls._Spec]:
    seen: dict[int, ls._Spec] = {}
    todo: list[ls._Spec] = [*ls._RECORDS.values(), *ls._JOB_SCHEMAS.values()]
    while todo:
        spec = todo.pop()
        if id(spec) in seen:
            continue
        seen[id(spec)] = spec
        if isinstance(spec, ls._Obj):
            todo.extend(f.spec for f in spec.fields)
        elif isinstance(spec, ls._Array):
            todo.append(spec.item)
    return list(seen.values())


SPECS = all_specs()
QUICK = [(spec, *spec.quick()) for spec in SPECS if spec.quick()[0] is not None]


def test_plain_text_and_booleans_are_quick_and_nothing_else() -> None:
    assert len(SPECS) > 30
    assert {kind for _spec, kind, _n in QUICK} == {str, bool}
    for spec, kind, shortest in QUICK:
        if kind is str:
            assert isinstance(spec, ls._Str)
            assert spec.max_len is None and spec.fmt is None and shortest == spec.min_len


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_what_the_skip_lets_through_passes_the_check(text: str, flag: bool) -> None:
    ctx = ls._Ctx(now_ms=1_800_000_000_000)
    for spec, kind, shortest in QUICK:
        value = text if kind is str else flag
        if kind is str and len(text) < shortest:
            continue  # the skip calls the check
        assert spec.check(value, "/f", ctx) == []


def test_an_empty_required_text_is_still_reported() -> None:
    errors = ls.validate_record("atsApplications", {
        "atsCreatedAt": 1, "atsLastModifiedAt": 2, "atsJobPostingId": "",
        "atsJobPostingName": "Role", "firstName": True}, now_ms=1_800_000_000_000)
    assert [(e.path, e.reason) for e in errors] == [
        ("/atsJobPostingId", "must not be empty"),
        ("/firstName", "expected string but found boolean")]
