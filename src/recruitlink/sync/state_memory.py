"""An in-memory sync state, for unit tests: it answers the planner's questions
(`state.LedgerReads`) and keeps leases and cursors (`state.LeaseStore`) as the store does,
from plain dicts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from recruitlink.core.planner import Children, Ref

from .items import ACL_USER_BITS, JOB_ACLS
from .state_ledger import LedgerRow


@dataclass
class _Lease:
    owner: str
    expires_at: int


@dataclass
class MemoryState:
    """One tenant's ledger and records' parents, and every tenant's leases and cursors."""

    tenant_id: int = 1
    rows: dict[Ref, LedgerRow] = field(default_factory=dict)
    parents: dict[tuple[str, str], dict[int, int]] = field(default_factory=dict)
    """(child entity, parent entity) -> child id -> parent id."""
    leases: dict[int, _Lease] = field(default_factory=dict)
    cursors: dict[tuple[int, str], int] = field(default_factory=dict)
    lease_writes: int = 0
    """How many times a lease was taken or renewed (a write transaction in the store)."""

    # -- building it -------------------------------------------------------------------------

    def hold(self, row: LedgerRow) -> None:
        """The ledger says LinkedIn holds (or refused, ...) this record."""
        self.rows[(row.entity, row.entity_id)] = row

    def child(self, child: str, child_id: int, parent: str, parent_id: int) -> None:
        self.parents.setdefault((child, parent), {})[child_id] = parent_id

    # -- LedgerReads -------------------------------------------------------------------------

    def ledger(self, refs: Iterable[Ref]) -> dict[Ref, LedgerRow]:
        return {ref: self.rows[ref] for ref in refs if ref in self.rows}

    def acl_ledger(self, job_ids: Collection[int]) -> dict[Ref, LedgerRow]:
        jobs = set(job_ids)
        return {ref: row for ref, row in self.rows.items()
                if ref[0] == JOB_ACLS and ref[1] >> ACL_USER_BITS in jobs}

    def children(self, needs: Mapping[tuple[str, str], set[int]]) -> Children:
        out: dict[tuple[str, str], dict[int, list[int]]] = {}
        for pair, parent_ids in needs.items():
            found: dict[int, list[int]] = defaultdict(list)
            for child_id, parent_id in sorted(self.parents.get(pair, {}).items()):
                if parent_id in parent_ids:
                    found[parent_id].append(child_id)
            out[pair] = found
        return out

    # -- LeaseStore --------------------------------------------------------------------------

    def take_lease(self, tenant_id: int, owner: str, now: int, ttl_ms: int) -> bool:
        self.lease_writes += 1
        held = self.leases.get(tenant_id)
        if held is not None and held.owner != owner and held.expires_at >= now:
            return False
        self.leases[tenant_id] = _Lease(owner, now + ttl_ms)
        return True

    def lease_holder(self, tenant_id: int) -> str | None:
        held = self.leases.get(tenant_id)
        return held.owner if held is not None else None

    def release_lease(self, tenant_id: int, owner: str) -> None:
        held = self.leases.get(tenant_id)
        if held is not None and held.owner == owner:
            del self.leases[tenant_id]

    def release_leases(self, owner: str) -> None:
        for tenant_id in [t for t, held in self.leases.items() if held.owner == owner]:
            del self.leases[tenant_id]

    # -- cursors -----------------------------------------------------------------------------

    def cursor(self, tenant_id: int) -> int | None:
        return self.cursors.get((tenant_id, "changelog"))

    def move_cursor(self, tenant_id: int, position: int, now: int) -> None:
        """The changelog cursor moves forward only."""
        key = (tenant_id, "changelog")
        self.cursors[key] = max(position, self.cursors.get(key, 0))
