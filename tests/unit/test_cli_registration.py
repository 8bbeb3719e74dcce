"""The `recruitlink` command: every module of the cli package joins the one root app."""

from __future__ import annotations

import importlib
import pkgutil

from typer.testing import CliRunner

from recruitlink import cli


def test_every_cli_module_has_its_app_joined_to_the_root():
    joined = [group.typer_instance for group in cli.app.registered_groups]
    names = [m.name for m in pkgutil.iter_modules(cli.__path__) if m.name != "__main__"]
    assert len(names) >= 10
    for name in names:
        module = importlib.import_module(f"recruitlink.cli.{name}")
        assert any(app is module.app for app in joined), name
    assert not cli.app.registered_commands  # commands live in the modules, not here


def test_groups_and_top_level_commands_answer_help():
    runner = CliRunner()
    listing = runner.invoke(cli.app, ["--help"])
    assert listing.exit_code == 0, listing.output
    for command in ("serve", "sandbox", "demo", "seed", "connect", "disconnect", "worker",
                    "certify", "version", "sync", "inbound", "policy", "users", "keys", "db",
                    "tenant", "apikey"):
        assert f" {command} " in listing.output, command
    assert runner.invoke(cli.app, ["db", "upgrade", "--help"]).exit_code == 0
    assert runner.invoke(cli.app, ["sync", "plan", "--help"]).exit_code == 0
