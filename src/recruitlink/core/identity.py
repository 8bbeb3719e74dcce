"""Explainable identity (issue 19, part 3): why a candidate is linked to a LinkedIn member, and
what merging two candidates does. Pure: callers read the records, call these, and write.

A link's reason is `link_evidence` when the writer knew it ("same email a@b.com"), else what
its `match_method` says in words. A merge moves the merged candidate's children to the kept
one, fills the kept one's empty fields and grows its lists; `MergePlan.before` holds what
those fields were, so an unmerge restores them exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from recruitlink.core.matching import email_key, phone_key

__all__ = ["LINK_ORIGINS", "METHOD_REASONS", "ONE_CLICK_EXPORT", "MergePlan", "describe_link",
           "export_evidence", "link_reason", "merge_conflicts", "moved_summary", "plan_merge",
           "plan_unmerge", "stub_evidence"]

ONE_CLICK_EXPORT = "One-Click Export"
"""The one name of a link made by exporting the member from LinkedIn Recruiter (the seeds'),
wherever a link's origin is shown: the candidate page, the reasons, the sandbox's profile
widget."""

LINK_ORIGINS: dict[str, str] = {
    "one_click_export": ONE_CLICK_EXPORT,
    "profile_widget": "linked in the LinkedIn profile widget",
    "stub_profile": "from a LinkedIn InMail reply",
    "manual": "linked by hand",
    "matched": "matched by LinkedIn",
    "email": "guessed from the email",
    "linkedin_url": "guessed from the LinkedIn URL",
}
"""How a candidate's link was made, by match method, in a word (the candidate page's)."""

METHOD_REASONS: dict[str, str] = {
    "email": "same email address",
    "linkedin_url": "same LinkedIn profile URL",
    "one_click_export": f"{ONE_CLICK_EXPORT} from LinkedIn Recruiter",
    "profile_widget": "linked by a recruiter in the LinkedIn profile widget",
    "stub_profile": "the member shared their contact info (InMail stub profile)",
    "manual": "linked manually",
    "matched": "matched by LinkedIn (matchedMembers)",
}
"""A link's reason when no evidence was recorded, by match method."""


def link_reason(match_method: str | None, evidence: str | None) -> str:
    if evidence:
        return evidence
    return METHOD_REASONS.get(match_method or "", "set by the ATS")


def describe_link(person_urn: str | None, match_method: str | None, linked_at: str | None,
                  evidence: str | None) -> str | None:
    """The candidate page's line: "Linked to LinkedIn member X since <when>, because: <why>".
    `linked_at`: already formatted (None: from before links were dated)."""
    if person_urn is None:
        return None
    since = f" since {linked_at}" if linked_at else ""
    return (f"Linked to LinkedIn member {person_urn}{since}, because: "
            f"{link_reason(match_method, evidence)}")


def _name(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first, last) if p)


def stub_evidence(matched_by: str | None, *, person: str, email: str | None,
                  first: str, last: str, phone: str | None,
                  candidate_phones: Iterable[str] = ()) -> str:
    """Why an InMail stub profile links its candidate: the signal that matched it."""
    head = "InMail contact share"
    if matched_by == "person":
        return f"{head}: same LinkedIn member {person}"
    if matched_by == "email":
        return f"{head}: same email {email}"
    if matched_by == "name":
        key = phone_key(phone)
        if key and key in {phone_key(p) for p in candidate_phones}:
            return f"{head}: same name {_name(first, last)} and phone {phone}"
        return f"{head}: same name {_name(first, last)} (the only candidate with it)"
    return f"{head}: created from the member's stub profile"


def export_evidence(matched_by: str | None, *, person: str, profile_url: str | None) -> str:
    """Why a One-Click Export links its candidate."""
    head = ONE_CLICK_EXPORT
    if matched_by == "person":
        return f"{head}: same LinkedIn member {person}"
    if matched_by == "url":
        return f"{head}: same LinkedIn URL {profile_url}"
    return f"{head}: created from the exported profile"


# -- merging ---------------------------------------------------------------------------------

LISTS = ("emails", "phones", "addresses", "tags")
FILLED = ("first_name", "last_name", "headline", "current_title", "current_company",
          "location", "linkedin_url")
