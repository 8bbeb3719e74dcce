"""The import-linter contracts in pyproject.toml: the code keeps them, and an import the wrong
way up breaks them (so the layers README describes are the ones `lint-imports` checks)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.protected import ProtectedContract
from importlinter.domain.contract import Contract

configure()  # import-linter's adapters (a timer, the file system) as `lint-imports` sets them

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
KINDS: dict[str, type[Contract]] = {"layers": LayersContract, "forbidden": ForbiddenContract,
                                    "protected": ProtectedContract}


def _strings(options: dict[str, Any]) -> dict[str, Any]:
    # As import-linter's own TOML reader does: booleans reach the contracts as strings.
    return {key: str(value) if isinstance(value, bool) else value
            for key, value in options.items()}


def contracts() -> dict[str, Contract]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    session = _strings({k: v for k, v in config.items() if k != "contracts"})
    session["root_packages"] = [session.pop("root_package")]
    found = {}
    for options in config["contracts"]:
        options = _strings(options)
        found[options["id"]] = KINDS[options["type"]](options["name"], session, options)
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("recruitlink", exclude_type_checking_imports=True, cache_dir=None)


@pytest.fixture
def with_import(graph: grimp.ImportGraph) -> Iterator[Any]:
    added: list[tuple[str, str]] = []

    def add(importer: str, imported: str) -> grimp.ImportGraph:
        assert importer in graph.modules and imported in graph.modules, (importer, imported)
        graph.add_import(importer=importer, imported=imported, line_number=1,
                         line_contents=f"import {imported}")
        added.append((importer, imported))
        return graph

    yield add
    for importer, imported in added:
        graph.remove_import(importer=importer, imported=imported)


def test_the_code_keeps_every_contract(graph: grimp.ImportGraph) -> None:
    found = contracts()
    assert set(found) == {"layers", "sandbox", "sandbox-users"}
    for contract_id, contract in found.items():
        assert contract.check(graph, verbose=False).kept, contract_id


@pytest.mark.parametrize(("importer", "imported"), [
    ("recruitlink.core.restli", "recruitlink.store.db"),
    ("recruitlink.core.mapping", "recruitlink.crypto"),
    ("recruitlink.store.db", "recruitlink.linkedin.client"),
    ("recruitlink.linkedin.http", "recruitlink.settings"),
    ("recruitlink.linkedin.http", "recruitlink.sync.engine"),
    ("recruitlink.sync.engine", "recruitlink.inbound.pollers"),
    ("recruitlink.sync.engine", "recruitlink.runtime.context"),
    ("recruitlink.runtime.work", "recruitlink.web.app"),
    ("recruitlink.web.app", "recruitlink.certify.runner"),
    ("recruitlink.certify.runner", "recruitlink.cli"),
    ("recruitlink.errors", "recruitlink.core.restli"),
])
def test_an_import_up_the_layers_breaks_them(with_import: Any, importer: str,
                                             imported: str) -> None:
    graph = with_import(importer, imported)
    assert not contracts()["layers"].check(graph, verbose=False).kept


@pytest.mark.parametrize("imported", ["recruitlink.store.db", "recruitlink.errors",
                                      "recruitlink.settings", "recruitlink.linkedin.client"])
def test_the_sandbox_importing_beyond_core_breaks_it(with_import: Any, imported: str) -> None:
    graph = with_import("recruitlink.sandbox.store", imported)
    assert not contracts()["sandbox"].check(graph, verbose=False).kept


def test_the_product_importing_the_sandbox_breaks_it(with_import: Any) -> None:
    graph = with_import("recruitlink.web.app", "recruitlink.sandbox.app")
    assert not contracts()["sandbox-users"].check(graph, verbose=False).kept
