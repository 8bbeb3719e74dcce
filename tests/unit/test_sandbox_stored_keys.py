"""The versioned family's lookup of stored keys (run by the driver, a chunk of keys at a time)
finds exactly the stored top-level keys of the resource asked, however many are asked."""

from __future__ import annotations

import itertools

from sqlalchemy import insert

from recruitlink.core.api_families import from_rest
from recruitlink.core.restli import canonical
from recruitlink.sandbox.api.versioned import (
    _KEYS_PER_QUERY,
    _provider_pair,
    _stored_keys,
    _with_provider,
)
from recruitlink.sandbox.store import Store, records


def test_stored_keys_are_found_across_chunks_and_nothing_else() -> None:
    store = Store(":memory:")
    stored = [f"(id:{n})" for n in range(0, 2 * _KEYS_PER_QUERY + 50, 3)]
    row = {"org": "o", "app_id": 1, "key_fields": {}, "body": {}, "created_at": 1,
           "updated_at": 1}
    with store.tx() as conn:
        conn.execute(insert(records), [
            *({**row, "resource": "atsCandidates", "parent": "", "key": k} for k in stored),
            {**row, "resource": "atsApplications", "parent": "", "key": "(id:1)"},
            {**row, "resource": "atsCandidates", "parent": "(id:0)", "key": "(id:1)"}])
    asked = [f"(id:{n})" for n in range(2 * _KEYS_PER_QUERY + 50)]
    with store.tx() as conn:
        found = _stored_keys(conn, "atsCandidates", asked)
        assert sorted(found) == sorted(stored)  # (id:1): another resource, a sub-resource
        assert _stored_keys(conn, "atsCandidates", []) == []


def test_a_key_under_another_data_provider_is_the_canonical_text_of_that_key() -> None:
    """The lookup text under PARTNER is made from the one under ATS by swapping the
    dataProvider pair: it must be what canonical() makes, whatever the values hold."""
    org = "urn:li:organization:4242"
    # candidates: a translation with dataProvider (the pair swapped); atsCandidates: without
    # one (made again from the key).
    for resource, field in (("atsCandidates", "atsCandidateId"),
                            ("candidates", "externalCandidateId")):
        for ident, context in itertools.product(
                ("C1", "a&dataProvider=ATS&b", "dataProvider=ATS", "x y/é", "&", "ATS"),
                (org, "dataProvider=ATS")):
            target = from_rest(resource, {field: ident, "integrationContext": context})
            assert isinstance(target.key, dict)
            pairs = (_provider_pair("ATS"), _provider_pair("PARTNER"))
            assert _with_provider(canonical(target.key), target.key, "PARTNER",
                                  pairs) == canonical(
                {**target.key, "dataProvider": "PARTNER"})
