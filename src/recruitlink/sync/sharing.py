"""A change to the policy's sharing rules (fields never shared, tags excluded, the consent
required) applies to what LinkedIn already holds: every candidate is looked at again by the
continuous sync. One that is no longer shared is deleted from LinkedIn with what hangs on it
(its exclusion, like confidentiality, passes to its applications, notes and files); one
shared again is sent again; a field newly denied is removed from LinkedIn's copy (the
candidate is sent again without it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from recruitlink.core.policy import Policy, candidate_exclusion, sharing_rules
from recruitlink.errors import ConfigurationError
from recruitlink.store import connections
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.db import Database
from recruitlink.store.records import candidates_for_sharing

CHUNK = 2000


@dataclass(frozen=True)
class PolicyChange:
    queued: int
    """Candidates put on the changelog for the sync to look at again."""
    now_excluded: int
    """Candidates the new rules stop sharing (deleted from LinkedIn by the sync)."""
    now_shared: int
    """Candidates the new rules share again."""


def requeue_candidates(conn: Connection, tenant_id: int, before: Policy, after: Policy,
                       at: int) -> PolicyChange:
    """On the changelog, in the caller's transaction: every candidate whose sharing the
    change alters (all of them when the denied fields changed), marked as entering or
    leaving exclusion so that its dependents follow."""
    fields_changed = before.never_shared != after.never_shared
    queued = excluded = shared = 0
    last = 0
    while True:
        rows = candidates_for_sharing(conn, tenant_id, last, CHUNK)
        if not rows:
            break
        changes = ChangeSet(tenant_id)
        for row in rows:
            record = row._mapping
            was = candidate_exclusion(record, before) is not None
            now = candidate_exclusion(record, after) is not None
            if was != now:
                excluded += now
                shared += was
                changes.add("candidates", row.id, row.external_id, "update",
                            "entered" if now else "left")
            elif fields_changed and not now:
                changes.add("candidates", row.id, row.external_id, "update")
        queued += changes.flush(conn, at)
        last = rows[-1].id
    return PolicyChange(queued, excluded, shared)


def save_policy(db: Database, tenant_id: int, policy: Policy, at: int) -> PolicyChange:
    """Keep the tenant's policy; when its sharing rules changed, queue the candidates they
    touch (one transaction: the policy and the queue agree)."""
    with db.write() as conn:
        state = connections.connection(conn, tenant_id)
        before = Policy.from_json(state.policy if state is not None else None)
        connections.set_policy(conn, tenant_id, policy)
        if state is None or sharing_rules(before) == sharing_rules(policy):
            return PolicyChange(0, 0, 0)
        return requeue_candidates(conn, tenant_id, before, policy, at)


def set_sharing(db: Database, tenant_id: int, *, never_shared: Sequence[str] | None = None,
                excluded_tags: Sequence[str] | None = None,
                required_consent: str | None = None, clear_consent: bool = False,
                at: int) -> tuple[Policy, PolicyChange]:
    """Change the sharing rules given (the others are kept), as the CLI and the API do.
    ConfigurationError naming the field for a bad value or a tenant never connected."""
    with db.read() as conn:
        state = connections.connection(conn, tenant_id)
    if state is None:
        raise ConfigurationError("tenant: not connected to LinkedIn yet")
    current = Policy.from_json(state.policy)
    changes: dict[str, object] = {}
    if never_shared is not None:
        changes["never_shared"] = tuple(dict.fromkeys(never_shared))
    if excluded_tags is not None:
        changes["excluded_tags"] = tuple(dict.fromkeys(t.strip() for t in excluded_tags
                                                       if t.strip()))
    if clear_consent:
        changes["required_consent"] = None
    elif required_consent is not None:
        changes["required_consent"] = required_consent
    try:
        policy = replace(current, **changes)  # type: ignore[arg-type]
    except ValueError as exc:  # the policy names the field: "excluded_tags: ..."
        raise ConfigurationError(str(exc)) from exc
    return policy, save_policy(db, tenant_id, policy, at)
