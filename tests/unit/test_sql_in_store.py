"""Only `store/`, the sync's state (`sync/state.py`) and the sandbox run SQL (issue 17): no other
module imports SQLAlchemy's statement builders (select, insert, text, func, ...) or executes a
statement. Types for annotations (`Connection`, `Table`, ...), SQLAlchemy's exceptions and its
URL parser are fine anywhere; so is anything imported under `if TYPE_CHECKING:`.

import-linter cannot say this (it sees `from sqlalchemy import select` as an import of
`sqlalchemy`, like `from sqlalchemy import Connection`), so the modules' syntax trees are read
here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import recruitlink

PACKAGE = Path(recruitlink.__file__).resolve().parent

SQL_PLACES = ("store/", "sandbox/", "sync/state.py",
              # The ledger's half of sync/state.py (split off for length, imported by it
              # alone for its statements): the sync's state is these two files.
              "sync/state_ledger.py")
"""Where SQL may run, relative to the package (a folder ends with /)."""

ALLOWED: dict[str, frozenset[str] | None] = {
    # Types, for annotations and isinstance.
    "sqlalchemy": frozenset({"Connection", "Engine", "Row", "RowMapping", "Result", "Table",
                             "ColumnElement", "Select"}),
    "sqlalchemy.engine": frozenset({"Connection", "Engine", "URL", "make_url"}),
    "sqlalchemy.exc": None,  # any exception class
}
"""What a module outside SQL_PLACES may import from SQLAlchemy (None: anything)."""

EXECUTING = ("execute", "executemany", "exec_driver_sql", "execute_query")
"""Methods that run a statement (procrastinate's connector: execute_query_*_async)."""


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node, except what is under `if TYPE_CHECKING:`."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and _type_checking_only(node):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def sql_uses(source: str) -> list[str]:
    """What in this module's source runs or builds SQL: one line per use."""
    uses: list[str] = []
    for node in _nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            uses += [f"line {node.lineno}: import {a.name}" for a in node.names
                     if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module.split(".")[0] == "sqlalchemy"):
            if node.module not in ALLOWED:
                uses.append(f"line {node.lineno}: from {node.module} import ...")
                continue
            allowed = ALLOWED[node.module]
            uses += [f"line {node.lineno}: from {node.module} import {a.name}"
                     for a in node.names if allowed is not None and a.name not in allowed]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr.startswith(EXECUTING)):
            uses.append(f"line {node.lineno}: .{node.func.attr}(...)")
    return sorted(uses, key=lambda use: int(use.split()[1].rstrip(":")))


def _outside_sql_places() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py"))
            if not path.relative_to(PACKAGE).as_posix().startswith(SQL_PLACES)]


def test_no_module_outside_the_store_runs_sql() -> None:
    modules = _outside_sql_places()
    assert len(modules) > 100  # the scan found the package
    found = {path.relative_to(PACKAGE).as_posix(): uses for path in modules
             if (uses := sql_uses(path.read_text()))}
    assert found == {}


@pytest.mark.parametrize(("source", "use"), [
    ("from sqlalchemy import select", "from sqlalchemy import select"),
    ("from sqlalchemy import Connection, func", "from sqlalchemy import func"),
    ("from sqlalchemy import text as t", "from sqlalchemy import text"),
    ("from sqlalchemy.sql import and_", "from sqlalchemy.sql import ..."),
    ("from sqlalchemy.dialects import postgresql", "from sqlalchemy.dialects import ..."),
    ("from sqlalchemy.engine import create_engine", "from sqlalchemy.engine import create_engine"),
    ("import sqlalchemy as sa", "import sqlalchemy"),
    ("import sqlalchemy.sql.expression", "import sqlalchemy.sql.expression"),
    ("def f(conn):\n    conn.execute(q)", ".execute(...)"),
    ("def f(conn):\n    conn.exec_driver_sql('DELETE FROM jobs')", ".exec_driver_sql(...)"),
    ("async def f(app):\n    await app.connector.execute_query_all_async('SELECT 1')",
     ".execute_query_all_async(...)"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nelse:\n"
     "    from sqlalchemy import select", "from sqlalchemy import select"),
])
def test_sql_outside_the_store_is_found(source: str, use: str) -> None:
    found = sql_uses(source)
    assert len(found) == 1 and found[0].endswith(use), found


@pytest.mark.parametrize("source", [
    "from sqlalchemy import Connection",
    "from sqlalchemy import ColumnElement, Connection, Table",
    "from sqlalchemy.exc import IntegrityError, OperationalError",
    "from sqlalchemy.engine import make_url",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy import select",
    "import typing\nif typing.TYPE_CHECKING:\n    import sqlalchemy",
    "from recruitlink.store import connections\nconnections.load(conn, 1, box)",
])
def test_types_exceptions_and_store_calls_are_fine(source: str) -> None:
    assert sql_uses(source) == []
