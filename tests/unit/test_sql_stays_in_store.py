"""The web layer, the CLI, the demo, certify and the runtime run no SQL of their own (issue
17): each query is a function of a store/ module named for what it reads or writes. Checked
on the source's syntax tree: no statement-building names imported from SQLAlchemy, no
`.execute(` / `.scalar(` / `.scalars(` calls."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import recruitlink

PACKAGE = Path(recruitlink.__file__).parent
CHECKED = sorted([*PACKAGE.glob("web/**/*.py"), *PACKAGE.glob("cli*.py"),
                  *PACKAGE.glob("cli/**/*.py"), *PACKAGE.glob("certify/**/*.py"),
                  *PACKAGE.glob("runtime/**/*.py"), PACKAGE / "demo_setup.py"])
TYPES_ONLY = {"Connection", "ColumnElement", "Table", "Engine"}
"""What these modules may take from `sqlalchemy` itself: names for annotations and for
passing a table to a store function; `sqlalchemy.exc` and `make_url` are fine too."""
RUNS_SQL = {"execute", "scalar", "scalars"}


def sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module == "sqlalchemy":
                found += [f"{node.lineno}: imports sqlalchemy.{a.name}" for a in node.names
                          if a.name not in TYPES_ONLY]
            elif node.module.startswith(("sqlalchemy.dialects", "sqlalchemy.sql",
                                         "sqlalchemy.orm")):
                found.append(f"{node.lineno}: imports {node.module}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in RUNS_SQL):
            found.append(f"{node.lineno}: calls .{node.func.attr}(")
    return found


def test_the_checked_modules_exist() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in CHECKED}
    assert {"web/metrics.py", "web/pages/ats.py", "runtime/work.py", "demo_setup.py",
            "certify/harness.py"} <= names


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_sql_outside_the_store(path: Path) -> None:
    assert sql_in(path) == []
