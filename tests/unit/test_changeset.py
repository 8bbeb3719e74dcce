"""How one transaction's changes to the same record merge into one changelog row."""

from __future__ import annotations

import pytest

from recruitlink.store.changelog import ChangeSet


def merged(*steps):
    changes = ChangeSet(1)
    for op, conf in steps:
        changes.add("candidates", 7, "C7", op, conf)
    return [(c.op, c.confidentiality) for c in changes._changes.values() if c is not None]


@pytest.mark.parametrize(("steps", "expected"), [
    ([("create", None), ("update", None)], [("create", None)]),
    ([("create", None), ("delete", None)], []),
    ([("update", None), ("delete", None)], [("delete", None)]),
    ([("update", "entered"), ("update", "left")], [("update", None)]),
    ([("update", "entered"), ("update", None)], [("update", "entered")]),
    ([("create", "entered"), ("update", None)], [("create", "entered")]),
    ([("create", None), ("delete", None), ("create", None)], [("create", None)]),
    ([("delete", None), ("create", None)], [("update", None)]),
])
def test_changes_to_one_record_merge(steps, expected):
    assert merged(*steps) == expected


def test_distinct_records_each_get_a_row():
    changes = ChangeSet(1)
    changes.add("candidates", 1, "C1", "create")
    changes.add("jobs", 1, "J1", "create")
    changes.add("candidates", 2, "C2", "update")
    assert len(changes) == 3
