"""The store's JSON columns read back what was written, type for type, on SQLite and
PostgreSQL, through core/json_text.py (orjson where its value is json's)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from recruitlink.core import json_text
from recruitlink.store.schema import Json
from tests.unit.test_json_text import same

probe = Table("json_probe", MetaData(), Column("id", Integer, primary_key=True),
              Column("value", Json))

VALUES = [
    {"emails": ["zoë@example.com"], "phones": [{"number": "+41 44 668 18 00", "type": "work"}]},
    {"big": 2**70, "negative": -(2**65), "max": 2**63 - 1, "min": -(2**63),
     "ids": "1234567890123456789012"},
    [0.1, 1e-05, 2.5, -1.5, True, False, None, "Zürich 1.5€ 😀", {"a": {"b": [[]]}}],
]


def test_json_columns_read_back_what_was_written(store):
    engine = store.db.write_engine
    for current in {engine, store.db.read_engine}:
        assert current.dialect._json_deserializer is json_text.loads
    probe.create(engine)
    try:
        with store.db.write() as conn:
            conn.execute(insert(probe), [{"id": i, "value": v} for i, v in enumerate(VALUES)])
        with store.db.read() as conn:
            read = [row.value for row in conn.execute(select(probe).order_by(probe.c.id))]
        assert len(read) == len(VALUES)
        for got, wrote in zip(read, VALUES, strict=True):
            assert same(got, wrote, key_order=False), (got, wrote)
    finally:
        probe.drop(engine)
