"""Statements run often (per LinkedIn call, per record of a batch) compiled once per engine
and handed to the driver: SQLAlchemy's per-execution work (cache key, compiled-cache lookup,
parameter dictionaries) cost more than the statements themselves. Statements with plain
columns only: results come back as the driver gives them (no result types).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect


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
    check, a progress count): compiled once per engine and run by the driver, without
    SQLAlchemy's per-execution setup, which cost more than the query. Results come back as
    the driver gives them (no result types): for plain columns only."""
    compiled = _compiled(conn, name, stmt, list(params))
    if compiled is None:
        return conn.execute(stmt(), dict(params))
    return conn.exec_driver_sql(compiled.sql, compiled.params(params))


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
