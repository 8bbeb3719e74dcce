"""An application's family reads only some columns of its candidate and job
(sync/items.py FAMILY_*_COLUMNS): everything that maps an application or decides whether a
record of it is shared must read no other field, or it would silently see None."""

from __future__ import annotations

from typing import Any

from recruitlink.core import mapping
from recruitlink.core.policy import Policy, candidate_child_exclusion, job_exclusion
from recruitlink.store import schema
from recruitlink.sync.items import FAMILY_CANDIDATE_COLUMNS, FAMILY_JOB_COLUMNS


class Reads(dict[str, Any]):
    """A row that notes each field read."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def _full(table: Any) -> Reads:
    return Reads({c.name: None for c in table.columns} | {
        "external_id": "x-1", "emails": ["a@example.com"], "tags": ["vip"],
        "consents": ["marketing"], "first_name": "Ann", "last_name": "Lee", "title": "Dev",
        "confidential": False})


def test_the_family_columns_are_all_that_is_read() -> None:
    candidate, job = _full(schema.candidates), _full(schema.jobs)
    application = {"external_id": "a-1", "created_at": 1, "modified_at": 2,
                   "source": "web", "disposition_reason": None}
    mapping.application(application, candidate=candidate, job=job,
                        ctx=mapping.MappingContext("urn:li:organization:1", "http://ats"))
    for policy in (Policy(), Policy(excluded_tags=("other",), required_consent="marketing")):
        candidate_child_exclusion(candidate, policy)
    job_exclusion(job)
    assert candidate.read <= set(FAMILY_CANDIDATE_COLUMNS), candidate.read
    assert job.read <= set(FAMILY_JOB_COLUMNS), job.read
    # and the columns exist
    assert {c.name for c in schema.candidates.columns} >= set(FAMILY_CANDIDATE_COLUMNS)
    assert {c.name for c in schema.jobs.columns} >= set(FAMILY_JOB_COLUMNS)
