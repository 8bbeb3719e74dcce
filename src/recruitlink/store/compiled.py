"""Statements run often (per LinkedIn call, per record of a batch) compiled once per engine
and handed to the driver: SQLAlchemy's per-execution work (cache key, compiled-cache lookup,
parameter dictionaries) cost more than the statements themselves. Statements with plain
columns only: results come back as the driver gives them (no result types).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound


@dataclass(frozen=True)
class _Compiled:
    """A write statement as the driver takes it: its SQL, and how a row becomes parameters."""
    sql: str
    get: Callable[[Mapping[str, Any]], Any]
    single: bool
    process: tuple[tuple[int, Callable[[Any], Any]], ...]
    wire: tuple[str, ...] | None
    """Named parameters' names (None: positional)."""
    constants: Mapping[str, Any]
    """The statement's own values (a LIMIT's), by parameter name."""

    def params(self, row: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """A row's parameters as the driver takes them, through the bind processors."""
        if self.constants:
            row = {**self.constants, **row}
        values = [self.get(row)] if self.single else list(self.get(row))
        for n, processor in self.process:
            values[n] = processor(values[n])
        return tuple(values) if self.wire is None else dict(zip(self.wire, values, strict=True))


_COMPILED: WeakKeyDictionary[Dialect, dict[tuple[str, tuple[str, ...]], _Compiled | None]] = \
    WeakKeyDictionary()
"""`executemany`'s and `run_compiled`'s statements by engine dialect (its bind processors
are that engine's), then name and parameter keys: each is compiled once (None: a SQLAlchemy
without bind processors, whose public path is used)."""


def _compile(conn: Connection, stmt: Any, keys: list[str]) -> _Compiled | None:
    compiled = stmt.compile(dialect=conn.dialect, column_keys=keys)
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    constants = {name: compiled.binds[name].value for name in set(names) - set(keys)
                 if compiled.binds[name].value is not None}
    if not set(names) <= set(keys) | set(constants):
        raise ValueError(f"parameters not in the rows: {sorted(set(names) - set(keys))}")
    processors = getattr(compiled, "_bind_processors", None)  # SQLAlchemy 2.x, not public
    if processors is None:
        return None
    escaped = getattr(compiled, "escaped_bind_names", None) or {}
    return _Compiled(
        compiled.string, itemgetter(*names), len(names) == 1,
        tuple((n, processors[name]) for n, name in enumerate(names) if name in processors),
        None if compiled.positional else tuple(escaped.get(name, name) for name in names),
        constants)


def executemany(conn: Connection, name: str, stmt: Callable[[], Any],
                 rows: Sequence[Mapping[str, Any]]) -> None:
    """`conn.execute(stmt(), rows)` for the write path's per-record statements (tens of
    thousands of rows a run): the statement is compiled once a process (`name` names it)
    and each row goes to the driver through SQLAlchemy's own bind processors (the same
    values and JSON text), without the per-row parameter dictionaries `execute` builds.
    Every row has the first row's keys, and every parameter of the statement is one of them
    (or has a value of its own)."""
    compiled = _compiled(conn, name, stmt, list(rows[0]))
    if compiled is None:  # a SQLAlchemy without bind processors: the public, slower path
        conn.execute(stmt(), list(rows))
        return
    conn.exec_driver_sql(compiled.sql, [compiled.params(row) for row in rows])


def run_compiled(conn: Connection, name: str, stmt: Callable[[], Any],
                 params: Mapping[str, Any]) -> Any:
    """`conn.execute(stmt(), params)` for a statement run once per LinkedIn call (a status
    check, a progress count, the rate budget): compiled once per engine and run on the
    driver's connection (`_on_driver`), without SQLAlchemy's per-execution setup, which cost
    more than the query. Results come back as the driver gives them (no result types): for
    plain columns only."""
    compiled = _compiled(conn, name, stmt, list(params))
    if compiled is None:
        return conn.execute(stmt(), dict(params))
    return _on_driver(conn, compiled.sql, compiled.params(params))


class DriverResult:
    """What `run_compiled` callers read of a result (`scalar`, `one`, `first`, `all`,
    `rowcount`), rows as named tuples of the driver's values."""

    def __init__(self, names: tuple[str, ...], rows: Sequence[Any], rowcount: int) -> None:
        self._rows = [_row_type(names)(*row) for row in rows] if names else []
        self.rowcount = rowcount

    def all(self) -> list[Any]:
        return self._rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise (NoResultFound("No row was found when one was required") if not self._rows
                   else MultipleResultsFound("Multiple rows were found when exactly one "
                                             "was required"))
        return self._rows[0]


@lru_cache(maxsize=64)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names, rename=True)


def _on_driver(conn: Connection, sql: str, params: Any) -> DriverResult:
    """Run on the driver's connection of `conn`'s transaction (begun, as `execute` would):
    SQLAlchemy's execution context cost several times these statements. A driver error is
    raised as SQLAlchemy wraps it (IntegrityError, OperationalError, ...), without its
    parameters."""
    if not conn.in_transaction():
        conn.begin()  # ends with the connection, as an autobegun transaction does
    dbapi_error = conn.dialect.loaded_dbapi.Error
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return DriverResult(tuple(column[0] for column in description or ()), rows,
                            cursor.rowcount)
    except dbapi_error as exc:
        raise DBAPIError.instance(sql, params, exc, dbapi_error, hide_parameters=True,
                                  dialect=conn.dialect) from exc
    finally:
        cursor.close()


def _compiled(conn: Connection, name: str, stmt: Callable[[], Any],
              keys: list[str]) -> _Compiled | None:
    """The statement `name` for these parameter keys, compiled once per engine dialect."""
    cache = _COMPILED.get(conn.dialect)
    if cache is None:
        cache = _COMPILED[conn.dialect] = {}
    cache_key = (name, tuple(keys))
    if cache_key not in cache:
        cache[cache_key] = _compile(conn, stmt(), keys)
    return cache[cache_key]
