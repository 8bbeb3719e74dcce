"""An application's current stage follows its stage history: LinkedIn shows the newest stage
transition as the application's current stage (the sandbox's indicator, reference §3.7), so
the ATS's `applications.current_stage` is set to it whenever a transition is written; both
sides then show the same stage. A transition entered before the newest one is history and
changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from .changelog import ChangeSet
from .schema import applications, stage_transitions

CHUNK = 500


def follow_newest_stage(conn: Connection, changes: ChangeSet, tenant_id: int,
                        written: Iterable[Mapping[str, Any]], now_ms: int) -> None:
    """`written`: the stage transitions just written (their `application_id`, a row id)."""
    ids = sorted({int(v["application_id"]) for v in written
                  if v.get("application_id") is not None})
    for start in range(0, len(ids), CHUNK):
        newest = (select(stage_transitions.c.stage)
                  .where(stage_transitions.c.application_id == applications.c.id)
                  .order_by(stage_transitions.c.entered_at.desc(),
                            stage_transitions.c.id.desc())
                  .limit(1).correlate(applications).scalar_subquery())
        rows = conn.execute(select(applications.c.id, applications.c.external_id,
                                   applications.c.current_stage, applications.c.modified_at,
                                   newest.label("newest"))
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
