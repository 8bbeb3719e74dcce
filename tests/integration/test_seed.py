"""`recruitlink seed`: synthetic ATS/CRM data, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from recruitlink.cli import app
from recruitlink.errors import SeedError
from recruitlink.store import ENTITIES, Store
from recruitlink.store.records import to_api
from recruitlink.store.schema import applications, candidates, changelog, stage_transitions
from recruitlink.store.seed import STAGES, SeedData, seed
from tests.conftest import make_tenant

NOW_MS = 1_750_000_000_000
THREE_YEARS_MS = 3 * 365 * 86_400_000
N = 200


@pytest.fixture
def store_factory(store: Store, request: pytest.FixtureRequest) -> Iterator[Any]:
    """More fresh stores of the same database kind as `store`."""
    template = request.getfixturevalue(
        "sqlite_template" if store.db.dialect == "sqlite" else "postgres_template")
    opened: list[Any] = []

    def fresh() -> Store:
        manager = template.store()
        opened.append(manager)
        return manager.__enter__()

    yield fresh
    for manager in reversed(opened):
        manager.__exit__(None, None, None)


def tenant_id(store: Store, slug: str = "demo") -> int:
    from recruitlink.store.tenants import tenant_by_slug

    with store.reader() as conn:
        tenant = tenant_by_slug(conn, slug)
    assert tenant is not None
    return tenant.id


def row_counts(store: Store, tid: int) -> dict[str, int]:
    with store.reader() as conn:
        return {name: conn.execute(select(func.count()).select_from(spec.table).where(
            spec.table.c.tenant_id == tid)).scalar_one() for name, spec in ENTITIES.items()}


def dump(store: Store, tid: int) -> dict[str, list[dict[str, Any]]]:
    """Every record as the API shows it (external ids for references, no internal ids)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with store.reader() as conn:
        for name, spec in ENTITIES.items():
            table = spec.table
            rows = [dict(r._mapping) for r in conn.execute(
                select(table).where(table.c.tenant_id == tid).order_by(table.c.external_id))]
            out[name] = to_api(conn, spec, rows)
    return out


def test_counts_are_in_the_expected_ranges(store):
    counts = seed(store, "demo", N, seed=1, now_ms=NOW_MS)
    stored = row_counts(store, tenant_id(store))
    # What seed reports is what is stored (plus the tenant's default integration user).
    assert {**counts, "users": counts["users"] + 1} == stored
    assert counts["candidates"] == N
    assert counts["users"] == 5 and counts["jobs"] == 10 and counts["projects"] == 5
    assert 8 <= counts["sources"] <= 13 and counts["source_contacts"] >= 5
    assert 15 <= counts["project_stages"] <= 30
    assert 1.4 * N <= counts["applications"] <= 2.2 * N  # ~2 per candidate
    assert counts["applications"] <= counts["stage_transitions"] <= 6 * counts["applications"]
    assert 0.5 * N <= counts["interview_feedback"] <= 2 * N
    assert 0.9 * N <= counts["notes"] <= 2 * N
    assert 0.3 * N <= counts["project_memberships"] <= 1.0 * N
    assert 1.2 * N <= counts["interactions"] <= 3 * N
    assert counts["duplicate_alerts"] <= 0.05 * N


def test_same_seed_same_data_and_another_seed_differs(store, store_factory):
    seed(store, "demo", N, seed=7, now_ms=NOW_MS)
    twin = store_factory()
    seed(twin, "demo", N, seed=7, now_ms=NOW_MS)
    other = store_factory()
    seed(other, "demo", N, seed=8, now_ms=NOW_MS)
    first, second = dump(store, tenant_id(store)), dump(twin, tenant_id(twin))
    for name in ENTITIES:
        assert first[name] == second[name], name
    third = dump(other, tenant_id(other))
    assert first["candidates"] != third["candidates"]
    assert first["applications"] != third["applications"]
    # Readable, sequential external ids.
    assert [c["id"] for c in first["candidates"][:3]] == ["C000001", "C000002", "C000003"]
    assert first["jobs"][0]["id"] == "J0001" and first["applications"][0]["id"] == "A0000001"


