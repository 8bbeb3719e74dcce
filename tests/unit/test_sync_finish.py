"""`items._finish` (exclusion, content hash, validation errors of an item) gives what the
general version it replaced gave (kept here as the reference), for items of one payload, of
none, and jobs of several, clean or not, excluded or not."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from recruitlink.core import validation
from recruitlink.core.mapping import MappingContext
from recruitlink.core.policy import Policy
from recruitlink.sync.items import BuildContext, Item, _finish, content_hash

NOW = 1_900_000_000_000


def reference(item: Item, bc: BuildContext, *, window_reason: str | None = None,
              exclusion: str | None = None, operation: str | None = None) -> Item:
    """_finish as it was written before (8e19540)."""
    reason = exclusion or window_reason
    if reason:
        item.excluded = reason
        item.window_only = exclusion is None
        return item
    payloads = item.job_payloads or ([item.payload] if item.payload is not None else [])
    operations: list[str | None] = list(item.operations) or [operation] * len(payloads)
    body = item.job_payloads if item.job_payloads else item.payload
    if item.content_hash is None:
        item.content_hash = content_hash(item.resource, item.key, item.parent, body)
    fingerprint = item.content_hash if not item.job_payloads else None
    for payload, op in zip(payloads, operations, strict=False):
        problems = validation.check(item.resource, payload, now_ms=bc.now_ms, operation=op,
                                    phone_region=bc.policy.phone_region,
                                    fingerprint=fingerprint)
        if problems:
            item.errors.extend({"field": p.path.lstrip("/").replace("/", ".") or "record",
                                "reason": p.reason} for p in problems)
    return item


text = st.sampled_from(["", "x", "a@b.co", "not an email", "+33 1 00000001", "12", "Role"])
values = text | st.integers(-1, NOW * 2) | st.none() | st.booleans() | st.lists(text, max_size=2)
FIELDS = ["emailAddresses", "phoneNumbers", "firstName", "candidateEmail", "atsCreatedAt",
          "title", "description", "externalJobPostingId", "integrationContext",
          "jobPostingOperationType", "listedAt", "unknownField"]
payloads = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)
OPERATIONS = st.sampled_from(["CREATE", "UPDATE", "CLOSE", "RENEW"])


@st.composite
def items(draw: Any) -> tuple[Item, dict[str, Any]]:
    resource = draw(st.sampled_from(["atsCandidates", "atsApplications", "simpleJobPostings",
                                     "atsEntityAcls", "noSuchResource"]))
    jobs = draw(st.lists(payloads, max_size=3))
    item = Item(stream="s", entity="e", entity_id=1, external_id="X1", resource=resource,
                action="upsert", key=draw(st.sampled_from(["X1", {"k": "X1"}, None])),
                parent=draw(st.none() | st.just({"p": "P"})),
                payload=draw(st.none() | payloads), job_payloads=jobs,
                operations=draw(st.lists(OPERATIONS, max_size=3)),
                content_hash=draw(st.none() | st.just("preset")))
    if draw(st.booleans()):
        item.errors.append({"field": "key", "reason": "already wrong"})
    options = {"exclusion": draw(st.sampled_from([None, "", "confidential candidate"])),
               "window_reason": draw(st.sampled_from([None, "outside the window"])),
               "operation": draw(st.none() | OPERATIONS)}
    return item, options


BC = BuildContext(None, 1, MappingContext("urn:li:organization:1", "http://ats"),  # type: ignore[arg-type]
                  Policy(), NOW, historical=True)


# A single posting with operations of its own: the first is the one it is checked against.
ONE_POSTING = Item(stream="jobs", entity="jobs", entity_id=1, external_id="J1",
                   resource="simpleJobPostings", action="upsert", key="J1",
                   payload={"jobPostingOperationType": "CREATE"}, operations=["CLOSE"])


@settings(max_examples=800, deadline=None)
@given(items())
@example((ONE_POSTING, {"operation": None}))
@example((ONE_POSTING, {"operation": "UPDATE"}))
def test_finish_is_the_general_version(case: tuple[Item, dict[str, Any]]) -> None:
    item, options = case
    expected = reference(copy.deepcopy(item), BC, **options)
    assert _finish(copy.deepcopy(item), BC, **options) == expected
