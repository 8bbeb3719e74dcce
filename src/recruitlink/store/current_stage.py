"""An application's current stage and its stage history stay in step. LinkedIn knows an
application's stage only from its stage transitions (the newest is what Recruiter shows,
reference §3.7), so:

- when a transition is written, `applications.current_stage` is set to the newest one's stage
  (a transition entered before the newest one is history and changes nothing);
- when an ATS moves an application to another stage by its `current_stage` alone (a PATCH),
  recruitlink writes the transition itself (`recruitlink-stage-...`, entered when the
  application was modified), so Recruiter does not go on showing the old stage, or none. An
  application with no history yet gets its old stage too (entered when it was created), so
  LinkedIn's history reads old -> new as the ATS's did. A transition the ATS writes for the
  same stage later takes its place: the stand-in is deleted.

Only moves, never a creation: the seed and One-Click Export write an application, then its
transitions, and a stand-in there would be sent to LinkedIn and deleted again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, bindparam, delete, func, select, update

from .changelog import ChangeSet
from .schema import applications, stage_transitions

CHUNK = 500
DERIVED = "recruitlink-stage-"
"""The external id prefix of a transition recruitlink wrote for a move by current_stage."""

Written = list[tuple[Mapping[str, Any] | None, Mapping[str, Any]]]


def follow_newest_stage(conn: Connection, changes: ChangeSet, tenant_id: int,
                        written: Written, now_ms: int) -> None:
    """`written`: the stage transitions just written (their `application_id`, a row id)."""
    moves = {(int(v["application_id"]), v.get("stage")) for _, v in written
             if v.get("application_id") is not None}
    _drop_stand_ins(conn, changes, moves)
    ids = sorted({application_id for application_id, _ in moves})
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(select(applications.c.id, applications.c.external_id,
                                   applications.c.current_stage, applications.c.modified_at,
                                   _newest_stage().label("newest"))
                            .where(applications.c.tenant_id == tenant_id,
                                   applications.c.id.in_(ids[start:start + CHUNK]))).all()
        moved = [r for r in rows if r.newest is not None and r.newest != r.current_stage]
        if not moved:
            continue
        conn.execute(update(applications).where(applications.c.id == bindparam("_id"))
                     .values(current_stage=bindparam("_stage"), modified_at=bindparam("_at")),
                     [{"_id": r.id, "_stage": r.newest, "_at": max(now_ms, r.modified_at)}
                      for r in moved])
        for r in moved:
            changes.add("applications", r.id, r.external_id, "update")


def record_stage_move(conn: Connection, changes: ChangeSet, tenant_id: int,
                      written: Written, now_ms: int) -> None:
    """`written`: the applications just written. One moved to another stage by its
    current_stage alone, whose stage history ends elsewhere (or is empty), gets the
    transition; one with no history, its old stage's too."""
    moved = {int(before["id"]): (before, after) for before, after in written
             if before is not None and after.get("current_stage") is not None
             and after.get("current_stage") != before.get("current_stage")}
    if not moved:
        return
    ids = sorted(moved)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        held = conn.execute(select(applications.c.id, _newest_stage().label("newest"),
                                   _transitions_held().label("transitions"))
                            .where(applications.c.id.in_(part))).all()
        for row in held:
            before, after = moved[row.id]
            if row.newest == after["current_stage"]:
                continue  # the history already ends at this stage
            entered = int(after.get("modified_at") or now_ms)
            stages = [(after["current_stage"], entered)]
            if row.newest is None and before.get("current_stage") is not None:
                # No history: LinkedIn has shown no stage; it gets where the move began.
                began = min(int(before.get("created_at") or entered), entered)
                stages.insert(0, (before["current_stage"], began))
            for number, (stage, at) in enumerate(stages, start=row.transitions + 1):
                _write_stand_in(conn, changes, tenant_id, row.id,
                                f"{DERIVED}{before['external_id']}-{number}-{at}"[:200],
                                stage, at, now_ms)


def _write_stand_in(conn: Connection, changes: ChangeSet, tenant_id: int, application_id: int,
                    external_id: str, stage: str, entered: int, now_ms: int) -> None:
    inserted = conn.execute(stage_transitions.insert().values(
        tenant_id=tenant_id, external_id=external_id, application_id=application_id,
        stage=stage, entered_at=entered, created_at=entered,
        modified_at=max(entered, now_ms)))
    new_id = cast(Sequence[int], inserted.inserted_primary_key)[0]
    changes.add("stage_transitions", int(new_id), external_id, "create")


def _newest_stage() -> Any:
    """The stage of an application's newest transition (None: no history), correlated to
    `applications`: what LinkedIn shows as its current stage."""
    return (select(stage_transitions.c.stage)
            .where(stage_transitions.c.application_id == applications.c.id)
            .order_by(stage_transitions.c.entered_at.desc(), stage_transitions.c.id.desc())
            .limit(1).correlate(applications).scalar_subquery())


def _transitions_held() -> Any:
    """How many transitions an application has, correlated to `applications`."""
    return (select(func.count()).where(stage_transitions.c.application_id == applications.c.id)
            .correlate(applications).scalar_subquery())


def _drop_stand_ins(conn: Connection, changes: ChangeSet,
                    moves: Iterable[tuple[int, Any]]) -> None:
    """The ATS wrote transitions (application, stage): a stand-in recruitlink wrote for the
    same move is deleted (the ATS's own takes its place in the history)."""
    wanted = set(moves)
    ids = sorted({application_id for application_id, _ in wanted})
    for start in range(0, len(ids), CHUNK):
        stand_ins = [r for r in conn.execute(
            select(stage_transitions.c.id, stage_transitions.c.external_id,
                   stage_transitions.c.application_id, stage_transitions.c.stage)
            .where(stage_transitions.c.application_id.in_(ids[start:start + CHUNK]),
                   stage_transitions.c.external_id.startswith(DERIVED, autoescape=True)))
            if (r.application_id, r.stage) in wanted]
        if not stand_ins:
            continue
        conn.execute(delete(stage_transitions).where(
            stage_transitions.c.id.in_([r.id for r in stand_ins])))
        for r in stand_ins:
            changes.add("stage_transitions", r.id, r.external_id, "delete")