def test_stage_histories_are_in_time_order_and_match_the_application(store):
    seed(store, "demo", N, now_ms=NOW_MS)
    tid = tenant_id(store)
    with store.reader() as conn:
        apps = {r.id: r for r in conn.execute(select(applications).where(
            applications.c.tenant_id == tid))}
        history: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(select(stage_transitions).where(
                stage_transitions.c.tenant_id == tid)):
            history[row.application_id].append(row)
    assert apps and set(history) == set(apps)
    outcomes = Counter()
    for app_id, app_row in apps.items():
        steps = sorted(history[app_id], key=lambda r: int(r.external_id.rsplit("-S", 1)[1]))
        assert 1 <= len(steps) <= 6
        times = [s.entered_at for s in steps]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert [s.stage for s in steps] == list(STAGES[:len(steps)])
        assert app_row.current_stage == steps[-1].stage
        assert app_row.created_at == times[0] and app_row.modified_at >= times[-1]
        outcomes[app_row.outcome] += 1
        if app_row.outcome == "hired":
            assert app_row.current_stage == "Hired"
        else:
            assert app_row.current_stage != "Hired"
        assert (app_row.disposition_reason is not None) == (
            app_row.outcome in ("rejected", "withdrawn"))
    assert set(outcomes) == {"active", "hired", "rejected", "withdrawn"}


def test_times_lie_in_three_years_and_children_follow_parents(store):
    seed(store, "demo", N, now_ms=NOW_MS)
    tid = tenant_id(store)
    with store.reader() as conn:
        for name, spec in ENTITIES.items():
            table = spec.table
            bad = conn.execute(select(func.count()).select_from(table).where(
                table.c.tenant_id == tid, table.c.modified_at < table.c.created_at)
            ).scalar_one()
            assert bad == 0, f"{name}: modified_at before created_at"
            low, high = conn.execute(select(func.min(table.c.created_at),
                                            func.max(table.c.modified_at))
                                     .where(table.c.tenant_id == tid)).one()
            assert low >= NOW_MS - THREE_YEARS_MS and high <= NOW_MS, name
            for column in spec.times:
                low, high = conn.execute(select(func.min(table.c[column]),
                                                func.max(table.c[column]))
                                         .where(table.c.tenant_id == tid)).one()
                assert low is None or NOW_MS - THREE_YEARS_MS <= low <= high <= NOW_MS
            for ref in spec.refs:
                if ref.many:
                    continue
                parent = ENTITIES[ref.target].table
                late = conn.execute(select(func.count()).select_from(
                    table.join(parent, table.c[ref.field] == parent.c.id)).where(
                    table.c.tenant_id == tid, table.c.created_at < parent.c.created_at)
                ).scalar_one()
                assert late == 0, f"{name}.{ref.field}: created before its {ref.target}"
        # Stages are entered after the application is created; jobs close after publishing.
        jobs = ENTITIES["jobs"].table
        assert conn.execute(select(func.count()).select_from(jobs).where(
            jobs.c.tenant_id == tid, jobs.c.closed_at < jobs.c.published_at)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(jobs).where(
            jobs.c.tenant_id == tid, (jobs.c.status == "closed") != jobs.c.closed_at.isnot(None))
        ).scalar_one() == 0


def test_every_record_has_exactly_one_create_in_the_changelog(store):
    seed(store, "demo", N, now_ms=NOW_MS)
    tid = tenant_id(store)
    with store.reader() as conn:
        logged = conn.execute(select(changelog.c.entity, changelog.c.entity_id, changelog.c.op,
                                     changelog.c.confidentiality)
                              .where(changelog.c.tenant_id == tid)).all()
        ids = {name: {r.id for r in conn.execute(select(spec.table.c.id).where(
            spec.table.c.tenant_id == tid))} for name, spec in ENTITIES.items()}
        confidential = conn.execute(select(func.count()).select_from(candidates).where(
            candidates.c.tenant_id == tid, candidates.c.confidential.is_(True))).scalar_one()
    assert {op for _, _, op, _ in logged} == {"create"}
    per_record = Counter((entity, entity_id) for entity, entity_id, _, _ in logged)
    assert max(per_record.values()) == 1
    for name in ENTITIES:
        assert {i for e, i in per_record if e == name} == ids[name], name
    entered = Counter(entity for entity, _, _, conf in logged if conf == "entered")
    assert entered["candidates"] == confidential
    assert entered["projects"] >= 1  # a project not shared with all recruiters


def test_seeding_a_tenant_twice_is_refused(store):
    seed(store, "demo", 50, now_ms=NOW_MS)
    tid = tenant_id(store)
    before = row_counts(store, tid)
    with pytest.raises(SeedError, match="already holds records"):
        seed(store, "demo", 50, now_ms=NOW_MS)
    with pytest.raises(SeedError, match="already holds records"):
        seed(store, "demo", 50, seed=2, now_ms=NOW_MS)
    assert row_counts(store, tid) == before


