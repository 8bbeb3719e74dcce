"""`recruitlink`: the command line. Each module of this package holds one command group (its
`app` is named: `recruitlink sync ...`) or top-level commands (an unnamed `app`), each command
decorated on that module's `app`; `COMMANDS` joins them all to the one root.

A module loads when one of its commands runs (or help lists them all): `recruitlink sandbox`
then brings up LinkedIn's side alone, without the ATS side's store, sync and runtime (~30 MB
and ~1 s that every command paid when the root imported all of them)."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import typer
from typer.core import TyperGroup

COMMANDS: dict[str, str] = {
    # top-level commands (in the order help lists them) -> their module
    "version": "server", "sandbox": "server", "serve": "server", "demo": "demo",
    "seed": "seed", "connect": "connect", "disconnect": "connect", "worker": "worker",
    "certify": "certify",
    # groups -> their module
    "sync": "sync", "inbound": "inbound", "policy": "policy", "users": "users", "keys": "keys",
    "db": "db", "tenant": "tenants", "apikey": "apikeys", "webhooks": "webhooks",
    "events": "events", "compliance": "compliance", "candidates": "candidates",
    "identity": "identity",
}
"""Every command and group of the root, and the module of this package that holds it."""


@cache
def _joined(module: str) -> Any:
    """A module's `app` joined as the root joins it (`add_typer`), built once."""
    holder = typer.Typer(add_completion=False)
    holder.add_typer(importlib.import_module(f"{__name__}.{module}").app)
    return typer.main.get_command(holder)


class _LazyRoot(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        module = COMMANDS.get(cmd_name)
        return None if module is None else _joined(module).get_command(ctx, cmd_name)


app = typer.Typer(help="recruitlink: connect an ATS/CRM to LinkedIn Recruiter (RSC and CRM "
                       "Connect), with a local LinkedIn sandbox.", no_args_is_help=True,
                  cls=_LazyRoot)


@app.callback()
def _root() -> None:
    """The commands are joined by `_LazyRoot`; this callback makes the root a group."""
