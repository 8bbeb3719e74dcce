"""Live parity, the pure part: does what LinkedIn holds for a record match what the ledger
says it should hold?

For each record the parity check reads back, the ledger says one of three things:
- LinkedIn holds it exactly as last sent (`expected` is that payload): LinkedIn answering
  nothing is `missing`; a different copy is `stale`;
- LinkedIn holds it, but a change is on its way (`expected` is None): not drift, the sync
  will send it;
- LinkedIn should not hold it (deleted, excluded): LinkedIn answering a record is `extra`.

"Different" compares only the fields we send: LinkedIn adds fields of its own (its URNs,
timestamps) and may leave out empty ones, so a field LinkedIn adds is ignored, a field we
sent empty matches a field LinkedIn leaves out, and numbers compare by value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

DriftKind = Literal["missing", "stale", "extra"]
DRIFT_KINDS: tuple[DriftKind, ...] = ("missing", "stale", "extra")

Expect = Literal["held", "changing", "absent"]
"""What the ledger says LinkedIn holds: the last payload sent, a change in flight, nothing."""


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def differences(sent: Any, held: Any, path: str = "") -> list[str]:
    """The paths (`a.b[2].c`) where LinkedIn's copy `held` differs from what was `sent`,
    looking only at what was sent."""
    if isinstance(sent, Mapping):
        if not isinstance(held, Mapping):
            return [path or "record"]
        out: list[str] = []
        for name, value in sent.items():
            where = f"{path}.{name}" if path else str(name)
            if name not in held:
                if not _empty(value):
                    out.append(where)
                continue
            out.extend(differences(value, held[name], where))
        return out
    if isinstance(sent, list):
        if not isinstance(held, list) or len(held) != len(sent):
            return [path or "record"]
        return [p for i, (a, b) in enumerate(zip(sent, held, strict=True))
                for p in differences(a, b, f"{path}[{i}]")]
    if _empty(sent) and _empty(held):
        return []
    if isinstance(sent, bool) or isinstance(held, bool):
        return [] if sent is held else [path or "record"]
    if isinstance(sent, int | float) and isinstance(held, int | float):
        return [] if sent == held else [path or "record"]
    return [] if sent == held else [path or "record"]


@dataclass(frozen=True)
class Verdict:
    kind: DriftKind
    fields: tuple[str, ...] = ()
    """For `stale`: the fields whose value LinkedIn holds differs from what was sent."""


def judge(expect: Expect, sent: Mapping[str, Any] | None,
          held: Mapping[str, Any] | None) -> Verdict | None:
    """One record's drift (None: in parity, or a change is on its way)."""
    if expect == "absent":
        return Verdict("extra") if held is not None else None
    if expect == "changing":
        return None
    if held is None:
        return Verdict("missing")
    fields = differences(sent or {}, held)
    return Verdict("stale", tuple(fields)) if fields else None


def parity_percent(checked: int, drifted: int) -> float | None:
    """The share of checked records LinkedIn holds as it should, in percent (None: nothing
    checked yet)."""
    if checked <= 0:
        return None
    return round(100.0 * max(0, checked - drifted) / checked, 1)


def share_of(limit: int | None, share: float) -> int | None:
    """A budget's share for a background reader: at least 1 when there is a limit."""
    if limit is None:
        return None
    return max(1, int(limit * share))