def test_an_existing_empty_tenant_is_seeded_with_its_own_kind(store):
    make_tenant(store, "ats-only", kind="ATS")
    make_tenant(store, "crm-only", kind="CRM")
    ats = seed(store, "ats-only", 50, kind="BOTH", now_ms=NOW_MS)
    crm = seed(store, "crm-only", 50, kind="BOTH", now_ms=NOW_MS)
    assert ats["applications"] > 0 and ats["projects"] == ats["project_memberships"] == 0
    assert crm["projects"] > 0 and crm["project_memberships"] > 0
    assert crm["applications"] == crm["stage_transitions"] == crm["interview_feedback"] == 0
    assert ats["interactions"] > 0 and crm["interactions"] > 0
    with pytest.raises(SeedError, match="kind"):
        seed(store, "other", 10, kind="HR", now_ms=NOW_MS)


def test_generated_records_pass_model_validation():
    data = SeedData("demo", 300, seed=3, now_ms=NOW_MS, chunk_size=100)
    batches = [data.setup(), *data.chunks()]
    checked = 0
    for batch in batches:
        for name, items in batch:
            model = ENTITIES[name].model
            for item in items:
                assert type(item) is model
                given = item.model_dump(exclude_unset=True)
                validated = model.model_validate(given)
                assert validated.model_dump(exclude_unset=True) == given, (name, item.id)
                checked += 1
    assert checked > 3000


EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _email_key(email: str) -> str:
    local, _, domain = email.strip().lower().partition("@")
    return local.split("+", 1)[0].replace(".", "") + "@" + domain


def _phone_key(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def test_the_mess_of_a_real_ats_is_there(sqlite_template):
    """Confidential records, invalid emails and phones (the sync errors the seeds name) and
    duplicate-looking candidates, at N=1000 (SQLite only: it is about the data)."""
    with sqlite_template.store() as store:
        seed(store, "demo", 1000, seed=1, now_ms=NOW_MS)
        records = dump(store, tenant_id(store))
    people = records["candidates"]
    share = lambda hits: sum(1 for p in people if hits(p)) / len(people)  # noqa: E731
    assert 0.005 <= share(lambda p: p["confidential"]) <= 0.05
    assert 0 < share(lambda p: p["do_not_contact"]) <= 0.03
    assert 0.005 <= share(lambda p: any(not EMAIL.match(e.strip()) for e in p["emails"])) <= 0.05
    assert 0.005 <= share(lambda p: any(len(_phone_key(ph["number"])) < 7
                                        for ph in p["phones"])) <= 0.05
    assert share(lambda p: p["linkedin_url"]) > 0.3
    assert share(lambda p: any(ph.get("extension") for ph in p["phones"])) > 0
    assert share(lambda p: p["prefix"] or p["suffix"]) > 0
    assert any("Imported: LinkedIn Recruiter" in p["tags"] for p in people)

    by_name: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for p in people:
        by_name[(p["first_name"], p["last_name"])].append(p)
    lookalikes = 0
    for group in by_name.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                same_email = ({_email_key(e) for e in a["emails"]}
                              & {_email_key(e) for e in b["emails"]})
                same_phone = ({_phone_key(x["number"]) for x in a["phones"]}
                              & {_phone_key(x["number"]) for x in b["phones"]})
                if same_email or same_phone:
                    lookalikes += 1
    assert 3 <= lookalikes <= 40
    alerts = records["duplicate_alerts"]
    assert alerts and all(a["candidate_id"] != a["other_candidate_id"] for a in alerts)

    assert any(j["confidential"] for j in records["jobs"])
    assert {j["status"] for j in records["jobs"]} == {"open", "closed"}
    assert {j["availability"] for j in records["jobs"]} == {"public", "private", None}
    assert any(not p["shared_with_all"] for p in records["projects"])
    assert {n["visibility"] for n in records["notes"]} == {"public", "private"}
    assert {i["type"] for i in records["interactions"]} >= {"email", "web_session", "inmail"}
    assert {i["direction"] for i in records["interactions"]} == {"inbound", "outbound", None}
    assert {u["role"] for u in records["users"]} >= {"recruiter", "company_admin"}


def test_the_command_seeds_and_refuses_a_second_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    args = ["seed", "--tenant", "demo", "--candidates", "40", "--seed", "2", "--kind", "ats",
            "--database-url", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "candidates" in first.output and "40" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "already holds records" in again.output
