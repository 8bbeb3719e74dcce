"""The `recruitlink` command: every module of the cli package joins the one root app, and a
command loads its own module only."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import typer
from typer.testing import CliRunner

from recruitlink import cli


def _declared(module: str) -> list[str]:
    """The commands (or the group) a module's `app` gives the root, joined as typer joins it."""
    holder = typer.Typer(add_completion=False)
    holder.add_typer(importlib.import_module(f"recruitlink.cli.{module}").app)
    group = typer.main.get_command(holder)
    assert isinstance(group, typer.core.TyperGroup)
    return group.list_commands(None)  # type: ignore[arg-type]


def test_every_cli_module_has_its_app_joined_to_the_root():
    names = [m.name for m in pkgutil.iter_modules(cli.__path__) if m.name != "__main__"]
    assert len(names) >= 10
    assert set(cli.COMMANDS.values()) == set(names)  # no module left out, none invented
    root = typer.main.get_command(cli.app)
    assert isinstance(root, typer.core.TyperGroup)
    for name in names:
        declared = _declared(name)
        assert declared, name
        for command in declared:
            assert cli.COMMANDS.get(command) == name, (command, name)
            assert root.get_command(None, command) is not None  # type: ignore[arg-type]
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
    unknown = runner.invoke(cli.app, ["no-such-command"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_the_sandbox_command_loads_linkedins_side_alone():
    """`recruitlink sandbox` must not carry the ATS side (store, sync, runtime, webhooks):
    that was ~30 MB of the sandbox's memory and ~1 s of every command's start."""
    probe = ("import sys, typer\n"
             "from recruitlink.cli import app\n"
             "assert typer.main.get_command(app).get_command(None, 'sandbox') is not None\n"
             "import recruitlink.sandbox.app\n"
             "print(sorted(m for m in sys.modules if m.startswith(('recruitlink.store', "
             "'recruitlink.sync', 'recruitlink.runtime', 'recruitlink.hooks', "
             "'recruitlink.inbound'))))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]", out