LINK = ("person_urn", "match_method", "linked_at", "link_evidence")


@dataclass(frozen=True)
class MergePlan:
    assign: dict[str, Any]
    """The kept candidate's fields to write (API shape)."""
    before: dict[str, Any] = field(default_factory=dict)
    """Those fields' values before the merge (an unmerge writes them back)."""


def _list_key(name: str, value: Any) -> Any:
    if name == "emails":
        return email_key(value) or value
    if name == "phones":
        number = value.get("number") if isinstance(value, Mapping) else value
        return phone_key(number) or number
    if name == "tags":
        return str(value).casefold()
    return repr(sorted(value.items())) if isinstance(value, Mapping) else value


def plan_merge(kept: Mapping[str, Any], merged: Mapping[str, Any], *,
               merged_id: str) -> MergePlan:
    """What merging `merged` into `kept` writes on `kept` (both as the data API shows them):
    list fields grow with the merged one's new values, empty fields are filled, and the
    merged one's LinkedIn member is taken when the kept one has none."""
    assign: dict[str, Any] = {}
    for name in LISTS:
        mine = list(kept.get(name) or [])
        seen = {_list_key(name, v) for v in mine}
        extra = [v for v in merged.get(name) or [] if _list_key(name, v) not in seen]
        if extra:
            assign[name] = mine + extra
    for name in FILLED:
        if not kept.get(name) and merged.get(name):
            assign[name] = merged[name]
    if not kept.get("person_urn") and merged.get("person_urn"):
        why = link_reason(merged.get("match_method"), merged.get("link_evidence"))
        assign.update(person_urn=merged["person_urn"], match_method="manual",
                      linked_at=merged.get("linked_at"),
                      link_evidence=f"merged from candidate {merged_id}: {why}"[:400])
    before = {name: kept.get(name) for name in assign}
    if "person_urn" in assign:
        before.update({name: kept.get(name) for name in LINK})
    return MergePlan(assign, before)


def plan_unmerge(current: Mapping[str, Any], wrote: Mapping[str, Any],
                 before: Mapping[str, Any]) -> dict[str, Any]:
    """What an unmerge writes back on the kept candidate: the list values the merge added are
    taken out (values added since stay); a field the merge filled is emptied again, unless it
    changed since."""
    out: dict[str, Any] = {}
    for name, value in wrote.items():
        if name in LISTS:
            added = {_list_key(name, v) for v in value} - {
                _list_key(name, v) for v in before.get(name) or []}
            now = list(current.get(name) or [])
            kept = [v for v in now if _list_key(name, v) not in added]
            if kept != now:
                out[name] = kept
        elif name in FILLED and current.get(name) == value:
            out[name] = before.get(name)
    if "person_urn" in wrote and current.get("person_urn") == wrote["person_urn"]:
        out.update({name: before.get(name) for name in LINK})
    return out


def merge_conflicts(kept_id: str, merged_id: str, kept_jobs: Iterable[str],
                    merged_jobs: Iterable[str], kept_projects: Iterable[str],
                    merged_projects: Iterable[str]) -> list[str]:
    """Why the two cannot be merged: one hiring process per candidate and job, one
    membership per pipeline; empty when they can."""
    if kept_id == merged_id:
        return [f"merged: candidate {kept_id} cannot be merged into itself"]
    out = [f"merged: both candidates are in process for job {j}"
           for j in sorted(set(kept_jobs) & set(merged_jobs))]
    out += [f"merged: both candidates are in pipeline {p}"
            for p in sorted(set(kept_projects) & set(merged_projects))]
    return out



MOVED_LABELS = {"applications": ("application", "applications"), "notes": ("note", "notes"),
                "interactions": ("InMail or activity", "InMails and activities"),
                "project_memberships": ("pipeline", "pipelines"), "files": ("file", "files")}


def moved_summary(moved: Mapping[str, Iterable[str]]) -> str:
    """What a merge moved, in words: "2 applications, 1 note"; "nothing"."""
    parts = []
    for name, ids in moved.items():
        count = len(list(ids))
        if count:
            one, many = MOVED_LABELS.get(name, (name, name))
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts) or "nothing"
