"""The sandbox's state: LinkedIn's side of every customer, in one SQLite database.

The sandbox serves requests on one event loop and touches the database only from it, so a
single connection is enough and every request runs in its own short transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert

from recruitlink.private_files import create_private

from . import json_codec

metadata = MetaData()

apps = Table(
    "apps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("urn", String, unique=True, nullable=False),
    Column("parent_id", Integer, nullable=True),
    Column("client_id", String, unique=True, nullable=False),
    Column("client_secret", String, nullable=False),
    Column("unique_foreign_id", String, nullable=True),
    Column("name", String, nullable=False),
    Column("description", String, nullable=False, default=""),
    Column("js_domains", JSON, nullable=False, default=list),
    Column("callback_urls", JSON, nullable=False, default=list),
    Column("tokens_minted", Integer, nullable=False, default=0),
    Column("can_mint", Boolean, nullable=False, default=True),
    # PRODUCTION | DEVELOPMENT (core/assumed.py); a child app is made with its partner's.
    Column("environment", String, nullable=False, default="DEVELOPMENT",
           server_default="DEVELOPMENT"),
    Column("created_at", Integer, nullable=False),
    UniqueConstraint("parent_id", "unique_foreign_id"),
)

tokens = Table(
    "tokens", metadata,
    # Only a hash of each token is stored: the sandbox keeps no bearer secrets at rest.
    Column("token_hash", String, primary_key=True),
    Column("app_id", Integer, nullable=False),
    Column("expires_at", Integer, nullable=False),
)

integrations = Table(
    "integrations", metadata,
    Column("app_id", Integer, primary_key=True),
    Column("context", String, primary_key=True),
    Column("type", String, primary_key=True),
    Column("tenant_type", String, primary_key=True),
    Column("data_provider", String, primary_key=True),
    Column("name", String, nullable=True),
    Column("status", String, nullable=False),
    Column("created_at", Integer, nullable=False),
    Column("last_modified_at", Integer, nullable=False),
)

configurations = Table(
    "configurations", metadata,
    Column("app_id", Integer, primary_key=True),
    Column("integration", String, primary_key=True),  # canonical integration key
    Column("name", String, primary_key=True),
    Column("context", String, nullable=False),
    Column("value", String, nullable=False),
)

status_requests = Table(
    "status_requests", metadata,
    Column("request_id", String, primary_key=True),
    Column("app_id", Integer, nullable=False),
    Column("keys", JSON, nullable=False),
    Column("created_at", Integer, nullable=False),
    Column("pushed", Boolean, nullable=False, default=False),
)

records = Table(
    "records", metadata,
    Column("resource", String, primary_key=True),
    Column("parent", String, primary_key=True),  # canonical parent key, "" when top-level
    Column("key", String, primary_key=True),  # canonical key (sub-resources: the simple id)
    # No index of its own: every query by org also names the resource, and
    # records_by_candidate (org, resource, ...) serves both; one index less per written record.
    Column("org", String, nullable=False),
    Column("app_id", Integer, nullable=False),
    Column("key_fields", JSON, nullable=False),
    Column("body", JSON, nullable=False),
    # The ATS candidate id an application or candidate-pipeline belongs to, so a profile's
    # indicator finds them without reading every body.
    Column("candidate", String, nullable=True),
    Column("created_at", Integer, nullable=False),
    Column("updated_at", Integer, nullable=False),
    Index("records_by_candidate", "org", "resource", "candidate"),
)

jobs = Table(
    "jobs", metadata,
    Column("org", String, primary_key=True),
    Column("external_id", String, primary_key=True),
    Column("urn", String, unique=True, nullable=False),
    Column("app_id", Integer, nullable=False),
    # The latest *submitted* state, which decides the next operation's outcome; Recruiter
    # shows the result of the latest task that is done (see jobs.visible_jobs).
    Column("state", String, nullable=False),  # LISTED | CLOSED
    Column("body", JSON, nullable=False),
    Column("created_at", Integer, nullable=False),
    Column("updated_at", Integer, nullable=False),
)

job_tasks = Table(
    "job_tasks", metadata,
    Column("urn", String, primary_key=True),
    Column("seq", Integer, nullable=False, index=True),  # submission order
    Column("app_id", Integer, nullable=False),
    Column("org", String, nullable=False),
    Column("external_id", String, nullable=False),
    Column("operation", String, nullable=False),
    Column("outcome", String, nullable=False),  # SUCCEEDED | FAILED, reported once due
    Column("error", Text, nullable=True),
    Column("job_urn", String, nullable=True),
    Column("state_after", String, nullable=True),  # the job once this task succeeds
    Column("body_after", JSON, nullable=True),
    Column("due_at", Integer, nullable=False),
    Column("created_at", Integer, nullable=False),
)

throttle_minute = Table(
    "throttle_minute", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_id", Integer, nullable=False),
    Column("family", String, nullable=False),
    Column("at_ms", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Index("throttle_minute_by_app", "app_id", "family", "at_ms"),
)

throttle_window = Table(
    "throttle_window", metadata,
    # The records of an app's and family's throttle_minute rows, kept equal to their sum
    # (throttle.py): a request is charged without summing the minute.
    Column("app_id", Integer, primary_key=True),
    Column("family", String, primary_key=True),
    Column("records", Integer, nullable=False),
)

throttle_day = Table(
    "throttle_day", metadata,
    Column("app_id", Integer, primary_key=True),
    Column("family", String, primary_key=True),
    Column("day", String, primary_key=True),
    Column("requests", Integer, nullable=False),
)

pushes = Table(
    "pushes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_id", Integer, nullable=False),
    Column("url", String, nullable=False),
    Column("type", String, nullable=False),
    Column("request_id", String, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String, nullable=False),  # PENDING | DELIVERED | FAILED
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", Integer, nullable=False),
    Column("created_at", Integer, nullable=False),
    Column("delivered_at", Integer, nullable=True),
)

members = Table(
    "members", metadata,
    # LinkedIn's members: a synthetic directory, deterministic from the sandbox's seed.
    Column("urn", String, primary_key=True),
    Column("body", JSON, nullable=False),
)

member_keys = Table(
    "member_keys", metadata,
    Column("key", String, primary_key=True),  # core.matching.encode(key)
    Column("urn", String, primary_key=True, index=True),
)

candidate_links = Table(
    "candidate_links", metadata,
    # The match keys of every synced candidate (plus its manual match), so Recruiter can find
    # the ATS candidates behind a member's profile without scanning the records.
    Column("org", String, primary_key=True),
    Column("key", String, primary_key=True),  # core.matching.encode(key), or "manual" + URN
    Column("candidate", String, primary_key=True, index=True),  # canonical atsCandidates key
)

widget_links = Table(
    "widget_links", metadata,
    # A recruiter's Link in the profile widget (the widget only calls the ATS back; LinkedIn
    # still knows the click): with the exports, which one made a candidate's manual match.
    Column("org", String, primary_key=True),
    Column("candidate", String, primary_key=True),  # the ATS's candidate id
    Column("person", String, primary_key=True),
    Column("linked_at", Integer, nullable=False),
)

seats = Table(
    "seats", metadata,
    # Recruiter licence seats on a contract, each held by a member (the seat holder).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", String, nullable=False, index=True),
    Column("person", String, nullable=False),
    Column("email", String, nullable=False),
    Column("first_name", String, nullable=False),
    Column("last_name", String, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", Integer, nullable=False),
    Column("updated_at", Integer, nullable=False),
)

contract_companies = Table(
    "contract_companies", metadata,
    # The company (organization) a Recruiter contract belongs to, as LinkedIn knows it; the
    # onboarding widget offers these (recruiter/customers.py: companies_of_contract).
    Column("contract", String, primary_key=True),
    Column("organization", String, primary_key=True),
)

# -- Recruiter's side: what recruiters and members do on LinkedIn ------------------------------

exports = Table(
    "exports", metadata,
    # One-Click Exports: a seat sent a member's profile to the customer's ATS/CRM.
    Column("request_id", String, primary_key=True),
    Column("app_id", Integer, nullable=False),
    Column("org", String, nullable=False),
    Column("contract", String, nullable=False),
    Column("seat_id", Integer, nullable=False, index=True),
    Column("person", String, nullable=False),
    Column("job", String, nullable=True),  # externalJobPostingId
    Column("pipeline", String, nullable=True),  # externalPipelineId (CRM Connect)
    Column("note", Text, nullable=True),
    Column("month", String, nullable=False),  # UTC "YYYY-MM", for the monthly quota
    Column("candidate", JSON, nullable=False),  # the profile as the recruiter saw it
    Column("exported_at", Integer, nullable=False),
)

evaluations = Table(
    "evaluations", metadata,
    # LinkedIn Hiring Assistant's evaluation of an application exported into a job
    # (`exportedApplicationEvaluations`, /rest only): one per One-Click Export into a job.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String, unique=True, nullable=False),  # the export's
    Column("app_id", Integer, nullable=False),
    Column("org", String, nullable=False),
    Column("person", String, nullable=False),
    Column("job", String, nullable=True),  # externalJobPostingId
    Column("body", JSON, nullable=False),  # overallFit, summary, qualifications
    Column("created_at", Integer, nullable=False),
    Index("evaluations_by_org", "app_id", "org", "created_at"),
)

threads = Table(
    "threads", metadata,
    # InMail conversations between a seat and a member.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", String, nullable=False),
    Column("seat_id", Integer, nullable=False, index=True),
    Column("person", String, nullable=False),
    Column("subject", String, nullable=False),
    Column("visibility", String, nullable=False),  # ORGANIZATION | PROJECT | PRIVATE
    Column("created_at", Integer, nullable=False),
)

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("thread_id", Integer, nullable=False, index=True),
    Column("direction", String, nullable=False),  # OUTBOUND (seat -> member) | INBOUND
    Column("body", Text, nullable=False),
    Column("occurred_at", Integer, nullable=False, index=True),
)

mail_stubs = Table(
    "mail_stubs", metadata,
    # Contact details a member shared in an InMail reply.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", String, nullable=False),
    Column("seat_id", Integer, nullable=False),
    Column("person", String, nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", Integer, nullable=False, index=True),
)

prospect_notes = Table(
    "prospect_notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", String, nullable=False),
    Column("seat_id", Integer, nullable=False),
    Column("person", String, nullable=False, index=True),
    Column("note", Text, nullable=False),
    Column("visibility", String, nullable=False),
    Column("active", Boolean, nullable=False),  # false: deleted in Recruiter (a tombstone)
    Column("created_at", Integer, nullable=False),
    Column("last_modified_at", Integer, nullable=False, index=True),
)

closures = Table(
    "closures", metadata,
    # Members who closed their LinkedIn account.
    Column("person", String, primary_key=True),
    Column("closed_at", Integer, nullable=False, index=True),
)

recruiter_settings = Table(
    "recruiter_settings", metadata,
    # Recruiter admin switches that are not integrations (e.g. InMail stub profiles).
    Column("context", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("value", String, nullable=False),
)

media = Table(
    "media", metadata,
    # A file uploaded through hireMediaUrl (api/media.py): its upload token (hashed) and,
    # once uploaded, its size and digest; the bytes in `media_chunks`.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("urn", String, unique=True, nullable=False),
    Column("app_id", Integer, nullable=False),
    Column("token_hash", String, unique=True, nullable=False),
    Column("usage", String, nullable=False),
    Column("content_type", String, nullable=False),
    Column("expires_at", Integer, nullable=False),
    Column("uploaded", Boolean, nullable=False, default=False),
    Column("size", Integer, nullable=True),
    Column("sha256", String, nullable=True),
    Column("created_at", Integer, nullable=False),
)

media_chunks = Table(
    "media_chunks", metadata,
    Column("media_id", Integer, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

counters = Table(
    "counters", metadata,
    Column("name", String, primary_key=True),
    Column("value", Integer, nullable=False),
)


class BulkInsert:
    """An INSERT compiled once, run for many rows by the driver's own executemany: for a
    batch of a hundred records, SQLAlchemy's parameter processing per row costs more than
    the database. JSON columns are written by the store's serializer, as SQLAlchemy would."""

    def __init__(self, stmt: Insert) -> None:
        compiled = stmt.compile(dialect=sqlite.dialect())
        self.sql = str(compiled)
        self.names: list[str] = list(compiled.positiontup or [])
        json_columns = {c.name for c in stmt.table.columns
                        if isinstance(c.type, JSON)}
        self.encoded = [name in json_columns for name in self.names]
        self._json_at = [i for i, encoded in enumerate(self.encoded) if encoded]
        self._values = itemgetter(*self.names) if len(self.names) > 1 else (
            lambda row: (row[self.names[0]],))

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        values, json_at = self._values, self._json_at
        if not json_at:
            driver(conn).executemany(self.sql, [values(row) for row in rows])
            return
        params = []
        for row in rows:
            param = list(values(row))
            for i in json_at:
                param[i] = _dumps(param[i])
            params.append(tuple(param))
        driver(conn).executemany(self.sql, params)

    def run_values(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """`run` of rows given as their values in `names` order (JSON columns not yet
        written): a caller that writes many rows makes no mapping per row."""
        if not rows:
            return
        json_at = self._json_at
        if not json_at:
            driver(conn).executemany(self.sql, rows)
            return
        params = []
        for row in rows:
            param = list(row)
            for i in json_at:
                param[i] = _dumps(param[i])
            params.append(param)
        driver(conn).executemany(self.sql, params)


class Prepared:
    """A statement compiled once for SQLite and run by the driver itself, in the request's
    transaction: for the small statements every request runs, SQLAlchemy's work per execution
    (parameters, result set-up) costs several times SQLite's. `run` takes the statement's
    named bind parameters (its literal values are kept) and answers the driver's cursor, whose
    rows are plain tuples. Only plain values are allowed (no JSON; no expanding IN: compile
    one statement per count of values)."""

    def __init__(self, stmt: ClauseElement) -> None:
        dialect = sqlite.dialect()
        compiled = stmt.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        if "POSTCOMPILE" in self.sql:
            raise ValueError("an expanding IN cannot be prepared: name each value")
        fixed = compiled.construct_params(_check=False) or {}
        self._order: list[tuple[str, bool, Any]] = []
        for name in compiled.positiontup or []:
            bind = compiled.binds[name]
            if bind.type.bind_processor(dialect) is not None:
                raise ValueError(f"bind parameter {name!r} needs SQLAlchemy's processing")
            self._order.append((name, bind.required, fixed.get(name)))

    def run(self, conn: Connection, params: Mapping[str, Any] | None = None) -> sqlite3.Cursor:
        given = params or {}
        return driver(conn).execute(self.sql, tuple(
            given[name] if required else value for name, required, value in self._order))

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None
              ) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.run(conn, params).fetchone()
        return row

    def scalar(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        row = self.first(conn, params)
        return None if row is None else row[0]


def driver(conn: Connection) -> sqlite3.Connection:
    """The SQLite connection under `conn`: what it runs is in `conn`'s transaction (pysqlite
    begins and ends it on this connection either way)."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


class Store:
    """The sandbox's database: one connection, one transaction per request."""

    def __init__(self, path: str) -> None:
        if path == ":memory:":
            self.engine = create_engine(
                "sqlite+pysqlite://", poolclass=StaticPool,
                connect_args={"check_same_thread": False},
                json_serializer=_dumps, hide_parameters=True,
            )
        else:
            # The sandbox's file holds every app's client secret, like LinkedIn's vault: 0600.
            create_private(path)
            self.engine = create_engine(
                f"sqlite+pysqlite:///{path}", poolclass=StaticPool,
                connect_args={"check_same_thread": False},
                json_serializer=_dumps, hide_parameters=True,
            )

            @event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cursor = dbapi_conn.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

        metadata.create_all(self.engine)
        # A file made by an older sandbox: create_all skips its existing tables' new indexes.
        for index in throttle_minute.indexes:
            index.create(self.engine, checkfirst=True)
        # ... and its existing tables' new columns (with their defaults).
        have = {c["name"] for c in inspect(self.engine).get_columns("apps")}
        if "environment" not in have:
            with self.engine.begin() as conn:
                conn.execute(text("ALTER TABLE apps ADD COLUMN environment VARCHAR NOT NULL "
                                  "DEFAULT 'DEVELOPMENT'"))
        self._conn = self.engine.connect()

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        if self._conn.in_transaction():
            # Nested use inside one request shares the request's transaction.
            yield self._conn
            return
        with self._conn.begin():
            yield self._conn

    def next_value(self, conn: Connection, name: str) -> int:
        row = conn.execute(select(counters.c.value).where(counters.c.name == name)).first()
        if row is None:
            conn.execute(counters.insert().values(name=name, value=1))
            return 1
        value = int(row[0]) + 1
        conn.execute(update(counters).where(counters.c.name == name).values(value=value))
        return value

    def close(self) -> None:
        self._conn.close()
        self.engine.dispose()


def _dumps(value: Any) -> str:
    return json_codec.dumps(value)
