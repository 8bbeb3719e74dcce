"""What one One-Click Export changed on its candidate, field by field, as a recruiter reads it
(issue 15, point 8: "the candidate page shows what the last export changed"). Pure: made from
the candidate as it was and the export's decision; kept as JSON with the export's push
(`inbox_events.details["changes"]`) and shown on the candidate page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from recruitlink.core.export_rules import FIELD_LABELS, CandidateView, ExportDecision

LABELS = {**FIELD_LABELS, "person_urn": "LinkedIn member", "tags": "Tags",
          "emails": "Email addresses", "phones": "Phone numbers"}  # as the Details list names them
SHOWN_ORDER = ("first_name", "last_name", "headline", "current_title", "current_company",
               "location", "linkedin_url", "person_urn")


@dataclass(frozen=True)
class FieldChanged:
    label: str
    before: str | None = None
    """The value the candidate held (None: empty)."""
    after: str | None = None
    """The value it holds now; or, when `kept`, LinkedIn's value that was not applied."""
    added: tuple[str, ...] = ()
    """List fields: the items appended (the list keeps the ones it had)."""
    kept: bool = False
    """True: the ATS's value stays (names, profile URL); LinkedIn's is only noted."""

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "before": self.before, "after": self.after,
                "added": list(self.added), "kept": self.kept}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldChanged:
        def text(name: str) -> str | None:
            value = data.get(name)
            return None if value is None else str(value)
        added = data.get("added")
        return cls(label=str(data.get("label") or ""), before=text("before"),
                   after=text("after"), kept=bool(data.get("kept")),
                   added=tuple(str(a) for a in added) if isinstance(added, list) else ())


def summarize(view: CandidateView | None, decision: ExportDecision, *,
              application: str | None = None,
              pipeline: str | None = None) -> tuple[FieldChanged, ...]:
    """Each field `decision` changes on `view` (None: the export creates the candidate),
    then LinkedIn's values the ATS kept, then the list items appended; `application`: how the
    new hiring process reads (e.g. "Staff Engineer (job J1) at stage Applied"); `pipeline`: the
    CRM pipeline (project) it joined."""
    write = decision.write
    if write is None:
        return ()
    out: list[FieldChanged] = []
    for name in SHOWN_ORDER:
        if name in write.assign:
            before = getattr(view, name) if view is not None else None
            out.append(FieldChanged(LABELS[name], before or None, write.assign[name]))
    out += [FieldChanged(LABELS[c.field], c.before, c.after, kept=True)
            for c in decision.changes if not c.applied]
    for name, items in write.append.items():
        if items:
            out.append(FieldChanged(LABELS.get(name, name), added=tuple(items)))
    if application is not None:
        out.append(FieldChanged("Applications", added=(application,)))
    if pipeline is not None:
        out.append(FieldChanged("Pipelines", added=(pipeline,)))
    return tuple(out)


def from_json(data: Any) -> tuple[FieldChanged, ...] | None:
    """The changes kept with a push; None when it kept none (an export processed before
    they were kept)."""
    if not isinstance(data, Sequence) or isinstance(data, str):
        return None
    return tuple(FieldChanged.from_json(d) for d in data if isinstance(d, Mapping))
